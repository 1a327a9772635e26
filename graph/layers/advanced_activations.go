package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds Keras 2.2.4's advanced activation layers without weights
// (keras/layers/advanced_activations.py): LeakyReLU, ReLU, ELU,
// ThresholdedReLU and Softmax. Each is an element-wise (Softmax: a
// per-line) loop in plain Go with its derivative written out, checked
// against finite differences in the tests; the derivatives at the kinks
// are TensorFlow's (the Keras 2.2.4 backend), which the formulas below
// state. All of them pass a mask on, as in Keras 2.2.4
// (supports_masking = True), and have no weights.

// pointwise is what the element-wise layers share: one input of any shape,
// an output of the same shape, y = f(x) element by element with dy/dx =
// f'(x), and a mask passed on.
type pointwise struct {
	class, name string
	fn          func(x float64) (y, d float64)
	inShape     []int
}

// Name returns the layer's name.
func (p *pointwise) Name() string { return p.name }

// Type returns the layer's Keras class name.
func (p *pointwise) Type() string { return p.class }

// Params returns nil: the layer has no weights.
func (p *pointwise) Params() []*graph.Param { return nil }

// Build records the shape of the one input, of any rank.
func (p *pointwise) Build(in [][]int, dt tensor.Dtype) error {
	s, err := anyShape(p.class, p.name, in, dt)
	if err != nil {
		return err
	}
	p.inShape = s
	return nil
}

// OutputShapes is the input shape.
func (p *pointwise) OutputShapes() [][]int {
	if p.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), p.inShape...)}
}

// Forward returns f(x) and passes a mask on; in training, Backward returns
// dy ⊙ f'(x).
func (p *pointwise) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := checkedInput(p.class, p.name, p.inShape, in, masks)
	if err != nil {
		return nil, err
	}
	xv := graph.Float64s(x)
	y := make([]float64, len(xv))
	var d []float64
	if training {
		d = make([]float64, len(xv))
	}
	for i, v := range xv {
		yi, di := p.fn(v)
		y[i] = yi
		if d != nil {
			d[i] = di
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(x.Dtype(), x.Shape(), y)}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad(p.class, p.name, dOut, x.Dtype(), x.Shape())
			if err != nil {
				return nil, err
			}
			g := graph.Float64s(dy)
			for i := range g {
				g[i] *= d[i]
			}
			return []*tensor.Dense{graph.NewTensor(x.Dtype(), x.Shape(), g)}, nil
		}
	}
	return pass, nil
}

// anyShape checks the input shapes given to Build of a one-input layer that
// takes any rank (1 to 8 dimensions per sample, each positive or None) and
// returns a copy of the one shape.
func anyShape(class, name string, in [][]int, dt tensor.Dtype) ([]int, error) {
	if err := graph.CheckDtype(dt); err != nil {
		return nil, err
	}
	if len(in) != 1 {
		return nil, fmt.Errorf("layers: %s %s: %d inputs: want 1", class, name, len(in))
	}
	if len(in[0]) == 0 || len(in[0]) >= len(tensorKey{}.dims) {
		return nil, fmt.Errorf("layers: %s %s: input shape %s: want 1 to %d dimensions per sample", class, name, graph.FormatShape(in[0]), len(tensorKey{}.dims)-1)
	}
	for _, d := range in[0] {
		if d < 1 && d != graph.None {
			return nil, fmt.Errorf("layers: %s %s: input shape %v: want positive dimensions (or graph.None)", class, name, in[0])
		}
	}
	return append([]int(nil), in[0]...), nil
}

// checkedInput returns the one input of a built layer (contiguous) and its
// mask, or an error naming the layer when it is not built or the input does
// not fit its shape.
func checkedInput(class, name string, inShape []int, in, masks []*tensor.Dense) (*tensor.Dense, *tensor.Dense, error) {
	x, mask, err := oneInput(class, name, in, masks)
	if err != nil {
		return nil, nil, err
	}
	if inShape == nil {
		return nil, nil, fmt.Errorf("layers: %s %s: Forward before Build", class, name)
	}
	if err := graph.CheckDtype(x.Dtype()); err != nil {
		return nil, nil, fmt.Errorf("layers: %s %s: %w", class, name, err)
	}
	if !graph.FitsShape(x.Shape(), inShape) {
		return nil, nil, fmt.Errorf("layers: %s %s: input of shape %v: want %s", class, name, []int(x.Shape()), graph.FormatShape(inShape))
	}
	return x, mask, nil
}

