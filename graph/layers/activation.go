package layers

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ActivationConfig configures an Activation layer (Keras 2.2.4's
// Activation(activation)).
type ActivationConfig struct {
	// Name is the layer's name; empty gives "activation_<n>".
	Name string `json:"name,omitempty"`
	// Activation is a name of graph.GetActivation ("" means "linear").
	Activation string `json:"activation"`
}

// Activation applies an activation function to its input, y = f(x),
// element-wise (softmax: along the last axis), as Keras' Activation layer.
// It has no weights; a mask passes through (Keras' Activation supports
// masking). f(x) is a compiled Gorgonia graph per input shape and its
// gradient comes from Gorgonia's autodiff.
type Activation struct {
	cfg     ActivationConfig
	act     graph.Activation
	inShape []int
	progs   *graph.ProgramCache[mapKey, *activationGraph]
}

// activationGraph is y = f(x), compiled for one shape; the training
// variant also takes dy and computes dx, the gradient of Σ(y⊙dy).
type activationGraph struct {
	vm        G.VM
	x, dy, dx *G.Node
	y         *G.Node
}

// mapKey identifies a graph compiled for one input (dtype and shape) and
// whether it computes gradients.
type mapKey struct {
	tensorKey
	train bool
}

var activationCount atomic.Int64

// NewActivation returns an Activation layer; an unknown activation name is
// an error that lists the accepted ones.
func NewActivation(cfg ActivationConfig) (*Activation, error) {
	if cfg.Activation == "" {
		cfg.Activation = "linear"
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("activation_%d", activationCount.Add(1))
	}
	a := &Activation{cfg: cfg}
	var err error
	if a.act, err = graph.GetActivation(cfg.Activation); err != nil {
		return nil, fmt.Errorf("layers: Activation %s: %w", cfg.Name, err)
	}
	a.progs = graph.NewProgramCache(a.newGraph, func(ag *activationGraph) { ag.vm.Close() })
	return a, nil
}

func init() {
	register("Activation", ActivationConfig{}, func(cfg ActivationConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewActivation(cfg)
	})
}

// Name returns the layer's name.
func (a *Activation) Name() string { return a.cfg.Name }

// Type returns "Activation".
func (a *Activation) Type() string { return "Activation" }

// Config returns the ActivationConfig as JSON.
func (a *Activation) Config() (json.RawMessage, error) { return json.Marshal(a.cfg) }

// Build records the shape of the one input, of any rank.
func (a *Activation) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 {
		return fmt.Errorf("layers: Activation %s: %d inputs: want 1", a.cfg.Name, len(in))
	}
	if len(in[0]) == 0 || len(in[0]) >= len(tensorKey{}.dims) {
		return fmt.Errorf("layers: Activation %s: input shape %s: want 1 to %d dimensions per sample", a.cfg.Name, graph.FormatShape(in[0]), len(tensorKey{}.dims)-1)
	}
	a.inShape = append([]int(nil), in[0]...)
	a.progs.Clear()
	return nil
}

// OutputShapes is the input shape.
func (a *Activation) OutputShapes() [][]int { return [][]int{append([]int(nil), a.inShape...)} }

// Params returns nil: Activation has no weights.
func (a *Activation) Params() []*graph.Param { return nil }

// SetProgramCacheSize sets how many compiled graphs (one per input shape
// and use) the layer keeps; see graph.ProgramCache.
func (a *Activation) SetProgramCacheSize(n int) error { return a.progs.SetCapacity(n) }

func (a *Activation) newGraph(k mapKey) (*activationGraph, error) {
	g := G.NewGraph()
	shape := k.shape()
	ag := &activationGraph{}
	ag.x = G.NewTensor(g, k.dt, len(shape), G.WithShape(shape...), G.WithName("activation_x"))
	var err error
	if ag.y, err = a.act(ag.x); err != nil {
		return nil, err
	}
	if ag.y == ag.x { // linear: give the graph a node to run
		if ag.y, err = G.Mul(ag.x, G.NewConstant(oneOf(k.dt))); err != nil {
			return nil, err
		}
	}
	if k.train {
		ag.dy = G.NewTensor(g, k.dt, len(shape), G.WithShape(shape...), G.WithName("activation_dy"))
		s, err := G.Sum(G.Must(G.HadamardProd(ag.y, ag.dy)))
		if err != nil {
			return nil, err
		}
		grads, err := G.Grad(s, ag.x)
		if err != nil {
			return nil, err
		}
		ag.dx = grads[0]
	}
	ag.vm = G.NewTapeMachine(g)
	return ag, nil
}

// oneOf returns the constant 1 in dtype dt.
func oneOf(dt tensor.Dtype) any {
	if dt == tensor.Float32 {
		return float32(1)
	}
	return 1.0
}

// Forward returns f(x); a mask passes through.
func (a *Activation) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("Activation", a.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if a.inShape == nil {
		return nil, fmt.Errorf("layers: Activation %s: Forward before Build", a.cfg.Name)
	}
	if !graph.FitsShape(x.Shape(), a.inShape) {
		return nil, fmt.Errorf("layers: Activation %s: input of shape %v: want %s", a.cfg.Name, []int(x.Shape()), graph.FormatShape(a.inShape))
	}
	key := mapKey{tensorKey: keyOf(x)}
	y, _, err := a.run(key, x, nil)
	if err != nil {
		return nil, err
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			if len(dOut) != 1 {
				return nil, fmt.Errorf("layers: Activation %s: %d output gradients: want 1", a.cfg.Name, len(dOut))
			}
			dy := dOut[0]
			if dy == nil {
				return []*tensor.Dense{graph.NewTensor(x.Dtype(), x.Shape(), nil)}, nil
			}
			dy = graph.Contiguous(dy)
			if !dy.Shape().Eq(x.Shape()) || dy.Dtype() != x.Dtype() {
				return nil, fmt.Errorf("layers: Activation %s: gradient %v of shape %v for an output %v of shape %v", a.cfg.Name, dy.Dtype(), []int(dy.Shape()), x.Dtype(), []int(x.Shape()))
			}
			_, dx, err := a.run(mapKey{tensorKey: key.tensorKey, train: true}, x, dy)
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{dx}, nil
		}
	}
	return pass, nil
}

// run runs the graph of key on x (and dy) and returns copies of y and, for
// a training key, dx.
func (a *Activation) run(key mapKey, x, dy *tensor.Dense) (y, dx *tensor.Dense, err error) {
	ag, put, err := a.progs.Get(key)
	if err != nil {
		return nil, nil, fmt.Errorf("layers: Activation %s: %w", a.cfg.Name, err)
	}
	defer put()
	defer ag.vm.Reset()
	if err := G.Let(ag.x, x); err != nil {
		return nil, nil, err
	}
	if dy != nil {
		if err := G.Let(ag.dy, dy); err != nil {
			return nil, nil, err
		}
	}
	if err := ag.vm.RunAll(); err != nil {
		return nil, nil, fmt.Errorf("layers: Activation %s %s: %w", a.cfg.Name, a.cfg.Activation, err)
	}
	y = ag.y.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	if ag.dx != nil {
		dx = ag.dx.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	}
	return y, dx, nil
}
