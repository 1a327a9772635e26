package layers

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

func f64(v float64) *float64 { return &v }

// valuesAndSlopes runs a built one-input layer on x (one sample of
// len(x) values) in dt and returns y and dy/dx (Backward of ones; an
// element-wise layer's derivative).
func valuesAndSlopes(t *testing.T, l graph.Layer, x []float64, dt tensor.Dtype) ([]float64, []float64) {
	t.Helper()
	p, err := forward(l, graph.NewTensor(dt, []int{1, len(x)}, x), true)
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, len(x))
	for i := range ones {
		ones[i] = 1
	}
	g, err := p.Backward([]*tensor.Dense{graph.NewTensor(dt, []int{1, len(x)}, ones)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return graph.Float64s(p.Outputs[0]), graph.Float64s(g[0])
}

// TestAdvancedActivationValues checks y and dy/dx of ReLU, LeakyReLU, ELU
// and ThresholdedReLU against hand-computed values at the kinks and on
// both sides of them, following Keras 2.2.4's K.relu (TensorFlow backend)
// with TensorFlow's gradients, in float64 and float32.
func TestAdvancedActivationValues(t *testing.T) {
	em1 := math.Exp(-1)
	for _, c := range []struct {
		name  string
		layer func() (graph.Layer, error)
		x     []float64
		y, d  []float64
	}{
		{"ReLU()", func() (graph.Layer, error) { return NewReLU(ReLUConfig{}) },
			[]float64{-1, 0, 2}, []float64{0, 0, 2}, []float64{0, 0, 1}},
		// negative_slope alone: tf.nn.leaky_relu, slope alpha at 0.
		{"ReLU(negative_slope=0.1)", func() (graph.Layer, error) { return NewReLU(ReLUConfig{NegativeSlope: 0.1}) },
			[]float64{-2, 0, 3}, []float64{-0.2, 0, 3}, []float64{0.1, 0.1, 1}},
		// max_value 6 with threshold 0: tf.nn.relu6, gradient 0 at 0 and 6.
		{"ReLU(max_value=6)", func() (graph.Layer, error) { return NewReLU(ReLUConfig{MaxValue: f64(6)}) },
			[]float64{-1, 0, 3, 6, 7}, []float64{0, 0, 3, 6, 6}, []float64{0, 0, 1, 0, 0}},
		// another max_value: relu then clip_by_value, whose gradient passes at the bound.
		{"ReLU(max_value=2)", func() (graph.Layer, error) { return NewReLU(ReLUConfig{MaxValue: f64(2)}) },
			[]float64{-1, 0, 1, 2, 2.5}, []float64{0, 0, 1, 2, 2}, []float64{0, 0, 1, 1, 0}},
		{"ReLU(max_value=6, negative_slope=0.1)", func() (graph.Layer, error) {
			return NewReLU(ReLUConfig{MaxValue: f64(6), NegativeSlope: 0.1})
		}, []float64{-2, 0, 6, 8}, []float64{-0.2, 0, 6, 6}, []float64{0.1, 0, 0, 0}},
		// threshold 1, slope 0.5, max 3: 0.5·(x−1) below 1, 0 at 1, x up to 3.
		{"ReLU(max_value=3, negative_slope=0.5, threshold=1)", func() (graph.Layer, error) {
			return NewReLU(ReLUConfig{MaxValue: f64(3), NegativeSlope: 0.5, Threshold: 1})
		}, []float64{0, 1, 1.5, 3, 4}, []float64{-0.5, 0, 1.5, 3, 3}, []float64{0.5, 0, 1, 1, 0}},
		{"ReLU(threshold=1)", func() (graph.Layer, error) { return NewReLU(ReLUConfig{Threshold: 1}) },
			[]float64{0.5, 1, 1.5}, []float64{0, 0, 1.5}, []float64{0, 0, 1}},
		// Keras 2.2.4 with a negative threshold and no max_value: x passes
		// on (threshold, 0] (x·[x > threshold], no relu).
		{"ReLU(threshold=-1)", func() (graph.Layer, error) { return NewReLU(ReLUConfig{Threshold: -1}) },
			[]float64{-2, -1, -0.5, 1}, []float64{0, 0, -0.5, 1}, []float64{0, 0, 1, 1}},
		// ... and with a max_value the clip takes (threshold, 0) to 0.
		{"ReLU(max_value=6, negative_slope=0.2, threshold=-1)", func() (graph.Layer, error) {
			return NewReLU(ReLUConfig{MaxValue: f64(6), NegativeSlope: 0.2, Threshold: -1})
		}, []float64{-3, -1, -0.5, 0, 7}, []float64{-0.4, 0, 0, 0, 6}, []float64{0.2, 0, 0, 1, 0}},
		{"LeakyReLU()", func() (graph.Layer, error) { return NewLeakyReLU(LeakyReLUDefaults()) },
			[]float64{-2, 0, 1.5}, []float64{-0.6, 0, 1.5}, []float64{0.3, 0.3, 1}},
		{"LeakyReLU(alpha=0)", func() (graph.Layer, error) { return NewLeakyReLU(LeakyReLUConfig{}) },
			[]float64{-2, 0, 1.5}, []float64{0, 0, 1.5}, []float64{0, 0, 1}},
		{"ELU()", func() (graph.Layer, error) { return NewELU(ELUDefaults()) },
			[]float64{-1, 0, 2}, []float64{em1 - 1, 0, 2}, []float64{em1, 1, 1}},
		{"ELU(alpha=0.5)", func() (graph.Layer, error) { return NewELU(ELUConfig{Alpha: 0.5}) },
			[]float64{-1, 0, 2}, []float64{0.5 * (em1 - 1), 0, 2}, []float64{0.5 * em1, 0.5, 1}},
		{"ThresholdedReLU()", func() (graph.Layer, error) { return NewThresholdedReLU(ThresholdedReLUDefaults()) },
			[]float64{0.5, 1, 1.5, -3}, []float64{0, 0, 1.5, 0}, []float64{0, 0, 1, 0}},
		{"ThresholdedReLU(theta=0)", func() (graph.Layer, error) { return NewThresholdedReLU(ThresholdedReLUConfig{}) },
			[]float64{-1, 0, 0.25}, []float64{0, 0, 0.25}, []float64{0, 0, 1}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			l, err := c.layer()
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			mustBuild(t, l, []int{len(c.x)}, dt)
			y, d := valuesAndSlopes(t, l, c.x, dt)
			tol := 1e-15
			if dt == tensor.Float32 {
				tol = 1e-7
			}
			if !closeTo(y, c.y, tol) || !closeTo(d, c.d, tol) {
				t.Errorf("%s %v at %v: y %v, dy/dx %v; want %v, %v", c.name, dt, c.x, y, d, c.y, c.d)
			}
			inf, err := output(l, graph.NewTensor(dt, []int{1, len(c.x)}, c.x), false)
			if err != nil || !slices.Equal(graph.Float64s(inf), y) {
				t.Errorf("%s %v: inference %v (%v), training %v", c.name, dt, graph.Float64s(inf), err, y)
			}
		}
	}
}

// TestAdvancedActivationGradients checks every layer's Backward against
// central finite differences (float64), on values that stay away from
// the kinks, for inputs of rank 2 and 3.
func TestAdvancedActivationGradients(t *testing.T) {
	for _, c := range []struct {
		name  string
		layer func() (graph.Layer, error)
		shape []int
	}{
		{"ReLU", func() (graph.Layer, error) {
			return NewReLU(ReLUConfig{MaxValue: f64(1.5), NegativeSlope: 0.3, Threshold: 0.2})
		}, []int{3, 4, 5}},
		{"ReLU6", func() (graph.Layer, error) { return NewReLU(ReLUConfig{MaxValue: f64(6), NegativeSlope: 0.1}) }, []int{2, 6}},
		{"LeakyReLU", func() (graph.Layer, error) { return NewLeakyReLU(LeakyReLUConfig{Alpha: 0.2}) }, []int{2, 3, 4}},
		{"ELU", func() (graph.Layer, error) { return NewELU(ELUConfig{Alpha: 0.7}) }, []int{2, 3, 4}},
		{"ThresholdedReLU", func() (graph.Layer, error) { return NewThresholdedReLU(ThresholdedReLUConfig{Theta: 0.3}) }, []int{2, 9}},
		{"Softmax", func() (graph.Layer, error) { return NewSoftmax(SoftmaxDefaults()) }, []int{2, 3, 4}},
		{"Softmax axis 1", func() (graph.Layer, error) { return NewSoftmax(SoftmaxConfig{Axis: 1}) }, []int{2, 3, 4}},
		{"Softmax axis -2", func() (graph.Layer, error) { return NewSoftmax(SoftmaxConfig{Axis: -2}) }, []int{2, 3, 2, 2}},
		{"Softmax 2-D", func() (graph.Layer, error) { return NewSoftmax(SoftmaxConfig{Axis: 1}) }, []int{3, 5}},
	} {
		l, err := c.layer()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		mustBuild(t, l, c.shape[1:], tensor.Float64)
		xv := randValues(tensor.Shape(c.shape).TotalSize(), 7)
		for i := range xv {
			xv[i] *= 3
		}
		checkGradients(t, l, c.shape, xv, 1e-6)
	}
}

// TestSoftmax checks Softmax's values by hand (exp(x)/Σexp(x)) along the
// last and a middle axis, in float64 and float32, and its axis errors.
func TestSoftmax(t *testing.T) {
	x := []float64{1, 2, 3, 0, 0, math.Log(3)} // (1, 2, 3)
	e := math.E
	s := 1 + e + e*e
	for _, c := range []struct {
		axis int
		want []float64
	}{
		{-1, []float64{1 / s, e / s, e * e / s, 0.2, 0.2, 0.6}},
		{2, []float64{1 / s, e / s, e * e / s, 0.2, 0.2, 0.6}},
		// axis 1: pairs (x[j], x[3+j]).
		{1, []float64{e / (e + 1), e * e / (e*e + 1), e * e * e / (e*e*e + 3), 1 / (e + 1), 1 / (e*e + 1), 3 / (e*e*e + 3)}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			l, _ := NewSoftmax(SoftmaxConfig{Axis: c.axis})
			mustBuild(t, l, []int{2, 3}, dt)
			y, err := output(l, graph.NewTensor(dt, []int{1, 2, 3}, x), false)
			if err != nil {
				t.Fatal(err)
			}
			tol := 1e-15
			if dt == tensor.Float32 {
				tol = 1e-7
			}
			if !closeTo(graph.Float64s(y), c.want, tol) {
				t.Errorf("axis %d %v: %v, want %v", c.axis, dt, graph.Float64s(y), c.want)
			}
		}
	}
	// Large inputs do not overflow (the max is subtracted).
	l, _ := NewSoftmax(SoftmaxDefaults())
	mustBuild(t, l, []int{2}, tensor.Float32)
	y, _ := output(l, graph.NewTensor(tensor.Float32, []int{1, 2}, []float64{1000, 1000}), false)
	if !closeTo(graph.Float64s(y), []float64{0.5, 0.5}, 0) {
		t.Errorf("softmax(1000, 1000) = %v", graph.Float64s(y))
	}
	for _, c := range []struct {
		axis  int
		shape []int
	}{{0, []int{3}}, {-2, []int{3}}, {2, []int{3}}, {-4, []int{2, 3}}, {3, []int{2, 3}}} {
		l, _ := NewSoftmax(SoftmaxConfig{Axis: c.axis})
		if err := l.Build([][]int{c.shape}, tensor.Float64); err == nil || !strings.Contains(err.Error(), "axis") || !strings.Contains(err.Error(), "Softmax") {
			t.Errorf("axis %d for %v: error %v, want one naming Softmax and the axis", c.axis, c.shape, err)
		}
	}
}

// TestPReLU checks PReLU's values (x for x > 0, alpha·x for x < 0, 0 at
// 0), alpha's shape with shared axes, its gradients (finite differences for
// x and alpha), ParamShapes, the initializer, regularizer and constraint,
// and its errors.
func TestPReLU(t *testing.T) {
	p, err := NewPReLU(PReLUConfig{SharedAxes: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Name(), "p_re_lu_") || p.Type() != "PReLU" {
		t.Errorf("name %s, type %s", p.Name(), p.Type())
	}
	shapes, err := p.ParamShapes([][]int{{graph.None, 3}})
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, p, []int{graph.None, 3}, tensor.Float64)
	a := p.Params()[0]
	if a.Name != p.Name()+"/alpha" || !slices.Equal(a.Value.Shape(), []int{1, 3}) || !slices.Equal(shapes[a.Name], []int{1, 3}) || len(shapes) != 1 {
		t.Fatalf("alpha %s of shape %v (ParamShapes %v): want (1, 3)", a.Name, a.Value.Shape(), shapes)
	}
	if !closeTo(graph.Float64s(a.Value), []float64{0, 0, 0}, 0) {
		t.Errorf("zeros initializer: alpha %v", graph.Float64s(a.Value))
	}
	graph.CopyInto(a.Value, graph.NewTensor(tensor.Float64, []int{1, 3}, []float64{0.1, 0.2, -0.5}))
	x := []float64{-1, -2, 4, 0, 3, -2} // (1, 2, 3)
	y, err := output(p, graph.NewTensor(tensor.Float64, []int{1, 2, 3}, x), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{-0.1, -0.4, 4, 0, 3, 1}; !closeTo(graph.Float64s(y), want, 1e-15) {
		t.Errorf("y = %v, want %v", graph.Float64s(y), want)
	}
	pass, _ := forward(p, graph.NewTensor(tensor.Float64, []int{1, 2, 3}, x), true)
	clear(a.Grad.Data().([]float64))
	ones := graph.NewTensor(tensor.Float64, []int{1, 2, 3}, []float64{1, 1, 1, 1, 1, 1})
	g, _ := pass.Backward([]*tensor.Dense{ones}, nil)
	if want := []float64{0.1, 0.2, 1, 0, 1, -0.5}; !closeTo(graph.Float64s(g[0]), want, 1e-15) {
		t.Errorf("dy/dx at %v = %v, want %v (0 at 0)", x, graph.Float64s(g[0]), want)
	}
	if want := []float64{-1, -2, -2}; !closeTo(graph.Float64s(a.Grad), want, 1e-15) {
		t.Errorf("d/dalpha = %v, want Σ min(x, 0) = %v", graph.Float64s(a.Grad), want)
	}
	// Finite differences for x and alpha, no shared axes, 3-D.
	q, _ := NewPReLU(PReLUConfig{AlphaInitializer: graph.Spec{Name: "random_uniform"}, Seed: 3})
	mustBuild(t, q, []int{3, 2}, tensor.Float64)
	if s := q.Params()[0].Value.Shape(); !slices.Equal(s, []int{3, 2}) {
		t.Fatalf("alpha shape %v, want (3, 2)", s)
	}
	checkGradients(t, q, []int{4, 3, 2}, randValues(24, 5), 1e-6)
	// Regularizer and constraint reach the Param.
	reg := &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.1}}
	r, err := NewPReLU(PReLUConfig{AlphaRegularizer: reg, AlphaConstraint: &graph.Spec{Name: "non_neg"}, SharedAxes: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, r, []int{4, 5, 2}, tensor.Float32)
	if ra := r.Params()[0]; ra.Regularizer == nil || ra.Constraint == nil || !slices.Equal(ra.Value.Shape(), []int{1, 1, 2}) {
		t.Errorf("regularizer %v, constraint %v, shape %v", ra.Regularizer, ra.Constraint, ra.Value.Shape())
	}
	for _, c := range []struct {
		cfg   PReLUConfig
		shape []int
		want  string
	}{
		{PReLUConfig{SharedAxes: []int{0}}, nil, "shared_axes"},
		{PReLUConfig{AlphaInitializer: graph.Spec{Name: "nope"}}, nil, "alpha_initializer"},
		{PReLUConfig{AlphaRegularizer: &graph.Spec{Name: "l2", Args: map[string]float64{"l2": -1}}}, nil, "alpha_regularizer"},
		{PReLUConfig{AlphaConstraint: &graph.Spec{Name: "nope"}}, nil, "alpha_constraint"},
		{PReLUConfig{SharedAxes: []int{3}}, []int{4, 2}, "shared_axes"},
		{PReLUConfig{}, []int{graph.None, 2}, "None"},
	} {
		l, err := NewPReLU(c.cfg)
		if err == nil {
			err = l.Build([][]int{c.shape}, tensor.Float64)
			if _, err2 := l.ParamShapes([][]int{c.shape}); (err == nil) != (err2 == nil) {
				t.Errorf("%+v: Build error %v, ParamShapes error %v", c.cfg, err, err2)
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "PReLU") {
			t.Errorf("%+v on %v: error %v, want one naming PReLU and %s", c.cfg, c.shape, err, c.want)
		}
	}
}

// TestActLayerErrors checks that bad arguments are errors naming the layer
// and the argument.
func TestActLayerErrors(t *testing.T) {
	for _, c := range []struct {
		class, arg string
		make       func() error
	}{
		{"ReLU", "max_value", func() error { _, err := NewReLU(ReLUConfig{MaxValue: f64(-1)}); return err }},
		{"ReLU", "negative_slope", func() error { _, err := NewReLU(ReLUConfig{NegativeSlope: -0.1}); return err }},
		{"ReLU", "threshold", func() error { _, err := NewReLU(ReLUConfig{Threshold: math.NaN()}); return err }},
		{"LeakyReLU", "alpha", func() error { _, err := NewLeakyReLU(LeakyReLUConfig{Alpha: math.Inf(1)}); return err }},
		{"ELU", "alpha", func() error { _, err := NewELU(ELUConfig{Alpha: math.NaN()}); return err }},
		{"ThresholdedReLU", "theta", func() error { _, err := NewThresholdedReLU(ThresholdedReLUConfig{Theta: -1}); return err }},
		{"GaussianNoise", "stddev", func() error { _, err := NewGaussianNoise(GaussianNoiseConfig{Stddev: -0.1}); return err }},
		{"GaussianDropout", "rate", func() error { _, err := NewGaussianDropout(GaussianDropoutConfig{Rate: -0.1}); return err }},
		{"GaussianDropout", "rate", func() error { _, err := NewGaussianDropout(GaussianDropoutConfig{Rate: 1}); return err }},
		{"AlphaDropout", "rate", func() error { _, err := NewAlphaDropout(AlphaDropoutConfig{Rate: 1.5}); return err }},
		{"AlphaDropout", "rate", func() error { _, err := NewAlphaDropout(AlphaDropoutConfig{Rate: -1}); return err }},
		{"AlphaDropout", "noise_shape", func() error {
			_, err := NewAlphaDropout(AlphaDropoutConfig{Rate: 0.1, NoiseShape: []int{0, 1}})
			return err
		}},
		{"AlphaDropout", "noise_shape", func() error {
			d, _ := NewAlphaDropout(AlphaDropoutConfig{Rate: 0.1, NoiseShape: []int{graph.None, 1}})
			return d.Build([][]int{{3, 2}}, tensor.Float64)
		}},
		{"ActivityRegularization", "l1", func() error {
			_, err := NewActivityRegularization(ActivityRegularizationConfig{L1: -1})
			return err
		}},
		{"ActivityRegularization", "l2", func() error {
			_, err := NewActivityRegularization(ActivityRegularizationConfig{L2: math.Inf(1)})
			return err
		}},
	} {
		err := c.make()
		if err == nil || !strings.Contains(err.Error(), c.class) || !strings.Contains(err.Error(), c.arg) {
			t.Errorf("%s %s: error %v, want one naming the layer and the argument", c.class, c.arg, err)
		}
	}
	// A Forward before Build, a wrong shape and two inputs are errors too.
	l, _ := NewELU(ELUDefaults())
	x := graph.NewTensor(tensor.Float64, []int{2, 3}, nil)
	if _, err := forward(l, x, false); err == nil || !strings.Contains(err.Error(), "Build") {
		t.Errorf("Forward before Build: %v", err)
	}
	mustBuild(t, l, []int{4}, tensor.Float64)
	if _, err := forward(l, x, false); err == nil {
		t.Error("input (2, 3) for (None, 4): no error")
	}
	if _, err := l.Forward([]*tensor.Dense{x, x}, nil, false); err == nil {
		t.Error("two inputs: no error")
	}
}

// allActLayers returns one of each layer class of this branch, with
// non-default arguments.
func allActLayers(t *testing.T) []graph.Layer {
	t.Helper()
	var ls []graph.Layer
	add := func(l graph.Layer, err error) {
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	add(NewLeakyReLU(LeakyReLUConfig{Alpha: 0.2}))
	add(NewReLU(ReLUConfig{MaxValue: f64(4), NegativeSlope: 0.1, Threshold: 0.05}))
	add(NewELU(ELUConfig{Alpha: 0.8}))
	add(NewThresholdedReLU(ThresholdedReLUConfig{Theta: 0.01}))
	add(NewPReLU(PReLUConfig{AlphaInitializer: graph.Spec{Name: "constant", Args: map[string]float64{"value": 0.25}}, SharedAxes: []int{1},
		AlphaRegularizer: &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.01}}}))
	add(NewSoftmax(SoftmaxConfig{Axis: 1}))
	add(NewGaussianNoise(GaussianNoiseConfig{Stddev: 0.1, Seed: 3}))
	add(NewGaussianDropout(GaussianDropoutConfig{Rate: 0.2, Seed: 4}))
	add(NewAlphaDropout(AlphaDropoutConfig{Rate: 0.1, NoiseShape: []int{graph.None, 1, graph.None}, Seed: 5}))
	add(NewActivityRegularization(ActivityRegularizationConfig{L1: 0.01, L2: 0.02}))
	return ls
}

// TestActLayersMasksAndConfig checks that every layer passes a mask on (as
// Keras 2.2.4's, all supports_masking), in training and inference, and
// that its Config rebuilds an identical layer through the registry.
func TestActLayersMasksAndConfig(t *testing.T) {
	mask := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]bool{true, true, false, true, false, false}))
	x := graph.NewTensor(tensor.Float32, []int{2, 3, 4}, randValues(24, 2))
	for _, l := range allActLayers(t) {
		mustBuild(t, l, []int{3, 4}, tensor.Float32)
		for _, training := range []bool{false, true} {
			p, err := l.Forward([]*tensor.Dense{x}, []*tensor.Dense{mask}, training)
			if err != nil {
				t.Fatalf("%s: %v", l.Type(), err)
			}
			if len(p.Masks) != 1 || p.Masks[0] != mask {
				t.Errorf("%s (training %v): the mask is not passed on", l.Type(), training)
			}
			if !slices.Equal(p.Outputs[0].Shape(), x.Shape()) || p.Outputs[0].Dtype() != tensor.Float32 {
				t.Errorf("%s: output %v %v", l.Type(), p.Outputs[0].Dtype(), p.Outputs[0].Shape())
			}
		}
		c := configRoundTrip(t, l)
		if err := c.Build([][]int{{3, 4}}, tensor.Float32); err != nil {
			t.Errorf("%s: the rebuilt layer does not build: %v", l.Type(), err)
		}
	}
}

