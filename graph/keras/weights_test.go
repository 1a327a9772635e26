package keras

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
)

// smallModel is LSTM(4) → Dense(2) named as given, built for (5, 3) and
// filled from seed.
func smallModel(t *testing.T, lstmName, denseName string, seed uint64) *model.Model {
	t.Helper()
	c := lstm.Default(4)
	c.Name = lstmName
	l, err := lstm.New(c)
	if err != nil {
		t.Fatal(err)
	}
	dc := layers.DenseDefaults(2)
	dc.Name = denseName
	d, _ := layers.NewDense(dc)
	m, err := model.NewSequential(graph.Float32, l, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(5, 3); err != nil {
		t.Fatal(err)
	}
	randomize(m, seed, 1)
	return m
}

func weightsOf(m *model.Model) [][]float64 {
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, graph.Float64s(p.Value))
	}
	return out
}

func sameValues(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool { return slices.Equal(x, y) })
}

// TestLoadWeights checks load_weights by order and by name from a saved
// model, the architecture read back with ModelFromJSON, and that an error
// leaves the model unchanged.
func TestLoadWeights(t *testing.T) {
	dir := t.TempDir()
	src := smallModel(t, "lstm_1", "dense_1", 1)
	path := filepath.Join(dir, "m.h5")
	if err := Save(src, path); err != nil {
		t.Fatal(err)
	}
	// The architecture, as to_json writes it, and the weights.
	w, _ := writeModel(src)
	arch, _ := json.Marshal(w.config)
	m, err := ModelFromJSON(arch, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadWeights(m, path, false); err != nil {
		t.Fatal(err)
	}
	if !sameValues(weightsOf(m), weightsOf(src)) {
		t.Error("by order: weights differ")
	}
	// By order into layers of other names: paired by position.
	other := smallModel(t, "a", "b", 2)
	if err := LoadWeights(other, path, false); err != nil {
		t.Fatal(err)
	}
	if !sameValues(weightsOf(other), weightsOf(src)) {
		t.Error("by order, other names: weights differ")
	}
	// By name: only the layer the file has is set.
	partial := smallModel(t, "other_lstm", "dense_1", 3)
	before := weightsOf(partial)
	if err := LoadWeights(partial, path, true); err != nil {
		t.Fatal(err)
	}
	got := weightsOf(partial)
	if !sameValues(got[:3], before[:3]) || !sameValues(got[3:], weightsOf(src)[3:]) {
		t.Error("by name: want the LSTM unchanged and dense_1 from the file")
	}
	// A shape mismatch changes nothing, and names the layer.
	c := lstm.Default(6)
	c.Name = "lstm_1"
	l, _ := lstm.New(c)
	d, _ := layers.NewDense(layers.DenseDefaults(2))
	bad, _ := model.NewSequential(graph.Float32, l, d)
	bad.Build(5, 3)
	before = weightsOf(bad)
	err = LoadWeights(bad, path, false)
	if err == nil || !strings.Contains(err.Error(), "shape") || !strings.Contains(err.Error(), "lstm_1") {
		t.Errorf("shape mismatch: error %v", err)
	}
	if !sameValues(weightsOf(bad), before) {
		t.Error("a failed LoadWeights changed the model")
	}
	// Too few layers.
	one, _ := model.NewSequential(graph.Float32, must(layers.NewDense(layers.DenseDefaults(2))))
	one.Build(4)
	if err := LoadWeights(one, path, false); err == nil || !strings.Contains(err.Error(), "2 layers") {
		t.Errorf("layer count mismatch: error %v", err)
	}
	// A weights-only file is not a model.
	if _, err := Load(filepath.Join("testdata", "w_k2.1.3_stateful_lstm_weights.h5")); err == nil || !strings.Contains(err.Error(), "LoadWeights") {
		t.Errorf("Load of a weights file: error %v", err)
	}
}

// must returns l, or panics with err: for building the test models.
func must(l graph.Layer, err error) graph.Layer {
	if err != nil {
		panic(err)
	}
	return l
}

// TestLoadWeightsKeras3 loads a real Keras 3 weights file (the
// model.weights.h5 of the shipped .keras archive, as save_weights writes a
// .weights.h5) into the model of the archive's config, and the archive
// itself, and checks the stored predictions.
func TestLoadWeightsKeras3(t *testing.T) {
	data, err := os.ReadFile("testdata/k3.4.1_lstm_stacked.keras")
	if err != nil {
		t.Fatal(err)
	}
	files, err := archiveFiles(strings.NewReader(string(data)), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.weights.h5")
	if err := os.WriteFile(path, files["model.weights.h5"], 0o644); err != nil {
		t.Fatal(err)
	}
	var c kerasCase
	raw, _ := os.ReadFile("testdata/k3.4.1_lstm_stacked.json")
	json.Unmarshal(raw, &c)
	for _, weights := range []string{path, "testdata/k3.4.1_lstm_stacked.keras"} {
		m, err := ModelFromJSON(files["config.json"], Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := LoadWeights(m, weights, false); err != nil {
			t.Fatal(err)
		}
		y, err := m.Predict(graph.NewTensor(graph.Float32, c.InputShape, flat(c.Input)), 3)
		if err != nil {
			t.Fatal(err)
		}
		if !closeAll(graph.Float64s(y), flat(c.Expected), 1e-4) {
			t.Errorf("%s: predictions %v, want %v", weights, graph.Float64s(y), flat(c.Expected))
		}
		if err := LoadWeights(m, weights, true); err == nil {
			t.Errorf("%s by name: no error (Keras 3 weights have no layer names)", weights)
		}
	}
}

// TestTheanoKernels checks that a Conv1D kernel of a file saved with the
// Theano backend is flipped along its window, as Keras' convert_kernel
// does, and a TensorFlow one is not.
func TestTheanoKernels(t *testing.T) {
	cfg := layers.Conv1DDefaults(2, 3)
	cfg.Name = "conv1d_1"
	m, _ := model.NewSequential(graph.Float32, must(layers.NewConv1D(cfg)))
	m.Build(6, 2)
	randomize(m, 5, 1)
	for _, backend := range []string{"tensorflow", "theano"} {
		w, err := encodeAs(m, backend)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), backend+".h5")
		if err := w.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		k, k2 := graph.Float64s(m.Params()[0].Value), graph.Float64s(m2.Params()[0].Value)
		want := k
		if backend == "theano" {
			want = make([]float64, len(k)) // k[j] = file[2-j] along the window (3 taps of 2·2 values)
			for j := 0; j < 3; j++ {
				copy(want[j*4:(j+1)*4], k[(2-j)*4:(3-j)*4])
			}
		}
		if !slices.Equal(k2, want) {
			t.Errorf("%s: kernel %v, want %v", backend, k2, want)
		}
		if !slices.Equal(graph.Float64s(m.Params()[1].Value), graph.Float64s(m2.Params()[1].Value)) {
			t.Errorf("%s: the bias changed", backend)
		}
	}
}
