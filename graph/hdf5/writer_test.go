package hdf5

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// A testTree describes a file to write: the test writes it with Writer and
// builds, independently of the reader, the dump that h5py must make of it.
type testTree struct {
	attrs    []testAttr
	groups   map[string]*testTree
	datasets map[string]testDataset
}

type testAttr struct {
	name  string
	value any
}

type testDataset struct {
	shape []int
	data  any
	attrs []testAttr
}

// kerasTree is a Keras 2.2.4-style file with every kind of value the
// Writer stores.
func kerasTree() *testTree {
	kernel := make([]float32, 4*12)
	for i := range kernel {
		kernel[i] = float32(math.Sin(float64(i))) * 3
	}
	big := make([]float64, 300)
	for i := range big {
		big[i] = math.Exp(float64(i) / 50)
	}
	layer := &testTree{
		attrs: []testAttr{{"weight_names", FixedStrings{"lstm_1/kernel:0", "lstm_1/bias:0"}}},
		groups: map[string]*testTree{"lstm_1": {datasets: map[string]testDataset{
			"kernel:0": {shape: []int{4, 12}, data: kernel},
			"bias:0":   {shape: []int{12}, data: []float32{0, 1, -1, 0.5, 1e-30, 3.4e38, float32(math.Inf(1)), -0, 1, 1, 1, 1}},
		}}},
	}
	many := &testTree{datasets: map[string]testDataset{}}
	for i := range 70 { // more than 8 symbol table nodes' worth, under one B-tree node
		many.datasets[string(rune('a'+i%26))+string(rune('a'+i/26))+":0"] = testDataset{data: []int64{int64(i)}}
	}
	return &testTree{
		attrs: []testAttr{
			{"keras_version", ASCIIString("2.2.4")},
			{"backend", ASCIIString("tensorflow")},
			{"model_config", `{"class_name": "Sequential", "config": {"name": "séquence ✓"}}`},
			{"training_config", ASCIIString(`{"loss": "mse"}`)},
			{"vlen_utf8_array", []string{"a", "", "ünï"}},
			{"vlen_ascii_array", []ASCIIString{"x", "yz", ""}},
			{"empty_vlen", []string{}},
			{"f32", float32(1.5)}, {"f64", math.Pi}, {"i8", int8(-8)}, {"i16", int16(-16)},
			{"i32", int32(-32)}, {"i64", int64(math.MinInt64)}, {"int", 7},
			{"u8", uint8(255)}, {"u16", uint16(65535)}, {"u32", uint32(1 << 31)}, {"u64", uint64(math.MaxUint64)},
			{"f32s", []float32{1, -2.5}}, {"f64s", []float64{0.1, 1e300}}, {"i64s", []int64{1, -1}},
			{"ints", []int{3, 4}}, {"u16s", []uint16{1, 2, 3}}, {"i8s", []int8{-1}}, {"u8s", []uint8{0, 255}},
			{"i16s", []int16{-300}}, {"i32s", []int32{1 << 30}}, {"u32s", []uint32{7}}, {"u64s", []uint64{1 << 63}},
		},
		groups: map[string]*testTree{
			"model_weights": {
				attrs: []testAttr{
					{"layer_names", FixedStrings{"lstm_1", "dropout_1", "dense_1"}},
					{"backend", ASCIIString("tensorflow")},
				},
				groups: map[string]*testTree{
					"lstm_1":    layer,
					"dropout_1": {attrs: []testAttr{{"weight_names", []float64{}}}},
					"dense_1": {
						attrs: []testAttr{{"weight_names", FixedStrings{"dense_1/kernel:0"}}},
						groups: map[string]*testTree{"dense_1": {datasets: map[string]testDataset{
							"kernel:0": {shape: []int{3, 100}, data: big, attrs: []testAttr{{"note", "a dataset attribute"}}},
						}}},
					},
				},
			},
			"many":  many,
			"empty": {},
		},
		datasets: map[string]testDataset{
			"scalar":    {data: []float64{2.5}},
			"ints":      {shape: []int{2, 2}, data: []int32{1, -2, 3, -4}},
			"uints":     {shape: []int{3}, data: []uint8{1, 2, 250}},
			"zero_size": {shape: []int{0, 4}, data: []float32{}},
			"i16":       {shape: []int{1}, data: []int16{-7}},
			"i8":        {shape: []int{2}, data: []int8{-7, 7}},
			"u16":       {shape: []int{1}, data: []uint16{9}},
			"u32":       {shape: []int{1}, data: []uint32{9}},
			"u64":       {shape: []int{1}, data: []uint64{1 << 63}},
			"iter:0":    {data: []int64{1234}},
			"shape_1x":  {shape: []int{1, 1, 1}, data: []float64{math.Copysign(0, -1)}}, // negative zero
		},
	}
}

