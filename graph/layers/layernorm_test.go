package layers

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// lnCase is one case of testdata/layernorm_keras.json, written by
// testdata/layernorm_keras.py (a numpy transcription of tf.keras 2.15's
// LayerNormalization, both its paths, and of Keras 3's rms_scaling).
type lnCase struct {
	Name          string
	Shape         []int
	Axis          []int
	Epsilon       float64
	Center, Scale bool
	RMSScaling    bool `json:"rms_scaling"`
	Gamma, Beta   []float64
	WeightShape   []int `json:"weight_shape"`
	X, Y          []float64
	YFused        []float64 `json:"y_fused"`
}

func readLNCases(t *testing.T) []lnCase {
	t.Helper()
	b, err := os.ReadFile("testdata/layernorm_keras.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []lnCase }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 7 {
		t.Fatalf("%d cases in testdata/layernorm_keras.json", len(f.Cases))
	}
	return f.Cases
}

// newLNCase builds the layer of case c in dt with the case's weights,
// checking their names and shapes (gamma then beta, of the normalized
// axes' sizes).
func newLNCase(t *testing.T, c lnCase, dt tensor.Dtype) *LayerNormalization {
	t.Helper()
	cfg := LayerNormalizationDefaults()
	cfg.Name, cfg.Axis, cfg.Epsilon, cfg.Center, cfg.Scale, cfg.RMSScaling = "ln", c.Axis, c.Epsilon, c.Center, c.Scale, c.RMSScaling
	l, err := NewLayerNormalization(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, l, c.Shape[1:], dt)
	var names []string
	var vals [][]float64
	if c.Gamma != nil {
		names, vals = append(names, "ln/gamma"), append(vals, c.Gamma)
	}
	if c.Beta != nil {
		names, vals = append(names, "ln/beta"), append(vals, c.Beta)
	}
	ps := l.Params()
	if len(ps) != len(names) {
		t.Fatalf("%s: %d weights, want %v", c.Name, len(ps), names)
	}
	shapes, err := l.ParamShapes([][]int{c.Shape[1:]})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		if p.Name != names[i] || !slices.Equal([]int(p.Value.Shape()), c.WeightShape) || !slices.Equal(shapes[p.Name], c.WeightShape) {
			t.Fatalf("%s: weight %d is %s of shape %v (ParamShapes %v), want %s of %v", c.Name, i, p.Name, p.Value.Shape(), shapes[p.Name], names[i], c.WeightShape)
		}
		graph.CopyInto(p.Value, graph.NewTensor(tensor.Float64, c.WeightShape, vals[i]))
	}
	if len(shapes) != len(ps) {
		t.Errorf("%s: ParamShapes %v for weights %v", c.Name, shapes, names)
	}
	return l
}

// TestLayerNormalizationKeras compares the layer's outputs with the numpy
// transcription of tf.keras (tf.nn.moments + tf.nn.batch_normalization,
// and the fused path where tf.keras takes it) and of Keras 3's
// rms_scaling: 1e-12 in float64, 1e-5 (relative, float32 rounding) in
// float32, in inference and training Forwards.
func TestLayerNormalizationKeras(t *testing.T) {
	for _, c := range readLNCases(t) {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			l := newLNCase(t, c, dt)
			tol := map[tensor.Dtype]float64{tensor.Float64: 1e-12, tensor.Float32: 1e-5}[dt]
			for _, training := range []bool{false, true} {
				y, err := output(l, graph.NewTensor(dt, c.Shape, c.X), training)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				got := graph.Float64s(y)
				if !slices.Equal([]int(y.Shape()), c.Shape) || y.Dtype() != dt || !closeTo(got, c.Y, tol) || !closeTo(got, c.YFused, tol) {
					t.Errorf("%s %v training %v: y %v, want %v", c.Name, dt, training, got, c.Y)
				}
			}
		}
	}
}

// TestLayerNormalizationGradients checks dx, dγ and dβ against central
// finite differences (float64, h 1e-6, tol 1e-6) for every case.
func TestLayerNormalizationGradients(t *testing.T) {
	for _, c := range readLNCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			l := newLNCase(t, c, tensor.Float64)
			checkGradients(t, l, c.Shape, slices.Clone(c.X), 1e-6)
		})
	}
}

// TestLayerNormalizationMask: a mask passes through unchanged (the same
// tensor) and every step, masked or not, is normalized as without a mask.
func TestLayerNormalizationMask(t *testing.T) {
	c := readLNCases(t)[0]
	l := newLNCase(t, c, tensor.Float64)
	mask := graph.NewMask(2, 3, []bool{true, true, false, true, false, false})
	for _, training := range []bool{false, true} {
		p, err := l.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, c.Shape, c.X)}, []*tensor.Dense{mask}, training)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Masks) != 1 || p.Masks[0] != mask || !closeTo(graph.Float64s(p.Outputs[0]), c.Y, 1e-12) {
			t.Errorf("training %v: masks %v, y %v: want the mask and %v", training, p.Masks, graph.Float64s(p.Outputs[0]), c.Y)
		}
	}
}

