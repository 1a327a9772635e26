package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// DotAxes are the axes of a Dot layer, counted as in Keras with the batch
// axis 0: one entry for both inputs, or one per input. Negative entries
// count from the end (-1 is the last axis). In JSON it is a number when
// it has one entry and a list of two numbers otherwise, as Keras writes
// Dot's axes.
type DotAxes []int

// MarshalJSON writes one axis as a number and two as a list.
func (a DotAxes) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]int(a))
}

// UnmarshalJSON reads a number or a list of numbers.
func (a *DotAxes) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*a = DotAxes{n}
		return nil
	}
	var l []int
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("Dot axes %s: want a whole number or a list of two", b)
	}
	*a = l
	return nil
}

// DotConfig configures a Dot layer with Keras 2.2.4's arguments.
type DotConfig struct {
	// Name is the layer's name; empty gives "dot_<n>".
	Name string `json:"name,omitempty"`
	// Axes are the axes summed over (see DotAxes); required.
	Axes DotAxes `json:"axes"`
	// Normalize, when true, first scales each input to unit L2 norm along
	// its axis, so that the output is the cosine similarity.
	Normalize bool `json:"normalize"`
}

// Dot is Keras' Dot(axes, normalize) merge layer: the dot product of two
// inputs along one axis of each, sample by sample (Keras' K.batch_dot).
// With per-sample inputs x of shape (p, K) or (K) and y of shape (q, K)
// or (K), after moving the summed axes last,
//
//	out[b, i, j] = Σ_k x[b, i, k] · y[b, j, k]
//
// and the output's shape is x's per-sample shape without its axis, then
// y's without its axis, or (1) when both inputs are vectors. With
// Normalize, x and y are first l2-normalized along their axes as Keras'
// K.l2_normalize: x / sqrt(max(Σ_k x², 1e-12)). Inputs have one or two
// axes per sample (the attention scores of a seq2seq model: Dot(axes=[2,
// 2]) of a decoder's (steps, units) and an encoder's (steps, units)).
//
// Masks: as in Keras 2.2.4, Dot takes masked inputs and its output has no
// mask. It has no weights. Its arithmetic is plain Go: the gradients are
// dx̂ = dout · ŷ and dŷ = doutᵀ · x̂, through the normalization
// dx = (dx̂ − x̂ (dx̂·x̂)) / ‖x‖ (or dx̂ / sqrt(1e-12) where the norm is
// clamped), checked against finite differences.
type Dot struct {
	cfg      DotConfig
	axes     [2]int // per-sample axes, 0-based, once built
	inShapes [][]int
	outShape []int
}

var dotCount atomic.Int64

// NewDot returns a Dot layer. Axes must have one or two entries, none of
// them 0 (the batch axis); whether they exist is checked by Build.
func NewDot(cfg DotConfig) (*Dot, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("dot_%d", dotCount.Add(1))
	}
	if len(cfg.Axes) != 1 && len(cfg.Axes) != 2 {
		return nil, fmt.Errorf("layers: Dot %s: axes %v: want one axis for both inputs or one per input (two)", cfg.Name, []int(cfg.Axes))
	}
	for _, a := range cfg.Axes {
		if a == 0 {
			return nil, fmt.Errorf("layers: Dot %s: axes %v: axis 0 is the batch: want 1 or 2, or -1", cfg.Name, []int(cfg.Axes))
		}
	}
	cfg.Axes = append(DotAxes(nil), cfg.Axes...)
	return &Dot{cfg: cfg}, nil
}

func init() {
	register("Dot", DotConfig{}, func(cfg DotConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewDot(cfg)
	})
}

// Name returns the layer's name.
func (d *Dot) Name() string { return d.cfg.Name }

// Type returns "Dot".
func (d *Dot) Type() string { return "Dot" }

// Config returns the DotConfig as JSON.
func (d *Dot) Config() (json.RawMessage, error) { return json.Marshal(d.cfg) }

// Params returns nil: Dot has no weights.
func (d *Dot) Params() []*graph.Param { return nil }

// OutputShapes is the one output's per-sample shape (nil before Build).
func (d *Dot) OutputShapes() [][]int {
	if d.outShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), d.outShape...)}
}

