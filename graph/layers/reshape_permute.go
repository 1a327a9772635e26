package layers

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds Reshape and Permute (keras/layers/core.py of Keras
// 2.2.4): per-sample reshapes and transposes, plain index copies like
// Flatten, their gradients the inverse copies.

// ReshapeConfig configures a Reshape layer (Keras' Reshape(target_shape)).
type ReshapeConfig struct {
	// Name is the layer's name; empty gives "reshape_<n>".
	Name string `json:"name,omitempty"`
	// TargetShape is the per-sample output shape (the batch left out), each
	// entry at least 1, and at most one -1: the size that makes the total
	// equal the input's.
	TargetShape []int `json:"target_shape"`
}

// Reshape reshapes each sample to TargetShape, as Keras' Reshape: (batch,
// d1, ..., dk) becomes (batch, t1, ..., tm) with the values in the same
// row-major order, Π t = Π d (a -1 in TargetShape is Π d / Π of the
// others). The gradient is dy reshaped back. With a None in the input
// shape, the output's -1 is None (as Keras' compute_output_shape says) and
// the sizes are checked on each batch. It does not support masking (Keras
// 2.2.4's Reshape does not set supports_masking): a masked input is an
// error.
type Reshape struct {
	cfg      ReshapeConfig
	inShape  []int
	outShape []int
}

var reshapeCount atomic.Int64

// NewReshape returns a Reshape layer; an empty target shape, a size below
// 1 other than -1, or more than one -1 is an error naming the layer.
func NewReshape(cfg ReshapeConfig) (*Reshape, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("reshape_%d", reshapeCount.Add(1))
	}
	if len(cfg.TargetShape) == 0 {
		return nil, fmt.Errorf("layers: Reshape %s: target_shape is empty: want the per-sample output shape, for example [4, -1]", cfg.Name)
	}
	unknown := 0
	for _, d := range cfg.TargetShape {
		switch {
		case d == -1:
			unknown++
		case d < 1:
			return nil, fmt.Errorf("layers: Reshape %s: target_shape %v: want sizes of at least 1, and at most one -1", cfg.Name, cfg.TargetShape)
		}
	}
	if unknown > 1 {
		return nil, fmt.Errorf("layers: Reshape %s: target_shape %v: can only specify one unknown dimension (-1)", cfg.Name, cfg.TargetShape)
	}
	cfg.TargetShape = slices.Clone(cfg.TargetShape)
	return &Reshape{cfg: cfg}, nil
}

func init() {
	register("Reshape", ReshapeConfig{}, func(cfg ReshapeConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewReshape(cfg)
	})
}

// Name returns the layer's name.
func (r *Reshape) Name() string { return r.cfg.Name }

// Type returns "Reshape".
func (r *Reshape) Type() string { return "Reshape" }

// Config returns the ReshapeConfig as JSON.
func (r *Reshape) Config() (json.RawMessage, error) { return json.Marshal(r.cfg) }

// Params returns nil: Reshape has no weights.
func (r *Reshape) Params() []*graph.Param { return nil }

// resolve returns the target shape for n values per sample, or an error
// naming the layer when they do not fit it.
func (r *Reshape) resolve(n int, from string) ([]int, error) {
	out := slices.Clone(r.cfg.TargetShape)
	known, unknown := 1, -1
	for i, d := range out {
		switch {
		case d == -1:
			unknown = i
		case known > n/d:
			known = n + 1 // more than n values: no fit (and no overflow)
		default:
			known *= d
		}
	}
	if unknown >= 0 && known <= n && n%known == 0 {
		out[unknown] = n / known
		return out, nil
	}
	if unknown < 0 && n == known {
		return out, nil
	}
	return nil, fmt.Errorf("layers: Reshape %s: an input of %s (%d values per sample) does not fit target_shape %v: total size of new array must be unchanged",
		r.cfg.Name, from, n, r.cfg.TargetShape)
}

// Build checks that the one input's size fits the target shape.
func (r *Reshape) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) == 0 {
		return fmt.Errorf("layers: Reshape %s: inputs of shape %s: want one input of at least (batch, d1)", r.cfg.Name, formatShapes(in))
	}
	n, free := 1, false
	for _, d := range in[0] {
		switch {
		case d == graph.None:
			free = true
		case d < 1:
			return fmt.Errorf("layers: Reshape %s: input shape %s: want sizes of at least 1", r.cfg.Name, graph.FormatShape(in[0]))
		default:
			n *= d
		}
	}
	var out []int
	if free {
		// As Keras: -1 becomes None; the sizes are checked on each batch.
		out = slices.Clone(r.cfg.TargetShape)
		for i, d := range out {
			if d == -1 {
				out[i] = graph.None
			}
		}
	} else {
		var err error
		if out, err = r.resolve(n, "shape "+graph.FormatShape(in[0])); err != nil {
			return err
		}
	}
	r.inShape, r.outShape = slices.Clone(in[0]), out
	return nil
}

// OutputShapes is the target shape (-1 resolved, or None when the input
// has a None).
func (r *Reshape) OutputShapes() [][]int {
	if r.inShape == nil {
		return nil
	}
	return [][]int{slices.Clone(r.outShape)}
}

// Forward reshapes each sample.
func (r *Reshape) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("Reshape", r.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask("Reshape", r.cfg.Name, mask); err != nil {
		return nil, err
	}
	if r.inShape == nil || !graph.FitsShape(x.Shape(), r.inShape) {
		return nil, fmt.Errorf("layers: Reshape %s: input of shape %v: want %s", r.cfg.Name, []int(x.Shape()), graph.FormatShape(r.inShape))
	}
	b := x.Shape()[0]
	target, err := r.resolve(x.Shape().TotalSize()/b, fmt.Sprintf("shape %v", []int(x.Shape())))
	if err != nil {
		return nil, err
	}
	out := append([]int{b}, target...)
	pass := &graph.Pass{Outputs: []*tensor.Dense{gatherElems(x, nil, out)}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("Reshape", r.cfg.Name, dOut, x.Dtype(), out)
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{scatterElems(dy, nil, x.Shape())}, nil
		}
	}
	return pass, nil
}

