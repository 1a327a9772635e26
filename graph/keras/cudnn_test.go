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
)

// cudnnCase is one model of testdata/cudnn/cases.json (written by
// make_cudnn.py): its input, its predictions as Keras computes them (the
// CuDNNLSTM weights converted as Keras' loader does, which the script checks
// against cuDNN's own equations), the predictions of a naive load that skips
// the kernel transforms, and for cudnn_seq the converted LSTM weights.
type cudnnCase struct {
	Input         any         `json:"input"`
	InputShape    []int       `json:"input_shape"`
	Expected      any         `json:"expected"`
	ExpectedShape []int       `json:"expected_shape"`
	Naive         any         `json:"naive"`
	LSTMWeights   [][]float64 `json:"lstm_weights"`
}

func cudnnCases(t *testing.T) map[string]cudnnCase {
	t.Helper()
	data, err := os.ReadFile("testdata/cudnn/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases map[string]cudnnCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// predictCase returns m's prediction on the case's input and the largest
// differences from the expected and the naive predictions.
func predictCase(t *testing.T, m *model.Model, c cudnnCase) (out []float64, diff, naiveDiff float64) {
	t.Helper()
	x := graph.NewTensor(m.Dtype(), c.InputShape, flat(c.Input))
	y, err := m.Predict(x, c.InputShape[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := []int(y.Shape()); !slices.Equal(got, c.ExpectedShape) {
		t.Fatalf("output of shape %v, want %v", got, c.ExpectedShape)
	}
	out = graph.Float64s(y)
	want, nv := flat(c.Expected), flat(c.Naive)
	for i, g := range out {
		diff = math.Max(diff, math.Abs(g-want[i]))
		naiveDiff = math.Max(naiveDiff, math.Abs(g-nv[i]))
	}
	return out, diff, naiveDiff
}

// TestCuDNNLSTMFiles loads the Keras 2.2.4-layout files of make_cudnn.py, a
// CuDNNLSTM(5, return_sequences) → Dense(2) on 3 features and a
// Bidirectional(CuDNNLSTM(4)) → Dense(1), in float32 and float64, and checks
// the predictions against Keras' (within 1e-5 in float32, 1e-10 in
// float64), that they are far (> 0.03) from those of a load that skips the
// kernel transforms, and that each CuDNNLSTM became an LSTM of its name
// with tanh, sigmoid and implementation 2.
func TestCuDNNLSTMFiles(t *testing.T) {
	cases := cudnnCases(t)
	for _, tc := range []struct {
		file, inner string
		dt          graph.Dtype
		tol         float64
	}{
		{"cudnn_seq", "cu_dnnlstm_1", graph.Float32, 1e-5},
		{"cudnn_seq", "cu_dnnlstm_1", graph.Float64, 1e-10},
		{"cudnn_bidir", "cu_dnnlstm_2", graph.Float32, 1e-5},
		{"cudnn_bidir", "cu_dnnlstm_2", graph.Float64, 1e-10},
	} {
		t.Run(tc.file+"/"+tc.dt.String(), func(t *testing.T) {
			c, ok := cases[tc.file]
			if !ok {
				t.Fatalf("no case %s", tc.file)
			}
			m, err := LoadWith(filepath.Join("testdata", "cudnn", tc.file+".h5"), Options{Dtype: tc.dt})
			if err != nil {
				t.Fatal(err)
			}
			_, diff, naiveDiff := predictCase(t, m, c)
			if diff > tc.tol {
				t.Errorf("max |got - keras| = %.3g, want <= %g", diff, tc.tol)
			}
			if naiveDiff < 0.03 {
				t.Errorf("max |got - naive load| = %.3g: the converted weights should compute other numbers", naiveDiff)
			}
			t.Logf("max |got - keras| = %.3g, |got - naive| = %.3g", diff, naiveDiff)
			l := m.Layers()[0]
			cfg, err := configOf(l)
			if err != nil {
				t.Fatal(err)
			}
			if l.Type() == "Bidirectional" {
				inner, _ := asObject(cfg["layer"])
				cfg, _ = asObject(inner["config"])
				if inner["class_name"] != "LSTM" || cfg["name"] != tc.inner {
					t.Errorf("Bidirectional's layer %v %v, want LSTM %s", inner["class_name"], cfg["name"], tc.inner)
				}
			} else if l.Type() != "LSTM" || l.Name() != tc.inner {
				t.Errorf("layer 0: %s %q, want LSTM %q", l.Type(), l.Name(), tc.inner)
			}
			for k, want := range map[string]any{"activation": "tanh", "recurrent_activation": "sigmoid", "implementation": 2, "use_bias": true} {
				if fmt.Sprint(cfg[k]) != fmt.Sprint(want) {
					t.Errorf("%s = %v, want %v", k, cfg[k], want)
				}
			}
		})
	}
}

// TestCuDNNLSTMWeightsAndSave checks the converted weights of cudnn_seq.h5
// against Keras' conversion in make_cudnn.py (float64: exact kernels, the
// bias sum within 1e-15), and that Save writes the LSTM: h5py reads it as
// Keras 2.2.4 would load it, and Load gives the same predictions.
func TestCuDNNLSTMWeightsAndSave(t *testing.T) {
	c := cudnnCases(t)["cudnn_seq"]
	m, err := LoadWith("testdata/cudnn/cudnn_seq.h5", Options{Dtype: graph.Float64})
	if err != nil {
		t.Fatal(err)
	}
	ps := m.Layers()[0].Params()
	if len(ps) != 3 || len(c.LSTMWeights) != 3 {
		t.Fatalf("%d params, %d weights in the case", len(ps), len(c.LSTMWeights))
	}
	for i, p := range ps {
		got := graph.Float64s(p.Value)
		for j, w := range c.LSTMWeights[i] {
			if math.Abs(got[j]-w) > 1e-15 {
				t.Fatalf("%s[%d] = %v, Keras' conversion gives %v", p.Name, j, got[j], w)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "lstm.h5")
	if err := Save(m, path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadWith(path, Options{Dtype: graph.Float64})
	if err != nil {
		t.Fatal(err)
	}
	if l := back.Layers()[0]; l.Type() != "LSTM" || l.Name() != "cu_dnnlstm_1" {
		t.Errorf("saved and loaded: %s %q", l.Type(), l.Name())
	}
	a, _, _ := predictCase(t, m, c)
	b, diff, _ := predictCase(t, back, c)
	if !slices.Equal(a, b) || diff > 1e-10 {
		t.Errorf("saved and loaded: predictions differ (max |got - keras| %.3g)", diff)
	}
	out, err := h5py(t, path)
	if err != nil {
		t.Fatalf("h5py check of the saved file: %v", err)
	}
	var d h5pyDump
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if s := fmtJSON(d.ModelConfig); !strings.Contains(s, `"LSTM"`) || strings.Contains(s, "CuDNN") {
		t.Errorf("saved model_config: want an LSTM and no CuDNN class: %s", s)
	}
}

// cudnnTarget is a Go-built LSTM(5, sigmoid, return_sequences) → Dense(2)
// for (4, 3) inputs, with the given layer names and use_bias.
func cudnnTarget(t *testing.T, lstmName, denseName string, useBias bool, units int) *model.Model {
	t.Helper()
	c := lstm.Default(units)
	c.Name, c.RecurrentActivation, c.ReturnSequences, c.UseBias = lstmName, "sigmoid", true, useBias
	l, err := lstm.New(c)
	if err != nil {
		t.Fatal(err)
	}
	dc := layers.DenseDefaults(2)
	dc.Name = denseName
	m, err := model.NewSequential(graph.Float64, l, must(layers.NewDense(dc)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(4, 3); err != nil {
		t.Fatal(err)
	}
	randomize(m, 7, 1)
	return m
}

// TestCuDNNLoadWeights loads CuDNNLSTM weights (a bias of 8·units) into a
// Go-built LSTM model as Keras' load_weights does: from a save_weights file
// and from a whole-model file, by order (other layer names) and by name, and
// into the model of the file's to_json architecture (CuDNNLSTM read as LSTM),
// checks the predictions against Keras' (1e-10, float64); by name, a layer
// the file lacks keeps its weights. Weights that do not fit (an LSTM of
// other units, one without a bias, a bias neither 4·units nor 8·units)
// are errors naming the layer, and leave the model unchanged.
func TestCuDNNLoadWeights(t *testing.T) {
	c := cudnnCases(t)["cudnn_seq"]
	for _, tc := range []struct {
		name, file, lstmName, denseName string
		byName                          bool
	}{
		{"save_weights by order", "cudnn_weights.h5", "a", "b", false},
		{"save_weights by name", "cudnn_weights.h5", "cu_dnnlstm_1", "dense_1", true},
		{"same names by order", "cudnn_weights.h5", "dense_1", "cu_dnnlstm_1", false},
		{"model file by order", "cudnn_seq.h5", "a", "b", false},
		{"model file by name", "cudnn_seq.h5", "cu_dnnlstm_1", "dense_1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := cudnnTarget(t, tc.lstmName, tc.denseName, true, 5)
			if tc.lstmName == "dense_1" {
				// Names swapped: the same sets, so paired by name as Keras
				// does; the shapes then do not fit.
				if err := LoadWeights(m, filepath.Join("testdata", "cudnn", tc.file), false); err == nil {
					t.Error("names swapped: no error")
				}
				return
			}
			if err := LoadWeights(m, filepath.Join("testdata", "cudnn", tc.file), tc.byName); err != nil {
				t.Fatal(err)
			}
			if _, diff, naive := predictCase(t, m, c); diff > 1e-10 || naive < 0.03 {
				t.Errorf("max |got - keras| = %.3g (want <= 1e-10), |got - naive| = %.3g (want >= 0.03)", diff, naive)
			}
		})
	}
	t.Run("to_json architecture", func(t *testing.T) {
		arch, err := os.ReadFile("testdata/cudnn/cudnn_weights_architecture.json")
		if err != nil {
			t.Fatal(err)
		}
		m, err := ModelFromJSON(arch, Options{Dtype: graph.Float64})
		if err != nil {
			t.Fatal(err)
		}
		if err := LoadWeights(m, "testdata/cudnn/cudnn_weights.h5", false); err != nil {
			t.Fatal(err)
		}
		if _, diff, _ := predictCase(t, m, c); diff > 1e-10 {
			t.Errorf("max |got - keras| = %.3g, want <= 1e-10", diff)
		}
	})
	t.Run("by name, missing layer", func(t *testing.T) {
		m := cudnnTarget(t, "other", "dense_1", true, 5)
		before := weightsOf(m)
		if err := LoadWeights(m, "testdata/cudnn/cudnn_weights.h5", true); err != nil {
			t.Fatal(err)
		}
		got := weightsOf(m)
		if !sameValues(got[:3], before[:3]) || sameValues(got[3:], before[3:]) {
			t.Error("want the LSTM unchanged and dense_1 from the file")
		}
	})
	for _, tc := range []struct {
		name    string
		m       *model.Model
		file    string
		want    []string
		setBias []int // rewrite the file's bias to this shape first
	}{
		{"other units", cudnnTarget(t, "a", "b", true, 4), "cudnn_weights.h5", []string{`"a"`, "shape"}, nil},
		{"no bias", cudnnTarget(t, "a", "b", false, 5), "cudnn_weights.h5", []string{`"a"`, "2 weights", "has 3"}, nil},
		{"bias 6·units", cudnnTarget(t, "a", "b", true, 5), "", []string{`"a"`, "bias", "[30]"}, []int{30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", "cudnn", tc.file)
			if tc.setBias != nil {
				path = rewriteBias(t, tc.setBias[0])
			}
			before := weightsOf(tc.m)
			err := LoadWeights(tc.m, path, false)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !sameValues(weightsOf(tc.m), before) {
				t.Error("a failed LoadWeights changed the model")
			}
		})
	}
}

// rewriteBias writes a weights file like cudnn_weights.h5 whose LSTM bias
// has n values, through this package's writer (a model whose LSTM bias is
// resized after building).
func rewriteBias(t *testing.T, n int) string {
	t.Helper()
	m := cudnnTarget(t, "cu_dnnlstm_1", "dense_1", true, 5)
	b := m.Layers()[0].Params()[2]
	b.Value = graph.NewTensor(graph.Float64, []int{n}, make([]float64, n))
	path := filepath.Join(t.TempDir(), "bias.h5")
	if err := SaveWeights(m, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCuDNNKernel checks the per-gate kernel transform against numpy's
// np.hstack([g.T.reshape(g.shape, order='F') for g in np.hsplit(k, 4)])
// on k = arange(24).reshape(2, 12) (2 inputs, 3 units), and the recurrent
// kernel's per-gate transpose on arange(16).reshape(2, 8) (2 units).
func TestCuDNNKernel(t *testing.T) {
	for _, tc := range []struct {
		rows, units int
		want        []float64
	}{
		{2, 3, []float64{0, 2, 13, 3, 5, 16, 6, 8, 19, 9, 11, 22, 1, 12, 14, 4, 15, 17, 7, 18, 20, 10, 21, 23}},
		{2, 2, []float64{0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15}},
	} {
		v := make([]float64, len(tc.want))
		for i := range v {
			v[i] = float64(i)
		}
		if got := cudnnKernel(v, tc.rows, tc.units); !slices.Equal(got, tc.want) {
			t.Errorf("rows %d, units %d: %v, want %v", tc.rows, tc.units, got, tc.want)
		}
	}
}

// TestCuDNNConfigErrors checks the configs refused: a mask reaching a
// CuDNNLSTM (Keras raises "Masking is not supported for CuDNN RNNs."),
// arguments CuDNNLSTM does not take, and the recurrent classes not
// supported (CuDNNGRU, GRU, SimpleRNN), whose errors name the class and list
// the supported ones; and that a mask consumed before a CuDNNLSTM is fine.
func TestCuDNNConfigErrors(t *testing.T) {
	seq := func(layers ...string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [` + strings.Join(layers, ", ") + `]}}`
	}
	cudnn := func(name string, extra string) string {
		return `{"class_name": "CuDNNLSTM", "config": {"name": "` + name + `", "units": 3, "return_sequences": true` + extra + `}}`
	}
	masking := `{"class_name": "Masking", "config": {"name": "mk", "mask_value": 0.0, "batch_input_shape": [null, 4, 2]}}`
	dense := `{"class_name": "Dense", "config": {"name": "d", "units": 2}}`
	fn := func(layers string, out string) string {
		return `{"class_name": "Model", "config": {"name": "m", "layers": [
			{"name": "x", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 2], "name": "x"}, "inbound_nodes": []},
			{"name": "mk", "class_name": "Masking", "config": {"name": "mk", "mask_value": 0.0}, "inbound_nodes": [[["x", 0, 0, {}]]]},
			` + layers + `], "input_layers": [["x", 0, 0]], "output_layers": [["` + out + `", 0, 0]]}}`
	}
	cases := []struct {
		name, version, doc string
		want               []string // nil: no error
	}{
		{"mask reaches it", "2.2.4", seq(masking, cudnn("c1", "")), []string{`"c1"`, "CuDNNLSTM", `"mk"`, "Masking is not supported"}},
		{"mask through Dense", "2.2.4", seq(masking, dense, cudnn("c1", "")), []string{`"c1"`, `"mk"`}},
		{"mask through BatchNormalization", "2.2.4", seq(masking, `{"class_name": "BatchNormalization", "config": {"name": "bn"}}`, cudnn("c1", "")), []string{`"c1"`, `"mk"`}},
		{"mask through LeakyReLU and GaussianNoise", "2.2.4", seq(masking, `{"class_name": "LeakyReLU", "config": {"name": "lr", "alpha": 0.1}}`,
			`{"class_name": "GaussianNoise", "config": {"name": "gn", "stddev": 0.1}}`, cudnn("c1", "")), []string{`"c1"`, `"mk"`}},
		{"mask consumed by GlobalAveragePooling1D", "2.2.4", seq(masking, `{"class_name": "GlobalAveragePooling1D", "config": {"name": "gap"}}`,
			`{"class_name": "RepeatVector", "config": {"name": "r", "n": 3}}`, cudnn("c1", "")), nil},
		{"mask into Bidirectional", "2.2.4", seq(`{"class_name": "Embedding", "config": {"name": "e", "input_dim": 5, "output_dim": 2, "mask_zero": true, "batch_input_shape": [null, 4]}}`,
			`{"class_name": "Bidirectional", "config": {"name": "bi", "layer": `+cudnn("c1", "")+`, "merge_mode": "concat"}}`), []string{`"bi"`, "CuDNNLSTM", `"e"`}},
		{"mask through a sequence LSTM", "2.2.4", seq(masking, `{"class_name": "LSTM", "config": `+lstmCfg("l", 2, `, "return_sequences": true`)+`}`, cudnn("c1", "")),
			[]string{`"c1"`, `"mk"`}},
		{"mask consumed by an LSTM", "2.2.4", seq(masking, `{"class_name": "LSTM", "config": `+lstmCfg("l", 2, "")+`}`,
			`{"class_name": "RepeatVector", "config": {"name": "r", "n": 3}}`, cudnn("c1", "")), nil},
		{"functional: mask through Concatenate", "2.2.4", fn(`
			{"name": "cat", "class_name": "Concatenate", "config": {"name": "cat", "axis": -1}, "inbound_nodes": [[["x", 0, 0, {}], ["mk", 0, 0, {}]]]},
			{"name": "c1", "class_name": "CuDNNLSTM", "config": {"name": "c1", "units": 3}, "inbound_nodes": [[["cat", 0, 0, {}]]]}`, "c1"),
			[]string{`"c1"`, `"mk"`}},
		{"functional: no mask", "2.2.4", fn(`
			{"name": "c1", "class_name": "CuDNNLSTM", "config": {"name": "c1", "units": 3}, "inbound_nodes": [[["x", 0, 0, {}]]]},
			{"name": "l", "class_name": "LSTM", "config": `+lstmCfg("l", 2, "")+`, "inbound_nodes": [[["mk", 0, 0, {}]]]},
			{"name": "cat", "class_name": "Concatenate", "config": {"name": "cat", "axis": -1}, "inbound_nodes": [[["c1", 0, 0, {}], ["l", 0, 0, {}]]]}`, "cat"), nil},
		{"activation", "2.2.4", seq(cudnn("c1", `, "activation": "relu", "batch_input_shape": [null, 4, 2]`)), []string{`"c1"`, "CuDNNLSTM", "activation", "units", "go_backwards"}},
		{"dropout", "2.2.4", seq(cudnn("c1", `, "dropout": 0.5, "batch_input_shape": [null, 4, 2]`)), []string{`"c1"`, "dropout"}},
		{"CuDNNGRU", "2.2.4", seq(`{"class_name": "CuDNNGRU", "config": {"name": "g1", "units": 3, "batch_input_shape": [null, 4, 2]}}`),
			[]string{`"g1"`, `"CuDNNGRU"`, "supported are", "CuDNNLSTM", "LSTM"}},
		{"GRU", "2.2.4", seq(`{"class_name": "GRU", "config": {"name": "g1", "units": 3, "batch_input_shape": [null, 4, 2]}}`),
			[]string{`"g1"`, `"GRU"`, "supported are", "CuDNNLSTM"}},
		{"SimpleRNN", "2.10.0", seq(`{"class_name": "SimpleRNN", "config": {"name": "r1", "units": 3, "batch_input_shape": [null, 4, 2]}}`),
			[]string{`"r1"`, `"SimpleRNN"`, "supported are", "Bidirectional"}},
	}
	for _, c := range cases {
		_, err := fromJSON(t, c.version, c.doc)
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != nil && err == nil:
			t.Errorf("%s: no error", c.name)
		}
		for _, w := range c.want {
			if err != nil && !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
}

// TestCuDNNLSTMConfigForms reads the CuDNNLSTM configs of tf.keras 1.x and
// 2.x (tf.compat.v1.keras.layers.CuDNNLSTM: dtype, a Bidirectional with
// backward_layer) and a stateful one, which keeps the model's batch size.
func TestCuDNNLSTMConfigForms(t *testing.T) {
	full := `"return_sequences": false, "return_state": true, "go_backwards": true, "stateful": false, "units": 3,
		"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}},
		"recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
		"bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true,
		"kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0, "l2": 0.01}}, "recurrent_regularizer": null, "bias_regularizer": null,
		"activity_regularizer": null, "kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": {"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}`
	tfk1 := `{"class_name": "Sequential", "config": {"name": "sequential", "layers": [{"class_name": "CuDNNLSTM", "config": {"name": "cu_dnnlstm",
		"trainable": true, "batch_input_shape": [null, 4, 2], "dtype": "float32", ` + full + `}}]}}`
	bwd := strings.Replace(full, `"go_backwards": true`, `"go_backwards": false`, 1)
	tfk2 := `{"class_name": "Sequential", "config": {"name": "sequential", "layers": [
		{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 2], "dtype": "float32", "sparse": false, "ragged": false, "name": "input_1"}},
		{"class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": true, "dtype": "float32",
		"layer": {"class_name": "CuDNNLSTM", "config": {"name": "cu_dnnlstm", "trainable": true, "dtype": "float32", ` + full + `}},
		"backward_layer": {"class_name": "CuDNNLSTM", "config": {"name": "backward_cu_dnnlstm", "trainable": true, "dtype": "float32", ` + bwd + `}},
		"merge_mode": "sum"}}]}}`
	stateful := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "CuDNNLSTM", "config": {"name": "c",
		"units": 3, "stateful": true, "batch_input_shape": [6, 4, 2]}}]}}`
	for _, tc := range []struct {
		name, version, doc string
		check              func(cfg map[string]any) bool
	}{
		{"tf.keras 1", "2.1.6-tf", tfk1, func(cfg map[string]any) bool {
			return cfg["go_backwards"] == true && cfg["return_state"] == true && cfg["kernel_regularizer"] != nil && cfg["bias_constraint"] != nil
		}},
		{"tf.keras 2 Bidirectional", "2.4.0", tfk2, func(cfg map[string]any) bool {
			inner, _ := asObject(cfg["layer"])
			ic, _ := asObject(inner["config"])
			return inner["class_name"] == "LSTM" && ic["recurrent_activation"] == "sigmoid" && cfg["merge_mode"] == "sum"
		}},
		{"stateful", "2.2.4", stateful, func(cfg map[string]any) bool { return cfg["stateful"] == true && fmt.Sprint(cfg["batch_size"]) == "6" }},
	} {
		ld, err := fromJSON(t, tc.version, tc.doc)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		cfg, err := configOf(ld.model.Layers()[0])
		if err != nil || !tc.check(cfg) {
			t.Errorf("%s: config %v (%v)", tc.name, cfg, err)
		}
	}
}