// write builds t into g.
func (tt *testTree) write(t testing.TB, g *GroupWriter) {
	t.Helper()
	for _, a := range tt.attrs {
		if err := g.SetAttr(a.name, a.value); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range sortedKeys(tt.groups) {
		sub, err := g.CreateGroup(name)
		if err != nil {
			t.Fatal(err)
		}
		tt.groups[name].write(t, sub)
	}
	for _, name := range sortedKeys(tt.datasets) {
		d := tt.datasets[name]
		dw, err := g.CreateDataset(name, d.shape, d.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range d.attrs {
			if err := dw.SetAttr(a.name, a.value); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// expected returns the dump h5py must make of the file (dump_h5.py's form),
// derived from the tree alone.
func (tt *testTree) expected() map[string]any {
	var objects []any
	var visit func(path string, t *testTree)
	visit = func(path string, t *testTree) {
		members := append(sortedKeys(t.groups), sortedKeys(t.datasets)...)
		sort.Strings(members)
		objects = append(objects, map[string]any{"path": path, "kind": "group", "members": members,
			"links": map[string]any{}, "hardlinks": map[string]any{}, "attrs": expectedAttrs(t.attrs)})
		for _, name := range members {
			child := joinPath(path, name)
			if sub, ok := t.groups[name]; ok {
				visit(child, sub)
				continue
			}
			d := t.datasets[name]
			dtype, values := expectedValue(d.data)
			space, shape := "simple", d.shape
			if len(shape) == 0 {
				space, shape = "scalar", []int{}
			}
			objects = append(objects, map[string]any{"path": child, "kind": "dataset", "dtype": dtype,
				"space": space, "shape": shape, "layout": "contiguous", "chunks": nil,
				"filters": []int{}, "data": values, "attrs": expectedAttrs(d.attrs)})
		}
	}
	visit("/", tt)
	return map[string]any{"superblock": 0, "objects": objects}
}

func expectedAttrs(attrs []testAttr) []any {
	sorted := append([]testAttr(nil), attrs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	out := []any{}
	for _, a := range sorted {
		dtype, values := expectedValue(a.value)
		space, shape := "simple", []int{valueLen(a.value)}
		if !isSliceValue(a.value) {
			space, shape = "scalar", []int{}
		}
		out = append(out, map[string]any{"name": a.name, "dtype": dtype, "space": space, "shape": shape, "data": values})
	}
	return out
}

func isSliceValue(v any) bool {
	switch v.(type) {
	case []string, []ASCIIString, FixedStrings:
		return true
	}
	return isSlice(v)
}

func valueLen(v any) int {
	switch v := v.(type) {
	case []string:
		return len(v)
	case []ASCIIString:
		return len(v)
	case FixedStrings:
		return len(v)
	}
	_, _, n, _ := encodeNumbers(v)
	return n
}

// expectedValue gives the dtype and data that dump_h5.py reports for a
// value written by SetAttr or CreateDataset.
func expectedValue(v any) (map[string]any, map[string]any) {
	str := func(cset int) map[string]any {
		return map[string]any{"class": 3, "vlen": true, "pad": 0, "cset": cset}
	}
	num := func(class, size int, signed bool) map[string]any {
		d := map[string]any{"class": class, "size": size, "order": "<"}
		if class == 0 {
			d["signed"] = signed
		}
		return d
	}
	values := func(vals ...any) map[string]any {
		if len(vals) > maxListed {
			return nil // checked through the Go reader's dump instead
		}
		if vals == nil {
			vals = []any{}
		}
		return map[string]any{"values": vals}
	}
	list := func(n int, at func(int) any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	switch v := v.(type) {
	case string:
		return str(1), values(v)
	case []string:
		return str(1), values(list(len(v), func(i int) any { return v[i] })...)
	case ASCIIString:
		return str(0), values(string(v))
	case []ASCIIString:
		return str(0), values(list(len(v), func(i int) any { return string(v[i]) })...)
	case FixedStrings:
		size := 1
		for _, s := range v {
			size = max(size, len(s))
		}
		return map[string]any{"class": 3, "vlen": false, "size": size, "pad": 1, "cset": 0},
			values(list(len(v), func(i int) any { return strings.TrimRight(v[i], "\x00") })...)
	case float32:
		return num(1, 4, false), values(jsonFloat(float64(v)))
	case float64:
		return num(1, 8, false), values(jsonFloat(v))
	case int8:
		return num(0, 1, true), values(int64(v))
	case int16:
		return num(0, 2, true), values(int64(v))
	case int32:
		return num(0, 4, true), values(int64(v))
	case int64:
		return num(0, 8, true), values(v)
	case int:
		return num(0, 8, true), values(int64(v))
	case uint8:
		return num(0, 1, false), values(uint64(v))
	case uint16:
		return num(0, 2, false), values(uint64(v))
	case uint32:
		return num(0, 4, false), values(uint64(v))
	case uint64:
		return num(0, 8, false), values(v)
	case []float32:
		return num(1, 4, false), values(list(len(v), func(i int) any { return jsonFloat(float64(v[i])) })...)
	case []float64:
		return num(1, 8, false), values(list(len(v), func(i int) any { return jsonFloat(v[i]) })...)
	case []int8:
		return num(0, 1, true), values(list(len(v), func(i int) any { return int64(v[i]) })...)
	case []int16:
		return num(0, 2, true), values(list(len(v), func(i int) any { return int64(v[i]) })...)
	case []int32:
		return num(0, 4, true), values(list(len(v), func(i int) any { return int64(v[i]) })...)
	case []int64:
		return num(0, 8, true), values(list(len(v), func(i int) any { return v[i] })...)
	case []int:
		return num(0, 8, true), values(list(len(v), func(i int) any { return int64(v[i]) })...)
	case []uint8:
		return num(0, 1, false), values(list(len(v), func(i int) any { return uint64(v[i]) })...)
	case []uint16:
		return num(0, 2, false), values(list(len(v), func(i int) any { return uint64(v[i]) })...)
	case []uint32:
		return num(0, 4, false), values(list(len(v), func(i int) any { return uint64(v[i]) })...)
	case []uint64:
		return num(0, 8, false), values(list(len(v), func(i int) any { return v[i] })...)
	}
	panic("expectedValue: unexpected value")
}

// writeTree writes tt and returns the file's bytes.
func writeTree(t *testing.T, tt *testTree) []byte {
	t.Helper()
	w := NewWriter()
	tt.write(t, w.Root())
	b, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compareExpected compares a dump with the expected one. Data that expected
// does not spell out (more than maxListed elements) is taken from got,
// whose values the h5py-vs-Go comparison checks.
func compareExpected(t *testing.T, label string, want map[string]any, got any) {
	t.Helper()
	g := got.(map[string]any)
	for i, o := range want["objects"].([]any) {
		o := o.(map[string]any)
		if d, ok := o["data"].(map[string]any); ok && d == nil {
			o["data"] = g["objects"].([]any)[i].(map[string]any)["data"]
		}
	}
	var diffs []string
	diffJSON(label, normalize(t, want), got, &diffs)
	for _, d := range diffs {
		t.Error(d)
	}
}

// TestWriterReadBack writes a Keras-style file with every kind of value and
// reads it back with the package's reader: everything is as written, and
// writing again gives the same bytes.
func TestWriterReadBack(t *testing.T) {
	tt := kerasTree()
	b := writeTree(t, tt)
	if again := writeTree(t, kerasTree()); !bytes.Equal(b, again) {
		t.Error("writing the same tree twice gave different bytes")
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.SuperblockVersion() != 0 {
		t.Errorf("superblock version %d, want 0", f.SuperblockVersion())
	}
	got, err := dumpFile(f)
	if err != nil {
		t.Fatal(err)
	}
	compareExpected(t, "go", tt.expected(), normalize(t, got))

	// The typed readers return the values exactly.
	d, err := f.Root().Dataset("model_weights/lstm_1/lstm_1/bias:0")
	if err != nil {
		t.Fatal(err)
	}
	bias, err := d.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	want := tt.groups["model_weights"].groups["lstm_1"].groups["lstm_1"].datasets["bias:0"].data.([]float32)
	for i := range want {
		if math.Float32bits(bias[i]) != math.Float32bits(want[i]) {
			t.Errorf("bias[%d] = %v, want %v", i, bias[i], want[i])
		}
	}
	a, err := f.Root().Attr("model_config")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.String(); err != nil || s != tt.attrs[2].value.(string) {
		t.Errorf("model_config = %q, %v", s, err)
	}
}

// TestWriterH5py writes the same file and has h5py read it (through
// testdata/dump_h5.py): names, member order, shapes, types, attribute and
// dataset values must be what was written.
func TestWriterH5py(t *testing.T) {
	py := requireH5py(t)
	tt := kerasTree()
	b := writeTree(t, tt)
	path := filepath.Join(t.TempDir(), "go.h5")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "testdata/dump_h5.py", path).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("h5py cannot read the file: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	goDump, err := dumpFile(f)
	if err != nil {
		t.Fatal(err)
	}
	compareExpected(t, "h5py", tt.expected(), decodeJSON(t, out))
	// and what h5py sees is what the Go reader sees, to the last value
	var diffs []string
	diffJSON("h5py-vs-go", decodeJSON(t, out), normalize(t, goDump), &diffs)
	for _, d := range diffs {
		t.Error(d)
	}
}

// TestWriterH5pyModifies has the HDF5 library modify a Go-written file
// (add and delete members and attributes, overwrite data), which needs
// every B-tree, heap and header to be consistent, then reads the result
// with the Go reader.
func TestWriterH5pyModifies(t *testing.T) {
	py := requireH5py(t)
	path := filepath.Join(t.TempDir(), "go.h5")
	if err := os.WriteFile(path, writeTree(t, kerasTree()), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    for i in range(40):
        f["many"].create_group("new%02d" % i)
    del f["many/aa:0"]
    f.attrs["added"] = "by h5py"
    f["model_weights/lstm_1/lstm_1/kernel:0"][0, 0] = 42
`
	if out, err := exec.Command(py, "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("h5py could not modify the file: %v\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.Root().Group("many")
	if err != nil {
		t.Fatal(err)
	}
	members, err := g.Members()
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 70-1+40 || members[0] != "ab:0" || !slices.Contains(members, "new39") ||
		slices.Contains(members, "aa:0") || !slices.IsSorted(members) {
		t.Errorf("after h5py's changes /many has %d members %v", len(members), members)
	}
	d, err := f.Root().Dataset("model_weights/lstm_1/lstm_1/kernel:0")
	if err != nil {
		t.Fatal(err)
	}
	k, err := d.Float32s()
	if err != nil || k[0] != 42 {
		t.Errorf("kernel[0] = %v, %v; want 42", k[:1], err)
	}
	a, err := f.Root().Attr("added")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.String(); s != "by h5py" || err != nil {
		t.Errorf("added = %q, %v", s, err)
	}
}

func TestWriterErrors(t *testing.T) {
	w := NewWriter()
	r := w.Root()
	if _, err := r.CreateGroup("g"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", ".", "a/b", "nul\x00", "g"} {
		if _, err := r.CreateGroup(name); err == nil {
			t.Errorf("CreateGroup(%q) succeeded", name)
		}
		if _, err := r.CreateDataset(name, nil, []float64{1}); err == nil {
			t.Errorf("CreateDataset(%q) succeeded", name)
		}
	}
	cases := []struct {
		shape []int
		data  any
	}{
		{[]int{2, 2}, []float32{1, 2, 3}},
		{[]int{-1}, []float32{}},
		{nil, []float32{}},
		{[]int{1}, []string{"strings are attributes only"}},
		{[]int{1}, []complex64{1}},
		{make([]int, 33), []float64{1}},
	}
	for _, c := range cases {
		if _, err := r.CreateDataset("d", c.shape, c.data); err == nil {
			t.Errorf("CreateDataset(%v, %T) succeeded", c.shape, c.data)
		}
	}
	if err := r.SetAttr("x", struct{}{}); !errors.Is(err, ErrType) {
		t.Errorf("SetAttr(struct{}) = %v, want ErrType", err)
	}
	if err := r.SetAttr("", 1.0); err == nil {
		t.Error("SetAttr with an empty name succeeded")
	}
	// An attribute over 64 KiB: ErrTooLarge, naming the limit; just under
	// it: accepted.
	err := r.SetAttr("layer_names", FixedStrings{strings.Repeat("x", MaxAttrSize)})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "layer_names") {
		t.Errorf("oversized attribute: %v, want ErrTooLarge naming it", err)
	}
	if err := r.SetAttr("big", make([]float64, 8000)); err != nil {
		t.Errorf("a 64000-byte attribute: %v", err)
	}
	// SetAttr replaces an attribute of the same name.
	if err := r.SetAttr("big", "small"); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(must2(w.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.Root().Attr("big")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.String(); s != "small" || err != nil {
		t.Errorf("replaced attribute = %q, %v", s, err)
	}
	if names, _ := f.Root().Attrs(); len(names) != 1 {
		t.Errorf("attributes %v, want one", names)
	}
}

func must2(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// TestWriteFile checks that WriteFile writes a whole file and, when it
// cannot, leaves what was there.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.h5")
	if err := os.WriteFile(path, []byte("the user's old file"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := NewWriter()
	if err := w.Root().SetAttr("keras_version", ASCIIString("2.2.4")); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := must2(w.Bytes()); !bytes.Equal(b, want) {
		t.Error("WriteFile wrote other bytes than Bytes")
	}
	if err := w.WriteFile(filepath.Join(dir, "no-such-dir", "m.h5")); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestWriterMessageCount checks that an object with more attributes than
// an object header counts is refused when writing.
func TestWriterMessageCount(t *testing.T) {
	w := NewWriter()
	g, err := w.Root().CreateGroup("g")
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxMessages {
		if err := g.SetAttr(strconv.Itoa(i), int8(1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Bytes(); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "hdf5: /g: too large: 65535 attributes") {
		t.Errorf("got %v, want ErrTooLarge naming the group", err)
	}
}