// PermuteConfig configures a Permute layer (Keras' Permute(dims)).
type PermuteConfig struct {
	// Name is the layer's name; empty gives "permute_<n>".
	Name string `json:"name,omitempty"`
	// Dims is a permutation of 1, ..., k for inputs (batch, d1, ..., dk),
	// numbered from 1 as in Keras (the batch axis 0 stays first): output
	// axis i is input axis Dims[i-1].
	Dims []int `json:"dims"`
}

// Permute transposes the axes of each sample, as Keras' Permute:
// y[b, i1, ..., ik] = x[b, j1, ..., jk] with j_{Dims[a]} = i_a (the output's
// axis a is the input's axis Dims[a], 1-based), so Dims (2, 1) turns
// (batch, steps, channels) into (batch, channels, steps). The gradient is
// the inverse permutation of dy. It does not support masking (Keras
// 2.2.4's Permute does not set supports_masking): a masked input is an
// error.
type Permute struct {
	cfg      PermuteConfig
	inShape  []int
	outShape []int
}

var permuteCount atomic.Int64

// NewPermute returns a Permute layer; Dims that are not a permutation of
// 1, ..., len(Dims) are an error naming the layer (as tf.keras and Keras 3
// check; Keras 2.2.4 fails later, when the layer is called).
func NewPermute(cfg PermuteConfig) (*Permute, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("permute_%d", permuteCount.Add(1))
	}
	sorted := slices.Sorted(slices.Values(cfg.Dims))
	for i, d := range sorted {
		if d != i+1 {
			sorted = nil
			break
		}
	}
	if len(sorted) == 0 {
		return nil, fmt.Errorf("layers: Permute %s: dims %v: want a permutation of 1, ..., %d (axes numbered from 1; the batch axis 0 stays first)", cfg.Name, cfg.Dims, max(len(cfg.Dims), 1))
	}
	cfg.Dims = slices.Clone(cfg.Dims)
	return &Permute{cfg: cfg}, nil
}

func init() {
	register("Permute", PermuteConfig{}, func(cfg PermuteConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewPermute(cfg)
	})
}

// Name returns the layer's name.
func (p *Permute) Name() string { return p.cfg.Name }

// Type returns "Permute".
func (p *Permute) Type() string { return "Permute" }

// Config returns the PermuteConfig as JSON.
func (p *Permute) Config() (json.RawMessage, error) { return json.Marshal(p.cfg) }

// Params returns nil: Permute has no weights.
func (p *Permute) Params() []*graph.Param { return nil }

// Build checks that the one input has len(Dims) axes besides the batch.
func (p *Permute) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) != len(p.cfg.Dims) {
		return fmt.Errorf("layers: Permute %s: inputs of shape %s: dims %v want one input of %d axes besides the batch", p.cfg.Name, formatShapes(in), p.cfg.Dims, len(p.cfg.Dims))
	}
	for _, d := range in[0] {
		if d < 1 && d != graph.None {
			return fmt.Errorf("layers: Permute %s: input shape %s: want sizes of at least 1", p.cfg.Name, graph.FormatShape(in[0]))
		}
	}
	p.inShape = slices.Clone(in[0])
	p.outShape = make([]int, len(p.cfg.Dims))
	for i, d := range p.cfg.Dims {
		p.outShape[i] = in[0][d-1]
	}
	return nil
}

// OutputShapes is the input's shape permuted.
func (p *Permute) OutputShapes() [][]int {
	if p.inShape == nil {
		return nil
	}
	return [][]int{slices.Clone(p.outShape)}
}

// Forward permutes the axes of each sample.
func (p *Permute) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("Permute", p.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask("Permute", p.cfg.Name, mask); err != nil {
		return nil, err
	}
	if p.inShape == nil || !graph.FitsShape(x.Shape(), p.inShape) {
		return nil, fmt.Errorf("layers: Permute %s: input of shape %v: want %s", p.cfg.Name, []int(x.Shape()), graph.FormatShape(p.inShape))
	}
	xs := []int(x.Shape())
	k := len(p.cfg.Dims)
	// stride[a]: the step in x's backing array of input axis a (a = 0 the batch).
	stride := make([]int, k+1)
	stride[k] = 1
	for a := k - 1; a >= 0; a-- {
		stride[a] = stride[a+1] * xs[a+1]
	}
	out := make([]int, k+1)
	ostride := make([]int, k+1) // the input stride of each output axis
	out[0], ostride[0] = xs[0], stride[0]
	for i, d := range p.cfg.Dims {
		out[i+1], ostride[i+1] = xs[d], stride[d]
	}
	src := make([]int, x.Shape().TotalSize())
	idx := make([]int, k+1) // the output's multi-index
	off := 0                // its element's offset in x
	for i := range src {
		src[i] = off
		for a := k; a >= 0; a-- { // next multi-index, row-major
			idx[a]++
			off += ostride[a]
			if idx[a] < out[a] {
				break
			}
			off -= idx[a] * ostride[a]
			idx[a] = 0
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{gatherElems(x, src, out)}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("Permute", p.cfg.Name, dOut, x.Dtype(), out)
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{scatterElems(dy, src, x.Shape())}, nil
		}
	}
	return pass, nil
}