// Build checks that there are two inputs of one or two axes per sample,
// that the axes exist, and that the inputs' sizes on them agree (graph.None
// matches any size); it records the output shape.
func (d *Dot) Build(in [][]int, dt tensor.Dtype) error {
	if err := checkInputs("Dot", d.cfg.Name, in, dt); err != nil {
		return err
	}
	if len(in) != 2 {
		return fmt.Errorf("layers: Dot %s: %d inputs: want exactly 2", d.cfg.Name, len(in))
	}
	var out []int
	for i, s := range in {
		if len(s) > 2 {
			return fmt.Errorf("layers: Dot %s: input %d of shape %s: want 1 or 2 axes per sample ((batch, features) or (batch, steps, features))", d.cfg.Name, i, graph.FormatShape(s))
		}
		a := d.cfg.Axes[0]
		if len(d.cfg.Axes) == 2 {
			a = d.cfg.Axes[i]
		}
		if a < 0 {
			a += len(s) + 1 // Keras: axis % ndim, the batch included
		}
		if a < 1 || a > len(s) {
			return fmt.Errorf("layers: Dot %s: axes %v for input %d of shape %s (batch included: %d axes): want 1 to %d, or -1 to -%d", d.cfg.Name, []int(d.cfg.Axes), i, graph.FormatShape(s), len(s)+1, len(s), len(s))
		}
		d.axes[i] = a - 1
		for k, n := range s {
			if k != a-1 {
				out = append(out, n)
			}
		}
	}
	k0, k1 := in[0][d.axes[0]], in[1][d.axes[1]]
	if k0 != k1 && k0 != graph.None && k1 != graph.None {
		return fmt.Errorf("layers: Dot %s: inputs of shapes %s: sizes %d and %d on the summed axes %d and %d: want equal sizes", d.cfg.Name, formatShapes(in), k0, k1, d.axes[0]+1, d.axes[1]+1)
	}
	if len(out) == 0 {
		out = []int{1}
	}
	d.inShapes, d.outShape = cloneShapes(in), out
	return nil
}

// dotOperand is one input seen as rows of length k: row i, element j is
// at data[i*rowStride + j*elemStride] of sample b's block of size block.
type dotOperand struct {
	rows, k, rowStride, elemStride, block int
}

// operand returns how to read input i of (per sample) shape s.
func (d *Dot) operand(i int, s []int) dotOperand {
	if len(s) == 1 {
		return dotOperand{rows: 1, k: s[0], rowStride: 0, elemStride: 1, block: s[0]}
	}
	if d.axes[i] == 1 { // (rows, k)
		return dotOperand{rows: s[0], k: s[1], rowStride: s[1], elemStride: 1, block: s[0] * s[1]}
	}
	return dotOperand{rows: s[1], k: s[0], rowStride: 1, elemStride: s[1], block: s[0] * s[1]} // (k, rows)
}

// normalized returns the operand's rows scaled to unit L2 norm and each
// row's norm, sqrt(max(Σ x², 1e-12)); clamped reports the rows whose norm
// was clamped.
func (o dotOperand) normalized(v []float64, batch int) (xh, norms []float64, clamped []bool) {
	xh = make([]float64, len(v))
	norms = make([]float64, batch*o.rows)
	clamped = make([]bool, batch*o.rows)
	for b := range batch {
		base := b * o.block
		for i := range o.rows {
			s := 0.0
			for j := range o.k {
				x := v[base+i*o.rowStride+j*o.elemStride]
				s += x * x
			}
			r := b*o.rows + i
			if s < l2Epsilon {
				s, clamped[r] = l2Epsilon, true
			}
			n := math.Sqrt(s)
			norms[r] = n
			for j := range o.k {
				at := base + i*o.rowStride + j*o.elemStride
				xh[at] = v[at] / n
			}
		}
	}
	return xh, norms, clamped
}

// l2Epsilon is K.l2_normalize's floor on the sum of squares.
const l2Epsilon = 1e-12

