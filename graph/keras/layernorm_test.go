package keras

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// This file tests LayerNormalization, ZeroPadding1D, Cropping1D and
// UpSampling1D in Keras files.

// lnKerasModel is x (5, 3) → ZeroPadding1D(2, 1) (8, 3) →
// LayerNormalization (regularizer, constraint) → Cropping1D(1, 2) (5, 3)
// → UpSampling1D(3) (15, 3) → LSTM(4, sequences) → LayerNormalization
// (axes 1 and 2, no center, frozen) → Flatten → LayerNormalization (no
// center, no scale: no weights) → Dense(2), with random weights, compiled,
// after one training batch; it returns the model and an input batch.
func lnKerasModel(t *testing.T, dt graph.Dtype) (*model.Model, []*graph.Tensor) {
	t.Helper()
	l1 := layers.LayerNormalizationDefaults()
	l1.Name, l1.Epsilon = "ln1", 0.01
	l1.GammaRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.01}}
	l1.BetaConstraint = &graph.Spec{Name: "max_norm", Args: map[string]float64{"max_value": 2}}
	l2 := layers.LayerNormalizationDefaults()
	l2.Name, l2.Center, l2.Axis = "ln2", false, layers.Axes{1, 2}
	l3 := layers.LayerNormalizationDefaults()
	l3.Name, l3.Center, l3.Scale = "ln3", false, false
	lc := lstm.Default(4)
	lc.Name, lc.ReturnSequences = "lstm", true
	dc := layers.DenseDefaults(2)
	dc.Name = "dense"
	x := model.Input("x", 5, 3)
	h := model.Apply(must(layers.NewZeroPadding1D(layers.ZeroPadding1DConfig{Name: "pad", Padding: layers.Pair{2, 1}})), x)
	h = model.Apply(must(layers.NewLayerNormalization(l1)), h)
	h = model.Apply(must(layers.NewCropping1D(layers.Cropping1DConfig{Name: "crop", Cropping: layers.Pair{1, 2}})), h)
	h = model.Apply(must(layers.NewUpSampling1D(layers.UpSampling1DConfig{Name: "up", Size: 3})), h)
	h = model.Apply(must(lstm.New(lc)), h)
	h = model.Apply(must(layers.NewLayerNormalization(l2)), h)
	h = model.Apply(must(layers.NewFlatten(layers.FlattenConfig{Name: "flat"})), h)
	h = model.Apply(must(layers.NewLayerNormalization(l3)), h)
	y := model.Apply(must(layers.NewDense(dc)), h)
	m, err := model.New(dt, []*model.Node{x}, []*model.Node{y})
	if err != nil {
		t.Fatal(err)
	}
	xs := randomize(m, 5, 6)
	for _, p := range m.Layer("ln2").Params() {
		p.Frozen = true
	}
	if err := m.Compile("mse", optim.NewAdam()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.TrainOnBatch(xs[0], graph.NewTensor(dt, []int{6, 2}, nil)); err != nil {
		t.Fatal(err)
	}
	return m, xs
}

