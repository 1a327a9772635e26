package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
)

// actLayersModel is a Sequential model of every advanced activation and
// noise layer class, with non-default arguments, ending in a Dense layer,
// compiled with Adam; its PReLU alpha is random. The noise layers whose
// seed Keras 2.2.4 cannot hold (GaussianNoise, GaussianDropout) keep seed
// 0, so that a loaded copy draws the same noise.
func actLayersModel(t *testing.T, dt graph.Dtype) (*model.Model, *graph.Tensor) {
	t.Helper()
	m := actLayersNet(t, dt)
	xs := randomize(m, 7, 5)
	if err := m.Compile("mse", optim.NewAdam()); err != nil {
		t.Fatal(err)
	}
	return m, xs[0]
}

// actLayersNet is actLayersModel built, with its initial weights.
func actLayersNet(t *testing.T, dt graph.Dtype) *model.Model {
	t.Helper()
	maxV := 4.0
	dense := layers.DenseDefaults(2)
	dense.Name = "out"
	ls := []graph.Layer{
		must(layers.NewLeakyReLU(layers.LeakyReLUConfig{Name: "leaky", Alpha: 0.2})),
		must(layers.NewReLU(layers.ReLUConfig{Name: "relu", MaxValue: &maxV, NegativeSlope: 0.1, Threshold: -0.5})),
		must(layers.NewELU(layers.ELUConfig{Name: "elu", Alpha: 0.8})),
		must(layers.NewThresholdedReLU(layers.ThresholdedReLUConfig{Name: "thr", Theta: 0.01})),
		must(layers.NewPReLU(layers.PReLUConfig{Name: "prelu", SharedAxes: []int{1},
			AlphaInitializer: graph.Spec{Name: "random_uniform", Args: map[string]float64{"minval": -0.5, "maxval": 0.5}},
			AlphaRegularizer: &graph.Spec{Name: "l1_l2", Args: map[string]float64{"l1": 0.01, "l2": 0.02}},
			AlphaConstraint:  &graph.Spec{Name: "max_norm", Args: map[string]float64{"max_value": 2, "axis": 0}}})),
		must(layers.NewSoftmax(layers.SoftmaxConfig{Name: "softmax", Axis: 1})),
		must(layers.NewGaussianNoise(layers.GaussianNoiseConfig{Name: "gn", Stddev: 0.1})),
		must(layers.NewGaussianDropout(layers.GaussianDropoutConfig{Name: "gd", Rate: 0.2})),
		must(layers.NewAlphaDropout(layers.AlphaDropoutConfig{Name: "ad", Rate: 0.1, NoiseShape: []int{graph.None, 1, graph.None}, Seed: 5})),
		must(layers.NewActivityRegularization(layers.ActivityRegularizationConfig{Name: "areg", L1: 0.01, L2: 0.02})),
		must(layers.NewDense(dense)),
	}
	m, err := model.NewSequential(dt, ls...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(3, 4); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestActLayersSaveLoadExact checks Go → Keras .h5 → Go for the advanced
// activation and noise layers: the same Keras config, weights bit for bit,
// the same predictions, and the same weights after a training step (the
// noise drawn alike), in float32 and float64; and that the size rules
// agree with the built layers and that the config written, read and
// written again is the same, with the same initial weights.
func TestActLayersSaveLoadExact(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32, graph.Float64} {
		m, x := actLayersModel(t, dt)
		sizesAgree(t, m)
		if dt == graph.Float64 {
			writeReadConfig(t, actLayersNet(t, dt))
		}
		m2, _, _ := saveLoad(t, m, []*graph.Tensor{x})
		p1, err := m.Predict(x, 5)
		if err != nil {
			t.Fatal(err)
		}
		y := graph.NewTensor(dt, p1.Shape(), graph.Float64s(p1))
		for _, mm := range []*model.Model{m, m2} {
			if _, err := mm.TrainOnBatch(x, y); err != nil {
				t.Fatal(err)
			}
		}
		sameWeights(t, m, m2)
	}
}

// TestActLayersH5py checks with h5py that the file Save writes for these
// layers is what Keras 2.2.4's loader accepts (constructor arguments,
// PReLU's alpha as "prelu/alpha:0" of the shape Keras builds) and holds
// the model's config and weights (float32; TestSaveH5py covers the
// dtypes).
func TestActLayersH5py(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32} {
		m, _ := actLayersModel(t, dt)
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
		w, _ := writeModel(m)
		var want any
		remarshal(w.config, &want)
		if !sameJSONTree(d.ModelConfig, want) {
			t.Errorf("%v: model_config read by h5py differs from the model's", dt)
		}
		cfgs := map[string]map[string]any{}
		for _, l := range w.config["config"].(map[string]any)["layers"].([]any) {
			obj := l.(*kerasObject)
			cfgs[obj.ClassName] = obj.Config
		}
		// Keras 2.2.4's get_config names, without the seeds it cannot take.
		for class, keys := range map[string][]string{
			"LeakyReLU": {"alpha"}, "ReLU": {"max_value", "negative_slope", "threshold"}, "ELU": {"alpha"},
			"ThresholdedReLU": {"theta"}, "Softmax": {"axis"}, "GaussianNoise": {"stddev"}, "GaussianDropout": {"rate"},
			"PReLU":        {"alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"},
			"AlphaDropout": {"rate", "noise_shape", "seed"}, "ActivityRegularization": {"l1", "l2"},
		} {
			got := []string{}
			for k := range cfgs[class] {
				if k != "name" && k != "trainable" && k != "dtype" && k != "batch_input_shape" {
					got = append(got, k)
				}
			}
			slices.Sort(got)
			slices.Sort(keys)
			if !slices.Equal(got, keys) {
				t.Errorf("%s written with keys %v, want %v", class, got, keys)
			}
		}
		found := false
		for _, l := range d.Layers {
			if l.Name != "prelu" {
				if len(l.Weights) > 0 && l.Name != "out" {
					t.Errorf("layer %s has weights in the file", l.Name)
				}
				continue
			}
			found = true
			a := m.Layer("prelu").Params()[0]
			if len(l.Weights) != 1 || l.Weights[0].Name != "prelu/alpha:0" || !slices.Equal(l.Weights[0].Shape, []int{1, 4}) ||
				!slices.Equal(l.Weights[0].Values, graph.Float64s(a.Value)) {
				t.Errorf("%v: prelu weights %+v, want prelu/alpha:0 (1, 4) %v", dt, l.Weights, graph.Float64s(a.Value))
			}
		}
		if !found {
			t.Error("no prelu layer in the file")
		}
	}
}