// TestLayerNormalizationConfig checks the defaults (tf.keras'), the JSON
// forms of axis (a number, a list), the registry round trip, the weights'
// initial values (gamma ones, beta zeros) and FreeShape.
func TestLayerNormalizationConfig(t *testing.T) {
	l, err := graph.NewLayer("LayerNormalization", "ln", json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := l.Config()
	for _, want := range []string{`"axis":-1`, `"epsilon":0.001`, `"center":true`, `"scale":true`, `"rms_scaling":false`, `"beta_initializer":{"name":"zeros"}`, `"gamma_initializer":{"name":"ones"}`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("default config %s lacks %s", raw, want)
		}
	}
	mustBuild(t, l, []int{graph.None, 3}, tensor.Float32)
	if ps := l.Params(); len(ps) != 2 || !slices.Equal(graph.Float64s(ps[0].Value), []float64{1, 1, 1}) || !slices.Equal(graph.Float64s(ps[1].Value), []float64{0, 0, 0}) {
		t.Errorf("default weights %v", ps)
	}
	if s := l.(graph.LengthFree).FreeShape([]int{5, 3}); !slices.Equal(s, []int{graph.None, 3}) {
		t.Errorf("FreeShape %v", s)
	}
	for _, c := range []struct{ json, axis string }{
		{`{"axis": 2}`, `"axis":2`}, {`{"axis": [2]}`, `"axis":2`}, {`{"axis": [1, 2], "center": false}`, `"axis":[1,2]`},
		{`{"axis": [-1, -2], "rms_scaling": true, "epsilon": 0.01}`, `"axis":[-2,-1]`},
	} {
		l, err := graph.NewLayer("LayerNormalization", "ln", json.RawMessage(c.json))
		if err != nil {
			t.Fatalf("%s: %v", c.json, err)
		}
		raw, _ := l.Config()
		if !strings.Contains(string(raw), c.axis) {
			t.Errorf("%s: config %s, want %s", c.json, raw, c.axis)
		}
		configRoundTrip(t, l)
	}
	ln := must(NewLayerNormalization(LayerNormalizationConfig{Axis: Axes{1, 2}, Scale: true}))
	if strings.Index(ln.Name(), "layer_normalization_") != 0 {
		t.Errorf("default name %s", ln.Name())
	}
	mustBuild(t, ln, []int{4, 3}, tensor.Float64)
	if ps := ln.Params(); len(ps) != 1 || !slices.Equal([]int(ps[0].Value.Shape()), []int{4, 3}) {
		t.Errorf("gamma only of (4, 3): %v", ps)
	}
	if s := ln.FreeShape([]int{4, 3}); !slices.Equal(s, []int{4, 3}) {
		t.Errorf("FreeShape with the steps normalized: %v", s)
	}
	// Axes of both signs out of the input's order: sorted by Build.
	mixed := must(NewLayerNormalization(LayerNormalizationConfig{Name: "mixed", Axis: Axes{2, -2}, Scale: true}))
	if raw, _ := mixed.Config(); !strings.Contains(string(raw), `"axis":[2,-2]`) {
		t.Errorf("unbuilt config %s", raw)
	}
	mustBuild(t, mixed, []int{4, 3}, tensor.Float64)
	if raw, _ := mixed.Config(); !strings.Contains(string(raw), `"axis":[1,2]`) {
		t.Errorf("built config %s", raw)
	}
}

// TestLayerNormalizationErrors checks bad arguments and inputs: each error
// names the layer and the argument, and nothing panics.
func TestLayerNormalizationErrors(t *testing.T) {
	for _, c := range []struct {
		name, json string
		in         []int
		want       string
	}{
		{"batch axis", `{"axis": 0}`, []int{3, 4}, "axis"},
		{"axis past the rank", `{"axis": 3}`, []int{3, 4}, "axis"},
		{"negative past the rank", `{"axis": [-4]}`, []int{3, 4}, "axis"},
		{"axis twice", `{"axis": [2, -1]}`, []int{3, 4}, "twice"},
		{"None axis", `{"axis": [1, 2]}`, []int{graph.None, 4}, "None"},
		{"empty axis", `{"axis": []}`, nil, "axis"},
		{"negative epsilon", `{"epsilon": -1}`, nil, "epsilon"},
		{"bad initializer", `{"gamma_initializer": {"name": "nope"}}`, nil, "gamma_initializer"},
		{"bad regularizer", `{"beta_regularizer": {"name": "nope"}}`, nil, "beta_regularizer"},
		{"bad constraint", `{"gamma_constraint": {"name": "nope"}}`, nil, "gamma_constraint"},
		{"axis text", `{"axis": "last"}`, nil, "axis"},
		{"axis fraction", `{"axis": [1.5]}`, nil, "axis"},
		{"no axes", `{}`, []int{}, "at least one axis"},
	} {
		l, err := graph.NewLayer("LayerNormalization", "lnx", json.RawMessage(c.json))
		if err == nil && c.in != nil {
			err = l.Build([][]int{c.in}, tensor.Float64)
			if err == nil {
				t.Errorf("%s: no error", c.name)
				continue
			}
			if _, e2 := l.(graph.ParamShaper).ParamShapes([][]int{c.in}); e2 == nil || e2.Error() != err.Error() {
				t.Errorf("%s: ParamShapes error %v, Build's %v", c.name, e2, err)
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || (!strings.Contains(err.Error(), "lnx") && !strings.Contains(err.Error(), "LayerNormalization")) {
			t.Errorf("%s: error %v, want one naming the layer and %q", c.name, err, c.want)
		}
	}
	l := must(NewLayerNormalization(LayerNormalizationDefaults()))
	mustBuild(t, l, []int{graph.None, 3}, tensor.Float64)
	for _, x := range []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 4}, nil), graph.NewTensor(tensor.Float32, []int{1, 2, 3}, nil)} {
		if _, err := output(l, x, false); err == nil || !strings.Contains(err.Error(), l.Name()) {
			t.Errorf("input %v %v: error %v", x.Dtype(), x.Shape(), err)
		}
	}
	p, _ := forward(l, graph.NewTensor(tensor.Float64, []int{1, 2, 3}, nil), true)
	if _, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 4}, nil)}, nil); err == nil {
		t.Error("Backward with a gradient of the wrong shape: no error")
	}
}
