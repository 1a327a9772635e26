package npz

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// goldenWeights reads the float64 weights of testdata/default.json.
func goldenWeights(t *testing.T) map[string]struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
} {
	t.Helper()
	b, err := os.ReadFile("testdata/default.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Weights map[string]struct {
			Shape []int     `json:"shape"`
			Data  []float64 `json:"data"`
		} `json:"weights"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c.Weights
}

// TestReadNPZFixtures: the Keras-exported archives hold the golden weights,
// each value equal to float32(golden) exactly.
func TestReadNPZFixtures(t *testing.T) {
	golden := goldenWeights(t)
	for _, c := range []struct {
		file  string
		names []string
	}{
		{"default_get_weights.npz", []string{"arr_0", "arr_1", "arr_2"}},
		{"default_named.npz", []string{"kernel", "recurrent_kernel", "bias"}},
	} {
		names, arrays, err := Read(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if fmt.Sprint(names) != fmt.Sprint(c.names) {
			t.Errorf("%s: names %v, want %v", c.file, names, c.names)
		}
		for i, w := range []string{"kernel", "recurrent_kernel", "bias"} {
			a := arrays[c.names[i]]
			g := golden[w]
			if a == nil || a.Dtype() != tensor.Float32 || fmt.Sprint([]int(a.Shape())) != fmt.Sprint(g.Shape) {
				t.Fatalf("%s %s: got %v, want float32 %v", c.file, w, a, g.Shape)
			}
			for j, v := range a.Data().([]float32) {
				if v != float32(g.Data[j]) {
					t.Errorf("%s %s[%d] = %v, want float32(%v)", c.file, w, j, v, g.Data[j])
				}
			}
		}
	}
}

func TestNPZRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rng := graph.NewRNG(3)
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		shapes := [][]int{{3, 16}, {16}, {2, 3, 4}, {1}, {2, 1, 2, 3}}
		var names []string
		var arrays []*tensor.Dense
		for i, sh := range shapes {
			n := 1
			for _, d := range sh {
				n *= d
			}
			v := make([]float64, n)
			for j := range v {
				v[j] = rng.NormFloat64()
			}
			names = append(names, fmt.Sprintf("w%d", len(shapes)-i)) // not sorted
			arrays = append(arrays, graph.NewTensor(dt, sh, v))
		}
		// a transposed view is written in its logical (transposed) order
		tr := graph.NewTensor(dt, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
		if err := tr.T(); err != nil {
			t.Fatal(err)
		}
		names, arrays = append(names, "transposed"), append(arrays, tr)
		path := filepath.Join(dir, "rt.npz")
		if err := Write(path, names, arrays); err != nil {
			t.Fatal(err)
		}
		gotNames, got, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(gotNames) != fmt.Sprint(names) {
			t.Errorf("%v: names %v, want %v", dt, gotNames, names)
		}
		for i, n := range names {
			if i == len(names)-1 {
				if s, d := fmt.Sprint(got[n].Shape()), fmt.Sprint(graph.Float64s(got[n])); s != "(3, 2)" || d != "[1 4 2 5 3 6]" {
					t.Errorf("%v: transposed read back as %s %s", dt, s, d)
				}
				continue
			}
			if got[n].Dtype() != dt || !got[n].Shape().Eq(arrays[i].Shape()) ||
				fmt.Sprint(graph.Float64s(got[n])) != fmt.Sprint(graph.Float64s(arrays[i])) {
				t.Errorf("%v %s: read back %v %v, want %v %v", dt, n, got[n].Dtype(), got[n].Shape(), dt, arrays[i].Shape())
			}
		}
	}
}

// npyBytes builds a .npy v1.0 entry by hand.
func npyBytes(descr string, fortran bool, shape string, data []byte) []byte {
	f := "False"
	if fortran {
		f = "True"
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, f, shape)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	var b bytes.Buffer
	b.Write([]byte("\x93NUMPY\x01\x00"))
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

func writeZip(t *testing.T, path string, entries map[string][]byte, order []string) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, k := range order {
		w, err := zw.Create(k)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(entries[k])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadNPZOrderAndEndianness: a Fortran-order array comes back row-major;
// big-endian data is decoded.
func TestReadNPZOrderAndEndianness(t *testing.T) {
	dir := t.TempDir()
	// a (2, 3, 2) array with a[i,j,k] = 100i + 10j + k, stored column-major
	var f []byte
	for k := 0; k < 2; k++ {
		for j := 0; j < 3; j++ {
			for i := 0; i < 2; i++ {
				f = binary.LittleEndian.AppendUint64(f, math.Float64bits(float64(100*i+10*j+k)))
			}
		}
	}
	var be []byte
	for _, v := range []float32{1.5, -2, 3.25} {
		be = binary.BigEndian.AppendUint32(be, math.Float32bits(v))
	}
	path := filepath.Join(dir, "f.npz")
	writeZip(t, path, map[string][]byte{
		"f.npy":  npyBytes("<f8", true, "(2, 3, 2)", f),
		"be.npy": npyBytes(">f4", false, "(3,)", be),
	}, []string{"f.npy", "be.npy"})
	names, a, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[f be]" {
		t.Errorf("names %v", names)
	}
	want := "[0 1 10 11 20 21 100 101 110 111 120 121]"
	if got := fmt.Sprint(graph.Float64s(a["f"])); got != want || fmt.Sprint(a["f"].Shape()) != "(2, 3, 2)" {
		t.Errorf("fortran array read as %v %s, want (2, 3, 2) %s", a["f"].Shape(), got, want)
	}
	if got := fmt.Sprint(a["be"].Data()); got != "[1.5 -2 3.25]" {
		t.Errorf("big-endian array read as %s", got)
	}
}

func TestReadNPZErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/default_named.npz")
	if err != nil {
		t.Fatal(err)
	}
	f4 := make([]byte, 12)
	cases := []struct {
		name    string
		entries map[string][]byte
		raw     []byte
		want    string
	}{
		{name: "truncated file", raw: good[:len(good)/2], want: "not a NumPy .npz archive"},
		{name: "corrupt data", raw: func() []byte {
			b := bytes.Clone(good)
			b[200] ^= 0xff // inside kernel.npy's data: the CRC-32 no longer matches
			return b
		}(), want: `array "kernel"`},
		{name: "int dtype", entries: map[string][]byte{"a.npy": npyBytes("<i8", false, "(2,)", make([]byte, 16))},
			want: `dtype "<i8" not supported`},
		{name: "short data", entries: map[string][]byte{"a.npy": npyBytes("<f4", false, "(4,)", f4)},
			want: "12 data bytes, shape [4] of <f4 needs 16"},
		{name: "zero size", entries: map[string][]byte{"a.npy": npyBytes("<f4", false, "(0, 3)", nil)},
			want: "zero-size"},
		{name: "not npy", entries: map[string][]byte{"a.npy": []byte("hello, world")}, want: "bad magic"},
		{name: "version 3", entries: map[string][]byte{"a.npy": append([]byte("\x93NUMPY\x03\x00"), good[:20]...)},
			want: "version 3.0 not supported"},
		{name: "bad header", entries: map[string][]byte{"a.npy": []byte("\x93NUMPY\x01\x00\x05\x00{'de\n")},
			want: `array "a"`},
	}
	for _, c := range cases {
		path := filepath.Join(dir, "bad.npz")
		if c.raw != nil {
			if err := os.WriteFile(path, c.raw, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			writeZip(t, path, c.entries, []string{"a.npy"})
		}
		if _, _, err := Read(path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, _, err := Read(filepath.Join(dir, "missing.npz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestWriteNPZAtomic: a write that fails (bad input, or the sync of the
// temporary file) leaves the old file intact and no temporary file behind.
func TestWriteNPZAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.npz")
	old := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2}, []float64{1, 2})}
	if err := Write(path, []string{"old"}, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	newer := []*tensor.Dense{graph.NewTensor(tensor.Float32, []int{3}, []float64{4, 5, 6})}
	syncFile = func(*os.File) error { return errors.New("disk full") }
	err := Write(path, []string{"new"}, newer)
	syncFile = (*os.File).Sync
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failed sync: error %v", err)
	}
	for _, bad := range []struct {
		names  []string
		arrays []*tensor.Dense
		want   string
	}{
		{[]string{"a", "b"}, newer, "2 names for 1 arrays"},
		{[]string{""}, newer, "names[0] is empty"},
		{[]string{"a", "a"}, append(newer, newer[0]), `name "a" given twice`},
		{[]string{"a"}, []*tensor.Dense{nil}, `array "a" is nil`},
		{[]string{"i"}, []*tensor.Dense{tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, 2}))}, "dtype int"},
	} {
		if err := Write(path, bad.names, bad.arrays); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Write(%v): error %v, want one containing %q", bad.names, err, bad.want)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed WriteNPZ changed the old file")
	}
	if names, a, err := Read(path); err != nil || fmt.Sprint(names) != "[old]" || fmt.Sprint(a["old"].Data()) != "[1 2]" {
		t.Errorf("old file reads as %v %v %v", names, a, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only w.npz", len(ents))
	}
	if err := Write(filepath.Join(dir, "no/such/dir/x.npz"), []string{"a"}, newer); err == nil {
		t.Error("write into a missing directory: no error")
	}
}

// FuzzReadNPZ: ReadNPZ never panics, and what it accepts it can write back
// and read again unchanged.
func FuzzReadNPZ(f *testing.F) {
	for _, name := range []string{"default_get_weights.npz", "default_named.npz"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("x.npy")
	w.Write(npyBytes("<f8", true, "(2, 2)", make([]byte, 32)))
	zw.Close()
	f.Add(b.Bytes())
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in.npz")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		names, arrays, err := Read(path)
		if err != nil {
			return
		}
		list := make([]*tensor.Dense, len(names))
		for i, n := range names {
			list[i] = arrays[n]
		}
		out := filepath.Join(dir, "out.npz")
		if err := Write(out, names, list); err != nil {
			t.Fatalf("write back: %v", err)
		}
		names2, arrays2, err := Read(out)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if fmt.Sprint(names2) != fmt.Sprint(names) {
			t.Fatalf("names %v became %v", names, names2)
		}
		for _, n := range names {
			a, b := arrays[n], arrays2[n]
			if a.Dtype() != b.Dtype() || !a.Shape().Eq(b.Shape()) || fmt.Sprint(a.Data()) != fmt.Sprint(b.Data()) {
				t.Fatalf("array %q changed in a round trip", n)
			}
		}
	})
}
