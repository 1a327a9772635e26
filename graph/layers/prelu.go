package layers

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// PReLUConfig configures a PReLU layer with Keras 2.2.4's arguments
// (PReLU(alpha_initializer='zeros', alpha_regularizer=None,
// alpha_constraint=None, shared_axes=None)).
type PReLUConfig struct {
	// Name is the layer's name; empty gives "p_re_lu_<n>".
	Name string `json:"name,omitempty"`
	// AlphaInitializer draws alpha ("" means "zeros").
	AlphaInitializer graph.Spec `json:"alpha_initializer"`
	// AlphaRegularizer, when set, adds its penalty of alpha to the loss.
	AlphaRegularizer *graph.Spec `json:"alpha_regularizer,omitempty"`
	// AlphaConstraint, when set, is applied to alpha after each update.
	AlphaConstraint *graph.Spec `json:"alpha_constraint,omitempty"`
	// SharedAxes are the axes (1 is the first after the batch) along which
	// alpha has size 1, one value shared by every position: [1] for a
	// sequence (batch, steps, channels) gives one alpha per channel. Nil
	// shares none.
	SharedAxes []int `json:"shared_axes"`
	// Seed seeds the initializer (NewRNG(Seed)).
	Seed uint64 `json:"seed"`
}

// PReLU is Keras' parametric rectifier, y = max(x, 0) − alpha·max(−x, 0)
// (x for x > 0, alpha·x for x < 0, 0 at 0), with a trainable weight
// "<name>/alpha" of the input's per-sample shape, the shared axes set to 1
// and broadcast. dy/dx = 1 for x > 0, alpha for x < 0 and 0 at 0 (the
// gradients of TensorFlow's relu); d/dalpha = min(x, 0) summed over the
// batch and the shared axes. A mask passes on (supports_masking in Keras
// 2.2.4). Plain Go, checked by finite differences.
type PReLU struct {
	cfg     PReLUConfig
	init    graph.Initializer
	reg     graph.Regularizer
	con     graph.Constraint
	inShape []int
	alpha   *graph.Param
}

var preluCount atomic.Int64

// NewPReLU returns an unbuilt PReLU layer; an unknown initializer,
// regularizer or constraint, or a shared axis below 1, is an error naming
// the argument.
func NewPReLU(cfg PReLUConfig) (*PReLU, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("p_re_lu_%d", preluCount.Add(1))
	}
	if cfg.AlphaInitializer.Name == "" {
		cfg.AlphaInitializer.Name = "zeros"
	}
	p := &PReLU{}
	if err := resolveWeightArgs("PReLU", cfg.Name,
		weightArgs{weight: "alpha", init: &cfg.AlphaInitializer, reg: cfg.AlphaRegularizer, con: cfg.AlphaConstraint, initTo: &p.init, regTo: &p.reg, conTo: &p.con}); err != nil {
		return nil, err
	}
	for _, a := range cfg.SharedAxes {
		if a < 1 {
			return nil, fmt.Errorf("layers: PReLU %s: shared_axes %v: want axes of 1 or more (1 is the first axis after the batch)", cfg.Name, cfg.SharedAxes)
		}
	}
	if cfg.SharedAxes != nil {
		cfg.SharedAxes = slices.Clone(cfg.SharedAxes)
	}
	p.cfg = cfg
	return p, nil
}

func init() {
	register("PReLU", PReLUConfig{AlphaInitializer: graph.Spec{Name: "zeros"}}, func(cfg PReLUConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewPReLU(cfg)
	})
}

// Name returns the layer's name.
func (p *PReLU) Name() string { return p.cfg.Name }

// Type returns "PReLU".
func (p *PReLU) Type() string { return "PReLU" }

// Config returns the PReLUConfig as JSON.
func (p *PReLU) Config() (json.RawMessage, error) { return json.Marshal(p.cfg) }

// Params returns alpha ("<name>/alpha"), nil before Build.
func (p *PReLU) Params() []*graph.Param {
	if p.alpha == nil {
		return nil
	}
	return []*graph.Param{p.alpha}
}