// Forward computes the dot products; see Dot.
func (d *Dot) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if d.outShape == nil {
		return nil, fmt.Errorf("layers: Dot %s: Forward before Build", d.cfg.Name)
	}
	if len(in) != 2 || in[0] == nil || in[1] == nil {
		return nil, fmt.Errorf("layers: Dot %s: %d inputs: want 2", d.cfg.Name, len(in))
	}
	if len(masks) > 2 {
		return nil, fmt.Errorf("layers: Dot %s: %d masks for 2 inputs", d.cfg.Name, len(masks))
	}
	x, y := graph.Contiguous(in[0]), graph.Contiguous(in[1])
	dt := x.Dtype()
	if y.Dtype() != dt {
		return nil, fmt.Errorf("layers: Dot %s: inputs of dtypes %v and %v: want one dtype", d.cfg.Name, dt, y.Dtype())
	}
	xs, ys := []int(x.Shape()), []int(y.Shape())
	if len(xs) < 2 || len(ys) < 2 || xs[0] != ys[0] || !graph.FitsShape(xs, d.inShapes[0]) || !graph.FitsShape(ys, d.inShapes[1]) {
		return nil, fmt.Errorf("layers: Dot %s: inputs of shapes %v and %v: want %s and %s with one batch size", d.cfg.Name, xs, ys, graph.FormatShape(d.inShapes[0]), graph.FormatShape(d.inShapes[1]))
	}
	ox, oy := d.operand(0, xs[1:]), d.operand(1, ys[1:])
	if ox.k != oy.k {
		return nil, fmt.Errorf("layers: Dot %s: inputs of shapes %v and %v: sizes %d and %d on the summed axes: want equal sizes", d.cfg.Name, xs, ys, ox.k, oy.k)
	}
	batch := xs[0]
	xv, yv := graph.Float64s(x), graph.Float64s(y)
	var xn, yn []float64
	var xc, yc []bool
	if d.cfg.Normalize {
		xv, xn, xc = ox.normalized(xv, batch)
		yv, yn, yc = oy.normalized(yv, batch)
	}
	out := make([]float64, batch*ox.rows*oy.rows)
	for b := range batch {
		for i := range ox.rows {
			for j := range oy.rows {
				s := 0.0
				for k := range ox.k {
					s += xv[b*ox.block+i*ox.rowStride+k*ox.elemStride] * yv[b*oy.block+j*oy.rowStride+k*oy.elemStride]
				}
				out[(b*ox.rows+i)*oy.rows+j] = s
			}
		}
	}
	outShape := []int{batch} // d.outShape with the inputs' sizes for graph.None
	for i, s := range [][]int{xs[1:], ys[1:]} {
		for k, n := range s {
			if k != d.axes[i] {
				outShape = append(outShape, n)
			}
		}
	}
	if len(outShape) == 1 {
		outShape = append(outShape, 1)
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(dt, outShape, out)}}
	if !training {
		return pass, nil
	}
	pass.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
		dy, err := outGrad("Dot", d.cfg.Name, dOut, dt, outShape)
		if err != nil {
			return nil, err
		}
		g := graph.Float64s(dy)
		gx, gy := make([]float64, len(xv)), make([]float64, len(yv))
		for b := range batch {
			for i := range ox.rows {
				for j := range oy.rows {
					w := g[(b*ox.rows+i)*oy.rows+j]
					if w == 0 {
						continue
					}
					for k := range ox.k {
						ax := b*ox.block + i*ox.rowStride + k*ox.elemStride
						ay := b*oy.block + j*oy.rowStride + k*oy.elemStride
						gx[ax] += w * yv[ay]
						gy[ay] += w * xv[ax]
					}
				}
			}
		}
		if d.cfg.Normalize {
			ox.throughNorm(gx, xv, xn, xc, batch)
			oy.throughNorm(gy, yv, yn, yc, batch)
		}
		return []*tensor.Dense{graph.NewTensor(dt, xs, gx), graph.NewTensor(dt, ys, gy)}, nil
	}
	return pass, nil
}

// throughNorm turns g, the gradient with respect to the normalized rows
// xh, into the gradient with respect to the input rows, in place:
// g ← (g − xh (g·xh)) / norm, or g / norm where the norm was clamped (the
// clamped norm is a constant).
func (o dotOperand) throughNorm(g, xh, norms []float64, clamped []bool, batch int) {
	for b := range batch {
		base := b * o.block
		for i := range o.rows {
			r := b*o.rows + i
			dot := 0.0
			if !clamped[r] {
				for j := range o.k {
					at := base + i*o.rowStride + j*o.elemStride
					dot += g[at] * xh[at]
				}
			}
			for j := range o.k {
				at := base + i*o.rowStride + j*o.elemStride
				g[at] = (g[at] - xh[at]*dot) / norms[r]
			}
		}
	}
}
