package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// progKind says which graph a program holds.
type progKind uint8

const (
	// unrolledProg is the whole sequence as one static graph (unroll=true).
	unrolledProg progKind = iota
	// cellProg is one step from its input projection; the loop mode runs
	// it once per timestep (unroll=false).
	cellProg
	// projProg is the input projection x·W + b of every timestep at once,
	// one large product outside the recurrence (unroll=false).
	projProg
)

// progKey identifies a compiled program: Gorgonia graphs have fixed shapes,
// so there is one program per kind, shape (rows is the batch size, or
// batch·timesteps for the projection), use (forward only or with
// gradients) and dropout set-up.
type progKey struct {
	kind         progKind
	rows, steps  int
	grad         bool
	maskX, maskH bool
}

// program is a compiled graph with its input, output, seed and gradient
// nodes. With grad, the graph also holds the vector-Jacobian product built
// by Gorgonia's Backpropagate: seed nodes (input nodes fed the gradients of
// the loss with respect to the outputs) and the gradient nodes of every
// input. A node's Value after a run is only safe for roots (the tape reuses
// an intermediate's memory for a later op that overwrites its input), so
// forward outputs are copied out during the run by Read nodes.
type program struct {
	key    progKey
	vm     G.VM
	w      *weightNodes
	m      *maskNodes
	xs     []*G.Node  // unrolled: x_t (batch, input_dim); projection: [X (rows, input_dim)]
	zx     [4]*G.Node // cell: the step's input projection (batch, width)
	h0, c0 *G.Node

	hs     []*G.Node  // h after each step (unrolled, cell)
	cT     *G.Node    // c after the last step (unrolled, cell)
	zxOut  [4]*G.Node // projection outputs (rows, width)
	hVals  []G.Value
	cVal   G.Value
	zxVals [4]G.Value

	seedH []*G.Node // per step, nil where not seeded
	seedC *G.Node
	seedZ [4]*G.Node // projection

	gradX          []*G.Node
	gradZ          [4]*G.Node // cell: gradient of the input projection
	gradW          []*G.Node  // aligned with w.nodes
	gradH0, gradC0 *G.Node
}

// buildProgram builds and compiles the program for key. seedAll seeds every
// h_t of an unrolled graph (return_sequences) instead of the last; seedC
// seeds c_T (return_state).
func (l *LSTM) buildProgram(key progKey, seedAll, seedC bool) (p *program, err error) {
	defer recoverBuild(&err)
	g := G.NewGraph()
	p = &program{key: key}
	rowsIf := func(on bool, n int) int {
		if on {
			return n
		}
		return 0
	}
	switch key.kind {
	case projProg:
		p.w = l.newWeightNodes(g, true, false)
		p.m = l.newMaskNodes(g, rowsIf(key.maskX, key.rows), 0)
		x := G.NewMatrix(g, l.dt, G.WithShape(key.rows, l.inputDim), G.WithName("x"))
		p.xs = []*G.Node{x}
		if p.zxOut, err = l.inputPart(p.w, p.m, x); err != nil {
			return nil, err
		}
		if key.grad {
			return p, p.addProjectionGradients(g, l)
		}
		for k := 0; k < l.gates(); k++ {
			G.Read(p.zxOut[k], &p.zxVals[k])
		}
		p.vm = G.NewTapeMachine(g)
		return p, nil
	case cellProg:
		p.w = l.newWeightNodes(g, false, true)
		p.m = l.newMaskNodes(g, 0, rowsIf(key.maskH, key.rows))
		for k := 0; k < l.gates(); k++ {
			p.zx[k] = G.NewMatrix(g, l.dt, G.WithShape(key.rows, l.gateWidth()), G.WithName(fmt.Sprintf("zx_%d", k)))
		}
	default:
		p.w = l.newWeightNodes(g, true, true)
		p.m = l.newMaskNodes(g, rowsIf(key.maskX, key.rows), rowsIf(key.maskH, key.rows))
	}
	u := l.cfg.Units
	p.h0 = G.NewMatrix(g, l.dt, G.WithShape(key.rows, u), G.WithName("h0"))
	p.c0 = G.NewMatrix(g, l.dt, G.WithShape(key.rows, u), G.WithName("c0"))
	h, c := p.h0, p.c0
	for t := 0; t < key.steps; t++ {
		zx := p.zx
		if key.kind == unrolledProg {
			x := G.NewMatrix(g, l.dt, G.WithShape(key.rows, l.inputDim), G.WithName(fmt.Sprintf("x_%d", t)))
			p.xs = append(p.xs, x)
			if zx, err = l.inputPart(p.w, p.m, x); err != nil {
				return nil, err
			}
		}
		if h, c, err = l.recurrentPart(p.w, p.m, zx, h, c); err != nil {
			return nil, err
		}
		p.hs = append(p.hs, h)
	}
	p.cT = c
	if key.grad {
		if err := p.addGradients(g, l, seedAll, seedC); err != nil {
			return nil, err
		}
	} else {
		p.hVals = make([]G.Value, len(p.hs))
		for t, h := range p.hs {
			G.Read(h, &p.hVals[t])
		}
		G.Read(c, &p.cVal)
	}
	p.vm = G.NewTapeMachine(g)
	return p, nil
}

