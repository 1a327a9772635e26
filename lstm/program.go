package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// progKey identifies a compiled program: Gorgonia graphs have fixed shapes,
// so there is one program per batch size and sequence length (1 in loop
// mode), per use (forward only or with gradients) and per dropout set-up.
type progKey struct {
	batch, steps int
	grad         bool
	maskX, maskH bool
}

// program is a compiled graph of `steps` chained cells. In the unrolled mode
// steps is the sequence length; in the loop mode it is 1 and the program is
// run once per timestep.
//
// With grad, the graph also holds the vector-Jacobian product built by
// Gorgonia's Backpropagate: seed nodes (input nodes fed the gradients of
// the loss with respect to the outputs) and the gradient nodes of every
// input. Seeds exist for the outputs the program is asked to seed: every
// h_t (seedAll) or only the last, and c_T (seedC).
type program struct {
	key    progKey
	vm     G.VM
	w      *weightNodes
	m      *maskNodes
	xs     []*G.Node // per processing step, (batch, input_dim)
	h0, c0 *G.Node
	hs     []*G.Node // h after each processing step
	cT     *G.Node
	// Values of hs and cT copied out during a forward run: the tape may
	// reuse an intermediate's memory for a later op that overwrites its
	// input, so a node's Value after the run is only safe for roots.
	hVals []G.Value
	cVal  G.Value

	seedH []*G.Node // per processing step (nil where not seeded)
	seedC *G.Node

	gradX          []*G.Node
	gradW          []*G.Node // aligned with w.nodes
	gradH0, gradC0 *G.Node
}

func (l *LSTM) buildProgram(key progKey, seedAll, seedC bool) (p *program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lstm: building graph: %v", r)
		}
	}()
	g := G.NewGraph()
	p = &program{key: key}
	p.w = l.newWeightNodes(g)
	p.m = l.newMaskNodes(g, key.batch, key.maskX, key.maskH)
	u := l.cfg.Units
	p.h0 = G.NewMatrix(g, l.dt, G.WithShape(key.batch, u), G.WithName("h0"))
	p.c0 = G.NewMatrix(g, l.dt, G.WithShape(key.batch, u), G.WithName("c0"))
	h, c := p.h0, p.c0
	for k := 0; k < key.steps; k++ {
		x := G.NewMatrix(g, l.dt, G.WithShape(key.batch, l.inputDim), G.WithName(fmt.Sprintf("x_%d", k)))
		p.xs = append(p.xs, x)
		if h, c, err = l.step(p.w, p.m, x, h, c); err != nil {
			return nil, err
		}
		p.hs = append(p.hs, h)
	}
	p.cT = c
	if !key.grad {
		p.hVals = make([]G.Value, len(p.hs))
		for k, h := range p.hs {
			G.Read(h, &p.hVals[k])
		}
		G.Read(c, &p.cVal)
	}
	if key.grad {
		if err := p.addGradients(g, l, seedAll, seedC); err != nil {
			return nil, err
		}
	}
	p.vm = G.NewTapeMachine(g)
	return p, nil
}

func (p *program) addGradients(g *G.ExprGraph, l *LSTM, seedAll, seedC bool) error {
	var outs, seeds G.Nodes
	p.seedH = make([]*G.Node, len(p.hs))
	shape := p.hs[0].Shape()
	for k, h := range p.hs {
		if !seedAll && k != len(p.hs)-1 {
			continue
		}
		s := G.NewMatrix(g, l.dt, G.WithShape(shape...), G.WithName(fmt.Sprintf("seed_h_%d", k)))
		p.seedH[k] = s
		outs, seeds = append(outs, h), append(seeds, s)
	}
	if seedC {
		p.seedC = G.NewMatrix(g, l.dt, G.WithShape(shape...), G.WithName("seed_c"))
		outs, seeds = append(outs, p.cT), append(seeds, p.seedC)
	}
	wrt := append(G.Nodes{}, p.xs...)
	wrt = append(wrt, p.w.nodes...)
	wrt = append(wrt, p.h0, p.c0)
	grads, err := G.Backpropagate(outs, seeds, wrt)
	if err != nil {
		return fmt.Errorf("lstm: gradient graph: %w", err)
	}
	n := len(p.xs)
	p.gradX = grads[:n]
	p.gradW = grads[n : n+len(p.w.nodes)]
	p.gradH0, p.gradC0 = grads[len(grads)-2], grads[len(grads)-1]
	return nil
}

// programInputs are the values one run binds.
type programInputs struct {
	xs      []*tensor.Dense
	weights []*tensor.Dense // aligned with weightNodes.nodes
	h0, c0  *tensor.Dense
	masks   *maskValues
	seedH   []*tensor.Dense // aligned with program.seedH
	seedC   *tensor.Dense
}

// maskValues hold the dropout multipliers of one batch (nil entries: none).
type maskValues struct {
	x, h [4]*tensor.Dense
}

// run binds the inputs and weights, runs the tape and leaves the values in
// the output nodes until the next run. The caller copies what it keeps.
func (p *program) run(in programInputs) error {
	var nodes []*G.Node
	var vals []*tensor.Dense
	bind := func(n *G.Node, v *tensor.Dense) {
		if n != nil {
			nodes, vals = append(nodes, n), append(vals, v)
		}
	}
	for k, n := range p.w.nodes {
		bind(n, in.weights[k])
	}
	bind(p.h0, in.h0)
	bind(p.c0, in.c0)
	for k, x := range p.xs {
		bind(x, in.xs[k])
	}
	for k := 0; k < 4; k++ {
		if p.m.x[k] != nil {
			bind(p.m.x[k], in.masks.x[k])
		}
		if p.m.h[k] != nil {
			bind(p.m.h[k], in.masks.h[k])
		}
	}
	for k, s := range p.seedH {
		if s != nil {
			bind(s, in.seedH[k])
		}
	}
	bind(p.seedC, in.seedC)
	for i, n := range nodes {
		if err := G.Let(n, vals[i]); err != nil {
			return fmt.Errorf("lstm: binding %s: %w", n.Name(), err)
		}
	}
	p.vm.Reset()
	return p.vm.RunAll()
}
