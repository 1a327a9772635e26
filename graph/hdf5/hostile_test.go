package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// messageAt returns the file offset of the data of the first message of
// type typ in the first block of the version 1 object header of the object
// at path.
func messageAt(t *testing.T, file []byte, path string, typ uint16) int {
	t.Helper()
	f, err := Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.Root().Lookup(path)
	if err != nil {
		t.Fatal(err)
	}
	addr := int(o.base().hdr.addr)
	if file[addr] != 1 {
		t.Fatalf("%s: not a version 1 object header", path)
	}
	end := addr + 16 + int(binary.LittleEndian.Uint32(file[addr+8:]))
	for off := addr + 16; off+8 <= end; {
		mt := binary.LittleEndian.Uint16(file[off:])
		size := int(binary.LittleEndian.Uint16(file[off+2:]))
		if mt == typ {
			return off + 8
		}
		off += 8 + size
	}
	t.Fatalf("%s has no message of type %#x", path, typ)
	return 0
}

// allocated runs fn and returns the bytes it allocated.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll reads every object and value of the file and returns the first
// error.
func readAll(data []byte) (err error) {
	f, err := Parse(data)
	if err != nil {
		return err
	}
	check := func(e error) {
		if err == nil && e != nil {
			err = e
		}
	}
	readObj := func(o Object) {
		names, e := o.Attrs()
		check(e)
		for _, n := range names {
			a, e := o.Attr(n)
			check(e)
			if a != nil && a.Datatype().Class == String {
				_, e = a.Strings()
			} else if a != nil {
				_, e = a.Float64s()
			}
			if !errors.Is(e, ErrUnsupported) {
				check(e)
			}
		}
		if d, ok := o.(*Dataset); ok {
			var e error
			if d.Datatype().Class == String {
				_, e = d.Strings()
			} else {
				_, e = d.Float64s()
			}
			if !errors.Is(e, ErrUnsupported) {
				check(e)
			}
		}
	}
	readObj(f.Root())
	check(f.Root().Walk(func(_ string, o Object) error { readObj(o); return nil }))
	return err
}

// TestHostileFiles patches valid files into hostile ones: each must give
// an error that says what is wrong, without a panic, a hang or a large
// allocation.
func TestHostileFiles(t *testing.T) {
	basic := mustRead(t, "testdata/sb0_basic.h5")
	cont := mustRead(t, "testdata/sb0_continuation.h5")
	cases := []struct {
		name  string
		file  []byte
		patch func(t *testing.T, b []byte)
		want  error
		msg   string
	}{{
		name: "dataspace of 2^40 elements",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			off := messageAt(t, b, "/big_f8", msgDataspace)
			binary.LittleEndian.PutUint64(b[off+8:], 1<<40)  // dims[0]
			binary.LittleEndian.PutUint64(b[off+24:], 1<<40) // maxdims[0]
		},
		want: ErrTooLarge, msg: "exceed the data limit",
	}, {
		name: "dataspace whose element count overflows",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			off := messageAt(t, b, "/big_f8", msgDataspace)
			binary.LittleEndian.PutUint64(b[off+8:], 1<<40)
			binary.LittleEndian.PutUint64(b[off+16:], 1<<40)
		},
		want: ErrCorrupt, msg: "too many elements",
	}, {
		name: "contiguous data past the end of the file",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			off := messageAt(t, b, "/big_f8", msgLayout)
			binary.LittleEndian.PutUint64(b[off+2:], uint64(len(b)-100))
		},
		want: ErrCorrupt, msg: "past the end of the file",
	}, {
		name: "continuation block that points to itself",
		file: cont,
		patch: func(t *testing.T, b []byte) {
			off := messageAt(t, b, "/d", msgContinuation)
			f, err := Parse(b)
			d, _ := must(t, f, err).Root().Lookup("/d")
			binary.LittleEndian.PutUint64(b[off:], d.base().hdr.addr+16)
		},
		want: ErrCorrupt, msg: "continuation loop",
	}, {
		name: "group B-tree node that is its own child",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			off := messageAt(t, b, "/links", msgSymbolTable)
			btree := binary.LittleEndian.Uint64(b[off:])
			// the root node is at level 1 (300 links); its first child
			// pointer follows the header and key 0
			if b[btree+5] != 1 {
				t.Fatalf("B-tree root at level %d", b[btree+5])
			}
			binary.LittleEndian.PutUint64(b[btree+24+8:], btree)
		},
		want: ErrCorrupt, msg: "loop",
	}, {
		name: "two groups sharing one symbol table",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			src := messageAt(t, b, "/links", msgSymbolTable)
			dst := messageAt(t, b, "/many", msgSymbolTable)
			copy(b[dst:dst+16], b[src:src+16])
		},
		want: ErrCorrupt, msg: "belongs to two objects",
	}, {
		name: "local heap larger than the file",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			off := messageAt(t, b, "/many", msgSymbolTable)
			heap := binary.LittleEndian.Uint64(b[off+8:])
			binary.LittleEndian.PutUint64(b[heap+8:], 1<<50)
		},
		want: ErrCorrupt, msg: "local heap",
	}, {
		name: "global heap collection larger than the file",
		file: basic,
		patch: func(t *testing.T, b []byte) {
			i := bytes.Index(b, []byte("GCOL"))
			binary.LittleEndian.PutUint64(b[i+8:], 1<<50)
		},
		want: ErrCorrupt, msg: "global heap collection",
	}, {
		name: "not HDF5",
		file: []byte(strings.Repeat("not an HDF5 file ", 100)),
		want: ErrCorrupt, msg: "no HDF5 signature",
	}, {
		name:  "superblock version 7",
		file:  basic,
		patch: func(t *testing.T, b []byte) { b[8] = 7 },
		want:  ErrUnsupported, msg: "superblock version 7",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := bytes.Clone(c.file)
			if c.patch != nil {
				c.patch(t, b)
			}
			var err error
			n := allocated(func() { err = readAll(b) })
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("got %v, want %v mentioning %q", err, c.want, c.msg)
			}
			if limit := uint64(16*len(b)) + 4<<20; n > limit {
				t.Errorf("allocated %d bytes reading a %d-byte file", n, len(b))
			}
		})
	}
}

