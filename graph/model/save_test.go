package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/lstm"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// savedModel returns a trained Dense/Dropout model and its saved bytes.
func savedModel(t testing.TB, dt tensor.Dtype) (*Model, []byte) {
	h := layers.DenseDefaults(4)
	h.Name, h.Activation, h.Seed = "h", "tanh", 3
	h.KernelRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.01}}
	o := layers.DenseDefaults(2)
	o.Name, o.Seed = "o", 4
	l1, _ := layers.NewDense(h)
	l2, _ := layers.NewDense(o)
	dr, _ := layers.NewDropout(layers.DropoutConfig{Name: "drop", Rate: 0.2, Seed: 9})
	m, err := NewSequential(dt, l1, dr, l2)
	if err != nil {
		t.Fatal(err)
	}
	m.Compile("mse", &testSGD{lr: 0.1})
	x := graph.NewTensor(dt, []int{6, 3, 2}, randValues(36, 1))
	y := graph.NewTensor(dt, []int{6, 3, 2}, randValues(36, 2))
	if _, err := m.Fit(x, y, FitConfig{BatchSize: 4, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	b, err := encodeModel(m, true)
	if err != nil {
		t.Fatal(err)
	}
	return m, b
}

func TestSaveLoadPredictsIdentically(t *testing.T) {
	dir := t.TempDir()
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, _ := savedModel(t, dt)
		path := filepath.Join(dir, "m.golstm")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		x := graph.NewTensor(dt, []int{5, 3, 2}, randValues(30, 3))
		p1, _ := m.Predict(x, 2)
		p2, err := m2.Predict(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range graph.Float64s(p1) {
			if graph.Float64s(p2)[i] != v {
				t.Fatalf("%v: prediction %d: %v after load, %v before", dt, i, graph.Float64s(p2)[i], v)
			}
		}
		if m2.Dtype() != dt || m2.Summary() != m.Summary() || m2.Params()[0].Regularizer == nil {
			t.Errorf("%v: loaded model differs:\n%s\n%s", dt, m2.Summary(), m.Summary())
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("Save left %d files in its directory, want 1", len(entries))
		}
	}
}

func TestLoadWeights(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.golstm")
	m, b := savedModel(t, tensor.Float64)
	os.WriteFile(path, b, 0o644)
	fresh, _ := savedModel(t, tensor.Float64) // same architecture, other weights
	fresh.Params()[0].Value.Memset(0.0)
	if err := fresh.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		if graph.Float64s(p.Value)[1] != graph.Float64s(fresh.Params()[i].Value)[1] {
			t.Errorf("%s not loaded", p.Name)
		}
	}
	other := layers.DenseDefaults(5)
	other.Name = "h"
	l, _ := layers.NewDense(other)
	o2, _ := NewSequential(tensor.Float64, l)
	o2.Build(3, 2)
	before := graph.Float64s(o2.Params()[0].Value)
	err := o2.LoadWeights(path)
	if err == nil {
		t.Fatal("LoadWeights into another architecture: no error")
	}
	for _, want := range []string{"h/kernel has shape [2 4] in the file, [2 5]", "o/kernel [4 2] in the file is not in the model"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if after := graph.Float64s(o2.Params()[0].Value); after[0] != before[0] {
		t.Error("a failed LoadWeights changed the weights")
	}
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	_, good := savedModel(t, tensor.Float32)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.golstm")
	cases := map[string][]byte{
		"empty":     {},
		"magic":     append([]byte("GOLSTX"), good[6:]...),
		"truncated": good[:len(good)-9],
		"tail":      append(append([]byte(nil), good...), 0),
	}
	for _, off := range []int{9, 20, len(good) / 2, len(good) - 5} {
		c := append([]byte(nil), good...)
		c[off] ^= 0x10
		cases[fmt.Sprintf("flip at %d", off)] = c
	}
	for name, data := range cases {
		os.WriteFile(path, data, 0o644)
		if _, err := Load(path); err == nil || !errors.Is(err, ErrBadFile) {
			t.Errorf("%s: Load error %v, want ErrBadFile", name, err)
		}
	}
	for n := 0; n < len(good); n += 7 {
		if _, err := decodeModel(good[:n]); err == nil {
			t.Fatalf("file cut at %d of %d bytes decoded", n, len(good))
		}
	}
	if _, err := decodeModel(good); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	unbuilt, _ := NewSequential(tensor.Float32)
	if err := unbuilt.Save(path); err == nil {
		t.Error("saving an unbuilt model: no error")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, good) {
		t.Error("a failed Save changed the existing file")
	}
}

// FuzzLoad feeds arbitrary bytes to Load's path (decode, rebuild, set
// the weights, restore the training state), as is and with a valid
// checksum appended (to get past the CRC), and checks that it never
// panics, that decoded tensors are consistent and that errors about the
// file wrap ErrBadFile. The corpus holds hostile files (testdata/fuzz):
// valid checksums around layer configurations that ask for far more
// weights than the file holds.
func FuzzLoad(f *testing.F) {
	_, good := savedModel(f, tensor.Float32)
	f.Add(good)
	f.Add(good[:len(good)-4])
	f.Add([]byte(fileMagic))
	for _, h := range hostileFiles(f, good) {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, b := range [][]byte{data, withCRC(data)} {
			mf, err := decodeModel(b)
			if err != nil {
				if !errors.Is(err, ErrBadFile) {
					t.Fatalf("error %v does not wrap ErrBadFile", err)
				}
				continue
			}
			for _, nt := range mf.tensors {
				if nt.t.Shape().TotalSize() != len(graph.Float64s(nt.t)) {
					t.Fatalf("tensor %s: shape %v with %d values", nt.name, nt.t.Shape(), len(graph.Float64s(nt.t)))
				}
			}
			loadBytes(b)
		}
	})
}