// TestActLayersKerasConfigs checks that the registry reads the Keras 2.2.4
// and Keras 3 config forms (Keras 3's LeakyReLU negative_slope), with
// Keras' defaults for missing keys.
func TestActLayersKerasConfigs(t *testing.T) {
	for _, c := range []struct {
		class, config, want string
	}{
		{"LeakyReLU", `{"alpha": 0.1}`, `{"name":"l","alpha":0.1}`},
		{"LeakyReLU", `{"negative_slope": 0.2}`, `{"name":"l","alpha":0.2}`},
		{"LeakyReLU", `{}`, `{"name":"l","alpha":0.3}`},
		{"ReLU", `{"max_value": null, "negative_slope": 0.0, "threshold": 0.0}`, `{"name":"l","max_value":null,"negative_slope":0,"threshold":0}`},
		{"ReLU", `{"max_value": 6.0}`, `{"name":"l","max_value":6,"negative_slope":0,"threshold":0}`},
		{"ELU", `{}`, `{"name":"l","alpha":1}`},
		{"ThresholdedReLU", `{}`, `{"name":"l","theta":1}`},
		{"Softmax", `{}`, `{"name":"l","axis":-1}`},
		{"PReLU", `{"shared_axes": [1]}`, `{"name":"l","alpha_initializer":{"name":"zeros"},"shared_axes":[1],"seed":0}`},
		{"GaussianNoise", `{"stddev": 0.5}`, `{"name":"l","stddev":0.5,"seed":0}`},
		{"GaussianDropout", `{"rate": 0.5, "seed": 7}`, `{"name":"l","rate":0.5,"seed":7}`},
		{"AlphaDropout", `{"rate": 0.5}`, `{"name":"l","rate":0.5,"seed":0}`},
		{"ActivityRegularization", `{"l1": 0.5}`, `{"name":"l","l1":0.5,"l2":0}`},
	} {
		l, err := graph.NewLayer(c.class, "l", json.RawMessage(c.config))
		if err != nil {
			t.Errorf("%s %s: %v", c.class, c.config, err)
			continue
		}
		got, _ := l.Config()
		if string(got) != c.want || l.Type() != c.class {
			t.Errorf("%s %s: config %s (%s), want %s", c.class, c.config, got, l.Type(), c.want)
		}
	}
}

