package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds the pooling layers that reduce every step of a sequence:
// GlobalMaxPooling1D and GlobalAveragePooling1D (Keras' _GlobalPooling1D
// subclasses, keras/layers/pooling.py of Keras 2.2.4). They have no
// weights; their passes are plain Go, checked by finite differences.

// GlobalPooling1DConfig configures a GlobalMaxPooling1D or a
// GlobalAveragePooling1D layer with Keras 2.2.4's argument data_format and
// the keepdims that tf.keras (2.6 and later) and Keras 3 add.
type GlobalPooling1DConfig struct {
	// Name is the layer's name; empty gives "global_max_pooling1d_<n>" or
	// "global_average_pooling1d_<n>".
	Name string `json:"name,omitempty"`
	// DataFormat is "channels_last" (the default; "" means it): inputs
	// (batch, steps, channels). Keras' "channels_first" is not supported.
	DataFormat string `json:"data_format,omitempty"`
	// KeepDims keeps the steps axis with size 1: the output is (batch, 1,
	// channels) instead of (batch, channels). Keras 2.2.4 has not this
	// argument (false there), so a model with KeepDims true cannot be
	// saved as a Keras 2.2.4 file.
	KeepDims bool `json:"keepdims,omitempty"`
}

// GlobalPooling1D is Keras' GlobalMaxPooling1D or GlobalAveragePooling1D:
// it reduces the steps of a (batch, steps, channels) input to (batch,
// channels) (or (batch, 1, channels) with KeepDims).
//
// GlobalMaxPooling1D computes y[b, c] = max_t x[b, t, c]; the gradient goes
// to the step that gave the max (the first one on ties; a NaN wins, as
// TensorFlow's max propagates it). As in Keras 2.2.4 it does not support
// masking: a masked input is an error (tf.keras and Keras 3 drop the mask,
// Keras 3 with a warning, and take the max over every step, padding
// included; refusing says so instead of computing that).
//
// GlobalAveragePooling1D computes y[b, c] = (1/steps)·Σ_t x[b, t, c], or,
// with a mask m (Keras 2.2.4 supports masking here),
//
//	y[b, c] = Σ_t x[b, t, c]·m[b, t] / Σ_t m[b, t]
//
// the mean over the real steps, so that a padded sequence gives what it
// gives alone at its true length. Its gradient is dx[b, t, c] =
// dy[b, c]·m[b, t]/Σ_t m[b, t] (m = 1 without a mask). A sample whose
// steps are all masked gives 0/0 = NaN, as in Keras. Neither layer passes
// a mask on (Keras' compute_mask returns None).
//
// The steps may be None (variable-length sequences): the reduction is
// over the steps of each batch.
type GlobalPooling1D struct {
	class   string // "GlobalMaxPooling1D" or "GlobalAveragePooling1D"
	cfg     GlobalPooling1DConfig
	inShape []int
}

var globalMaxPooling1DCount, globalAveragePooling1DCount atomic.Int64

// NewGlobalMaxPooling1D returns a GlobalMaxPooling1D layer; a data format
// other than channels_last is an error naming the layer.
func NewGlobalMaxPooling1D(cfg GlobalPooling1DConfig) (*GlobalPooling1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("global_max_pooling1d_%d", globalMaxPooling1DCount.Add(1))
	}
	return newGlobalPooling1D("GlobalMaxPooling1D", cfg)
}

// NewGlobalAveragePooling1D returns a GlobalAveragePooling1D layer; a data
// format other than channels_last is an error naming the layer.
func NewGlobalAveragePooling1D(cfg GlobalPooling1DConfig) (*GlobalPooling1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("global_average_pooling1d_%d", globalAveragePooling1DCount.Add(1))
	}
	return newGlobalPooling1D("GlobalAveragePooling1D", cfg)
}

func newGlobalPooling1D(class string, cfg GlobalPooling1DConfig) (*GlobalPooling1D, error) {
	if cfg.DataFormat == "" {
		cfg.DataFormat = "channels_last"
	}
	if err := checkChannelsLast(class, cfg.Name, cfg.DataFormat); err != nil {
		return nil, err
	}
	return &GlobalPooling1D{class: class, cfg: cfg}, nil
}

// checkChannelsLast returns an error naming the layer unless format is
// channels_last.
func checkChannelsLast(class, name, format string) error {
	if format == "channels_last" {
		return nil
	}
	if format == "channels_first" {
		return fmt.Errorf("layers: %s %s: data_format \"channels_first\" is not supported: only \"channels_last\" (inputs (batch, steps, channels)); put a Permute((2, 1)) before the layer for (batch, channels, steps) inputs", class, name)
	}
	return fmt.Errorf("layers: %s %s: data_format %q: want \"channels_last\" (\"channels_first\" is not supported)", class, name, format)
}

func init() {
	register("GlobalMaxPooling1D", GlobalPooling1DConfig{}, func(cfg GlobalPooling1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewGlobalMaxPooling1D(cfg)
	})
	register("GlobalAveragePooling1D", GlobalPooling1DConfig{}, func(cfg GlobalPooling1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewGlobalAveragePooling1D(cfg)
	})
}

// Name returns the layer's name.
func (g *GlobalPooling1D) Name() string { return g.cfg.Name }

