package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds ZeroPadding1D, Cropping1D and UpSampling1D, Keras
// 2.2.4's layers of keras/layers/convolutional.py that change the length
// of a (steps, features) sequence. None of them supports masking.

// Pair is two whole numbers, (before, after) on the steps axis. In JSON it
// is a list of two numbers, as Keras writes the tuple, or one number n,
// read as (n, n), as Keras' conv_utils.normalize_tuple reads it.
type Pair [2]int

// UnmarshalJSON reads a whole number or a list of two.
func (p *Pair) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	l, ok := v.([]any)
	if !ok {
		l = []any{v, v}
	}
	if len(l) != 2 {
		return fmt.Errorf("%s: want a whole number or a list of two", b)
	}
	for i, e := range l {
		f, ok := e.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<30 {
			return fmt.Errorf("%s: want a whole number or a list of two", b)
		}
		p[i] = int(f)
	}
	return nil
}

// UnmarshalJSON reads the config; keys left out keep c's values.
func (c *ZeroPadding1DConfig) UnmarshalJSON(b []byte) error {
	type plain ZeroPadding1DConfig
	return unmarshalPair(b, (*plain)(c), "padding", &c.Padding)
}

// UnmarshalJSON reads the config; keys left out keep c's values.
func (c *Cropping1DConfig) UnmarshalJSON(b []byte) error {
	type plain Cropping1DConfig
	return unmarshalPair(b, (*plain)(c), "cropping", &c.Cropping)
}

// unmarshalPair decodes b into cfg, all but key, then key into p, naming
// key in its error.
func unmarshalPair(b []byte, cfg any, key string, p *Pair) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	v, ok := raw[key]
	delete(raw, key)
	rest, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(rest, cfg); err != nil {
		return err
	}
	if ok {
		if err := p.UnmarshalJSON(v); err != nil {
			return fmt.Errorf("%s %w", key, err)
		}
	}
	return nil
}

// steps3 checks that in is one (steps, features) input, steps possibly
// graph.None.
func steps3(class, name string, in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) != 2 || in[0][1] < 1 || (in[0][0] < 1 && in[0][0] != graph.None) {
		return fmt.Errorf("layers: %s %s: inputs of shape %s: want one input of shape (batch, steps, features), steps possibly None", class, name, formatShapes(in))
	}
	return nil
}

// stepsLayer is what the three layers share: the input's shape, the map
// from output steps to input steps, Forward and Backward.
type stepsLayer struct {
	class, name string
	inShape     []int
	// outSteps is the output's steps for an input's; src the input step of
	// output step t for an input of the given steps, or -1 for a zero.
	outSteps func(steps int) int
	src      func(t, steps int) int
}

// Params returns nil: the layer has no weights.
func (s *stepsLayer) Params() []*graph.Param { return nil }

// OutputShapes is (outSteps(steps), features), None for None.
func (s *stepsLayer) OutputShapes() [][]int {
	if s.inShape == nil {
		return nil
	}
	steps := s.inShape[0]
	if steps != graph.None {
		steps = s.outSteps(steps)
	}
	return [][]int{{steps, s.inShape[1]}}
}

// FreeShape leaves the steps open: the layers take any length.
func (s *stepsLayer) FreeShape(example []int) []int {
	if len(example) != 2 {
		return example
	}
	return []int{graph.None, example[1]}
}

// forward gathers the output y[b, t, f] = x[b, src(t), f] (0 for src −1);
// the gradient adds dy[b, t, f] into dx[b, src(t), f].
func (s *stepsLayer) forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput(s.class, s.name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask(s.class, s.name, mask); err != nil {
		return nil, err
	}
	if s.inShape == nil || !graph.FitsShape(x.Shape(), s.inShape) {
		return nil, fmt.Errorf("layers: %s %s: input of shape %v: want %s", s.class, s.name, []int(x.Shape()), graph.FormatShape(s.inShape))
	}
	b, steps, f := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	out := s.outSteps(steps)
	if out < 1 {
		return nil, fmt.Errorf("layers: %s %s: input of %d steps gives %d steps: want more steps", s.class, s.name, steps, out)
	}
	xv := graph.Float64s(x)
	yv := make([]float64, b*out*f)
	for bi := range b {
		for t := range out {
			if j := s.src(t, steps); j >= 0 {
				copy(yv[(bi*out+t)*f:(bi*out+t+1)*f], xv[(bi*steps+j)*f:(bi*steps+j+1)*f])
			}
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(x.Dtype(), []int{b, out, f}, yv)}}
	if training {
		dt := x.Dtype()
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad(s.class, s.name, dOut, dt, []int{b, out, f})
			if err != nil {
				return nil, err
			}
			dyv := graph.Float64s(dy)
			dx := make([]float64, b*steps*f)
			for bi := range b {
				for t := range out {
					if j := s.src(t, steps); j >= 0 {
						for k := range f {
							dx[(bi*steps+j)*f+k] += dyv[(bi*out+t)*f+k]
						}
					}
				}
			}
			return []*tensor.Dense{graph.NewTensor(dt, []int{b, steps, f}, dx)}, nil
		}
	}
	return pass, nil
}

