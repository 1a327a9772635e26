package layers

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds the layers that only move values: RepeatVector and
// Flatten. They have no weights and compute nothing, so their forward and
// backward passes are plain index copies (a repeat's gradient is the sum
// over the copies), checked by finite differences like every gradient.

// noMask returns an error naming the layer when mask is not nil: a layer
// that does not support masking, as in Keras, refuses a masked input.
func noMask(class, name string, mask *tensor.Dense) error {
	if mask != nil {
		return fmt.Errorf("layers: %s %s does not support masking (as in Keras), but its input carries a mask: remove the Masking or mask_zero before it, or make the masking layer's output reach it without a mask", class, name)
	}
	return nil
}

// RepeatVectorConfig configures a RepeatVector layer (Keras'
// RepeatVector(n)).
type RepeatVectorConfig struct {
	// Name is the layer's name; empty gives "repeat_vector_<n>".
	Name string `json:"name,omitempty"`
	// N is the number of repetitions, at least 1.
	N int `json:"n"`
}

// RepeatVector repeats its input n times along a new time axis, as Keras'
// RepeatVector: (batch, features) becomes (batch, n, features),
// y[b, t, f] = x[b, f]; the gradient is dx[b, f] = Σ_t dy[b, t, f]. It does
// not support masking.
type RepeatVector struct {
	cfg     RepeatVectorConfig
	inShape []int
}

var repeatVectorCount atomic.Int64

// NewRepeatVector returns a RepeatVector layer; n < 1 is an error.
func NewRepeatVector(cfg RepeatVectorConfig) (*RepeatVector, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("repeat_vector_%d", repeatVectorCount.Add(1))
	}
	if cfg.N < 1 {
		return nil, fmt.Errorf("layers: RepeatVector %s: n %d: want at least 1", cfg.Name, cfg.N)
	}
	return &RepeatVector{cfg: cfg}, nil
}

func init() {
	register("RepeatVector", RepeatVectorConfig{}, func(cfg RepeatVectorConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewRepeatVector(cfg)
	})
}

// Name returns the layer's name.
func (r *RepeatVector) Name() string { return r.cfg.Name }

// Type returns "RepeatVector".
func (r *RepeatVector) Type() string { return "RepeatVector" }

// Config returns the RepeatVectorConfig as JSON.
func (r *RepeatVector) Config() (json.RawMessage, error) { return json.Marshal(r.cfg) }

// Params returns nil: RepeatVector has no weights.
func (r *RepeatVector) Params() []*graph.Param { return nil }

// Build checks that the one input is (features).
func (r *RepeatVector) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) != 1 {
		return fmt.Errorf("layers: RepeatVector %s: inputs of shape %s: want one input of shape (batch, features)", r.cfg.Name, formatShapes(in))
	}
	r.inShape = append([]int(nil), in[0]...)
	return nil
}

// OutputShapes is (n, features).
func (r *RepeatVector) OutputShapes() [][]int {
	if r.inShape == nil {
		return nil
	}
	return [][]int{{r.cfg.N, r.inShape[0]}}
}

// Forward repeats each sample n times.
func (r *RepeatVector) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("RepeatVector", r.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask("RepeatVector", r.cfg.Name, mask); err != nil {
		return nil, err
	}
	if r.inShape == nil || !graph.FitsShape(x.Shape(), r.inShape) {
		return nil, fmt.Errorf("layers: RepeatVector %s: input of shape %v: want %s", r.cfg.Name, []int(x.Shape()), graph.FormatShape(r.inShape))
	}
	b, f, n := x.Shape()[0], x.Shape()[1], r.cfg.N
	// y[b, t, :] = x[b, :]: copy each row n times.
	src := make([]int, b*n*f)
	for i := range src {
		bi, fi := i/(n*f), i%f
		src[i] = bi*f + fi
	}
	y := gatherElems(x, src, []int{b, n, f})
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("RepeatVector", r.cfg.Name, dOut, x.Dtype(), []int{b, n, f})
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{scatterElems(dy, src, x.Shape())}, nil
		}
	}
	return pass, nil
}

// FlattenConfig configures a Flatten layer (Keras' Flatten(data_format)).
type FlattenConfig struct {
	// Name is the layer's name; empty gives "flatten_<n>".
	Name string `json:"name,omitempty"`
	// DataFormat is "channels_last" (the default; "" means it) or
	// "channels_first", for which the input (channels, d1, ...) is
	// flattened in the order of (d1, ..., channels), as Keras does so that
	// both layouts give the same vector.
	DataFormat string `json:"data_format,omitempty"`
}

// Flatten flattens each sample to one dimension, as Keras' Flatten:
// (batch, d1, ..., dk) becomes (batch, d1·...·dk), row-major. Every
// dimension but the batch must be fixed. It does not support masking.
type Flatten struct {
	cfg     FlattenConfig
	inShape []int
	perm    []int // per sample: output i holds input perm[i]; nil for the identity
}

var flattenCount atomic.Int64

// NewFlatten returns a Flatten layer; a data format other than
// channels_last and channels_first is an error.
func NewFlatten(cfg FlattenConfig) (*Flatten, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("flatten_%d", flattenCount.Add(1))
	}
	if cfg.DataFormat == "" {
		cfg.DataFormat = "channels_last"
	}
	if cfg.DataFormat != "channels_last" && cfg.DataFormat != "channels_first" {
		return nil, fmt.Errorf("layers: Flatten %s: data_format %q: want \"channels_last\" or \"channels_first\"", cfg.Name, cfg.DataFormat)
	}
	return &Flatten{cfg: cfg}, nil
}