// TestActLayersKerasForms reads the configs of these layers as Keras
// 2.2.4, tf.keras 2.x and Keras 3 write them, and checks the layers built.
func TestActLayersKerasForms(t *testing.T) {
	k3 := func(class, cfg string) string {
		return `{"module": "keras.layers", "class_name": "` + class + `", "registered_name": null, "config": {"name": "l", "trainable": true,
			"dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}` + cfg + `}}`
	}
	k2 := func(class, cfg string) string {
		return `{"class_name": "` + class + `", "config": {"name": "l", "trainable": true` + cfg + `}}`
	}
	for _, c := range []struct {
		version, layer, want string
	}{
		{"2.2.4", k2("LeakyReLU", `, "alpha": 0.1`), `{"name":"l","alpha":0.1}`},
		{"2.10.0", k2("LeakyReLU", `, "alpha": 0.30000001192092896`), `{"name":"l","alpha":0.30000001192092896}`},
		{"3.4.1", k3("LeakyReLU", `, "negative_slope": 0.2`), `{"name":"l","alpha":0.2}`},
		{"2.2.4", k2("ReLU", `, "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0`), `{"name":"l","max_value":6,"negative_slope":0,"threshold":0}`},
		{"3.4.1", k3("ReLU", `, "max_value": null, "negative_slope": 0.1, "threshold": 0.5`), `{"name":"l","max_value":null,"negative_slope":0.1,"threshold":0.5}`},
		{"2.2.4", k2("ELU", `, "alpha": 0.5`), `{"name":"l","alpha":0.5}`},
		{"3.4.1", k3("ELU", ``), `{"name":"l","alpha":1}`}, // Keras 3's ELU writes no alpha
		{"2.2.4", k2("ThresholdedReLU", `, "theta": 0.5`), `{"name":"l","theta":0.5}`},
		{"2.2.4", k2("Softmax", `, "axis": -1`), `{"name":"l","axis":-1}`},
		{"3.4.1", k3("Softmax", `, "axis": 1`), `{"name":"l","axis":1}`},
		{"2.2.4", k2("PReLU", `, "alpha_initializer": {"class_name": "Zeros", "config": {}}, "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1]`),
			`{"name":"l","alpha_initializer":{"name":"zeros"},"shared_axes":[1],"seed":0}`},
		{"3.4.1", k3("PReLU", `, "alpha_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.25}, "registered_name": null},
			"alpha_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}, "alpha_constraint": null, "shared_axes": null`),
			`{"name":"l","alpha_initializer":{"name":"constant","args":{"value":0.25}},"alpha_regularizer":{"name":"L2","args":{"l2":0.01}},"shared_axes":null,"seed":0}`},
		{"2.2.4", k2("GaussianNoise", `, "stddev": 0.3`), `{"name":"l","stddev":0.3,"seed":0}`},
		{"2.10.0", k2("GaussianNoise", `, "stddev": 0.3, "seed": 4`), `{"name":"l","stddev":0.3,"seed":4}`},
		{"3.4.1", k3("GaussianNoise", `, "stddev": 0.3, "seed": null`), `{"name":"l","stddev":0.3,"seed":0}`},
		{"2.2.4", k2("GaussianDropout", `, "rate": 0.25`), `{"name":"l","rate":0.25,"seed":0}`},
		{"3.4.1", k3("GaussianDropout", `, "rate": 0.25, "seed": 9`), `{"name":"l","rate":0.25,"seed":9}`},
		{"2.2.4", k2("AlphaDropout", `, "rate": 0.25`), `{"name":"l","rate":0.25,"seed":0}`},
		{"3.4.1", k3("AlphaDropout", `, "rate": 0.25, "seed": 2, "noise_shape": [null, 1, null]`), `{"name":"l","rate":0.25,"noise_shape":[-1,1,-1],"seed":2}`},
		{"2.2.4", k2("ActivityRegularization", `, "l1": 0.0, "l2": 0.5`), `{"name":"l","l1":0,"l2":0.5}`},
		{"3.4.1", k3("ActivityRegularization", `, "l1": 0.1, "l2": 0.0`), `{"name":"l","l1":0.1,"l2":0}`},
	} {
		doc := `{"class_name": "Sequential", "config": {"name": "s", "layers": [
			{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3, 4], "dtype": "float32", "name": "in"}}, ` + c.layer + `]}}`
		ld, err := fromJSON(t, c.version, doc)
		if err != nil {
			t.Errorf("Keras %s %s: %v", c.version, c.layer, err)
			continue
		}
		raw, _ := ld.model.Layers()[0].Config()
		if string(raw) != c.want {
			t.Errorf("Keras %s %s: config %s, want %s", c.version, c.layer, raw, c.want)
		}
	}
	// Arguments out of range are errors naming the layer and the argument.
	for _, c := range []struct{ class, layer, arg string }{
		{"GaussianDropout", k2("GaussianDropout", `, "rate": 1.0`), "rate"},
		{"AlphaDropout", k2("AlphaDropout", `, "rate": -0.5`), "rate"},
		{"ReLU", k2("ReLU", `, "max_value": -1.0`), "max_value"},
		{"Softmax", k2("Softmax", `, "axis": 0`), "axis"},
		{"PReLU", k2("PReLU", `, "shared_axes": [3]`), "shared_axes"},
		{"LeakyReLU", k2("LeakyReLU", `, "alpha": 0.1, "beta": 2`), "beta"},
	} {
		doc := `{"class_name": "Sequential", "config": {"name": "s", "layers": [
			{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3, 4], "dtype": "float32", "name": "in"}}, ` + c.layer + `]}}`
		_, err := fromJSON(t, "2.2.4", doc)
		if err == nil || !strings.Contains(err.Error(), c.arg) || !strings.Contains(err.Error(), c.class) {
			t.Errorf("%s: error %v, want one naming the layer and %s", c.layer, err, c.arg)
		}
	}
}