// TestActLayersModelFile checks that a Sequential model of every layer
// class of this branch survives the model file (Save, Load) with the same
// configs, weights and predictions, in float32 and float64, and trains.
func TestActLayersModelFile(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m, err := model.NewSequential(dt, allActLayers(t)...)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(3, 4); err != nil {
			t.Fatal(err)
		}
		if err := m.Compile("mse", optim.NewAdam()); err != nil {
			t.Fatal(err)
		}
		x := graph.NewTensor(dt, []int{5, 3, 4}, randValues(60, 8))
		y := graph.NewTensor(dt, []int{5, 3, 4}, randValues(60, 9))
		if _, err := m.TrainOnBatch(x, y); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "m.golstm")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		m2, err := model.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		l1, l2 := m.Layers(), m2.Layers()
		if len(l1) != len(l2) {
			t.Fatalf("%d layers loaded, %d saved", len(l2), len(l1))
		}
		for i := range l1 {
			c1, _ := l1[i].Config()
			c2, _ := l2[i].Config()
			if string(c1) != string(c2) || l1[i].Type() != l2[i].Type() {
				t.Errorf("layer %d: %s %s loaded as %s %s", i, l1[i].Type(), c1, l2[i].Type(), c2)
			}
		}
		p1, p2 := m.Params(), m2.Params()
		if len(p1) != 1 || len(p2) != 1 || !slices.Equal(graph.Float64s(p1[0].Value), graph.Float64s(p2[0].Value)) {
			t.Errorf("%v: PReLU alpha not restored", dt)
		}
		y1, err := m.Predict(x, 5)
		if err != nil {
			t.Fatal(err)
		}
		y2, err := m2.Predict(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(graph.Float64s(y1), graph.Float64s(y2)) {
			t.Errorf("%v: predictions differ after the round trip", dt)
		}
	}
}
