package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	f := openTestFile(t, "testdata/sb0_basic.h5")
	root := f.Root()
	links, err := root.Group("links")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		from *Group
		path string
		want string // path of the object found
	}{
		{root, "model_weights/lstm_1/lstm_1/kernel:0", "/model_weights/lstm_1/lstm_1/kernel:0"},
		{root, "/model_weights//lstm_1/./lstm_1/bias:0", "/model_weights/lstm_1/lstm_1/bias:0"},
		{links, "/many/d3", "/many/d3"},
		{links, "s042", "/scalar_f8"},         // soft link to an absolute path
		{links, "sibling", "/scalar_f8"},      // soft link to s001, relative to /links
		{root, "links/s299", "/scalar_f8"},    // through a two-level B-tree
		{root, "links/sibling", "/scalar_f8"}, // resolved from the link's group
		{root, "", "/"},
		{root, "/", "/"},
	}
	for _, c := range cases {
		o, err := c.from.Lookup(c.path)
		if err != nil {
			t.Errorf("%s: Lookup(%q): %v", c.from.Path(), c.path, err)
			continue
		}
		if o.Path() != c.want {
			t.Errorf("%s: Lookup(%q) = %s, want %s", c.from.Path(), c.path, o.Path(), c.want)
		}
	}
	errCases := []struct {
		path string
		get  func(string) error
		want error
		msg  string
	}{
		{"missing", func(p string) error { _, err := root.Lookup(p); return err }, ErrNotFound, "hdf5: /missing: not found"},
		{"links/dangling", func(p string) error { _, err := root.Lookup(p); return err }, ErrNotFound, `soft link to "/no/such/thing"`},
		// ".." is a name like any other in HDF5, not the parent group
		{"links/relative", func(p string) error { _, err := root.Lookup(p); return err }, ErrNotFound, "/links/..: not found"},
		{"big_f8/x", func(p string) error { _, err := root.Lookup(p); return err }, nil, "is a dataset, not a group"},
		{"big_f8", func(p string) error { _, err := root.Group(p); return err }, nil, "/big_f8: is a dataset, not a group"},
		{"many", func(p string) error { _, err := root.Dataset(p); return err }, nil, "/many: is a group, not a dataset"},
	}
	for _, c := range errCases {
		err := c.get(c.path)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: got %v, want %v mentioning %q", c.path, err, c.want, c.msg)
		}
	}
}

func TestExternalLinks(t *testing.T) {
	f := openTestFile(t, "testdata/links.h5")
	_, err := f.Root().Lookup("ext")
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `external link to "other.h5:/x`) {
		t.Errorf("external link: %v", err)
	}
}

