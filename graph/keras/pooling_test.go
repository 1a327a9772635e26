package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
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

// This file tests GlobalMaxPooling1D, GlobalAveragePooling1D,
// AveragePooling1D, Reshape and Permute in Keras files.

// poolingSeq is the Go model that the Keras configs of
// TestPoolingKerasConfigs describe: x (8, 3) → AveragePooling1D(3, 2, same)
// (4, 3) → Permute(2, 1) (3, 4) → Reshape(-1, 2) (6, 2) →
// GlobalMaxPooling1D (2) → Dense(2).
func poolingSeq(t *testing.T) *model.Model {
	t.Helper()
	dc := layers.DenseDefaults(2)
	dc.Name = "head"
	m, err := model.NewSequential(graph.Float32,
		must(layers.NewAveragePooling1D(layers.AveragePooling1DConfig{Name: "avg", PoolSize: 3, Strides: 2, Padding: "same"})),
		must(layers.NewPermute(layers.PermuteConfig{Name: "perm", Dims: []int{2, 1}})),
		must(layers.NewReshape(layers.ReshapeConfig{Name: "resh", TargetShape: []int{-1, 2}})),
		must(layers.NewGlobalMaxPooling1D(layers.GlobalPooling1DConfig{Name: "gmax"})),
		must(layers.NewDense(dc)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(8, 3); err != nil {
		t.Fatal(err)
	}
	randomize(m, 7, 1)
	return m
}

// Keras configs of poolingSeq's layers, as each version's get_config
// writes them.
const (
	k2Dense = `{"class_name": "Dense", "config": {"name": "head", "trainable": true, "units": 2, "activation": "linear", "use_bias": true,
		"kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
		"bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null,
		"activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}`
	// Keras 2.2.4: keras/layers/pooling.py _Pooling1D.get_config writes
	// the tuples pool_size and strides as lists; core.py's Reshape and
	// Permute write target_shape and dims.
	k2PoolingSeq = `{"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
		{"class_name": "AveragePooling1D", "config": {"name": "avg", "trainable": true, "batch_input_shape": [null, 8, 3], "dtype": "float32",
			"strides": [2], "pool_size": [3], "padding": "same", "data_format": "channels_last"}},
		{"class_name": "Permute", "config": {"name": "perm", "trainable": true, "dims": [2, 1]}},
		{"class_name": "Reshape", "config": {"name": "resh", "trainable": true, "target_shape": [-1, 2]}},
		{"class_name": "GlobalMaxPooling1D", "config": {"name": "gmax", "trainable": true, "data_format": "channels_last"}},
		` + k2Dense + `]}}`
	// tf.keras 2.6+: every layer's dtype, the global poolings' keepdims.
	tfkPoolingSeq = `{"class_name": "Sequential", "config": {"name": "sequential", "layers": [
		{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 8, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
		{"class_name": "AveragePooling1D", "config": {"name": "avg", "trainable": true, "dtype": "float32",
			"strides": [2], "pool_size": [3], "padding": "same", "data_format": "channels_last"}},
		{"class_name": "Permute", "config": {"name": "perm", "trainable": true, "dtype": "float32", "dims": [2, 1]}},
		{"class_name": "Reshape", "config": {"name": "resh", "trainable": true, "dtype": "float32", "target_shape": [-1, 2]}},
		{"class_name": "GlobalMaxPooling1D", "config": {"name": "gmax", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": false}},
		` + k2Dense + `]}}`
	k3Policy = `{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}`
	// Keras 3: module keys, dtype policies, build_config; keras/src/layers
	// pooling/base_pooling.py and base_global_pooling.py, reshaping/.
	k3PoolingSeq = `{"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": ` + k3Policy + `, "layers": [
		{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
		{"module": "keras.layers", "class_name": "AveragePooling1D", "config": {"name": "avg", "trainable": true, "dtype": ` + k3Policy + `,
			"pool_size": [3], "padding": "same", "strides": [2], "data_format": "channels_last"}, "registered_name": null, "build_config": {"input_shape": [null, 8, 3]}},
		{"module": "keras.layers", "class_name": "Permute", "config": {"name": "perm", "trainable": true, "dtype": ` + k3Policy + `, "dims": [2, 1]},
			"registered_name": null, "build_config": {"input_shape": [null, 4, 3]}},
		{"module": "keras.layers", "class_name": "Reshape", "config": {"name": "resh", "trainable": true, "dtype": ` + k3Policy + `, "target_shape": [-1, 2]},
			"registered_name": null, "build_config": {"input_shape": [null, 3, 4]}},
		{"module": "keras.layers", "class_name": "GlobalMaxPooling1D", "config": {"name": "gmax", "trainable": true, "dtype": ` + k3Policy + `,
			"data_format": "channels_last", "keepdims": false}, "registered_name": null, "build_config": {"input_shape": [null, 6, 2]}},
		{"module": "keras.layers", "class_name": "Dense", "config": {"name": "head", "trainable": true, "dtype": ` + k3Policy + `, "units": 2,
			"activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
			"bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null,
			"bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 2]}}
		]}, "registered_name": null, "build_config": {"input_shape": [null, 8, 3]}}`
)

// sameLayers checks that m has the layers of want with the same types and
// configs, and, given want's Dense weights, the same predictions on x.
func sameLayers(t *testing.T, what string, m, want *model.Model, x *graph.Tensor) {
	t.Helper()
	if len(m.Layers()) != len(want.Layers()) {
		t.Fatalf("%s: %d layers, want %d", what, len(m.Layers()), len(want.Layers()))
	}
	for i, l := range want.Layers() {
		got := m.Layers()[i]
		a, _ := l.Config()
		b, _ := got.Config()
		if got.Type() != l.Type() || got.Name() != l.Name() || (len(l.Params()) == 0 && string(a) != string(b)) {
			t.Errorf("%s: layer %d is %s %s %s, want %s %s %s", what, i, got.Type(), got.Name(), b, l.Type(), l.Name(), a)
		}
		for j, p := range got.Params() {
			graph.CopyInto(p.Value, l.Params()[j].Value)
		}
	}
	y1, err := want.Predict(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	y2, err := m.Predict(x, 2)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !slices.Equal(graph.Float64s(y1), graph.Float64s(y2)) {
		t.Errorf("%s: predictions %v, want %v", what, graph.Float64s(y2), graph.Float64s(y1))
	}
}

// TestPoolingKerasConfigs reads the config of poolingSeq as Keras 2.2.4,
// tf.keras 2.10 and Keras 3.4 write it (as model_config, as a whole Keras
// 2.2.4 .h5 file and as a whole .keras archive with its weights) and
// checks that each gives poolingSeq.
func TestPoolingKerasConfigs(t *testing.T) {
	want := poolingSeq(t)
	x := randomize(want, 8, 3)[0]
	for _, c := range []struct{ name, version, doc string }{
		{"keras 2.2.4", "2.2.4", k2PoolingSeq}, {"tf.keras 2.10", "2.10.0", tfkPoolingSeq}, {"keras 3.4", "3.4.1", k3PoolingSeq},
	} {
		ld, err := fromJSON(t, c.version, c.doc)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		sameLayers(t, c.name, ld.model, want, x)
	}

	// An .h5 file whose model_config is Keras 2.2.4's text, with the
	// weights of want in Keras 2.2.4's model_weights layout.
	var cfg map[string]any
	if err := json.Unmarshal([]byte(k2PoolingSeq), &cfg); err != nil {
		t.Fatal(err)
	}
	h5 := filepath.Join(t.TempDir(), "k2.h5")
	if err := writeWithConfig(want, cfg, h5); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(h5)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, want, m2)
	sameLayers(t, "keras 2.2.4 .h5", m2, want, x)

	// A .keras archive: config.json, metadata.json and model.weights.h5 with
	// the Dense weights at layers/dense/vars/{0,1}.
	w := hdf5.NewWriter()
	g, _ := w.Root().CreateGroup("layers")
	for _, l := range []string{"average_pooling1d", "permute", "reshape", "global_max_pooling1d"} {
		lg, _ := g.CreateGroup(l)
		lg.CreateGroup("vars")
	}
	dg, _ := g.CreateGroup("dense")
	vg, _ := dg.CreateGroup("vars")
	head := want.Layer("head").Params()
	for i, p := range head {
		if _, err := vg.CreateDataset([]string{"0", "1"}[i], p.Value.Shape(), graph.Contiguous(p.Value).Data()); err != nil {
			t.Fatal(err)
		}
	}
	weights, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"metadata.json", []byte(`{"keras_version": "3.4.1", "date_saved": "2024-07-23@17:34:00"}`)}, {"config.json", []byte(k3PoolingSeq)}, {"model.weights.h5", weights}} {
		fw, _ := zw.Create(f.name)
		fw.Write(f.data)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "m.keras")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Layer("head").Params() {
		if !slices.Equal(graph.Float64s(p.Value), graph.Float64s(head[i].Value)) {
			t.Errorf(".keras: weight %s not read from the archive", p.Name)
		}
	}
	sameLayers(t, ".keras", m, want, x)
}