// addGradients adds the VJP of an unrolled or cell graph.
func (p *program) addGradients(g *G.ExprGraph, l *LSTM, seedAll, seedC bool) error {
	var outs, seeds G.Nodes
	p.seedH = make([]*G.Node, len(p.hs))
	shape := p.hs[0].Shape()
	for t, h := range p.hs {
		if !seedAll && t != len(p.hs)-1 {
			continue
		}
		s := G.NewMatrix(g, l.dt, G.WithShape(shape...), G.WithName(fmt.Sprintf("seed_h_%d", t)))
		p.seedH[t] = s
		outs, seeds = append(outs, h), append(seeds, s)
	}
	if seedC {
		p.seedC = G.NewMatrix(g, l.dt, G.WithShape(shape...), G.WithName("seed_c"))
		outs, seeds = append(outs, p.cT), append(seeds, p.seedC)
	}
	n := l.gates()
	wrt := append(G.Nodes{}, p.xs...)
	if p.key.kind == cellProg {
		wrt = append(wrt, p.zx[:n]...)
	}
	wrt = append(wrt, p.w.nodes...)
	wrt = append(wrt, p.h0, p.c0)
	grads, err := G.Backpropagate(outs, seeds, wrt)
	if err != nil {
		return fmt.Errorf("lstm: gradient graph: %w", err)
	}
	p.gradX, grads = grads[:len(p.xs)], grads[len(p.xs):]
	if p.key.kind == cellProg {
		copy(p.gradZ[:], grads[:n])
		grads = grads[n:]
	}
	p.gradW = grads[:len(p.w.nodes)]
	p.gradH0, p.gradC0 = grads[len(grads)-2], grads[len(grads)-1]
	return nil
}

// addProjectionGradients adds the VJP of the input projection and compiles
// only what the gradients need: dX = dZ·Wᵀ, dW = Xᵀ·dZ and db, without
// recomputing the projection itself.
func (p *program) addProjectionGradients(g *G.ExprGraph, l *LSTM) error {
	n := l.gates()
	var seeds G.Nodes
	for k := 0; k < n; k++ {
		p.seedZ[k] = G.NewMatrix(g, l.dt, G.WithShape(p.zxOut[k].Shape()...), G.WithName(fmt.Sprintf("seed_zx_%d", k)))
		seeds = append(seeds, p.seedZ[k])
	}
	wrt := append(G.Nodes{p.xs[0]}, p.w.nodes...)
	grads, err := G.Backpropagate(p.zxOut[:n], seeds, wrt)
	if err != nil {
		return fmt.Errorf("lstm: projection gradient graph: %w", err)
	}
	p.gradX, p.gradW = grads[:1], grads[1:]
	// The bias gradient is the column sum of the seeds: the bias value is
	// not an input of the gradient function.
	inputs := append(append(G.Nodes{p.xs[0]}, p.w.kernel[:n]...), seeds...)
	for k := 0; k < n; k++ {
		if p.m.x[k] != nil {
			inputs = append(inputs, p.m.x[k])
		}
	}
	prog, locs, err := G.CompileFunction(g, inputs, grads)
	if err != nil {
		return fmt.Errorf("lstm: compiling projection gradients: %w", err)
	}
	p.vm = G.NewTapeMachine(g, G.WithPrecompiled(prog, locs))
	return nil
}

// programInputs are the values one run binds; fields a program has no node
// for are ignored.
type programInputs struct {
	xs      []*tensor.Dense
	zx      [4]*tensor.Dense
	weights []*tensor.Dense // the full list (see LSTM.weightValues)
	h0, c0  *tensor.Dense
	masks   *maskValues
	seedH   []*tensor.Dense // aligned with program.seedH
	seedC   *tensor.Dense
	seedZ   [4]*tensor.Dense
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
	for i, n := range p.w.nodes {
		bind(n, in.weights[p.w.idx[i]])
	}
	bind(p.h0, in.h0)
	bind(p.c0, in.c0)
	for t, x := range p.xs {
		bind(x, in.xs[t])
	}
	for k := 0; k < 4; k++ {
		bind(p.zx[k], in.zx[k])
		bind(p.seedZ[k], in.seedZ[k])
		if in.masks != nil {
			bind(p.m.x[k], in.masks.x[k])
			bind(p.m.h[k], in.masks.h[k])
		}
	}
	for t, s := range p.seedH {
		bind(s, in.seedH[t])
	}
	bind(p.seedC, in.seedC)
	for i, n := range nodes {
		if vals[i] == nil {
			return fmt.Errorf("lstm: no value for %s", n.Name())
		}
		if err := G.Let(n, vals[i]); err != nil {
			return fmt.Errorf("lstm: binding %s: %w", n.Name(), err)
		}
	}
	p.vm.Reset()
	return p.vm.RunAll()
}
