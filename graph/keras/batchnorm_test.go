package keras

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// bnKerasModel is x (4, 3) → BatchNormalization (regularizer, constraint,
// momentum 0.9) → LSTM(5, return_sequences) → BatchNormalization (no
// center, frozen) → Flatten → BatchNormalization (neither center nor
// scale) → Dense(2), with random weights (positive variances), compiled,
// after one training batch; it returns the model and an input batch.
func bnKerasModel(t *testing.T, dt graph.Dtype) (*model.Model, []*graph.Tensor) {
	t.Helper()
	b1 := layers.BatchNormalizationDefaults()
	b1.Name, b1.Momentum = "bn1", 0.9
	b1.GammaRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.01}}
	b1.BetaConstraint = &graph.Spec{Name: "max_norm", Args: map[string]float64{"max_value": 2}}
	b2 := layers.BatchNormalizationDefaults()
	b2.Name, b2.Center, b2.Epsilon = "bn2", false, 0.01
	b3 := layers.BatchNormalizationDefaults()
	b3.Name, b3.Center, b3.Scale = "bn3", false, false
	lc := lstm.Default(5)
	lc.Name, lc.ReturnSequences = "lstm", true
	dc := layers.DenseDefaults(2)
	dc.Name = "dense"
	x := model.Input("x", 4, 3)
	h := model.Apply(must(layers.NewBatchNormalization(b1)), x)
	h = model.Apply(must(lstm.New(lc)), h)
	h = model.Apply(must(layers.NewBatchNormalization(b2)), h)
	h = model.Apply(must(layers.NewFlatten(layers.FlattenConfig{Name: "flat"})), h)
	h = model.Apply(must(layers.NewBatchNormalization(b3)), h)
	y := model.Apply(must(layers.NewDense(dc)), h)
	m, err := model.New(dt, []*model.Node{x}, []*model.Node{y})
	if err != nil {
		t.Fatal(err)
	}
	xs := randomize(m, 5, 6)
	for _, p := range m.Params() {
		if strings.HasSuffix(p.Name, "moving_variance") {
			v := graph.Float64s(p.Value)
			for i := range v {
				v[i] = 0.5 + math.Abs(v[i])
			}
			graph.CopyInto(p.Value, graph.NewTensor(graph.Float64, []int{len(v)}, v))
		}
	}
	for _, p := range m.Layer("bn2").Params() {
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

// TestBatchNormalizationH5 checks Go → .h5 → Go for models with
// BatchNormalization layers in float32 and float64: the same Keras config
// (trainable false for the frozen layer only, although bn3's weights are
// all Statistic), every weight bit for bit with its Frozen and Statistic
// flags, the same predictions; h5py's reading of the float32 file as Keras
// 2.2.4's loader (testdata/h5py_check.py) with Keras' weight names; the size rule
// against the built layers.
func TestBatchNormalizationH5(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32, graph.Float64} {
		m, xs := bnKerasModel(t, dt)
		sizesAgree(t, m)
		m2, path, j1 := saveLoad(t, m, xs[:1])
		for _, want := range []string{`"name":"bn2","scale":true,"trainable":false`, `"name":"bn3","scale":false,"trainable":true`, `"axis":-1`} {
			if !strings.Contains(string(j1), want) {
				t.Errorf("%v: config lacks %s:\n%s", dt, want, j1)
			}
		}
		for i, p := range m2.Params() {
			if p.Statistic != m.Params()[i].Statistic || p.Statistic != strings.Contains(p.Name, "/moving_") {
				t.Errorf("%v: %s statistic %v after the round trip", dt, p.Name, p.Statistic)
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
			"bn1": {"bn1/gamma:0", "bn1/beta:0", "bn1/moving_mean:0", "bn1/moving_variance:0"},
			"bn2": {"bn2/gamma:0", "bn2/moving_mean:0", "bn2/moving_variance:0"},
			"bn3": {"bn3/moving_mean:0", "bn3/moving_variance:0"},
		}
		for l, w := range want {
			if !slices.Equal(names[l], w) {
				t.Errorf("%v: %s weight_names %v, want %v", dt, l, names[l], w)
			}
		}
	}
}

// TestBatchNormalizationKerasFiles loads a model file in Keras 2.2.4's
// layout and the same model as a Keras 3 .keras archive, both made with
// h5py (testdata/h5py_made/k2.2.4_batchnorm_h5py.py: two
// BatchNormalization layers, one without center, around a Flatten, then
// Dense), and compares their predictions with numpy's inference of Keras'
// formula (float32 weights: 1e-5); the moving statistics are Statistic
// weights, counted as non-trainable.
func TestBatchNormalizationKerasFiles(t *testing.T) {
	b, err := os.ReadFile("testdata/h5py_made/k2.2.4_batchnorm_h5py.json")
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
	for _, f := range []struct{ path, bn1, bn2 string }{
		{"testdata/h5py_made/k2.2.4_batchnorm_h5py.h5", "batch_normalization_1", "batch_normalization_2"},
		{"testdata/h5py_made/k3_batchnorm_h5py.keras", "batch_normalization", "batch_normalization_1"},
	} {
		m, err := Load(f.path)
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		y, err := m.Predict(graph.NewTensor(m.Dtype(), c.Shape, c.X), 5)
		if err != nil {
			t.Fatal(err)
		}
		if got := graph.Float64s(y); !closeAll(got, c.Y, 1e-5) {
			t.Errorf("%s: predictions %v, want %v", f.path, got, c.Y)
		}
		var names []string
		for _, p := range m.Params() {
			if p.Statistic {
				names = append(names, p.Name)
			}
		}
		if want := []string{f.bn1 + "/moving_mean", f.bn1 + "/moving_variance", f.bn2 + "/moving_mean", f.bn2 + "/moving_variance"}; !slices.Equal(names, want) {
			t.Errorf("%s: statistic weights %v, want %v", f.path, names, want)
		}
		if s := m.Summary(); !strings.Contains(s, "Total params: 74\nTrainable params: 44\nNon-trainable params: 30\n") {
			t.Errorf("%s: summary:\n%s", f.path, s)
		}
	}
}

// TestBatchNormalizationConfigKeys checks the keys of tf.keras and Keras 3
// configs: tf.keras's axis list and the keys that change no number are
// read; renorm and virtual_batch_size are refused with an error naming the
// layer and the key; trainable false freezes all four weights; the Keras 3
// weights paths are layers/batch_normalization[_n]/vars/<i> in gamma, beta,
// moving_mean, moving_variance order.
func TestBatchNormalizationConfigKeys(t *testing.T) {
	bn := func(extra string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "BatchNormalization", "config": {"name": "bn",
			"batch_input_shape": [null, 4, 3], "momentum": 0.9, "epsilon": 0.001, "center": true, "scale": true` + extra + `}}]}}`
	}
	for _, extra := range []string{
		`, "axis": [2], "renorm": false, "renorm_clipping": null, "renorm_momentum": 0.99, "fused": null, "virtual_batch_size": null`,
		`, "axis": -1, "synchronized": false, "renorm": false, "renorm_clipping": null, "renorm_momentum": 0.99`,
		`, "axis": 2, "fused": true`,
	} {
		ld, err := fromJSON(t, "2.12.0", bn(extra))
		if err != nil {
			t.Errorf("config %s: %v", extra, err)
			continue
		}
		l := ld.model.Layer("bn")
		raw, _ := l.Config()
		if ps := l.Params(); len(ps) != 4 || !slices.Equal([]int(ps[0].Value.Shape()), []int{3}) {
			t.Errorf("config %s: weights %v", extra, ps)
		}
		if a := fmt.Sprint(extractAxis(raw)); a != "2" && a != "-1" {
			t.Errorf("config %s: axis %s", extra, a)
		}
	}
	for _, c := range []struct{ extra, want string }{
		{`, "renorm": true`, "renorm"},
		{`, "virtual_batch_size": 2`, "virtual_batch_size"},
		{`, "axis": [1, 2]`, "axis"},
		{`, "axis": 3`, "axis"},
		{`, "momentum": 1.5`, "momentum"},
		{`, "gamma_initializer": {"class_name": "Nope", "config": {}}`, "gamma_initializer"},
	} {
		_, err := fromJSON(t, "2.12.0", bn(c.extra))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bn") {
			t.Errorf("config %s: error %v, want one naming bn and %s", c.extra, err, c.want)
		}
	}
	ld, err := fromJSON(t, "2.2.4", bn(`, "trainable": false`))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ld.model.Params() {
		if !p.Frozen {
			t.Errorf("%s: not frozen with trainable false", p.Name)
		}
	}
	m, _ := bnKerasModel(t, graph.Float32)
	var bns []graph.Layer
	for _, l := range m.Layers() {
		if l.Type() == "BatchNormalization" {
			bns = append(bns, l)
		}
	}
	paths := archivePaths(bns)
	want := [][]string{
		{"layers/batch_normalization/vars/0", "layers/batch_normalization/vars/1", "layers/batch_normalization/vars/2", "layers/batch_normalization/vars/3"},
		{"layers/batch_normalization_1/vars/0", "layers/batch_normalization_1/vars/1", "layers/batch_normalization_1/vars/2"},
		{"layers/batch_normalization_2/vars/0", "layers/batch_normalization_2/vars/1"},
	}
	if fmt.Sprint(paths) != fmt.Sprint(want) {
		t.Errorf("Keras 3 paths %v, want %v", paths, want)
	}
}

// extractAxis returns the axis of a BatchNormalization config.
func extractAxis(raw json.RawMessage) any {
	var c map[string]any
	json.Unmarshal(raw, &c)
	return c["axis"]
}