// alphaShape returns the shape of alpha for inputs of shape in: the
// per-sample shape with the shared axes set to 1; every other dimension
// must be fixed.
func (p *PReLU) alphaShape(in [][]int, dt tensor.Dtype) ([]int, error) {
	shape, err := anyShape("PReLU", p.cfg.Name, in, dt)
	if err != nil {
		return nil, err
	}
	for _, a := range p.cfg.SharedAxes {
		if a > len(shape) {
			return nil, fmt.Errorf("layers: PReLU %s: shared_axes %v for inputs of shape %s: want axes in [1, %d]", p.cfg.Name, p.cfg.SharedAxes, graph.FormatShape(shape), len(shape))
		}
		shape[a-1] = 1
	}
	for i, d := range shape {
		if d == graph.None {
			return nil, fmt.Errorf("layers: PReLU %s: input shape %s: axis %d is None, and alpha needs a fixed size there: share it (shared_axes) or fix its size", p.cfg.Name, graph.FormatShape(in[0]), i+1)
		}
	}
	return shape, nil
}

// ParamShapes returns the shape of alpha for in without creating it (see
// graph.ParamShaper).
func (p *PReLU) ParamShapes(in [][]int) (map[string][]int, error) {
	s, err := p.alphaShape(in, tensor.Float64)
	if err != nil {
		return nil, err
	}
	return map[string][]int{p.cfg.Name + "/alpha": s}, nil
}

// Build creates alpha in dt, drawn from NewRNG(Seed), for one input.
func (p *PReLU) Build(in [][]int, dt tensor.Dtype) error {
	shape, err := p.alphaShape(in, dt)
	if err != nil {
		return err
	}
	v, err := graph.InitTensor(p.init, shape, dt, graph.NewRNG(p.cfg.Seed))
	if err != nil {
		return fmt.Errorf("layers: PReLU %s alpha: %w", p.cfg.Name, err)
	}
	p.alpha = &graph.Param{Name: p.cfg.Name + "/alpha", Value: v, Grad: graph.NewTensor(dt, shape, nil),
		Regularizer: p.reg, Constraint: p.con}
	p.inShape = append([]int(nil), in[0]...)
	return nil
}

// OutputShapes is the input shape.
func (p *PReLU) OutputShapes() [][]int {
	if p.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), p.inShape...)}
}

// alphaIndex returns, for each element of a batch of shape xs, the index
// of its alpha.
func (p *PReLU) alphaIndex(xs []int) []int {
	as := p.alpha.Value.Shape()
	// strides of alpha, 0 along its axes of size 1 (and the batch).
	strides := make([]int, len(xs))
	s := 1
	for a := len(as) - 1; a >= 0; a-- {
		if as[a] != 1 {
			strides[a+1] = s
		}
		s *= as[a]
	}
	out := make([]int, tensor.Shape(xs).TotalSize())
	idx := make([]int, len(xs))
	for i := range out {
		k := 0
		for a, v := range idx {
			k += v * strides[a]
		}
		out[i] = k
		for a := len(idx) - 1; a >= 0; a-- {
			if idx[a]++; idx[a] < xs[a] {
				break
			}
			idx[a] = 0
		}
	}
	return out
}

// Forward computes max(x, 0) − alpha·max(−x, 0) and passes a mask on.
func (p *PReLU) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := checkedInput("PReLU", p.cfg.Name, p.inShape, in, masks)
	if err != nil {
		return nil, err
	}
	if x.Dtype() != p.alpha.Value.Dtype() {
		return nil, fmt.Errorf("layers: PReLU %s: input %v: want %v", p.cfg.Name, x.Dtype(), p.alpha.Value.Dtype())
	}
	xs := []int(x.Shape())
	xv, av := graph.Float64s(x), graph.Float64s(p.alpha.Value)
	ai := p.alphaIndex(xs)
	y := make([]float64, len(xv))
	for i, v := range xv {
		if v > 0 {
			y[i] = v
		} else if v < 0 {
			y[i] = av[ai[i]] * v
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(x.Dtype(), xs, y)}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("PReLU", p.cfg.Name, dOut, x.Dtype(), xs)
			if err != nil {
				return nil, err
			}
			g := graph.Float64s(dy)
			ga := make([]float64, len(av))
			for i, v := range xv {
				switch {
				case v > 0:
				case v < 0:
					ga[ai[i]] += g[i] * v
					g[i] *= av[ai[i]]
				default:
					g[i] = 0
				}
			}
			graph.AddInto(p.alpha.Grad, graph.NewTensor(x.Dtype(), p.alpha.Value.Shape(), ga))
			return []*tensor.Dense{graph.NewTensor(x.Dtype(), xs, g)}, nil
		}
	}
	return pass, nil
}
