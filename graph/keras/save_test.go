package keras

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// randomize sets every weight of m to values drawn from seed, and returns
// a batch of n inputs for each input of m.
func randomize(m *model.Model, seed uint64, n int) []*graph.Tensor {
	rng := graph.NewRNG(seed)
	draw := func(k int) []float64 {
		v := make([]float64, k)
		for i := range v {
			v[i] = rng.Float64() - 0.5
		}
		return v
	}
	for _, p := range m.Params() {
		graph.CopyInto(p.Value, graph.NewTensor(graph.Float64, p.Value.Shape(), draw(p.Value.Shape().TotalSize())))
	}
	var xs []*graph.Tensor
	for _, in := range m.Inputs() {
		shape := append([]int{n}, in.Shape()...)
		for i, d := range shape {
			if d == graph.None {
				shape[i] = 7
			}
		}
		xs = append(xs, graph.NewTensor(m.Dtype(), shape, draw(tensorSize(shape))))
	}
	return xs
}

func tensorSize(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// savedEveryLayer returns everyLayerModel with random weights, one layer
// frozen, compiled with Adam and a loss per output.
func savedEveryLayer(t *testing.T, dt graph.Dtype) (*model.Model, []*graph.Tensor) {
	m := everyLayerModel(t, dt)
	xs := randomize(m, 3, 4)
	for _, p := range m.Layer("conv").Params() {
		p.Frozen = true
	}
	opt := optim.NewAdam()
	opt.LR = 0.01
	if err := m.CompileMulti(model.CompileOptions{Losses: []string{"mse", "mae", "mse"}, LossWeights: []float64{1, 0.5, 2},
		Metrics: []string{"mae"}, Optimizer: opt}); err != nil {
		t.Fatal(err)
	}
	return m, xs
}

// savedSequenceModel returns sequenceModel with random weights, inputs
// whose ids end in padding (0) and whose float steps end in the masking
// value, compiled with RMSprop.
func savedSequenceModel(t *testing.T, dt graph.Dtype) (*model.Model, []*graph.Tensor) {
	m := sequenceModel(t, dt)
	xs := randomize(m, 4, 4)
	ids := make([]float64, 4*6)
	x := graph.Float64s(xs[1])
	for b := 0; b < 4; b++ {
		for s := 0; s < 6; s++ {
			if s < 6-b {
				ids[b*6+s] = float64(1 + (b*7+s*3)%19)
			} else {
				x[(b*6+s)*2], x[(b*6+s)*2+1] = 0.5, 0.5
			}
		}
	}
	xs[0] = graph.NewTensor(dt, []int{4, 6}, ids)
	xs[1] = graph.NewTensor(dt, []int{4, 6, 2}, x)
	opt := optim.NewRMSprop()
	if err := m.CompileMulti(model.CompileOptions{Losses: []string{"mse"}, Optimizer: opt}); err != nil {
		t.Fatal(err)
	}
	return m, xs
}

// TestSaveLoadExact checks that Go → .h5 → Go gives the same model: the
// same Keras config, every weight bit for bit with its Frozen flag, the
// same predictions, the same compile arguments, and the same weights after
// a training step, in float32 and float64.
func TestSaveLoadExact(t *testing.T) {
	for _, c := range []struct {
		dt    graph.Dtype
		model func(*testing.T, graph.Dtype) (*model.Model, []*graph.Tensor)
	}{{graph.Float32, savedEveryLayer}, {graph.Float64, savedEveryLayer}, {graph.Float32, savedSequenceModel}} {
		dt := c.dt
		m, xs := c.model(t, dt)
		m2, _, _ := saveLoad(t, m, xs)
		n := xs[0].Shape()[0]
		c1, _ := m.Compiled()
		c2, ok := m2.Compiled()
		if !ok {
			t.Fatalf("%v: the loaded model is not compiled", dt)
		}
		o1, _ := optim.Marshal(c1.Optimizer)
		o2, _ := optim.Marshal(c2.Optimizer)
		if !slices.Equal(c1.Losses, c2.Losses) || !slices.Equal(c1.LossWeights, c2.LossWeights) || !slices.Equal(c1.Metrics, c2.Metrics) || !bytes.Equal(o1, o2) {
			t.Errorf("%v: compiled with %v %v %v %s, saved %v %v %v %s", dt, c2.Losses, c2.LossWeights, c2.Metrics, o2, c1.Losses, c1.LossWeights, c1.Metrics, o1)
		}
		ys, err := m.PredictMulti(xs, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, mm := range []*model.Model{m, m2} {
			if _, err := mm.TrainOnBatchMulti(xs, ys); err != nil {
				t.Fatal(err)
			}
		}
		sameWeights(t, m, m2)
	}
}

// sameWeights checks that two models have the same weights, names and
// Frozen flags.
func sameWeights(t *testing.T, a, b *model.Model) {
	t.Helper()
	pa, pb := a.Params(), b.Params()
	if len(pa) != len(pb) {
		t.Fatalf("%d weights, want %d", len(pb), len(pa))
	}
	for i := range pa {
		if pa[i].Name != pb[i].Name || pa[i].Frozen != pb[i].Frozen || !slices.Equal(graph.Float64s(pa[i].Value), graph.Float64s(pb[i].Value)) {
			t.Errorf("weight %s (frozen %v) differs from %s (frozen %v)", pb[i].Name, pb[i].Frozen, pa[i].Name, pa[i].Frozen)
		}
	}
}

// saveLoad saves m as a Keras .h5 file in a temporary directory, loads it
// back and checks that the loaded model has m's dtype, writes the same
// Keras config and has the same weights (sameWeights), and that it
// predicts on xs (one tensor per input, batch first) exactly what m
// predicts. It returns the loaded model, the file's path and the config
// as JSON, for the caller's own checks.
func saveLoad(t *testing.T, m *model.Model, xs []*graph.Tensor) (*model.Model, string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.h5")
	if err := Save(m, path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	w1, err := writeModel(m)
	if err != nil {
		t.Fatal(err)
	}
	w2, err := writeModel(m2)
	if err != nil {
		t.Fatal(err)
	}
	j1, _ := json.Marshal(w1.config)
	j2, _ := json.Marshal(w2.config)
	if !bytes.Equal(j1, j2) || m2.Dtype() != m.Dtype() {
		t.Errorf("%v: config after the round trip (%v):\n%s\nbefore:\n%s", m.Dtype(), m2.Dtype(), j2, j1)
	}
	sameWeights(t, m, m2)
	n := xs[0].Shape()[0]
	p1, err := m.PredictMulti(xs, n)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := m2.PredictMulti(xs, n)
	if err != nil {
		t.Fatal(err)
	}
	for k := range p1 {
		if !slices.Equal(graph.Float64s(p1[k]), graph.Float64s(p2[k])) {
			t.Errorf("%v: output %d differs after the round trip", m.Dtype(), k)
		}
	}
	return m2, path, j1
}

// TestSaveSequentialStateful checks a Sequential model with a stateful
// LSTM: its batch size goes to batch_input_shape and comes back.
func TestSaveSequentialStateful(t *testing.T) {
	c := lstm.Default(4)
	c.Name, c.Stateful, c.BatchSize = "lstm_1", true, 3
	l, err := lstm.New(c)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := layers.NewDense(layers.DenseDefaults(1))
	m, err := model.NewSequential(graph.Float32, l, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(5, 2); err != nil {
		t.Fatal(err)
	}
	randomize(m, 1, 3)
	path := filepath.Join(t.TempDir(), "s.h5")
	if err := Save(m, path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := m2.Layers()[0].(*lstm.LSTM).Settings(); !s.Stateful || s.BatchSize != 3 || !m2.IsSequential() || m2.Optimizer() != nil {
		t.Errorf("loaded: stateful %v batch %d sequential %v compiled %v", s.Stateful, s.BatchSize, m2.IsSequential(), m2.Optimizer() != nil)
	}
	sameWeights(t, m, m2)
}

// customLayer is a layer of the caller's own, which Keras has not.
type customLayer struct{ graph.Layer }

func (customLayer) Type() string { return "MyLayer" }

// TestSaveErrors checks that what Keras 2.2.4 cannot express is refused by
// name and that a failed Save leaves an existing file as it was.
func TestSaveErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.h5")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, _ := layers.NewDense(layers.DenseDefaults(2))
	m, _ := model.NewSequential(graph.Float32, customLayer{d})
	m.Build(3)
	err := Save(m, path)
	if err == nil || !strings.Contains(err.Error(), "MyLayer") {
		t.Errorf("custom layer: error %v", err)
	}
	a, _ := layers.NewActivation(layers.ActivationConfig{Name: "hs3", Activation: "hard_sigmoid_keras3"})
	m, _ = model.NewSequential(graph.Float32, a)
	m.Build(3)
	if err := Save(m, path); err == nil || !strings.Contains(err.Error(), "hs3") || !strings.Contains(err.Error(), "hard_sigmoid_keras3") {
		t.Errorf("Keras 3 hard sigmoid: error %v", err)
	}
	unbuilt, _ := model.NewSequential(graph.Float32, d)
	if err := Save(unbuilt, path); err == nil {
		t.Error("unbuilt model: no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("a failed Save changed the file: %q", b)
	}
	if err := Save(m, filepath.Join(t.TempDir(), "no", "such", "dir.h5")); err == nil {
		t.Error("missing directory: no error")
	}
}

// h5py runs testdata/h5py_check.py on args (a file, and the architecture
// JSON of a weights file) and returns what it printed. It skips the test
// when /usr/bin/python3 with h5py is missing, unless GOLSTM_REQUIRE_H5PY=1
// (CI), which makes that a failure.
func h5py(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import h5py, numpy").Run(); err != nil {
		if os.Getenv("GOLSTM_REQUIRE_H5PY") == "1" {
			t.Fatalf("h5py is required (GOLSTM_REQUIRE_H5PY=1) but /usr/bin/python3 cannot import it: %v", err)
		}
		t.Skipf("skipped: /usr/bin/python3 with h5py is needed to check the written files (apt-get install python3-h5py): %v", err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("/usr/bin/python3", append([]string{"testdata/h5py_check.py"}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, errors.New(strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// h5pyDump is what testdata/h5py_check.py prints.
type h5pyDump struct {
	Attrs          map[string]string `json:"attrs"`
	ModelConfig    any               `json:"model_config"`
	TrainingConfig any               `json:"training_config"`
	WeightsAttrs   map[string]string `json:"weights_attrs"`
	LayerNames     []string          `json:"layer_names"`
	Layers         []struct {
		Name        string   `json:"name"`
		WeightNames []string `json:"weight_names"`
		Weights     []struct {
			Name   string    `json:"name"`
			Shape  []int     `json:"shape"`
			Dtype  string    `json:"dtype"`
			Values []float64 `json:"values"`
		} `json:"weights"`
	} `json:"layers"`
}

// TestSaveH5py checks with h5py that a Go-written file holds the right
// attributes, config JSON, layer and weight names, shapes, dtypes and
// values, and that Keras 2.2.4's legacy loader would accept it (the
// script's emulation of load_model).
func TestSaveH5py(t *testing.T) {
	for _, c := range []struct {
		dt    graph.Dtype
		model func(*testing.T, graph.Dtype) (*model.Model, []*graph.Tensor)
	}{{graph.Float32, savedEveryLayer}, {graph.Float64, savedEveryLayer}, {graph.Float32, savedSequenceModel}} {
		dt := c.dt
		m, _ := c.model(t, dt)
		path := filepath.Join(t.TempDir(), "m.h5")
		if err := Save(m, path); err != nil {
			t.Fatal(err)
		}
		out, err := h5py(t, path)
		if err != nil {
			t.Fatalf("%v: h5py check: %v", dt, err)
		}
		var d h5pyDump
		if err := json.Unmarshal(out, &d); err != nil {
			t.Fatal(err)
		}
		if d.Attrs["keras_version"] != "2.2.4" || d.Attrs["backend"] != "tensorflow" || d.WeightsAttrs["keras_version"] != "2.2.4" {
			t.Errorf("attributes %v, model_weights %v", d.Attrs, d.WeightsAttrs)
		}
		w, _ := writeModel(m)
		var want any
		remarshal(w.config, &want)
		if !sameJSONTree(d.ModelConfig, want) {
			t.Errorf("model_config read by h5py differs from the model's config")
		}
		c, _ := m.Compiled()
		tc, _ := writeCompile(c)
		var wantTC any
		remarshal(tc, &wantTC)
		if !sameJSONTree(d.TrainingConfig, wantTC) {
			t.Errorf("training_config read by h5py: %v, want %v", d.TrainingConfig, wantTC)
		}
		var wantNames []string
		for _, in := range m.Inputs() {
			wantNames = append(wantNames, in.Name())
		}
		for _, l := range w.layers {
			wantNames = append(wantNames, l.Name())
		}
		if !slices.Equal(d.LayerNames, wantNames) {
			t.Errorf("layer_names %v, want %v", d.LayerNames, wantNames)
		}
		dtype := map[graph.Dtype]string{graph.Float32: "float32", graph.Float64: "float64"}[dt]
		for _, l := range d.Layers {
			var ps []*graph.Param
			if ml := m.Layer(l.Name); ml != nil {
				ps = ml.Params()
			}
			if len(ps) != len(l.Weights) {
				t.Errorf("layer %s: %d weights in the file, %d in the model", l.Name, len(l.Weights), len(ps))
				continue
			}
			for i, wt := range l.Weights {
				p := ps[i]
				if wt.Name != p.Name+":0" || l.WeightNames[i] != wt.Name || !slices.Equal(wt.Shape, p.Value.Shape()) || wt.Dtype != dtype ||
					!slices.Equal(wt.Values, graph.Float64s(p.Value)) {
					t.Errorf("layer %s weight %d: %s %v %s in the file, want %s:0 %v %s and the same values", l.Name, i, wt.Name, wt.Shape, wt.Dtype, p.Name, []int(p.Value.Shape()), dtype)
				}
			}
		}
	}
}

// sameJSONTree compares two decoded JSON values, numbers by value.
func sameJSONTree(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var x, y any
	json.Unmarshal(ja, &x)
	json.Unmarshal(jb, &y)
	return fmtJSON(x) == fmtJSON(y)
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestH5pyCheckCatchesErrors checks that the h5py script fails files that
// Keras' loader would refuse: a constructor argument Keras lacks, a weight
// of the wrong shape, a missing weight.
func TestH5pyCheckCatchesErrors(t *testing.T) {
	m, _ := savedEveryLayer(t, graph.Float32)
	w, err := writeModel(m)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cases := []struct {
		name string
		edit func(cfg map[string]any, layers map[string]graph.Layer)
		want string
	}{
		{"extra argument", func(cfg map[string]any, _ map[string]graph.Layer) {
			layer(cfg, "head")["config"].(map[string]any)["seed"] = 0
		}, "does not take"},
		{"wrong units", func(cfg map[string]any, _ map[string]graph.Layer) {
			layer(cfg, "head")["config"].(map[string]any)["units"] = 3
		}, "Keras builds"},
		{"unknown initializer", func(cfg map[string]any, _ map[string]graph.Layer) {
			layer(cfg, "head")["config"].(map[string]any)["kernel_initializer"] = map[string]any{"class_name": "GlorotUniform", "config": map[string]any{}}
		}, "initializer"},
	}
	for _, c := range cases {
		var cfg map[string]any
		remarshal(w.config, &cfg)
		c.edit(cfg, nil)
		path := filepath.Join(dir, c.name+".h5")
		if err := writeWithConfig(m, cfg, path); err != nil {
			t.Fatal(err)
		}
		_, err := h5py(t, path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: check error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// layer returns the entry of the functional config cfg named name.
func layer(cfg map[string]any, name string) map[string]any {
	for _, l := range cfg["config"].(map[string]any)["layers"].([]any) {
		if o := l.(map[string]any); o["name"] == name {
			return o
		}
	}
	return nil
}

// writeWithConfig saves m with its model_config replaced by cfg.
func writeWithConfig(m *model.Model, cfg map[string]any, path string) error {
	w, err := encode(m)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(cfg)
	if err := w.Root().SetAttr("model_config", hdf5.ASCIIString(b)); err != nil {
		return err
	}
	return w.WriteFile(path)
}

// TestSaveWeightsToJSON checks the save_weights + to_json pair: the
// architecture reads back with ModelFromJSON, the weights with
// LoadWeights, exactly; h5py reads the weights file as Keras'
// load_weights would, against the architecture.
func TestSaveWeightsToJSON(t *testing.T) {
	m, xs := savedSequenceModel(t, graph.Float32)
	dir := t.TempDir()
	arch, err := ToJSON(m)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(arch, &top); err != nil || top["keras_version"] != "2.2.4" || top["backend"] != "tensorflow" || top["class_name"] != "Model" {
		t.Fatalf("to_json: %v %v", top["class_name"], err)
	}
	weights := filepath.Join(dir, "w.h5")
	if err := SaveWeights(m, weights); err != nil {
		t.Fatal(err)
	}
	m2, err := ModelFromJSON(arch, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadWeights(m2, weights, false); err != nil {
		t.Fatal(err)
	}
	sameWeights(t, m, m2)
	p1, _ := m.PredictMulti(xs, 4)
	p2, err := m2.PredictMulti(xs, 4)
	if err != nil {
		t.Fatal(err)
	}
	for k := range p1 {
		if !slices.Equal(graph.Float64s(p1[k]), graph.Float64s(p2[k])) {
			t.Errorf("output %d differs", k)
		}
	}
	if _, err := Load(weights); err == nil {
		t.Error("Load of a weights file: no error")
	}
	archPath := filepath.Join(dir, "arch.json")
	if err := os.WriteFile(archPath, arch, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := h5py(t, weights, archPath)
	if err != nil {
		t.Fatalf("h5py check of the weights file: %v", err)
	}
	var d h5pyDump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.LayerNames, []string{"ids", "x", "emb", "bi", "mask", "seq", "add", "sub", "mul", "avg", "max", "min", "cat"}) {
		t.Errorf("layer_names %v", d.LayerNames)
	}
}