// TestActLayersKeras3Archive loads a .keras archive (Keras 3's layout:
// config.json, metadata.json, model.weights.h5 with each layer's weights
// at layers/<snake_case class>[_n]/vars/<i>) holding two PReLU layers,
// p_re_lu and p_re_lu_1 as Keras 3's to_snake_case names them, and
// checks the predictions against the formulas.
func TestActLayersKeras3Archive(t *testing.T) {
	prelu := func(name string) string {
		return `{"module": "keras.layers", "class_name": "PReLU", "registered_name": null, "config": {"name": "` + name + `", "trainable": true, "dtype": "float32",
			"alpha_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
			"alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1]}}`
	}
	cfg := `{"module": "keras", "class_name": "Sequential", "registered_name": null, "config": {"name": "sequential", "layers": [
		{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
		` + prelu("first") + `,
		{"module": "keras.layers", "class_name": "LeakyReLU", "registered_name": null, "config": {"name": "leaky", "trainable": true, "dtype": "float32", "negative_slope": 0.5}},
		` + prelu("second") + `]}}`
	alpha1, alpha2 := []float64{0.1, 0.2, 0.3}, []float64{2, 3, 4}
	w := hdf5.NewWriter()
	layersGroup, err := w.Root().CreateGroup("layers")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		group string
		alpha []float64
	}{{"p_re_lu", alpha1}, {"p_re_lu_1", alpha2}} {
		g, err := layersGroup.CreateGroup(l.group)
		if err != nil {
			t.Fatal(err)
		}
		vars, err := g.CreateGroup("vars")
		if err != nil {
			t.Fatal(err)
		}
		v := make([]float32, len(l.alpha))
		for i, a := range l.alpha {
			v[i] = float32(a)
		}
		if _, err := vars.CreateDataset("0", []int{1, 3}, v); err != nil {
			t.Fatal(err)
		}
	}
	h5, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range map[string][]byte{"config.json": []byte(cfg), "metadata.json": []byte(`{"keras_version": "3.4.1"}`), "model.weights.h5": h5} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.keras")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{-1, 2, -3, 0.5, -0.5, 1} // (1, 2, 3)
	y, err := m.Predict(graph.NewTensor(graph.Float32, []int{1, 2, 3}, x), 1)
	if err != nil {
		t.Fatal(err)
	}
	p := func(v, a float64) float64 {
		if v < 0 {
			return a * v
		}
		return v
	}
	for i, v := range x {
		c := i % 3
		want := p(p(p(v, alpha1[c]), 0.5), alpha2[c])
		if got := graph.Float64s(y)[i]; math.Abs(got-want) > 1e-6 {
			t.Errorf("y[%d] = %v, want %v", i, got, want)
		}
	}
}