// TestPoolingKerasKeepdims reads tf.keras' and Keras 3's keepdims true
// (output (1, channels)) and checks that Save refuses it, Keras 2.2.4
// having no such argument.
func TestPoolingKerasKeepdims(t *testing.T) {
	for _, class := range []string{"GlobalMaxPooling1D", "GlobalAveragePooling1D"} {
		doc := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "` + class + `", "config": {"name": "gpool", "trainable": true,
			"dtype": "float32", "batch_input_shape": [null, null, 3], "data_format": "channels_last", "keepdims": true}}]}}`
		ld, err := fromJSON(t, "2.10.0", doc)
		if err != nil {
			t.Fatalf("%s: %v", class, err)
		}
		if s := ld.model.OutputShape(); !slices.Equal(s, []int{1, 3}) {
			t.Errorf("%s keepdims: output shape %v, want (1, 3)", class, s)
		}
		y, err := ld.model.Predict(graph.NewTensor(graph.Float32, []int{1, 2, 3}, []float64{1, 2, 3, 3, 2, 1}), 1)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]float64{"GlobalMaxPooling1D": {3, 2, 3}, "GlobalAveragePooling1D": {2, 2, 2}}[class]
		if !slices.Equal(graph.Float64s(y), want) || !slices.Equal(y.Shape(), []int{1, 1, 3}) {
			t.Errorf("%s keepdims: %v of shape %v, want %v of (1, 1, 3)", class, graph.Float64s(y), y.Shape(), want)
		}
		err = Save(ld.model, filepath.Join(t.TempDir(), "m.h5"))
		if err == nil || !strings.Contains(err.Error(), "gpool") || !strings.Contains(err.Error(), "keepdims") {
			t.Errorf("%s: Save of keepdims true: error %v", class, err)
		}
	}
}

// TestPoolingKerasErrors checks configs that Keras would refuse or that
// this library does not compute: each error names the layer.
func TestPoolingKerasErrors(t *testing.T) {
	seq := func(first string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [` + first + `]}}`
	}
	for _, c := range []struct{ name, layer, doc, want string }{
		{"channels_first", "gap", seq(`{"class_name": "GlobalAveragePooling1D", "config": {"name": "gap", "batch_input_shape": [null, 4, 3], "data_format": "channels_first"}}`), "channels_first"},
		{"average channels_first", "ap", seq(`{"class_name": "AveragePooling1D", "config": {"name": "ap", "batch_input_shape": [null, 4, 3], "pool_size": [2], "strides": [2], "padding": "valid", "data_format": "channels_first"}}`), "channels_first"},
		{"pool_size pair", "ap", seq(`{"class_name": "AveragePooling1D", "config": {"name": "ap", "batch_input_shape": [null, 4, 3], "pool_size": [2, 2]}}`), "pool_size"},
		{"padding", "ap", seq(`{"class_name": "AveragePooling1D", "config": {"name": "ap", "batch_input_shape": [null, 4, 3], "padding": "causal"}}`), "padding"},
		{"reshape misfit", "rs", seq(`{"class_name": "Reshape", "config": {"name": "rs", "batch_input_shape": [null, 4, 3], "target_shape": [5, -1]}}`), "target_shape"},
		{"reshape two -1", "rs", seq(`{"class_name": "Reshape", "config": {"name": "rs", "batch_input_shape": [null, 4, 3], "target_shape": [-1, -1]}}`), "target_shape"},
		{"permute", "pm", seq(`{"class_name": "Permute", "config": {"name": "pm", "batch_input_shape": [null, 4, 3], "dims": [1, 3]}}`), "dims"},
		{"permute rank", "pm", seq(`{"class_name": "Permute", "config": {"name": "pm", "batch_input_shape": [null, 4, 3], "dims": [3, 2, 1]}}`), "dims"},
		{"unknown argument", "gmp", seq(`{"class_name": "GlobalMaxPooling1D", "config": {"name": "gmp", "batch_input_shape": [null, 4, 3], "pool_mode": "max"}}`), "pool_mode"},
	} {
		_, err := fromJSON(t, "2.2.4", c.doc)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.layer) {
			t.Errorf("%s: error %v", c.name, err)
		}
	}
	// GlobalMaxPooling1D after a masking layer: refused, as Keras 2.2.4
	// refuses a mask for a layer without supports_masking.
	doc := seq(`{"class_name": "Masking", "config": {"name": "mask", "batch_input_shape": [null, 4, 3], "mask_value": 0.0}},
		{"class_name": "GlobalMaxPooling1D", "config": {"name": "gmp", "data_format": "channels_last"}}`)
	ld, err := fromJSON(t, "2.2.4", doc)
	if err == nil {
		_, err = ld.model.Predict(graph.NewTensor(graph.Float32, []int{1, 4, 3}, nil), 1)
	}
	if err == nil || !strings.Contains(err.Error(), "gmp") || !strings.Contains(err.Error(), "masking") {
		t.Errorf("GlobalMaxPooling1D after Masking: error %v", err)
	}
}