// TestWalk checks that Walk visits every object once, in member order,
// through a group that contains itself and an alias of a dataset, and stops
// at the first error.
func TestWalk(t *testing.T) {
	f := openTestFile(t, "testdata/links.h5")
	var got []string
	err := f.Root().Walk(func(path string, o Object) error {
		if o.Path() != path {
			t.Errorf("object %s visited as %s", o.Path(), path)
		}
		got = append(got, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// /alias is the first path to the dataset (/g/d is the same object);
	// /g/self and /g/up lead back to visited groups.
	want := []string{"/alias", "/g"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Walk visited %v, want %v", got, want)
	}
	stop := errors.New("stop")
	n := 0
	err = openTestFile(t, "testdata/sb0_basic.h5").Root().Walk(func(string, Object) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("Walk returned %v after %d calls, want the callback's error after 1", err, n)
	}
}

// TestUnsupported checks that each feature the package does not read gives
// an error wrapping ErrUnsupported that names the feature and the object.
func TestUnsupported(t *testing.T) {
	f := openTestFile(t, "testdata/unsupported.h5")
	cases := []struct{ path, msg string }{
		{"lzf", "filter 32000 (lzf)"},
		{"scaleoffset", "filter 6 (scaleoffset)"},
		{"compound", "compound"},
		{"array_type", "array [3] of little-endian float32"},
		{"opaque", "opaque"},
		{"reference", "reference"},
		{"vlen_int", "variable-length sequence of little-endian int32"},
		{"external", "external storage"},
	}
	for _, c := range cases {
		d, err := f.Root().Dataset(c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		_, err = d.Float64s()
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "/"+c.path) {
			t.Errorf("%s: got %v, want ErrUnsupported mentioning %q and the path", c.path, err, c.msg)
		}
	}
	a, err := f.Root().Attr("compound_attr")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Strings(); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `/: attribute "compound_attr": not supported: reading values of datatype compound`) {
		t.Errorf("compound attribute: %v", err)
	}
	v := openTestFile(t, "testdata/virtual.h5")
	d, err := v.Root().Dataset("vds")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Float32s(); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "hdf5: /vds: not supported: virtual dataset") {
		t.Errorf("virtual dataset: %v", err)
	}
	if d.Layout() != Virtual {
		t.Errorf("layout %v, want virtual", d.Layout())
	}
}

// TestTypedReaders checks the conversions of the typed readers and their
// errors.
func TestTypedReaders(t *testing.T) {
	f := openTestFile(t, "testdata/sb0_basic.h5")
	attr := func(name string) *Attribute {
		a, err := f.Root().Attr(name)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if v, err := attr("array_i4_2d").Float32s(); err != nil || !reflect.DeepEqual(v, []float32{0, 1, 2, 3, 4, 5}) {
		t.Errorf("int32 as float32: %v, %v", v, err)
	}
	if v, err := attr("array_u2_be").Int64s(); err != nil || !reflect.DeepEqual(v, []int64{1, 65535}) {
		t.Errorf("big-endian uint16 as int64: %v, %v", v, err)
	}
	if v, err := attr("bool").Int64s(); err != nil || !reflect.DeepEqual(v, []int64{1}) {
		t.Errorf("bool enum as int64: %v, %v", v, err)
	}
	if v, err := attr("scalar_f4").Float64s(); err != nil || !reflect.DeepEqual(v, []float64{1.5}) {
		t.Errorf("scalar float32 as float64: %v, %v", v, err)
	}
	if s, err := attr("vlen_utf8").String(); err != nil || s != "héllo wörld ✓" {
		t.Errorf("vlen UTF-8: %q, %v", s, err)
	}
	if s, err := attr("fixed_S").Strings(); err != nil || !reflect.DeepEqual(s, []string{"lstm_1", "dense_1", "x"}) {
		t.Errorf("fixed strings: %q, %v", s, err)
	}
	if attr("empty_f8").Null() || !reflect.DeepEqual(attr("empty_f8").Shape(), []int{0}) {
		t.Errorf("empty array: null %v, shape %v", attr("empty_f8").Null(), attr("empty_f8").Shape())
	}
	if v, err := attr("empty_f8").Float64s(); err != nil || len(v) != 0 {
		t.Errorf("empty array: %v, %v", v, err)
	}
	if !attr("null_f8").Null() || attr("null_f8").Shape() != nil {
		t.Errorf("null dataspace: null %v, shape %v", attr("null_f8").Null(), attr("null_f8").Shape())
	}
	if s := attr("scalar_i8").Shape(); s == nil || len(s) != 0 {
		t.Errorf("scalar shape %v, want []", s)
	}
	errCases := []struct {
		name string
		read func(a *Attribute) error
		msg  string
	}{
		{"vlen_utf8", func(a *Attribute) error { _, err := a.Float64s(); return err }, "cannot read variable-length string (UTF-8) as float64"},
		{"array_f8", func(a *Attribute) error { _, err := a.Strings(); return err }, "cannot read little-endian float64 as strings"},
		{"array_f8", func(a *Attribute) error { _, err := a.Int64s(); return err }, "cannot read little-endian float64 as int64"},
		{"fixed_S", func(a *Attribute) error { _, err := a.String(); return err }, "3 strings, not one"},
	}
	for _, c := range errCases {
		err := c.read(attr(c.name))
		if !errors.Is(err, ErrType) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), `attribute "`+c.name+`"`) {
			t.Errorf("%s: got %v, want ErrType mentioning %q and the attribute", c.name, err, c.msg)
		}
	}
	if _, err := f.Root().Attr("nope"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `hdf5: /: attribute "nope": not found`) {
		t.Errorf("missing attribute: %v", err)
	}
	d := openTestFile(t, "testdata/dtypes.h5")
	u, err := d.Root().Dataset("uint64le")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Int64s(); !errors.Is(err, ErrType) || !strings.Contains(err.Error(), "18446744073709551615") {
		t.Errorf("uint64 max as int64: %v", err)
	}
}