// finite returns an error naming the layer and the argument unless v is a
// finite number (and, with nonNegative, at least 0).
func finite(class, name, arg string, v float64, nonNegative bool) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("layers: %s %s: %s %v: want a finite number", class, name, arg, v)
	case nonNegative && v < 0:
		return fmt.Errorf("layers: %s %s: %s %v: want a number >= 0", class, name, arg, v)
	}
	return nil
}

// reluFn is Keras 2.2.4's K.relu(x, alpha, max_value, threshold) of the
// TensorFlow backend, with its gradient as TensorFlow computes it:
//
//   - alpha ≠ 0, no max_value, threshold 0: tf.nn.leaky_relu,
//     y = x for x > 0, alpha·x otherwise; dy/dx = 1 for x > 0, alpha
//     otherwise (alpha at 0).
//   - otherwise y = clip(r(x), 0, max_value) − alpha·max(threshold − x, 0),
//     where r(x) = x·[x > threshold] for threshold ≠ 0, relu6(x) for
//     max_value 6 (not clipped again), max(x, 0) otherwise. The gradient of
//     r is [x > threshold] (relu's is 0 at 0, relu6's is 0 at 0 and 6);
//     the clip's passes where r ≤ max_value and then where the result is
//     ≥ 0 (tf.minimum and tf.maximum), and the negative part adds alpha for
//     x < threshold.
//
// With a negative threshold and no max_value, x in (threshold, 0] gives
// y = x, as in Keras 2.2.4.
func reluFn(alpha, threshold float64, maxValue *float64) func(x float64) (float64, float64) {
	if alpha != 0 && maxValue == nil && threshold == 0 {
		return func(x float64) (float64, float64) {
			if x > 0 {
				return x, 1
			}
			return alpha * x, alpha
		}
	}
	relu6 := threshold == 0 && maxValue != nil && *maxValue == 6
	return func(x float64) (float64, float64) {
		var y, d float64
		switch {
		case threshold != 0:
			if x > threshold {
				y, d = x, 1
			}
		case relu6:
			y = min(max(x, 0), 6)
			if x > 0 && x < 6 {
				d = 1
			}
		case x > 0:
			y, d = x, 1
		}
		if maxValue != nil && !relu6 {
			if y > *maxValue {
				y, d = *maxValue, 0
			}
			if y < 0 {
				y, d = 0, 0
			}
		}
		if alpha != 0 && x < threshold {
			y -= alpha * (threshold - x)
			d += alpha
		}
		return y, d
	}
}

// LeakyReLUConfig configures a LeakyReLU layer (Keras 2.2.4's
// LeakyReLU(alpha=0.3); Keras 3 names the argument negative_slope, which
// the JSON form accepts too).
type LeakyReLUConfig struct {
	// Name is the layer's name; empty gives "leaky_re_lu_<n>".
	Name string `json:"name,omitempty"`
	// Alpha is the slope for x ≤ 0 (Keras' default 0.3: see
	// LeakyReLUDefaults), any finite number.
	Alpha float64 `json:"alpha"`
}

// LeakyReLUDefaults returns Keras' LeakyReLU() defaults: alpha 0.3.
func LeakyReLUDefaults() LeakyReLUConfig { return LeakyReLUConfig{Alpha: 0.3} }