// poolingFunctional uses every class of this file with non-default
// arguments, with the masked GlobalAveragePooling1D after an LSTM over
// Embedding(mask_zero), for the Save tests.
func poolingFunctional(t *testing.T, dt graph.Dtype) *model.Model {
	t.Helper()
	x := model.Input("x", 8, 3)
	a := model.Apply(must(layers.NewAveragePooling1D(layers.AveragePooling1DConfig{Name: "avg", PoolSize: 3, Strides: 2, Padding: "same"})), x)
	p := model.Apply(must(layers.NewPermute(layers.PermuteConfig{Name: "perm", Dims: []int{2, 1}})), a)
	r := model.Apply(must(layers.NewReshape(layers.ReshapeConfig{Name: "resh", TargetShape: []int{-1, 2}})), p)
	g := model.Apply(must(layers.NewGlobalMaxPooling1D(layers.GlobalPooling1DConfig{Name: "gmax"})), r)
	ec := layers.EmbeddingDefaults(10, 4)
	ec.Name, ec.MaskZero = "emb", true
	lc := lstm.Default(3)
	lc.Name, lc.ReturnSequences = "lstm", true
	ids := model.Input("ids", graph.None)
	s := model.Apply(must(lstm.New(lc)), model.Apply(must(layers.NewEmbedding(ec)), ids))
	h := model.Apply(must(layers.NewGlobalAveragePooling1D(layers.GlobalPooling1DConfig{Name: "gavg"})), s)
	c := model.Apply(must(layers.NewConcatenate(layers.ConcatenateConfig{Name: "cat", Axis: -1})), g, h)
	dc := layers.DenseDefaults(2)
	dc.Name = "head"
	y := model.Apply(must(layers.NewDense(dc)), c)
	m, err := model.New(dt, []*model.Node{x, ids}, []*model.Node{y})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPoolingSave checks Save of poolingFunctional: the config has Keras
// 2.2.4's names and forms (pool_size and strides as lists, no keepdims),
// h5py reads the float32 file as Keras 2.2.4's loader would (building
// each layer's output shape, testdata/h5py_check.py), Load gives the same
// model and predictions bit for bit on a padded batch, the config reads
// back to the same text, and the size rules agree with the layers.
func TestPoolingSave(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32, graph.Float64} {
		m := poolingFunctional(t, dt)
		xs := randomize(m, 5, 3)
		ids := []float64{3, 1, 4, 1, 5, 9, 2, 9, 2, 0, 0, 0, 0, 0, 0, 6, 5, 3, 5, 0, 0}
		xs[1] = graph.NewTensor(dt, []int{3, 7}, ids)
		if err := m.Compile("mse", optim.NewSGD()); err != nil {
			t.Fatal(err)
		}
		w, err := writeModel(m)
		if err != nil {
			t.Fatal(err)
		}
		wantCfg := map[string]string{
			"avg":  `{"data_format":"channels_last","dtype":"` + dt.String() + `","name":"avg","padding":"same","pool_size":[3],"strides":[2],"trainable":true}`,
			"perm": `{"dims":[2,1],"dtype":"` + dt.String() + `","name":"perm","trainable":true}`,
			"resh": `{"dtype":"` + dt.String() + `","name":"resh","target_shape":[-1,2],"trainable":true}`,
			"gmax": `{"data_format":"channels_last","dtype":"` + dt.String() + `","name":"gmax","trainable":true}`,
			"gavg": `{"data_format":"channels_last","dtype":"` + dt.String() + `","name":"gavg","trainable":true}`,
		}
		for name, want := range wantCfg {
			obj := layer(w.config, name)
			if obj == nil {
				t.Fatalf("layer %s not written", name)
			}
			if got, _ := json.Marshal(obj["config"]); string(got) != want {
				t.Errorf("%v: %s written as %s, want %s", dt, name, got, want)
			}
		}
		path := filepath.Join(t.TempDir(), "m.h5")
		if err := Save(m, path); err != nil {
			t.Fatal(err)
		}
		if dt == graph.Float32 { // one h5py run: each starts Python (about a second)
			out, err := h5py(t, path)
			if err != nil {
				t.Fatalf("%v: h5py check: %v", dt, err)
			}
			var d h5pyDump
			if err := json.Unmarshal(out, &d); err != nil {
				t.Fatal(err)
			}
			var want any
			remarshal(w.config, &want)
			if !sameJSONTree(d.ModelConfig, want) {
				t.Errorf("%v: model_config read by h5py differs from the model's config", dt)
			}
			for _, l := range d.Layers {
				if _, ok := wantCfg[l.Name]; ok && (len(l.WeightNames) != 0 || len(l.Weights) != 0) {
					t.Errorf("%v: layer %s has weights %v in the file", dt, l.Name, l.WeightNames)
				}
			}
		}
		m2, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		sameWeights(t, m, m2)
		p1, err := m.PredictMulti(xs, 3)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := m2.PredictMulti(xs, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(graph.Float64s(p1[0]), graph.Float64s(p2[0])) {
			t.Errorf("%v: predictions differ after the round trip: %v, before %v", dt, graph.Float64s(p2[0]), graph.Float64s(p1[0]))
		}
		sizesAgree(t, m)
	}
	writeReadConfig(t, poolingFunctional(t, graph.Float64))
	// A Sequential model of the pooling and reshaping layers through Save
	// and Load.
	m := poolingSeq(t)
	path := filepath.Join(t.TempDir(), "seq.h5")
	if err := Save(m, path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameLayers(t, "Sequential .h5", m2, m, randomize(m, 9, 2)[0])
	sizesAgree(t, m)
}

// TestPoolingSizeRules checks the size rules on None steps and keepdims
// against the built layers.
func TestPoolingSizeRules(t *testing.T) {
	for _, c := range []struct {
		l  graph.Layer
		in []int
	}{
		{must(layers.NewGlobalAveragePooling1D(layers.GlobalPooling1DConfig{KeepDims: true})), []int{graph.None, 3}},
		{must(layers.NewGlobalMaxPooling1D(layers.GlobalPooling1DConfig{})), []int{graph.None, 3}},
		{must(layers.NewAveragePooling1D(layers.AveragePooling1DConfig{PoolSize: 3, Padding: "same"})), []int{graph.None, 3}},
		{must(layers.NewAveragePooling1D(layers.AveragePooling1DConfig{PoolSize: 3, Strides: 1})), []int{9, 3}},
		{must(layers.NewReshape(layers.ReshapeConfig{TargetShape: []int{2, -1}})), []int{graph.None, 4}},
		{must(layers.NewReshape(layers.ReshapeConfig{TargetShape: []int{2, -1}})), []int{3, 4}},
		{must(layers.NewReshape(layers.ReshapeConfig{TargetShape: []int{6}})), []int{graph.None, 2}},
		{must(layers.NewPermute(layers.PermuteConfig{Dims: []int{3, 1, 2}})), []int{graph.None, 2, 5}},
	} {
		if err := c.l.Build([][]int{c.in}, graph.Float32); err != nil {
			t.Fatal(err)
		}
		cfg, _ := configOf(c.l)
		out, p, err := estimate(c.l.Type(), cfg, [][]int{c.in})
		if err != nil || p != 0 || !slices.Equal(out[0], c.l.OutputShapes()[0]) {
			t.Errorf("%s on %v: estimated %v, %d weights, %v; the layer gives %v", c.l.Type(), c.in, out, p, err, c.l.OutputShapes())
		}
	}
}