func TestDatatypeString(t *testing.T) {
	f := openTestFile(t, "testdata/dtypes.h5")
	cases := map[string]string{
		"float32le": "little-endian float32",
		"float16be": "big-endian float16",
		"int8le":    "int8",
		"uint16be":  "big-endian uint16",
		"bool":      "enum of int8",
		"fixed_S":   "fixed-length string (6 bytes, null-padded, ASCII)",
		"vlen_str":  "variable-length string (UTF-8)",
	}
	for path, want := range cases {
		d, err := f.Root().Dataset(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Datatype().String(); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestDatasetLayout(t *testing.T) {
	f := openTestFile(t, "testdata/chunked.h5")
	d, err := f.Root().Dataset("all_filters")
	if err != nil {
		t.Fatal(err)
	}
	if d.Layout() != Chunked || !reflect.DeepEqual(d.Chunks(), []int{3, 30}) || !reflect.DeepEqual(d.Shape(), []int{10, 100}) {
		t.Errorf("layout %v, chunks %v, shape %v", d.Layout(), d.Chunks(), d.Shape())
	}
	var names []string
	for _, flt := range d.Filters() {
		names = append(names, flt.Name)
	}
	if !reflect.DeepEqual(names, []string{"shuffle", "deflate", "fletcher32"}) {
		t.Errorf("filters %v", names)
	}
	g := openTestFile(t, "testdata/dtypes.h5")
	c, err := g.Root().Dataset("compact")
	if err != nil {
		t.Fatal(err)
	}
	if c.Layout() != Compact || c.Chunks() != nil {
		t.Errorf("compact dataset: layout %v, chunks %v", c.Layout(), c.Chunks())
	}
}

// errReader fails every read after the first n bytes.
type errReader struct {
	data []byte
	n    int64
}

func (r errReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.n {
		return 0, io.ErrClosedPipe
	}
	return copy(p, r.data[off:]), nil
}

// TestReadErrors checks that an error of the underlying reader is
// returned, not taken for a corrupt file.
func TestReadErrors(t *testing.T) {
	b := mustRead(t, "testdata/sb0_basic.h5")
	f, err := Open(errReader{b, int64(len(b))}, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Root().Dataset("big_f8")
	if err != nil {
		t.Fatal(err)
	}
	f.r = errReader{b, 4096}
	if _, err := d.Float64s(); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read error: %v, want io.ErrClosedPipe", err)
	}
	if _, err := Open(errReader{b, 0}, int64(len(b))); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Open with a failing reader: %v", err)
	}
	if _, err := Open(errReader{b, 0}, -1); err == nil {
		t.Error("Open with a negative size succeeded")
	}
}

// TestHeapIDs checks the decoding of fractal heap IDs that h5py's heaps do
// not produce: tiny objects, kept in the ID itself (III.G), in the normal
// form (IDs of up to 18 bytes) and the extended one.
func TestHeapIDs(t *testing.T) {
	f := openTestFile(t, "testdata/sb0_basic.h5")
	normal := &fractalHeap{f: f, idLen: 8}
	if obj, err := normal.object([]byte{0x22, 'a', 'b', 'c', 0, 0, 0, 0}); err != nil || string(obj) != "abc" {
		t.Errorf("tiny object: %q, %v", obj, err)
	}
	extended := &fractalHeap{f: f, idLen: 20}
	id := append([]byte{0x20, 4}, "hello, tiny world!"...)
	if obj, err := extended.object(id); err != nil || string(obj) != "hello" {
		t.Errorf("extended tiny object: %q, %v", obj, err)
	}
	for _, bad := range [][]byte{
		{0x2f, 'a', 'b', 'c', 0, 0, 0, 0}, // 16 bytes in an 8-byte ID
		{0x62, 'a', 'b', 'c', 0, 0, 0, 0}, // ID version 1
		{0x32, 'a', 'b', 'c', 0, 0, 0, 0}, // type 3
		{0x22, 'a'},                       // short ID
	} {
		if _, err := normal.object(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("heap ID % x: %v, want ErrCorrupt", bad, err)
		}
	}
}

// TestOldLayoutMessages reads a contiguous dataset whose layout message is
// rewritten in versions 1 and 2 (HDF5 1.4 and 1.6; h5py writes version 3).
func TestOldLayoutMessages(t *testing.T) {
	const path = "/model_weights/lstm_1/lstm_1/bias:0"
	orig := mustRead(t, "testdata/sb0_basic.h5")
	want, err := parseT(t, orig).Root().Dataset(path)
	if err != nil {
		t.Fatal(err)
	}
	values, err := want.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []byte{1, 2} {
		b := bytes.Clone(orig)
		off := messageAt(t, b, path, msgLayout)
		addr := binary.LittleEndian.Uint64(b[off+2:])
		// version, dimensionality, class, 5 reserved, address, dimensions
		msg := []byte{version, 2, byte(Contiguous), 0, 0, 0, 0, 0}
		msg = binary.LittleEndian.AppendUint64(msg, addr)
		msg = binary.LittleEndian.AppendUint32(msg, 12)
		msg = binary.LittleEndian.AppendUint32(msg, 4)
		copy(b[off:off+24], msg)
		d, err := parseT(t, b).Root().Dataset(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.Float32s()
		if err != nil || !reflect.DeepEqual(got, values) {
			t.Errorf("layout version %d: %v, %v; want %v", version, got, err, values)
		}
	}
}

// TestContinuationBlocks checks that the generated files hold what they
// are meant to test: object headers of both versions continued in other
// blocks, and the same values as h5py reads (TestGeneratedFiles).
func TestContinuationBlocks(t *testing.T) {
	for _, c := range []struct {
		file, path string
		version    int
	}{
		{"sb0_continuation.h5", "/d", 1},
		{"sb0_continuation.h5", "/g", 1},
		{"sb3_latest.h5", "/cont", 2},
	} {
		o, err := openTestFile(t, "testdata/"+c.file).Root().Lookup(c.path)
		if err != nil {
			t.Fatal(err)
		}
		h := o.base().hdr
		if h.version != c.version || h.blocks < 2 {
			t.Errorf("%s %s: object header version %d in %d blocks, want version %d in several", c.file, c.path, h.version, h.blocks, c.version)
		}
	}
}

// TestGeneratedFeatures checks that each generated file has the structure
// it is named for, so that TestGeneratedFiles covers what it claims to.
func TestGeneratedFeatures(t *testing.T) {
	open := func(name string) *File { return openTestFile(t, "testdata/"+name) }
	header := func(f *File, path string) *objectHeader {
		o, err := f.Root().Lookup(path)
		if err != nil {
			t.Fatal(err)
		}
		return o.base().hdr
	}
	for name, want := range map[string]int{"sb0_basic.h5": 0, "sb1_istore_k.h5": 1, "sb2_v108.h5": 2, "sb3_latest.h5": 3} {
		if v := open(name).SuperblockVersion(); v != want {
			t.Errorf("%s: superblock version %d, want %d", name, v, want)
		}
	}
	if f := open("userblock.h5"); f.base != 512 {
		t.Errorf("userblock.h5: superblock at %d, want 512", f.base)
	}

	basic := open("sb0_basic.h5")
	if h := header(basic, "/links"); h.version != 1 || h.find(msgSymbolTable) == nil {
		t.Error("sb0_basic.h5 /links is not an old-style group")
	}
	stab := header(basic, "/links").find(msgSymbolTable).data
	if root, err := basic.readAt(leUint(stab[:8]), 8, "B-tree"); err != nil || root[5] != 1 {
		t.Errorf("sb0_basic.h5 /links: the group B-tree root is not at level 1 (%v)", err)
	}

	latest := open("sb3_latest.h5")
	linkInfo := func(path string) *denseInfo {
		li, err := latest.decodeDenseInfo(header(latest, path).find(msgLinkInfo).data, "link info")
		if err != nil {
			t.Fatal(err)
		}
		return li
	}
	if li := linkInfo("/compact"); li.heapAddr != latest.undef() {
		t.Error("sb3_latest.h5 /compact has dense links")
	}
	for _, path := range []string{"/dense", "/dense_deep", "/ordered_dense"} {
		if li := linkInfo(path); li.heapAddr == latest.undef() {
			t.Errorf("sb3_latest.h5 %s has no dense links", path)
		}
	}
	if li := linkInfo("/ordered_dense"); !li.orderTracked || li.orderIndex == latest.undef() {
		t.Error("sb3_latest.h5 /ordered_dense does not index creation order")
	}
	if bt, err := latest.readBTree2(linkInfo("/dense_deep").nameIndex, bt2LinkNames, header(latest, "/dense_deep").addr); err != nil || bt.depth < 1 {
		t.Errorf("sb3_latest.h5 /dense_deep: name index %v, %v; want depth 1 or more", bt, err)
	}
	for _, path := range []string{"/dense_attrs", "/big_attr", "/ordered_attrs"} {
		m := header(latest, path).find(msgAttributeInfo)
		if m == nil {
			t.Errorf("sb3_latest.h5 %s has no attribute info", path)
			continue
		}
		if ai, _ := latest.decodeDenseInfo(m.data, "attribute info"); ai == nil || ai.heapAddr == latest.undef() {
			t.Errorf("sb3_latest.h5 %s has no dense attributes", path)
		}
	}
	big, err := latest.Root().Group("big_attr")
	if err != nil {
		t.Fatal(err)
	}
	if a, err := big.Attr("big"); err != nil || len(a.msg.data) <= 1<<16 {
		t.Errorf("big_attr/big: %v, want an attribute over 64 KiB", err)
	}
	indexes := map[string]int{"single": idxSingle, "single_filtered": idxSingle, "implicit": idxImplicit,
		"fixed": idxFixed, "fixed_filtered": idxFixed, "fixed_paged": idxFixed, "fixed_maxshape": idxFixed,
		"extensible": idxExtended, "extensible_big": idxExtended, "extensible_filtered": idxExtended,
		"extensible_dim1": idxExtended, "btree2": idxBTree2, "btree2_filtered": idxBTree2, "btree2_deep": idxBTree2}
	for name, want := range indexes {
		d, err := latest.Root().Dataset("chunk_index/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if d.layout.version != 4 || d.layout.index != want {
			t.Errorf("chunk_index/%s: layout version %d, index %d; want 4, %d", name, d.layout.version, d.layout.index, want)
		}
	}
	paged, _ := latest.Root().Dataset("chunk_index/fixed_paged")
	if fa, err := latest.readFixedArray(paged.layout.indexAddr, paged.hdr.addr); err != nil || fa.pageNelts == 0 || bitSet(fa.bitmap, 0) {
		t.Errorf("chunk_index/fixed_paged: %v; want a paged fixed array whose first page is unwritten", err)
	}
	if d, _ := latest.Root().Dataset("chunk_index/extensible_big"); d.Shape()[0] <= 244 {
		t.Error("chunk_index/extensible_big does not reach the secondary blocks")
	}
	compact, _ := open("dtypes.h5").Root().Dataset("compact")
	if compact.Layout() != Compact {
		t.Error("dtypes.h5 /compact is not compact")
	}
}