// TestHostileChunks reads chunks that lie about their contents (made by
// make_h5.py with h5py's write_direct_chunk).
func TestHostileChunks(t *testing.T) {
	b := mustRead(t, "testdata/hostile/chunks.h5")
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		want error
		msg  string
	}{
		{"bomb", ErrCorrupt, "inflates to more than"},
		{"short", ErrCorrupt, "chunk decodes to 40 bytes, want 80"},
		{"not_zlib", ErrCorrupt, "deflate"},
		{"fletcher", ErrCorrupt, "fletcher32"},
		{"huge_fill", ErrTooLarge, "exceed the data limit"},
	}
	for _, c := range cases {
		d, err := f.Root().Dataset(c.path)
		if err != nil {
			t.Fatal(err)
		}
		n := allocated(func() { _, err = d.Float64s() })
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "/"+c.path) {
			t.Errorf("%s: got %v, want %v mentioning %q and the path", c.path, err, c.want, c.msg)
		}
		if n > 1<<20 {
			t.Errorf("%s: allocated %d bytes", c.path, n)
		}
	}
	d, err := f.Root().Dataset("good")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := d.Float64s(); err != nil || v[9] != 9 {
		t.Errorf("good chunk: %v, %v", v, err)
	}
	// Three million unwritten elements read as the fill value, within the
	// default limit; a lower limit refuses them, SetDataLimit(0) restores
	// the default.
	d, err = f.Root().Dataset("big_fill")
	if err != nil {
		t.Fatal(err)
	}
	v, err := d.Int64s()
	if err != nil || len(v) != 3_000_000 || v[0] != 7 || v[len(v)-1] != 7 {
		t.Errorf("big_fill: %d values, %v", len(v), err)
	}
	f.SetDataLimit(1 << 20)
	if _, err := d.Int64s(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big_fill with a 1 MiB limit: %v, want ErrTooLarge", err)
	}
	f.SetDataLimit(0)
	if _, err := d.Int64s(); err != nil {
		t.Errorf("big_fill with the default limit restored: %v", err)
	}
}

// TestTruncatedFiles reads every generated file cut short at many lengths:
// each gives an error (or, cut past its end, the data), never a panic.
func TestTruncatedFiles(t *testing.T) {
	for _, name := range []string{"sb0_basic.h5", "sb3_latest.h5", "chunked.h5", "dtypes.h5"} {
		b := mustRead(t, "testdata/"+name)
		for i := 0; i < 64; i++ {
			n := len(b) * i / 64
			if err := readAll(b[:n]); err == nil {
				t.Errorf("%s cut to %d of %d bytes: no error", name, n, len(b))
			}
		}
	}
}