// TestLayerNormalizationH5 checks Go → .h5 → Go for lnKerasModel in
// float32 and float64: the same Keras config (tf.keras' keys, trainable
// false for the frozen layer), every weight bit for bit with its Frozen
// flag, the same predictions; h5py's reading of the float32 file
// (testdata/h5py_check.py, which follows tf.keras' build of
// LayerNormalization) with weight names <layer>/gamma:0, <layer>/beta:0;
// the size rules against the built layers.
func TestLayerNormalizationH5(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32, graph.Float64} {
		m, xs := lnKerasModel(t, dt)
		sizesAgree(t, m)
		m2, path, j1 := saveLoad(t, m, xs[:1])
		for _, want := range []string{`"axis":[1,2],"beta_constraint":null`, `"name":"ln2","scale":true,"trainable":false`, `"padding":[2,1]`,
			`"cropping":[1,2]`, `"size":3`, `"class_name":"LayerNormalization"`} {
			if !strings.Contains(string(j1), want) {
				t.Errorf("%v: config lacks %s:\n%s", dt, want, j1)
			}
		}
		if strings.Contains(string(j1), "rms_scaling") || strings.Contains(string(j1), `"seed":0`) {
			t.Errorf("%v: config has keys tf.keras lacks:\n%s", dt, j1)
		}
		for i, p := range m2.Params() {
			if p.Frozen != m.Params()[i].Frozen || p.Frozen != strings.HasPrefix(p.Name, "ln2/") {
				t.Errorf("%v: %s frozen %v after the round trip", dt, p.Name, p.Frozen)
			}
		}
		if dt != graph.Float32 {
			continue // the h5py check (a second of Python) once
		}
		out, err := h5py(t, path)
		if err != nil {
			t.Fatalf("%v: h5py check: %v", dt, err)
		}
		var d h5pyDump
		if err := json.Unmarshal(out, &d); err != nil {
			t.Fatal(err)
		}
		names := map[string][]string{}
		for _, l := range d.Layers {
			names[l.Name] = l.WeightNames
		}
		want := map[string][]string{
			"ln1": {"ln1/gamma:0", "ln1/beta:0"}, "ln2": {"ln2/gamma:0"}, "ln3": nil, "pad": nil, "crop": nil, "up": nil,
		}
		for l, w := range want {
			if !slices.Equal(names[l], w) {
				t.Errorf("%v: %s weight_names %v, want %v", dt, l, names[l], w)
			}
		}
		// The check's LayerNormalization rule can fail: ln2 over the last
		// axis only would have weights of (3,), not the file's (15, 4).
		var cfg map[string]any
		if err := json.Unmarshal(j1, &cfg); err != nil {
			t.Fatal(err)
		}
		layer(cfg, "ln2")["config"].(map[string]any)["axis"] = []any{2}
		bad := filepath.Join(t.TempDir(), "bad.h5")
		if err := writeWithConfig(m, cfg, bad); err != nil {
			t.Fatal(err)
		}
		if _, err := h5py(t, bad); err == nil || !strings.Contains(err.Error(), "Keras builds") {
			t.Errorf("h5py check of ln2 with axis [2]: error %v", err)
		}
	}
}

// TestLayerNormalizationKerasFiles loads a model file in tf.keras 2.10's
// layout and the same model as a Keras 3 .keras archive, both made with
// h5py (testdata/h5py_made/tfk2.10_layernorm_h5py.py: ZeroPadding1D,
// LayerNormalization, UpSampling1D, Cropping1D, LayerNormalization over
// two axes without center, Flatten, Dense), and compares their
// predictions with numpy's transcription of Keras' arithmetic (float32
// weights: 1e-5); the weights' shapes are those tf.keras builds.
func TestLayerNormalizationKerasFiles(t *testing.T) {
	b, err := os.ReadFile("testdata/h5py_made/tfk2.10_layernorm_h5py.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		X     []float64
		Shape []int
		Y     []float64
	}
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"testdata/h5py_made/tfk2.10_layernorm_h5py.h5", "testdata/h5py_made/k3_layernorm_h5py.keras"} {
		m, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		y, err := m.Predict(graph.NewTensor(m.Dtype(), c.Shape, c.X), 5)
		if err != nil {
			t.Fatal(err)
		}
		if got := graph.Float64s(y); !closeAll(got, c.Y, 1e-5) {
			t.Errorf("%s: predictions %v, want %v", path, got, c.Y)
		}
		var shapes []string
		for _, p := range m.Params() {
			shapes = append(shapes, fmt.Sprint(p.Name, " ", []int(p.Value.Shape())))
		}
		want := "[layer_normalization/gamma [3] layer_normalization/beta [3] layer_normalization_1/gamma [7 3] dense/kernel [21 2] dense/bias [2]]"
		if fmt.Sprint(shapes) != want {
			t.Errorf("%s: weights %v, want %s", path, shapes, want)
		}
	}
}