// hostileFiles returns files with valid checksums whose headers ask for
// huge weights: Dense units 10⁸, an input of 10⁸ features, and LSTM units
// 10⁸, each from good (the Dense model of savedModel) or an LSTM model.
func hostileFiles(t testing.TB, good []byte) map[string][]byte {
	c := lstm.Default(3)
	c.Name = "h"
	l, err := lstm.New(c)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(tensor.Float32, l, dense(t, "o", 1, "linear", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(graph.None, 2); err != nil {
		t.Fatal(err)
	}
	withLSTM, err := encodeModel(m, false)
	if err != nil {
		t.Fatal(err)
	}
	units := func(h map[string]any) {
		h["layers"].([]any)[0].(map[string]any)["config"].(map[string]any)["units"] = 100_000_000
	}
	encode := func(first graph.Layer, inShape ...int) []byte {
		m, err := NewSequential(tensor.Float32, first, dense(t, "o", 1, "linear", 1))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(inShape...); err != nil {
			t.Fatal(err)
		}
		b, err := encodeModel(m, false)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ec := layers.EmbeddingDefaults(10, 4)
	ec.Name = "h"
	emb, err := layers.NewEmbedding(ec)
	if err != nil {
		t.Fatal(err)
	}
	bc := lstm.DefaultBidirectional(lstm.Default(3))
	bc.Name = "h"
	bi, err := lstm.NewBidirectional(bc)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"dense units 1e8": withHeader(t, good, units),
		"input of 1e8 features": withHeader(t, good, func(h map[string]any) {
			h["input_shape"] = []int{3, 100_000_000}
		}),
		"lstm units 1e8": withHeader(t, withLSTM, units),
		"embedding input_dim 1e8": withHeader(t, encode(emb, graph.None), func(h map[string]any) {
			h["layers"].([]any)[0].(map[string]any)["config"].(map[string]any)["input_dim"] = 100_000_000
		}),
		"bidirectional units 1e8": withHeader(t, encode(bi, graph.None, 2), func(h map[string]any) {
			h["layers"].([]any)[0].(map[string]any)["config"].(map[string]any)["layer"].(map[string]any)["config"].(map[string]any)["units"] = 100_000_000
		}),
	}
}

// withHeader returns the model file data with its JSON header changed by
// edit (the weights kept, the checksum recomputed).
func withHeader(t testing.TB, data []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	le := binary.LittleEndian
	hl := int(le.Uint32(data[12:16]))
	var h map[string]any
	if err := json.Unmarshal(data[16:16+hl], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hj, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), data[:12]...)
	out = le.AppendUint32(out, uint32(len(hj)))
	out = append(out, hj...)
	out = append(out, data[16+hl:len(data)-4]...)
	return withCRC(out)
}

// TestLoadHostileFiles: a file whose header asks for 10⁸-unit weights it
// does not hold fails with ErrBadFile naming the weight, before anything
// is allocated for it: Load allocates less than 4 MiB in all (measured by
// runtime.MemStats.TotalAlloc; building the layer first would allocate
// gigabytes).
func TestLoadHostileFiles(t *testing.T) {
	_, good := savedModel(t, tensor.Float32)
	path := filepath.Join(t.TempDir(), "hostile.golstm")
	for name, data := range hostileFiles(t, good) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load(path)
		runtime.ReadMemStats(&after)
		if err == nil || !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), "layer h's configuration makes it") {
			t.Errorf("%s: error %v, want ErrBadFile naming the weight of layer h", name, err)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 4<<20 {
			t.Errorf("%s: Load allocated %d bytes before failing, want < 4 MiB", name, d)
		}
	}
}

func withCRC(data []byte) []byte {
	b := append([]byte(nil), data...)
	return append(b, crcBytes(b)...)
}