// ZeroPadding1DConfig configures a ZeroPadding1D layer (Keras'
// ZeroPadding1D(padding)).
type ZeroPadding1DConfig struct {
	// Name is the layer's name; empty gives "zero_padding1d_<n>".
	Name string `json:"name,omitempty"`
	// Padding is the number of zero steps added (before, after), each ≥ 0.
	// The zero value pads nothing; a JSON config without the key (the
	// registry's factory) takes Keras' default 1, that is (1, 1). JSON: a
	// number or a list of two.
	Padding Pair `json:"padding"`
}

// ZeroPadding1D adds zero steps before and after each sequence, as Keras
// 2.2.4's ZeroPadding1D (K.temporal_padding): (batch, steps, features)
// becomes (batch, p₀ + steps + p₁, features) with y[b, p₀ + t, f] =
// x[b, t, f] and zeros elsewhere; dx[b, t, f] = dy[b, p₀ + t, f]. It does
// not support masking, as in Keras 2.2.4.
type ZeroPadding1D struct {
	cfg ZeroPadding1DConfig
	stepsLayer
}

var zeroPadding1DCount atomic.Int64

// NewZeroPadding1D returns a ZeroPadding1D layer; a negative padding is an
// error.
func NewZeroPadding1D(cfg ZeroPadding1DConfig) (*ZeroPadding1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("zero_padding1d_%d", zeroPadding1DCount.Add(1))
	}
	p := cfg.Padding
	if p[0] < 0 || p[1] < 0 {
		return nil, fmt.Errorf("layers: ZeroPadding1D %s: padding %v: want two whole numbers ≥ 0 (before, after)", cfg.Name, p)
	}
	return &ZeroPadding1D{cfg: cfg, stepsLayer: stepsLayer{class: "ZeroPadding1D", name: cfg.Name,
		outSteps: func(n int) int { return p[0] + n + p[1] },
		src: func(t, steps int) int {
			if t < p[0] || t >= p[0]+steps {
				return -1
			}
			return t - p[0]
		},
	}}, nil
}

func init() {
	register("ZeroPadding1D", ZeroPadding1DConfig{Padding: Pair{1, 1}}, func(cfg ZeroPadding1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewZeroPadding1D(cfg)
	})
	register("Cropping1D", Cropping1DConfig{Cropping: Pair{1, 1}}, func(cfg Cropping1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewCropping1D(cfg)
	})
	register("UpSampling1D", UpSampling1DConfig{Size: 2}, func(cfg UpSampling1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewUpSampling1D(cfg)
	})
}

// Name returns the layer's name.
func (l *ZeroPadding1D) Name() string { return l.cfg.Name }

// Type returns "ZeroPadding1D".
func (l *ZeroPadding1D) Type() string { return "ZeroPadding1D" }

// Config returns the ZeroPadding1DConfig as JSON.
func (l *ZeroPadding1D) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// Build checks that the one input is (steps, features).
func (l *ZeroPadding1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := steps3("ZeroPadding1D", l.cfg.Name, in, dt); err != nil {
		return err
	}
	l.inShape = append([]int(nil), in[0]...)
	return nil
}

// Forward pads each sequence with zeros; a mask is an error.
func (l *ZeroPadding1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	return l.forward(in, masks, training)
}

// Cropping1DConfig configures a Cropping1D layer (Keras'
// Cropping1D(cropping)).
type Cropping1DConfig struct {
	// Name is the layer's name; empty gives "cropping1d_<n>".
	Name string `json:"name,omitempty"`
	// Cropping is the number of steps removed (at the start, at the end),
	// each ≥ 0. The zero value crops nothing; a JSON config without the key
	// takes Keras' default (1, 1). JSON: a number or a list of two.
	Cropping Pair `json:"cropping"`
}