// Type returns "GlobalMaxPooling1D" or "GlobalAveragePooling1D".
func (g *GlobalPooling1D) Type() string { return g.class }

// Config returns the GlobalPooling1DConfig as JSON.
func (g *GlobalPooling1D) Config() (json.RawMessage, error) { return json.Marshal(g.cfg) }

// Params returns nil: global pooling has no weights.
func (g *GlobalPooling1D) Params() []*graph.Param { return nil }

// FreeShape leaves the steps open.
func (g *GlobalPooling1D) FreeShape(example []int) []int {
	if len(example) != 2 {
		return example
	}
	return []int{graph.None, example[1]}
}

// Build checks that the one input is (steps, channels).
func (g *GlobalPooling1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) != 2 || (in[0][0] < 1 && in[0][0] != graph.None) || (in[0][1] < 1 && in[0][1] != graph.None) {
		return fmt.Errorf("layers: %s %s: inputs of shape %s: want one input (batch, steps, channels)", g.class, g.cfg.Name, formatShapes(in))
	}
	g.inShape = append([]int(nil), in[0]...)
	return nil
}

// OutputShapes is (channels), or (1, channels) with KeepDims.
func (g *GlobalPooling1D) OutputShapes() [][]int {
	if g.inShape == nil {
		return nil
	}
	if g.cfg.KeepDims {
		return [][]int{{1, g.inShape[1]}}
	}
	return [][]int{{g.inShape[1]}}
}

// outShape is the output's shape for a batch of b and ch channels.
func (g *GlobalPooling1D) outShape(b, ch int) []int {
	if g.cfg.KeepDims {
		return []int{b, 1, ch}
	}
	return []int{b, ch}
}

// Forward reduces the steps of in[0], (batch, steps, channels).
func (g *GlobalPooling1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput(g.class, g.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if g.class == "GlobalMaxPooling1D" {
		if err := noMask(g.class, g.cfg.Name, mask); err != nil {
			return nil, err
		}
	}
	if g.inShape == nil || !graph.FitsShape(x.Shape(), g.inShape) {
		return nil, fmt.Errorf("layers: %s %s: input of shape %v: want %s", g.class, g.cfg.Name, []int(x.Shape()), graph.FormatShape(g.inShape))
	}
	b, steps, ch := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	out := g.outShape(b, ch)
	if g.class == "GlobalMaxPooling1D" {
		return g.forwardMax(x, b, steps, ch, out, training)
	}
	var keep []bool
	if mask != nil {
		if !mask.Shape().Eq(tensor.Shape{b, steps}) {
			return nil, fmt.Errorf("layers: %s %s: mask of shape %v for an input of shape %v: want (%d, %d)", g.class, g.cfg.Name, []int(mask.Shape()), []int(x.Shape()), b, steps)
		}
		if keep, err = graph.MaskValues(mask); err != nil {
			return nil, fmt.Errorf("layers: %s %s: %w", g.class, g.cfg.Name, err)
		}
	}
	// As Keras 2.2.4: m[b, t] (1 without a mask), n[b] = Σ_t m[b, t] and
	// y[b, c] = Σ_t x[b, t, c]·m[b, t] / n[b]. A masked step multiplies by
	// 0, so an infinite or NaN value there makes the mean NaN, as in Keras;
	// n[b] = 0 gives 0/0 = NaN.
	m := make([]float64, b*steps)
	n := make([]float64, b)
	for i := range m {
		if keep == nil || keep[i] {
			m[i] = 1
			n[i/steps]++
		}
	}
	vals := graph.Float64s(x)
	y := make([]float64, b*ch)
	for i, v := range vals {
		bi, t, c := i/(steps*ch), i/ch%steps, i%ch
		y[bi*ch+c] += v * m[bi*steps+t]
	}
	for i := range y {
		y[i] /= n[i/ch]
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(x.Dtype(), out, y)}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad(g.class, g.cfg.Name, dOut, x.Dtype(), out)
			if err != nil {
				return nil, err
			}
			dyv := graph.Float64s(dy)
			dx := make([]float64, b*steps*ch)
			for i := range dx {
				bi, t, c := i/(steps*ch), i/ch%steps, i%ch
				dx[i] = dyv[bi*ch+c] * m[bi*steps+t] / n[bi]
			}
			return []*tensor.Dense{graph.NewTensor(x.Dtype(), x.Shape(), dx)}, nil
		}
	}
	return pass, nil
}

// forwardMax is GlobalMaxPooling1D's Forward.
func (g *GlobalPooling1D) forwardMax(x *tensor.Dense, b, steps, ch int, out []int, training bool) (*graph.Pass, error) {
	vals := graph.Float64s(x)
	// src[b·ch + c] is the input element that gives y[b, c].
	src := make([]int, b*ch)
	for bi := 0; bi < b; bi++ {
		for c := 0; c < ch; c++ {
			best := bi*steps*ch + c
			for t := 1; t < steps && !math.IsNaN(vals[best]); t++ {
				if k := (bi*steps+t)*ch + c; vals[k] > vals[best] || math.IsNaN(vals[k]) {
					best = k
				}
			}
			src[bi*ch+c] = best
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{gatherElems(x, src, out)}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad(g.class, g.cfg.Name, dOut, x.Dtype(), out)
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{scatterElems(dy, src, x.Shape())}, nil
		}
	}
	return pass, nil
}
