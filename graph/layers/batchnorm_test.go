package layers

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// bnCase is one case of testdata/batchnorm_keras224.json, written by
// testdata/batchnorm_keras224.py (a numpy transcription of Keras 2.2.4's
// BatchNormalization with the TensorFlow backend).
type bnCase struct {
	Name                            string
	Shape                           []int
	Axis                            int
	Center, Scale                   bool
	Momentum, Epsilon               float64
	Gamma, Beta                     []float64
	MovingMean                      []float64 `json:"moving_mean"`
	MovingVariance                  []float64 `json:"moving_variance"`
	X1, X2                          []float64
	Inference, Training1, Training2 []float64
	MovingMean1                     []float64 `json:"moving_mean1"`
	MovingVariance1                 []float64 `json:"moving_variance1"`
	MovingMean2                     []float64 `json:"moving_mean2"`
	MovingVariance2                 []float64 `json:"moving_variance2"`
	InferenceAfter                  []float64 `json:"inference_after"`
}

// bnFile is testdata/batchnorm_keras224.json.
type bnFile struct {
	Cases []bnCase
}

func readBNCases(t *testing.T) []bnCase {
	t.Helper()
	b, err := os.ReadFile("testdata/batchnorm_keras224.json")
	if err != nil {
		t.Fatal(err)
	}
	var f bnFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 7 {
		t.Fatalf("%d cases in testdata/batchnorm_keras224.json", len(f.Cases))
	}
	return f.Cases
}

// newBNCase builds the layer of case c in dt with the case's weights.
func newBNCase(t *testing.T, c bnCase, dt tensor.Dtype) *BatchNormalization {
	t.Helper()
	cfg := BatchNormalizationDefaults()
	cfg.Name, cfg.Axis, cfg.Center, cfg.Scale, cfg.Momentum, cfg.Epsilon = "bn", c.Axis, c.Center, c.Scale, c.Momentum, c.Epsilon
	l, err := NewBatchNormalization(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, l, c.Shape[1:], dt)
	var want []string
	var vals [][]float64
	if c.Scale {
		want, vals = append(want, "bn/gamma"), append(vals, c.Gamma)
	}
	if c.Center {
		want, vals = append(want, "bn/beta"), append(vals, c.Beta)
	}
	want, vals = append(want, "bn/moving_mean", "bn/moving_variance"), append(vals, c.MovingMean, c.MovingVariance)
	ps := l.Params()
	if len(ps) != len(want) {
		t.Fatalf("%s: %d params, want %v", c.Name, len(ps), want)
	}
	for i, p := range ps {
		if p.Name != want[i] || p.Statistic != strings.Contains(p.Name, "moving") || p.Frozen {
			t.Errorf("%s: param %d is %s (statistic %v, frozen %v), want %s", c.Name, i, p.Name, p.Statistic, p.Frozen, want[i])
		}
		graph.CopyInto(p.Value, graph.NewTensor(tensor.Float64, []int{len(vals[i])}, vals[i]))
	}
	return l
}

// TestBatchNormalizationKeras224 checks inference, training outputs and the
// moving statistics after one and two training batches against the numpy
// transcription of Keras 2.2.4, on 2-D and 3-D inputs, other axes, and
// without center or scale, in float64 (1e-12) and float32 (1e-5).
func TestBatchNormalizationKeras224(t *testing.T) {
	for _, c := range readBNCases(t) {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := map[tensor.Dtype]float64{tensor.Float64: 1e-12, tensor.Float32: 1e-5}[dt]
			l := newBNCase(t, c, dt)
			x1, x2 := graph.NewTensor(dt, c.Shape, c.X1), graph.NewTensor(dt, c.Shape, c.X2)
			check := func(what string, got *tensor.Dense, want []float64) {
				t.Helper()
				if g := graph.Float64s(got); !closeTo(g, want, tol) || !got.Shape().Eq(tensor.Shape(c.Shape)) && len(want) == len(c.X1) {
					t.Errorf("%s %v: %s = %v, want %v", c.Name, dt, what, g, want)
				}
			}
			y, err := output(l, x1, false)
			if err != nil {
				t.Fatal(err)
			}
			check("inference", y, c.Inference)
			if y, err = output(l, x1, true); err != nil {
				t.Fatal(err)
			}
			check("training batch 1", y, c.Training1)
			check("moving_mean after 1", l.mean.Value, c.MovingMean1)
			check("moving_variance after 1", l.variance.Value, c.MovingVariance1)
			if y, err = output(l, x2, true); err != nil {
				t.Fatal(err)
			}
			check("training batch 2", y, c.Training2)
			check("moving_mean after 2", l.mean.Value, c.MovingMean2)
			check("moving_variance after 2", l.variance.Value, c.MovingVariance2)
			if y, err = output(l, x1, false); err != nil {
				t.Fatal(err)
			}
			check("inference after 2 batches", y, c.InferenceAfter)
			if l.cfg.MovingUpdates != 2 {
				t.Errorf("%s: MovingUpdates %d after 2 batches", c.Name, l.cfg.MovingUpdates)
			}
		}
	}
}