// Cropping1D removes steps at the start and the end of each sequence, as
// Keras 2.2.4's Cropping1D (inputs[:, c₀:steps − c₁]): (batch, steps,
// features) becomes (batch, steps − c₀ − c₁, features) with y[b, t, f] =
// x[b, c₀ + t, f]; the gradient is dy at the kept steps and 0 at the
// cropped ones. At least one step must remain (an error otherwise; Keras
// 2.2.4 would give an empty or wrong-sized tensor). It does not support
// masking, as in Keras 2.2.4.
type Cropping1D struct {
	cfg Cropping1DConfig
	stepsLayer
}

var cropping1DCount atomic.Int64

// NewCropping1D returns a Cropping1D layer; a negative cropping is an
// error.
func NewCropping1D(cfg Cropping1DConfig) (*Cropping1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("cropping1d_%d", cropping1DCount.Add(1))
	}
	c := cfg.Cropping
	if c[0] < 0 || c[1] < 0 {
		return nil, fmt.Errorf("layers: Cropping1D %s: cropping %v: want two whole numbers ≥ 0 (start, end)", cfg.Name, c)
	}
	return &Cropping1D{cfg: cfg, stepsLayer: stepsLayer{class: "Cropping1D", name: cfg.Name,
		outSteps: func(n int) int { return n - c[0] - c[1] },
		src:      func(t, _ int) int { return t + c[0] },
	}}, nil
}

// Name returns the layer's name.
func (l *Cropping1D) Name() string { return l.cfg.Name }

// Type returns "Cropping1D".
func (l *Cropping1D) Type() string { return "Cropping1D" }

// Config returns the Cropping1DConfig as JSON.
func (l *Cropping1D) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// Build checks that the one input is (steps, features) with more than
// c₀ + c₁ steps (or None).
func (l *Cropping1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := steps3("Cropping1D", l.cfg.Name, in, dt); err != nil {
		return err
	}
	c := l.cfg.Cropping
	if n := in[0][0]; n != graph.None && n-c[0]-c[1] < 1 {
		return fmt.Errorf("layers: Cropping1D %s: cropping %v of an input of %d steps leaves none: want fewer than %d steps cropped", l.cfg.Name, c, n, n)
	}
	l.inShape = append([]int(nil), in[0]...)
	return nil
}

// Forward crops each sequence; a mask is an error.
func (l *Cropping1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	return l.forward(in, masks, training)
}

// UpSampling1DConfig configures an UpSampling1D layer (Keras'
// UpSampling1D(size)).
type UpSampling1DConfig struct {
	// Name is the layer's name; empty gives "up_sampling1d_<n>".
	Name string `json:"name,omitempty"`
	// Size is the number of times each step is repeated, ≥ 1; a JSON
	// config without the key takes Keras' default 2.
	Size int `json:"size"`
}

// UpSampling1D repeats each step Size times, as Keras 2.2.4's
// UpSampling1D (K.repeat_elements on axis 1): (batch, steps, features)
// becomes (batch, steps·size, features) with y[b, t, f] = x[b, ⌊t/size⌋,
// f]; dx[b, t, f] = Σ_{k<size} dy[b, t·size + k, f]. It does not support
// masking, as in Keras 2.2.4.
type UpSampling1D struct {
	cfg UpSampling1DConfig
	stepsLayer
}

var upSampling1DCount atomic.Int64

// NewUpSampling1D returns an UpSampling1D layer; a size below 1 is an
// error.
func NewUpSampling1D(cfg UpSampling1DConfig) (*UpSampling1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("up_sampling1d_%d", upSampling1DCount.Add(1))
	}
	n := cfg.Size
	if n < 1 || n > 1<<20 {
		return nil, fmt.Errorf("layers: UpSampling1D %s: size %d: want a whole number from 1 to %d", cfg.Name, n, 1<<20)
	}
	return &UpSampling1D{cfg: cfg, stepsLayer: stepsLayer{class: "UpSampling1D", name: cfg.Name,
		outSteps: func(s int) int { return s * n },
		src:      func(t, _ int) int { return t / n },
	}}, nil
}

// Name returns the layer's name.
func (l *UpSampling1D) Name() string { return l.cfg.Name }

// Type returns "UpSampling1D".
func (l *UpSampling1D) Type() string { return "UpSampling1D" }

// Config returns the UpSampling1DConfig as JSON.
func (l *UpSampling1D) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// Build checks that the one input is (steps, features).
func (l *UpSampling1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := steps3("UpSampling1D", l.cfg.Name, in, dt); err != nil {
		return err
	}
	l.inShape = append([]int(nil), in[0]...)
	return nil
}

// Forward repeats each step; a mask is an error.
func (l *UpSampling1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	return l.forward(in, masks, training)
}