// TestLayerNormalizationConfigKeys checks tf.keras' and Keras 3's keys:
// axis as a number or a list, Keras 3's dtype policy and rms_scaling false
// and true (computed: x·γ/√(σ² + ε), gamma only); Save refuses
// rms_scaling true, which tf.keras lacks; bad values are errors naming the
// layer and the key; the Keras 3 weights paths are
// layers/layer_normalization[_n]/vars/<i>, gamma then beta.
func TestLayerNormalizationConfigKeys(t *testing.T) {
	ln := func(extra string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "LayerNormalization", "config": {"name": "ln",
			"batch_input_shape": [null, 4, 3], "epsilon": 0.001, "center": true, "scale": true` + extra + `}}]}}`
	}
	policy := `, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}`
	for _, c := range []struct {
		extra   string
		weights int
		shape   []int
	}{
		{`, "axis": [2]`, 2, []int{3}},
		{`, "axis": -1, "dtype": "float32"`, 2, []int{3}},
		{`, "axis": [1, 2], "rms_scaling": false` + policy, 2, []int{4, 3}},
		{`, "axis": [-1], "rms_scaling": true` + policy, 1, []int{3}},
	} {
		ld, err := fromJSON(t, "3.8.0", ln(c.extra))
		if err != nil {
			t.Errorf("config %s: %v", c.extra, err)
			continue
		}
		ps := ld.model.Layer("ln").Params()
		if len(ps) != c.weights || !slices.Equal([]int(ps[0].Value.Shape()), c.shape) {
			t.Errorf("config %s: weights %v, want %d of %v", c.extra, ps, c.weights, c.shape)
		}
		if !strings.Contains(c.extra, "rms_scaling\": true") {
			continue
		}
		// x·γ/√(σ² + ε) by hand: x = (1, 2, 3) has σ² = 2/3.
		graph.CopyInto(ps[0].Value, graph.NewTensor(graph.Float64, []int{3}, []float64{1, 2, -1}))
		y, err := ld.model.Predict(graph.NewTensor(graph.Float32, []int{1, 4, 3}, []float64{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}), 1)
		if err != nil {
			t.Fatal(err)
		}
		r := 1 / math.Sqrt(2.0/3+0.001)
		if got := graph.Float64s(y)[:3]; !closeAll(got, []float64{r, 4 * r, -3 * r}, 1e-6) {
			t.Errorf("rms_scaling: %v, want %v", got, []float64{r, 4 * r, -3 * r})
		}
		err = Save(ld.model, filepath.Join(t.TempDir(), "m.h5"))
		if err == nil || !strings.Contains(err.Error(), "ln") || !strings.Contains(err.Error(), "rms_scaling") {
			t.Errorf("Save of rms_scaling true: error %v", err)
		}
	}
	for _, c := range []struct{ extra, want string }{
		{`, "axis": [0, 2]`, "axis"},
		{`, "axis": 3`, "axis"},
		{`, "axis": [2, 2]`, "axis"},
		{`, "axis": "last"`, "axis"},
		{`, "epsilon": -1`, "epsilon"},
		{`, "gamma_initializer": {"class_name": "Nope", "config": {}}`, "gamma_initializer"},
		{`, "groups": 2`, "groups"},
	} {
		_, err := fromJSON(t, "2.10.0", ln(c.extra))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "ln") {
			t.Errorf("config %s: error %v, want one naming ln and %s", c.extra, err, c.want)
		}
	}
	ld, err := fromJSON(t, "2.10.0", ln(`, "trainable": false`))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ld.model.Params() {
		if !p.Frozen {
			t.Errorf("%s: not frozen with trainable false", p.Name)
		}
	}
	m, _ := lnKerasModel(t, graph.Float32)
	var lns []graph.Layer
	for _, l := range m.Layers() {
		if l.Type() == "LayerNormalization" {
			lns = append(lns, l)
		}
	}
	paths := archivePaths(lns)
	want := [][]string{
		{"layers/layer_normalization/vars/0", "layers/layer_normalization/vars/1"},
		{"layers/layer_normalization_1/vars/0"},
		nil,
	}
	if fmt.Sprint(paths) != fmt.Sprint(want) {
		t.Errorf("Keras 3 paths %v, want %v", paths, want)
	}
}

// TestSteps1DKerasConfigs reads ZeroPadding1D, Cropping1D and
// UpSampling1D as Keras 2.2.4 (lists of two), tf.keras and Keras 3
// (data_format) write them, and a number for the pair; the output shapes
// follow. Keras 3's channels_first, unknown keys and bad values are
// errors naming the layer; a mask reaching any of the three is refused
// (Keras 2.2.4: no supports_masking).
func TestSteps1DKerasConfigs(t *testing.T) {
	seq := func(layers string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [` + layers + `]}}`
	}
	first := `"batch_input_shape": [null, 6, 2], "dtype": "float32", "trainable": true`
	for _, c := range []struct {
		version, doc string
		want         []int
	}{
		{"2.2.4", seq(`{"class_name": "ZeroPadding1D", "config": {"name": "zp", ` + first + `, "padding": [1, 3]}},
			{"class_name": "Cropping1D", "config": {"name": "cr", "trainable": true, "cropping": [2, 0]}},
			{"class_name": "UpSampling1D", "config": {"name": "up", "trainable": true, "size": 3}}`), []int{24, 2}},
		{"2.10.0", seq(`{"class_name": "ZeroPadding1D", "config": {"name": "zp", ` + first + `, "padding": 2}},
			{"class_name": "Cropping1D", "config": {"name": "cr", "trainable": true, "dtype": "float32", "cropping": 1}},
			{"class_name": "UpSampling1D", "config": {"name": "up", "trainable": true, "dtype": "float32"}}`), []int{16, 2}},
		{"3.8.0", seq(`{"class_name": "ZeroPadding1D", "config": {"name": "zp", ` + first + `, "padding": [0, 0], "data_format": "channels_last"}},
			{"class_name": "Cropping1D", "config": {"name": "cr", "trainable": true}}`), []int{4, 2}},
	} {
		ld, err := fromJSON(t, c.version, c.doc)
		if err != nil {
			t.Errorf("%s: %v", c.version, err)
			continue
		}
		if s := ld.model.OutputShape(); !slices.Equal(s, c.want) {
			t.Errorf("%s: output shape %v, want %v", c.version, s, c.want)
		}
		sizesAgree(t, ld.model)
	}
	for _, c := range []struct{ name, layer, doc, want string }{
		{"channels_first", "zp", seq(`{"class_name": "ZeroPadding1D", "config": {"name": "zp", ` + first + `, "padding": 1, "data_format": "channels_first"}}`), "channels_first"},
		{"padding of three", "zp", seq(`{"class_name": "ZeroPadding1D", "config": {"name": "zp", ` + first + `, "padding": [1, 1, 1]}}`), "padding"},
		{"negative cropping", "cr", seq(`{"class_name": "Cropping1D", "config": {"name": "cr", ` + first + `, "cropping": [-1, 1]}}`), "cropping"},
		{"cropping all", "cr", seq(`{"class_name": "Cropping1D", "config": {"name": "cr", ` + first + `, "cropping": [3, 3]}}`), "cropping"},
		{"size 0", "up", seq(`{"class_name": "UpSampling1D", "config": {"name": "up", ` + first + `, "size": 0}}`), "size"},
		{"unknown key", "up", seq(`{"class_name": "UpSampling1D", "config": {"name": "up", ` + first + `, "interpolation": "nearest"}}`), "interpolation"},
	} {
		_, err := fromJSON(t, "2.2.4", c.doc)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.layer) {
			t.Errorf("%s: error %v", c.name, err)
		}
	}
	for _, class := range []string{"ZeroPadding1D", "Cropping1D", "UpSampling1D"} {
		doc := seq(`{"class_name": "Masking", "config": {"name": "mask", "batch_input_shape": [null, 4, 3], "mask_value": 0.0}},
			{"class_name": "` + class + `", "config": {"name": "steps"}}`)
		ld, err := fromJSON(t, "2.2.4", doc)
		if err == nil {
			_, err = ld.model.Predict(graph.NewTensor(graph.Float32, []int{1, 4, 3}, nil), 1)
		}
		if err == nil || !strings.Contains(err.Error(), "steps") || !strings.Contains(err.Error(), "mask") {
			t.Errorf("%s after Masking: error %v", class, err)
		}
	}
}