// TestBatchNormalizationResumeAndFrozen: a layer rebuilt from its Config
// (which carries MovingUpdates) with the same weights continues the
// zero-debiased average exactly; with its weights Frozen (trainable=False)
// a training Forward still uses the batch statistics but leaves the moving
// ones and the count alone; Statistic weights take no gradient.
func TestBatchNormalizationResumeAndFrozen(t *testing.T) {
	c := readBNCases(t)[1] // 3-D
	a := newBNCase(t, c, tensor.Float64)
	if _, err := output(a, graph.NewTensor(tensor.Float64, c.Shape, c.X1), true); err != nil {
		t.Fatal(err)
	}
	b := configRoundTrip(t, a).(*BatchNormalization)
	mustBuild(t, b, c.Shape[1:], tensor.Float64)
	for i, p := range b.Params() {
		graph.CopyInto(p.Value, a.Params()[i].Value)
	}
	if b.cfg.MovingUpdates != 1 {
		t.Fatalf("rebuilt layer: MovingUpdates %d, want 1", b.cfg.MovingUpdates)
	}
	p, err := forward(b, graph.NewTensor(tensor.Float64, c.Shape, c.X2), true)
	if err != nil {
		t.Fatal(err)
	}
	if !closeTo(graph.Float64s(b.mean.Value), c.MovingMean2, 1e-12) || !closeTo(graph.Float64s(b.variance.Value), c.MovingVariance2, 1e-12) {
		t.Errorf("resumed: moving %v %v, want %v %v", graph.Float64s(b.mean.Value), graph.Float64s(b.variance.Value), c.MovingMean2, c.MovingVariance2)
	}
	if _, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, c.Shape, randValues(len(c.X1), 3))}, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*graph.Param{b.mean, b.variance} {
		if !closeTo(graph.Float64s(s.Grad), make([]float64, 2), 0) {
			t.Errorf("%s: gradient %v, want zeros", s.Name, graph.Float64s(s.Grad))
		}
	}

	f := newBNCase(t, c, tensor.Float64)
	for _, p := range f.Params() {
		p.Frozen = true
	}
	y, err := output(f, graph.NewTensor(tensor.Float64, c.Shape, c.X1), true)
	if err != nil {
		t.Fatal(err)
	}
	if !closeTo(graph.Float64s(y), c.Training1, 1e-12) {
		t.Errorf("frozen: training output %v, want the batch-normalized %v", graph.Float64s(y), c.Training1)
	}
	if !closeTo(graph.Float64s(f.mean.Value), c.MovingMean, 0) || !closeTo(graph.Float64s(f.variance.Value), c.MovingVariance, 0) || f.cfg.MovingUpdates != 0 {
		t.Errorf("frozen: moving statistics changed to %v %v (count %d)", graph.Float64s(f.mean.Value), graph.Float64s(f.variance.Value), f.cfg.MovingUpdates)
	}
}