// UnmarshalJSON reads the config with Keras 2's key alpha or Keras 3's
// negative_slope (which wins when both are given).
func (c *LeakyReLUConfig) UnmarshalJSON(b []byte) error {
	type plain LeakyReLUConfig
	aux := struct {
		*plain
		NegativeSlope *float64 `json:"negative_slope"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if aux.NegativeSlope != nil {
		c.Alpha = *aux.NegativeSlope
	}
	return nil
}

// LeakyReLU is Keras' leaky rectifier, K.relu(x, alpha):
// y = x for x > 0, alpha·x otherwise; dy/dx = 1 for x > 0, alpha otherwise
// (TensorFlow's leaky_relu gradient, alpha at 0). With alpha 0 it is
// max(x, 0) with gradient 0 at 0.
type LeakyReLU struct {
	pointwise
	cfg LeakyReLUConfig
}

var leakyReLUCount atomic.Int64

// NewLeakyReLU returns a LeakyReLU layer; a NaN or infinite alpha is an
// error.
func NewLeakyReLU(cfg LeakyReLUConfig) (*LeakyReLU, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("leaky_re_lu_%d", leakyReLUCount.Add(1))
	}
	if err := finite("LeakyReLU", cfg.Name, "alpha", cfg.Alpha, false); err != nil {
		return nil, err
	}
	return &LeakyReLU{cfg: cfg, pointwise: pointwise{class: "LeakyReLU", name: cfg.Name, fn: reluFn(cfg.Alpha, 0, nil)}}, nil
}

// Config returns the LeakyReLUConfig as JSON.
func (l *LeakyReLU) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// ReLUConfig configures a ReLU layer (Keras 2.2.4's ReLU(max_value=None,
// negative_slope=0, threshold=0)).
type ReLUConfig struct {
	// Name is the layer's name; empty gives "re_lu_<n>".
	Name string `json:"name,omitempty"`
	// MaxValue is the saturation value, >= 0; nil means none (Keras' None).
	MaxValue *float64 `json:"max_value"`
	// NegativeSlope is the slope below the threshold, >= 0.
	NegativeSlope float64 `json:"negative_slope"`
	// Threshold is where the unit turns on (Keras 2.2.4 takes any finite
	// value; Keras 3 only >= 0).
	Threshold float64 `json:"threshold"`
}

// ReLU is Keras 2.2.4's ReLU layer, K.relu(x, negative_slope, max_value,
// threshold) of the TensorFlow backend:
//
//	y = min(x, max_value)              for x > threshold (x ≥ 0 with threshold 0),
//	y = negative_slope·(x − threshold) for x < threshold,
//	y = 0                              at x = threshold,
//
// computed as TensorFlow does (see the leaky_relu and relu6 special cases
// of reluFn) with TensorFlow's gradients at the kinks: at x = threshold the
// gradient is 0, or negative_slope when there is neither a max_value nor a
// threshold (leaky_relu); at x = max_value it is 1, or 0 for max_value 6
// with threshold 0 (relu6).
type ReLU struct {
	pointwise
	cfg ReLUConfig
}

var reluCount atomic.Int64

// NewReLU returns a ReLU layer; a negative max_value or negative_slope (as
// Keras refuses them) or a non-finite argument is an error naming it.
func NewReLU(cfg ReLUConfig) (*ReLU, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("re_lu_%d", reluCount.Add(1))
	}
	if cfg.MaxValue != nil {
		if err := finite("ReLU", cfg.Name, "max_value", *cfg.MaxValue, true); err != nil {
			return nil, err
		}
		v := *cfg.MaxValue
		cfg.MaxValue = &v
	}
	if err := finite("ReLU", cfg.Name, "negative_slope", cfg.NegativeSlope, true); err != nil {
		return nil, err
	}
	if err := finite("ReLU", cfg.Name, "threshold", cfg.Threshold, false); err != nil {
		return nil, err
	}
	fn := reluFn(cfg.NegativeSlope, cfg.Threshold, cfg.MaxValue)
	return &ReLU{cfg: cfg, pointwise: pointwise{class: "ReLU", name: cfg.Name, fn: fn}}, nil
}

// Config returns the ReLUConfig as JSON.
func (l *ReLU) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// ELUConfig configures an ELU layer (Keras' ELU(alpha=1.0)).
type ELUConfig struct {
	// Name is the layer's name; empty gives "elu_<n>".
	Name string `json:"name,omitempty"`
	// Alpha scales the negative part (Keras' default 1: see ELUDefaults).
	Alpha float64 `json:"alpha"`
}

// ELUDefaults returns Keras' ELU() defaults: alpha 1.
func ELUDefaults() ELUConfig { return ELUConfig{Alpha: 1} }

// ELU is Keras' exponential linear unit, K.elu(x, alpha):
// y = x for x > 0, alpha·(exp(x) − 1) otherwise; dy/dx = 1 for x > 0,
// alpha·exp(x) otherwise (alpha at 0, as TensorFlow's EluGrad).
type ELU struct {
	pointwise
	cfg ELUConfig
}

var eluCount atomic.Int64

// NewELU returns an ELU layer; a NaN or infinite alpha is an error.
func NewELU(cfg ELUConfig) (*ELU, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("elu_%d", eluCount.Add(1))
	}
	if err := finite("ELU", cfg.Name, "alpha", cfg.Alpha, false); err != nil {
		return nil, err
	}
	alpha := cfg.Alpha
	fn := func(x float64) (float64, float64) {
		if x > 0 {
			return x, 1
		}
		e := math.Expm1(x)
		return alpha * e, alpha * (e + 1)
	}
	return &ELU{cfg: cfg, pointwise: pointwise{class: "ELU", name: cfg.Name, fn: fn}}, nil
}

// Config returns the ELUConfig as JSON.
func (l *ELU) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// ThresholdedReLUConfig configures a ThresholdedReLU layer (Keras'
// ThresholdedReLU(theta=1.0)).
type ThresholdedReLUConfig struct {
	// Name is the layer's name; empty gives "thresholded_re_lu_<n>".
	Name string `json:"name,omitempty"`
	// Theta is the threshold, >= 0 (Keras' default 1: see
	// ThresholdedReLUDefaults).
	Theta float64 `json:"theta"`
}

// ThresholdedReLUDefaults returns Keras' ThresholdedReLU() defaults:
// theta 1.
func ThresholdedReLUDefaults() ThresholdedReLUConfig { return ThresholdedReLUConfig{Theta: 1} }

// ThresholdedReLU is Keras' thresholded rectifier, y = x·[x > theta];
// dy/dx = [x > theta] (0 at theta).
type ThresholdedReLU struct {
	pointwise
	cfg ThresholdedReLUConfig
}

var thresholdedReLUCount atomic.Int64

// NewThresholdedReLU returns a ThresholdedReLU layer; a negative (as
// tf.keras refuses it, and Keras documents theta >= 0) or non-finite theta
// is an error.
func NewThresholdedReLU(cfg ThresholdedReLUConfig) (*ThresholdedReLU, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("thresholded_re_lu_%d", thresholdedReLUCount.Add(1))
	}
	if err := finite("ThresholdedReLU", cfg.Name, "theta", cfg.Theta, true); err != nil {
		return nil, err
	}
	theta := cfg.Theta
	fn := func(x float64) (float64, float64) {
		if x > theta {
			return x, 1
		}
		return 0, 0
	}
	return &ThresholdedReLU{cfg: cfg, pointwise: pointwise{class: "ThresholdedReLU", name: cfg.Name, fn: fn}}, nil
}

// Config returns the ThresholdedReLUConfig as JSON.
func (l *ThresholdedReLU) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// SoftmaxConfig configures a Softmax layer (Keras' Softmax(axis=-1)).
type SoftmaxConfig struct {
	// Name is the layer's name; empty gives "softmax_<n>".
	Name string `json:"name,omitempty"`
	// Axis is the axis normalized, counted as Keras counts it, with the
	// batch axis 0 (−1, the default of SoftmaxDefaults, is the last). The
	// batch axis itself is refused.
	Axis int `json:"axis"`
}

// SoftmaxDefaults returns Keras' Softmax() defaults: axis −1.
func SoftmaxDefaults() SoftmaxConfig { return SoftmaxConfig{Axis: -1} }

// Softmax is Keras' softmax layer along one axis:
// y = exp(x − max x)/Σ exp(x − max x), the max and the sum along Axis;
// dx = y ⊙ (dy − Σ dy⊙y), the sum along Axis. A mask passes on unchanged
// (Keras 2.2.4's Softmax ignores it). Keras 2.2.4 normalizes 2-D inputs
// (batch, features) along the last axis whatever the axis, later Keras
// along the axis given; the two agree except for axis 0, the batch, which
// is refused here.
type Softmax struct {
	cfg     SoftmaxConfig
	inShape []int
	axis    int // resolved, batch-first, >= 1
}

var softmaxCount atomic.Int64

// NewSoftmax returns a Softmax layer; the axis is checked by Build, once
// the input's rank is known.
func NewSoftmax(cfg SoftmaxConfig) (*Softmax, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("softmax_%d", softmaxCount.Add(1))
	}
	return &Softmax{cfg: cfg}, nil
}

// Name returns the layer's name.
func (s *Softmax) Name() string { return s.cfg.Name }

// Type returns "Softmax".
func (s *Softmax) Type() string { return "Softmax" }

// Config returns the SoftmaxConfig as JSON.
func (s *Softmax) Config() (json.RawMessage, error) { return json.Marshal(s.cfg) }

// Params returns nil: Softmax has no weights.
func (s *Softmax) Params() []*graph.Param { return nil }

// Build records the input shape and resolves the axis: for r dimensions
// per sample, axis in [−(r+1), r], not the batch axis (0 or −(r+1)).
func (s *Softmax) Build(in [][]int, dt tensor.Dtype) error {
	shape, err := anyShape("Softmax", s.cfg.Name, in, dt)
	if err != nil {
		return err
	}
	r := len(shape)
	a := s.cfg.Axis
	if a < 0 {
		a += r + 1
	}
	if a < 0 || a > r {
		return fmt.Errorf("layers: Softmax %s: axis %d for inputs of shape %s: want an axis in [%d, %d] (batch axis 0)", s.cfg.Name, s.cfg.Axis, graph.FormatShape(shape), -(r + 1), r)
	}
	if a == 0 {
		return fmt.Errorf("layers: Softmax %s: axis %d is the batch axis: softmax across the samples of a batch is not supported (want an axis in [1, %d] or [%d, -1])", s.cfg.Name, s.cfg.Axis, r, -r)
	}
	s.inShape, s.axis = shape, a
	return nil
}

// OutputShapes is the input shape.
func (s *Softmax) OutputShapes() [][]int {
	if s.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), s.inShape...)}
}

// lines returns, for a batch of shape xs, the number of lines along the
// axis, their length and the stride between their elements; line k starts
// at (k / stride)·n·stride + k % stride.
func (s *Softmax) lines(xs []int) (count, n, stride int) {
	n, stride = xs[s.axis], 1
	for _, d := range xs[s.axis+1:] {
		stride *= d
	}
	return tensor.Shape(xs).TotalSize() / n, n, stride
}

// Forward returns the softmax of in[0] along the axis and passes a mask on.
func (s *Softmax) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := checkedInput("Softmax", s.cfg.Name, s.inShape, in, masks)
	if err != nil {
		return nil, err
	}
	xs := []int(x.Shape())
	count, n, stride := s.lines(xs)
	y := graph.Float64s(x)
	for k := 0; k < count; k++ {
		start := (k/stride)*n*stride + k%stride
		m := math.Inf(-1)
		for j := 0; j < n; j++ {
			m = max(m, y[start+j*stride])
		}
		sum := 0.0
		for j := 0; j < n; j++ {
			i := start + j*stride
			y[i] = math.Exp(y[i] - m)
			sum += y[i]
		}
		for j := 0; j < n; j++ {
			y[start+j*stride] /= sum
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(x.Dtype(), xs, y)}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("Softmax", s.cfg.Name, dOut, x.Dtype(), xs)
			if err != nil {
				return nil, err
			}
			g := graph.Float64s(dy)
			for k := 0; k < count; k++ {
				start := (k/stride)*n*stride + k%stride
				dot := 0.0
				for j := 0; j < n; j++ {
					i := start + j*stride
					dot += g[i] * y[i]
				}
				for j := 0; j < n; j++ {
					i := start + j*stride
					g[i] = y[i] * (g[i] - dot)
				}
			}
			return []*tensor.Dense{graph.NewTensor(x.Dtype(), xs, g)}, nil
		}
	}
	return pass, nil
}

func init() {
	register("LeakyReLU", LeakyReLUDefaults(), func(cfg LeakyReLUConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewLeakyReLU(cfg)
	})
	register("ReLU", ReLUConfig{}, func(cfg ReLUConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewReLU(cfg)
	})
	register("ELU", ELUDefaults(), func(cfg ELUConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewELU(cfg)
	})
	register("ThresholdedReLU", ThresholdedReLUDefaults(), func(cfg ThresholdedReLUConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewThresholdedReLU(cfg)
	})
	register("Softmax", SoftmaxDefaults(), func(cfg SoftmaxConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewSoftmax(cfg)
	})
}
