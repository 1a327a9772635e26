package layers

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DropoutConfig configures a Dropout layer.
type DropoutConfig struct {
	// Name is the layer's name; empty gives "dropout_<n>".
	Name string `json:"name,omitempty"`
	// Rate is the fraction of inputs set to zero in training, in [0, 1).
	Rate float64 `json:"rate"`
	// Seed seeds the masks (NewRNG(Seed), one draw per element and batch).
	Seed uint64 `json:"seed"`
}

// Dropout is Keras' inverted dropout: in training each element is kept
// with probability 1-rate and scaled by 1/(1-rate), so y = x ⊙ s with
// s = m/(1-rate), m ~ Bernoulli(1-rate); in inference y = x. It has no
// weights. y = x ⊙ s is a compiled Gorgonia graph (per input shape) and its
// gradient dy ⊙ s comes from Gorgonia's autodiff, as every gradient here.
type Dropout struct {
	cfg     DropoutConfig
	rng     *rand.Rand
	inShape []int
	scale   *tensor.Dense // s of the last training Forward
	graphs  map[string]*dropoutGraph
}

// dropoutGraph is y = x ⊙ s and its VJP dx for a seed dy, compiled for one
// shape: the forward and the gradient as separate functions of one graph.
type dropoutGraph struct {
	x, s, seed, dx *G.Node
	y              G.Value
	fwd, bwd       G.VM
}

func newDropoutGraph(dt tensor.Dtype, shape tensor.Shape) (*dropoutGraph, error) {
	g := G.NewGraph()
	d := &dropoutGraph{}
	n := len(shape)
	d.x = G.NewTensor(g, dt, n, G.WithShape(shape...), G.WithName("x"))
	d.s = G.NewTensor(g, dt, n, G.WithShape(shape...), G.WithName("s"))
	d.seed = G.NewTensor(g, dt, n, G.WithShape(shape...), G.WithName("dy"))
	y, err := G.HadamardProd(d.x, d.s)
	if err != nil {
		return nil, err
	}
	grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{d.seed}, G.Nodes{d.x})
	if err != nil {
		return nil, err
	}
	d.dx = grads[0]
	read := G.Read(y, &d.y)
	prog, locs, err := G.CompileFunction(g, G.Nodes{d.x, d.s}, G.Nodes{read})
	if err != nil {
		return nil, err
	}
	d.fwd = G.NewTapeMachine(g, G.WithPrecompiled(prog, locs))
	prog, locs, err = G.CompileFunction(g, G.Nodes{d.s, d.seed}, G.Nodes{d.dx})
	if err != nil {
		return nil, err
	}
	d.bwd = G.NewTapeMachine(g, G.WithPrecompiled(prog, locs))
	return d, nil
}

// run binds the values in order to nodes and runs vm.
func run(vm G.VM, nodes []*G.Node, vals ...*tensor.Dense) error {
	for i, n := range nodes {
		if err := G.Let(n, vals[i]); err != nil {
			return err
		}
	}
	vm.Reset()
	return vm.RunAll()
}

var dropoutCount atomic.Int64

// NewDropout returns a Dropout layer; rate outside [0, 1) is an error.
func NewDropout(cfg DropoutConfig) (*Dropout, error) {
	if !(cfg.Rate >= 0 && cfg.Rate < 1) {
		return nil, fmt.Errorf("layers: Dropout rate %v: want a value in [0, 1)", cfg.Rate)
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("dropout_%d", dropoutCount.Add(1))
	}
	return &Dropout{cfg: cfg, rng: graph.NewRNG(cfg.Seed)}, nil
}

func init() {
	graph.RegisterLayer("Dropout", func(name string, config json.RawMessage) (graph.Layer, error) {
		var cfg DropoutConfig
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("layers: Dropout config: %w", err)
		}
		cfg.Name = name
		return NewDropout(cfg)
	})
}

// Name returns the layer's name.
func (d *Dropout) Name() string { return d.cfg.Name }

// Type returns "Dropout".
func (d *Dropout) Type() string { return "Dropout" }

// Config returns the DropoutConfig as JSON.
func (d *Dropout) Config() (json.RawMessage, error) { return json.Marshal(d.cfg) }

// Build records the input shape; the mask source restarts from Seed.
func (d *Dropout) Build(inShape []int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	d.inShape = append([]int(nil), inShape...)
	d.rng = graph.NewRNG(d.cfg.Seed)
	return nil
}

// OutputShape equals the input shape.
func (d *Dropout) OutputShape() []int { return append([]int(nil), d.inShape...) }

// Params returns nil: Dropout has no weights.
func (d *Dropout) Params() []*graph.Param { return nil }

// ActivityPenalty returns 0.
func (d *Dropout) ActivityPenalty() float64 { return 0 }

// Forward applies a fresh mask in training and is the identity otherwise.
func (d *Dropout) Forward(x *tensor.Dense, training bool) (*tensor.Dense, error) {
	if !training || d.cfg.Rate == 0 {
		d.scale = nil
		return x.Clone().(*tensor.Dense), nil
	}
	dg, err := d.graph(x)
	if err != nil {
		return nil, err
	}
	s := make([]float64, x.Shape().TotalSize())
	keep := 1 - d.cfg.Rate
	for i := range s {
		if d.rng.Float64() < keep {
			s[i] = 1 / keep
		}
	}
	d.scale = graph.NewTensor(x.Dtype(), x.Shape(), s)
	dg.y = nil // a fresh value the caller owns
	if err := run(dg.fwd, []*G.Node{dg.x, dg.s}, x, d.scale); err != nil {
		return nil, fmt.Errorf("layers: Dropout %s: %w", d.cfg.Name, err)
	}
	return dg.y.(*tensor.Dense), nil
}

// Backward returns dy ⊙ s for the last training Forward's mask.
func (d *Dropout) Backward(dy *tensor.Dense) (*tensor.Dense, error) {
	if d.scale == nil {
		return dy.Clone().(*tensor.Dense), nil
	}
	if !dy.Shape().Eq(d.scale.Shape()) || dy.Dtype() != d.scale.Dtype() {
		return nil, fmt.Errorf("layers: Dropout %s: gradient of shape %v %v for a forward of %v %v", d.cfg.Name, dy.Shape(), dy.Dtype(), d.scale.Shape(), d.scale.Dtype())
	}
	dg, err := d.graph(dy)
	if err != nil {
		return nil, err
	}
	if err := run(dg.bwd, []*G.Node{dg.s, dg.seed}, d.scale, dy); err != nil {
		return nil, fmt.Errorf("layers: Dropout %s: %w", d.cfg.Name, err)
	}
	return dg.dx.Value().(*tensor.Dense).Clone().(*tensor.Dense), nil
}

// graph returns the compiled graph for x's shape and dtype.
func (d *Dropout) graph(x *tensor.Dense) (*dropoutGraph, error) {
	key := fmt.Sprint(x.Dtype(), x.Shape())
	if dg, ok := d.graphs[key]; ok {
		return dg, nil
	}
	dg, err := newDropoutGraph(x.Dtype(), x.Shape())
	if err != nil {
		return nil, fmt.Errorf("layers: Dropout %s: %w", d.cfg.Name, err)
	}
	if d.graphs == nil {
		d.graphs = map[string]*dropoutGraph{}
	}
	d.graphs[key] = dg
	return dg, nil
}