// TestBatchNormalizationGradients checks Backward (x, gamma, beta) against
// central finite differences of L = Σ y⊙r of the training Forward in
// float64 (h 1e-6, tol 1e-6), and the float32 layer's gradients against
// the float64 ones (tol 1e-4), for every case of the Keras file.
func TestBatchNormalizationGradients(t *testing.T) {
	for _, c := range readBNCases(t) {
		grads := map[tensor.Dtype][][]float64{}
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			l := newBNCase(t, c, dt)
			xv := append([]float64(nil), c.X1...)
			r := graph.NewTensor(dt, c.Shape, randValues(len(xv), 7))
			p, err := forward(l, graph.NewTensor(dt, c.Shape, xv), true)
			if err != nil {
				t.Fatal(err)
			}
			dx, err := p.Backward([]*tensor.Dense{r}, []bool{true})
			if err != nil {
				t.Fatal(err)
			}
			got := [][]float64{graph.Float64s(dx[0])}
			for _, w := range l.Params() {
				got = append(got, graph.Float64s(w.Grad))
			}
			grads[dt] = got
			if dt != tensor.Float64 {
				continue
			}
			lossAt := func() float64 {
				y, err := output(l, graph.NewTensor(dt, c.Shape, xv), true)
				if err != nil {
					t.Fatal(err)
				}
				s := 0.0
				for i, v := range graph.Float64s(y) {
					s += v * graph.Float64s(r)[i]
				}
				return s
			}
			vals := [][]float64{xv}
			for _, w := range l.Params() {
				vals = append(vals, w.Value.Data().([]float64))
			}
			const h = 1e-6
			for k, v := range vals {
				for i := range v {
					old := v[i]
					v[i] = old + h
					up := lossAt()
					v[i] = old - h
					dn := lossAt()
					v[i] = old
					if fd := (up - dn) / (2 * h); math.Abs(fd-got[k][i]) > 1e-6*math.Max(1, math.Abs(fd)) {
						t.Errorf("%s: gradient %d[%d] = %v, finite difference %v", c.Name, k, i, got[k][i], fd)
					}
				}
			}
		}
		for k := range grads[tensor.Float64] {
			if !closeTo(grads[tensor.Float32][k], grads[tensor.Float64][k], 1e-4) {
				t.Errorf("%s: float32 gradient %d = %v, float64 %v", c.Name, k, grads[tensor.Float32][k], grads[tensor.Float64][k])
			}
		}
	}
}

// TestBatchNormalizationMask: a mask passes through unchanged and the
// numbers are those without it, as in Keras 2.2.4.
func TestBatchNormalizationMask(t *testing.T) {
	c := readBNCases(t)[1]
	l := newBNCase(t, c, tensor.Float64)
	mask := graph.NewMask(2, 3, []bool{true, true, false, true, false, false})
	for _, training := range []bool{false, true} {
		p, err := l.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, c.Shape, c.X1)}, []*tensor.Dense{mask}, training)
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool][]float64{false: c.Inference, true: c.Training1}[training]
		if len(p.Masks) != 1 || p.Masks[0] != mask || !closeTo(graph.Float64s(p.Outputs[0]), want, 1e-12) {
			t.Errorf("training %v: masks %v, y %v: want the mask and %v", training, p.Masks, graph.Float64s(p.Outputs[0]), want)
		}
	}
}

