package hdf5

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readEverything opens data and reads all it can: every group's members
// and attributes, every dataset's values through every typed reader, and a
// few lookups. Errors are expected from a mangled file; a panic, a hang or
// an oversized allocation is a failure.
func readEverything(data []byte, skipChecksums bool) {
	f, err := Parse(data)
	if err != nil {
		return
	}
	f.skipChecksums = skipChecksums
	f.SetDataLimit(1 << 20)
	readAttrs := func(o Object) {
		names, _ := o.Attrs()
		for _, n := range names {
			if a, err := o.Attr(n); err == nil {
				a.Float64s()
				a.Float32s()
				a.Int64s()
				a.Strings()
				a.String()
				a.Shape()
				_ = a.Datatype().String()
			}
		}
	}
	readAttrs(f.Root())
	f.Root().Walk(func(path string, o Object) error {
		readAttrs(o)
		switch o := o.(type) {
		case *Group:
			o.Members()
		case *Dataset:
			o.Float64s()
			o.Float32s()
			o.Int64s()
			o.Strings()
			o.Shape()
			o.Chunks()
			_ = o.Datatype().String()
		}
		return nil
	})
	if members, err := f.Root().Members(); err == nil {
		for _, m := range members {
			f.Root().Lookup(m + "/x/../" + m)
		}
	}
}

// fuzzSeeds are the small files of testdata/seeds (made by make_h5.py to
// be mutated quickly), the generated test files of at most 8 KiB, and a
// file of the Writer.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob("testdata/seeds/*.h5")
	more, _ := filepath.Glob("testdata/*.h5")
	for _, path := range append(files, more...) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) <= 12<<10 {
			seeds = append(seeds, b)
		}
	}
	w := NewWriter()
	g, _ := w.Root().CreateGroup("g")
	g.SetAttr("s", "value")
	g.SetAttr("names", FixedStrings{"a:0", "b:0"})
	g.CreateDataset("d", []int{2}, []float32{1, 2})
	b, _ := w.Bytes()
	return append(seeds, b)
}

// FuzzOpen feeds mutated HDF5 files to the reader. Half the runs skip the
// checksums of version 2 metadata, so that mutations reach the decoders
// behind them. Run it with
//
//	go test -run XXX -fuzz FuzzOpen -fuzztime 90s ./graph/hdf5
//
// testdata/fuzz/FuzzOpen keeps inputs that once failed and a selection of
// the interesting ones the fuzzer found (go test runs them all).
func FuzzOpen(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, skipChecksums bool) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			readEverything(data, skipChecksums)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("reading the file takes more than 10 s")
		}
	})
}

// FuzzRoundTrip writes files of fuzzed names and values with Writer and
// reads them back: what was written must be read, exactly. Run it with
//
//	go test -run XXX -fuzz FuzzRoundTrip -fuzztime 90s ./graph/hdf5
func FuzzRoundTrip(f *testing.F) {
	f.Add("lstm_1", "kernel:0", "{\"config\": 1}", 1.5, int64(-3), []byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(3))
	f.Add("ü", "x", "", math.Inf(-1), int64(math.MaxInt64), []byte{}, uint8(0))
	f.Add("a", "a", strings.Repeat("long ", 3000), math.NaN(), int64(0), bytes.Repeat([]byte{0xff}, 1000), uint8(200))
	f.Fuzz(func(t *testing.T, group, name, text string, x float64, n int64, raw []byte, count uint8) {
		w := NewWriter()
		g, err := w.Root().CreateGroup(group)
		if err != nil {
			if group != "" && group != "." && !strings.ContainsAny(group, "/\x00") {
				t.Fatalf("CreateGroup(%q): %v", group, err)
			}
			return
		}
		// count subgroups make the group's B-tree grow past one node
		for i := range int(count) {
			if _, err := g.CreateGroup(string(rune('A'+i%26)) + string(rune('A'+i/26))); err != nil {
				t.Fatal(err)
			}
		}
		floats := make([]float32, len(raw)/4)
		for i := range floats {
			floats[i] = math.Float32frombits(uint32(raw[4*i]) | uint32(raw[4*i+1])<<8 | uint32(raw[4*i+2])<<16 | uint32(raw[4*i+3])<<24)
		}
		fixed := FixedStrings{text, name, ""}
		attrs := []testAttr{{"text", text}, {"ascii", ASCIIString(text)}, {"fixed", fixed},
			{"texts", []string{text, name}}, {"x", x}, {"n", n}, {"raw", raw}, {"floats", floats}}
		for _, a := range attrs {
			if err := g.SetAttr(a.name, a.value); err != nil {
				if errors.Is(err, ErrTooLarge) && 3*max(len(text), len(name))+len(raw) > MaxAttrSize-256 {
					return // too large for an object header
				}
				t.Fatalf("SetAttr(%q): %v", a.name, err)
			}
		}
		data, err := g.CreateGroup("data")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := data.CreateDataset(name, []int{len(floats)}, floats); err != nil {
			if strings.ContainsAny(name, "/\x00") || name == "" || name == "." {
				return
			}
			t.Fatalf("CreateDataset(%q): %v", name, err)
		}
		b, err := w.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		rg, err := f.Root().Group(group)
		if err != nil {
			t.Fatal(err)
		}
		members, err := rg.Members()
		if err != nil || len(members) != int(count)+1 {
			t.Fatalf("members %d, %v; want %d", len(members), err, int(count)+1)
		}
		get := func(name string) *Attribute {
			a, err := rg.Attr(name)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		if s, err := get("text").String(); err != nil || s != text {
			t.Errorf("text = %q, %v; want %q", s, err, text)
		}
		if s, err := get("ascii").String(); err != nil || s != text {
			t.Errorf("ascii = %q, %v; want %q", s, err, text)
		}
		if s, err := get("fixed").Strings(); err != nil || len(s) != 3 || s[0] != strings.TrimRight(text, "\x00") || s[1] != strings.TrimRight(name, "\x00") || s[2] != "" {
			t.Errorf("fixed = %q, %v; want %q", s, err, fixed)
		}
		if s, err := get("texts").Strings(); err != nil || len(s) != 2 || s[0] != text || s[1] != name {
			t.Errorf("texts = %q, %v", s, err)
		}
		if v, err := get("x").Float64s(); err != nil || math.Float64bits(v[0]) != math.Float64bits(x) {
			t.Errorf("x = %v, %v; want %v", v, err, x)
		}
		if v, err := get("n").Int64s(); err != nil || v[0] != n {
			t.Errorf("n = %v, %v; want %v", v, err, n)
		}
		if v, err := get("raw").Int64s(); err != nil || len(v) != len(raw) {
			t.Errorf("raw = %v, %v", v, err)
		} else {
			for i := range raw {
				if v[i] != int64(raw[i]) {
					t.Fatalf("raw[%d] = %d, want %d", i, v[i], raw[i])
				}
			}
		}
		d, err := rg.Dataset("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := d.Float32s()
		if err != nil || len(v) != len(floats) {
			t.Fatalf("dataset = %d values, %v; want %d", len(v), err, len(floats))
		}
		for i := range v {
			if math.Float32bits(v[i]) != math.Float32bits(floats[i]) {
				t.Fatalf("dataset[%d] = %v, want %v", i, v[i], floats[i])
			}
		}
	})
}