func init() {
	register("Flatten", FlattenConfig{}, func(cfg FlattenConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewFlatten(cfg)
	})
}

// Name returns the layer's name.
func (l *Flatten) Name() string { return l.cfg.Name }

// Type returns "Flatten".
func (l *Flatten) Type() string { return "Flatten" }

// Config returns the FlattenConfig as JSON.
func (l *Flatten) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// Params returns nil: Flatten has no weights.
func (l *Flatten) Params() []*graph.Param { return nil }

// Build checks that every dimension of the one input is fixed.
func (l *Flatten) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) == 0 {
		return fmt.Errorf("layers: Flatten %s: inputs of shape %s: want one input of at least (batch, d1)", l.cfg.Name, formatShapes(in))
	}
	for _, d := range in[0] {
		if d < 1 {
			return fmt.Errorf("layers: Flatten %s: input shape %s is not fully defined: every dimension but the batch must be fixed (give the input's length)", l.cfg.Name, graph.FormatShape(in[0]))
		}
	}
	l.inShape = append([]int(nil), in[0]...)
	l.perm = nil
	if s := l.inShape; l.cfg.DataFormat == "channels_first" && len(s) > 1 {
		// Output order (d1, ..., dk, channels) of input (channels, d1, ..., dk).
		c, rest := s[0], tensor.Shape(s[1:]).TotalSize()
		l.perm = make([]int, c*rest)
		for i := range l.perm {
			l.perm[i] = (i%c)*rest + i/c
		}
	}
	return nil
}

// OutputShapes is (d1·...·dk).
func (l *Flatten) OutputShapes() [][]int {
	if l.inShape == nil {
		return nil
	}
	return [][]int{{tensor.Shape(l.inShape).TotalSize()}}
}

// Forward flattens each sample.
func (l *Flatten) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("Flatten", l.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask("Flatten", l.cfg.Name, mask); err != nil {
		return nil, err
	}
	if l.inShape == nil || !graph.FitsShape(x.Shape(), l.inShape) {
		return nil, fmt.Errorf("layers: Flatten %s: input of shape %v: want %s", l.cfg.Name, []int(x.Shape()), graph.FormatShape(l.inShape))
	}
	b, n := x.Shape()[0], tensor.Shape(l.inShape).TotalSize()
	var src []int
	if l.perm != nil {
		src = make([]int, b*n)
		for i := range src {
			src[i] = i/n*n + l.perm[i%n]
		}
	}
	y := gatherElems(x, src, []int{b, n})
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("Flatten", l.cfg.Name, dOut, x.Dtype(), []int{b, n})
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{scatterElems(dy, src, x.Shape())}, nil
		}
	}
	return pass, nil
}

// gatherElems returns the tensor of the given shape whose element i is x's
// element src[i] (row-major; nil src: element i, a reshaped copy).
func gatherElems(x *tensor.Dense, src []int, shape []int) *tensor.Dense {
	x = graph.Contiguous(x)
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(shape...))
	switch o := out.Data().(type) {
	case []float64:
		gatherElemsInto(o, x.Data().([]float64), src)
	case []float32:
		gatherElemsInto(o, x.Data().([]float32), src)
	}
	return out
}

func gatherElemsInto[T float32 | float64](dst, x []T, src []int) {
	if src == nil {
		copy(dst, x)
		return
	}
	for i, j := range src {
		dst[i] = x[j]
	}
}

// scatterElems returns the tensor of the given shape whose element src[i]
// is the sum of dy's elements i (nil src: element i): the gradient of
// gatherElems.
func scatterElems(dy *tensor.Dense, src []int, shape []int) *tensor.Dense {
	dy = graph.Contiguous(dy)
	out := tensor.New(tensor.Of(dy.Dtype()), tensor.WithShape(shape...))
	switch o := out.Data().(type) {
	case []float64:
		scatterElemsInto(o, dy.Data().([]float64), src)
	case []float32:
		scatterElemsInto(o, dy.Data().([]float32), src)
	}
	return out
}

func scatterElemsInto[T float32 | float64](dst, dy []T, src []int) {
	if src == nil {
		copy(dst, dy)
		return
	}
	for i, j := range src {
		dst[j] += dy[i]
	}
}

// outGrad returns the one output gradient of a Backward, contiguous,
// checked against the output's dtype and shape; a nil gradient is zeros.
func outGrad(class, name string, dOut []*tensor.Dense, dt tensor.Dtype, shape []int) (*tensor.Dense, error) {
	if len(dOut) != 1 {
		return nil, fmt.Errorf("layers: %s %s: %d output gradients: want 1", class, name, len(dOut))
	}
	if dOut[0] == nil {
		return graph.NewTensor(dt, shape, nil), nil
	}
	dy := graph.Contiguous(dOut[0])
	if dy.Dtype() != dt || !dy.Shape().Eq(tensor.Shape(shape)) {
		return nil, fmt.Errorf("layers: %s %s: output gradient %v of shape %v: want %v of shape %v", class, name, dy.Dtype(), []int(dy.Shape()), dt, shape)
	}
	return dy, nil
}