// TestBatchNormalizationErrorsAndConfig: every bad argument is an error
// naming the layer and the argument; bad inputs are errors; the config
// round-trips, tf.keras's axis list is read, and ParamShapes agrees with
// Build.
func TestBatchNormalizationErrorsAndConfig(t *testing.T) {
	bad := []struct {
		edit func(*BatchNormalizationConfig)
		want string
	}{
		{func(c *BatchNormalizationConfig) { c.Momentum = 1 }, "momentum"},
		{func(c *BatchNormalizationConfig) { c.Momentum = -0.1 }, "momentum"},
		{func(c *BatchNormalizationConfig) { c.Momentum = math.NaN() }, "momentum"},
		{func(c *BatchNormalizationConfig) { c.Epsilon = -1e-3 }, "epsilon"},
		{func(c *BatchNormalizationConfig) { c.Epsilon = math.Inf(1) }, "epsilon"},
		{func(c *BatchNormalizationConfig) { c.Axis = 0 }, "axis"},
		{func(c *BatchNormalizationConfig) { c.MovingUpdates = -1 }, "moving_updates"},
		{func(c *BatchNormalizationConfig) { c.GammaInitializer = graph.Spec{Name: "nope"} }, "gamma_initializer"},
		{func(c *BatchNormalizationConfig) { c.BetaInitializer = graph.Spec{Name: "nope"} }, "beta_initializer"},
		{func(c *BatchNormalizationConfig) { c.MovingMeanInitializer = graph.Spec{Name: "nope"} }, "moving_mean_initializer"},
		{func(c *BatchNormalizationConfig) { c.MovingVarianceInitializer = graph.Spec{Name: "nope"} }, "moving_variance_initializer"},
		{func(c *BatchNormalizationConfig) { c.GammaRegularizer = &graph.Spec{Name: "nope"} }, "gamma_regularizer"},
		{func(c *BatchNormalizationConfig) { c.BetaRegularizer = &graph.Spec{Name: "nope"} }, "beta_regularizer"},
		{func(c *BatchNormalizationConfig) { c.GammaConstraint = &graph.Spec{Name: "nope"} }, "gamma_constraint"},
		{func(c *BatchNormalizationConfig) { c.BetaConstraint = &graph.Spec{Name: "nope"} }, "beta_constraint"},
	}
	for _, b := range bad {
		cfg := BatchNormalizationDefaults()
		cfg.Name = "bn1"
		b.edit(&cfg)
		_, err := NewBatchNormalization(cfg)
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "bn1") {
			t.Errorf("config %+v: error %v: want one naming bn1 and %s", cfg, err, b.want)
		}
	}
	shapes := []struct {
		axis int
		in   []int
		want string
	}{
		{3, []int{4, 2}, "axis 3"},
		{-4, []int{4, 2}, "axis -4"},
		{1, []int{graph.None, 2}, "None"},
		{-1, []int{}, "want one input"},
		{-1, []int{0, 2}, "positive"},
	}
	for _, s := range shapes {
		cfg := BatchNormalizationDefaults()
		cfg.Name, cfg.Axis = "bn2", s.axis
		l, err := NewBatchNormalization(cfg)
		if err != nil {
			t.Fatal(err)
		}
		errB := l.Build([][]int{s.in}, tensor.Float64)
		_, errP := l.ParamShapes([][]int{s.in})
		for _, err := range []error{errB, errP} {
			if err == nil || !strings.Contains(err.Error(), s.want) || !strings.Contains(err.Error(), "bn2") {
				t.Errorf("axis %d, input %v: error %v, want one naming bn2 and %q", s.axis, s.in, err, s.want)
			}
		}
	}
	l, _ := NewBatchNormalization(BatchNormalizationDefaults())
	if err := l.Build([][]int{{3}, {3}}, tensor.Float64); err == nil {
		t.Error("two inputs: no error")
	}
	mustBuild(t, l, []int{graph.None, 3}, tensor.Float32)
	for _, x := range []*tensor.Dense{graph.NewTensor(tensor.Float32, []int{2, 4, 2}, nil), graph.NewTensor(tensor.Float64, []int{2, 4, 3}, nil)} {
		if _, err := output(l, x, false); err == nil || !strings.Contains(err.Error(), l.Name()) {
			t.Errorf("input %v %v: error %v", x.Dtype(), x.Shape(), err)
		}
	}
	if _, err := l.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float32, []int{1, 2, 3}, nil)}, nil, true); err != nil {
		t.Error(err)
	}
	p, _ := l.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float32, []int{1, 2, 3}, nil)}, nil, true)
	if _, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 3}, nil)}, nil); err == nil {
		t.Error("float64 output gradient for a float32 layer: no error")
	}

	cfg := BatchNormalizationDefaults()
	cfg.Axis, cfg.Momentum, cfg.Center = 1, 0.5, false
	cfg.GammaInitializer = graph.Spec{Name: "random_uniform"}
	cfg.GammaRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.1}}
	cfg.GammaConstraint = &graph.Spec{Name: "non_neg"}
	cfg.Seed = 5
	l, _ = NewBatchNormalization(cfg)
	mustBuild(t, l, []int{4, 2}, tensor.Float64)
	c := configRoundTrip(t, l).(*BatchNormalization)
	mustBuild(t, c, []int{4, 2}, tensor.Float64)
	if !closeTo(graph.Float64s(c.gamma.Value), graph.Float64s(l.gamma.Value), 0) || c.gamma.Regularizer == nil || c.gamma.Constraint == nil || c.beta != nil {
		t.Error("a layer rebuilt from its config draws other weights or lost its regularizer or constraint")
	}
	shapes2, err := l.ParamShapes([][]int{{4, 2}})
	if err != nil || len(shapes2) != 3 || shapes2[l.Name()+"/gamma"][0] != 4 || shapes2[l.Name()+"/moving_variance"][0] != 4 {
		t.Errorf("ParamShapes %v, %v", shapes2, err)
	}
	for _, tc := range []struct {
		json string
		axis int
		ok   bool
	}{{`{"axis": [2]}`, 2, true}, {`{"axis": -1}`, -1, true}, {`{}`, -1, true}, {`{"axis": [1, 2]}`, 0, false}, {`{"axis": 1.5}`, 0, false}, {`{"axis": "x"}`, 0, false}} {
		gl, err := graph.NewLayer("BatchNormalization", "bn3", json.RawMessage(tc.json))
		if (err == nil) != tc.ok || (tc.ok && gl.(*BatchNormalization).cfg.Axis != tc.axis) {
			t.Errorf("config %s: %v, want axis %d ok %v", tc.json, err, tc.axis, tc.ok)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "axis")) {
			t.Errorf("config %s: error %v, want one naming axis", tc.json, err)
		}
	}
}
