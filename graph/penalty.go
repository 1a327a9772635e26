package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Penalty evaluates a Regularizer on values of one dtype and shape through a
// compiled Gorgonia graph, with the gradient of the penalty from Gorgonia's
// autodiff. Layers use it for activity regularizers and models for weight
// regularizers. A Penalty is not safe for concurrent use.
type Penalty struct {
	shape []int
	w     *G.Node
	cost  *G.Node
	grad  *G.Node
	vm    G.VM
}

// NewPenalty compiles reg's penalty for values of dtype dt and the given shape.
func NewPenalty(reg Regularizer, dt tensor.Dtype, shape []int) (*Penalty, error) {
	if reg == nil {
		return nil, fmt.Errorf("graph: NewPenalty: nil regularizer")
	}
	if err := CheckDtype(dt); err != nil {
		return nil, err
	}
	g := G.NewGraph()
	w := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("penalty_w"))
	cost, err := reg.Penalty(w)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(cost, w)
	if err != nil {
		return nil, fmt.Errorf("graph: gradient of %s penalty: %w", reg.Spec().Name, err)
	}
	return &Penalty{shape: append([]int(nil), shape...), w: w, cost: cost, grad: grads[0], vm: G.NewTapeMachine(g)}, nil
}

// Eval returns the penalty of w and its gradient with respect to w (a new
// tensor). w must have the shape and dtype the Penalty was compiled for.
func (p *Penalty) Eval(w *tensor.Dense) (float64, *tensor.Dense, error) {
	if err := G.Let(p.w, w); err != nil {
		return 0, nil, fmt.Errorf("graph: penalty input: %w", err)
	}
	defer p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return 0, nil, err
	}
	v := Float64s(p.cost.Value())[0]
	g, ok := p.grad.Value().(*tensor.Dense)
	if !ok {
		return 0, nil, fmt.Errorf("graph: penalty gradient is %T", p.grad.Value())
	}
	return v, g.Clone().(*tensor.Dense), nil
}
