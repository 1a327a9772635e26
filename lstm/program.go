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
	// projProg is the input projection x·W + b of every timestep at once,
	// one large product outside the recurrence (unroll=false).
	projProg
	// startProg is the first step's pre-activation zx_0 + h_0·U
	// (unroll=false); its VJP gives dh_0.
	startProg
	// cellProg is one step of the loop mode (unroll=false): the gating of
	// step t from its pre-activation z_t, and the recurrent product of the
	// next step, z_{t+1} = zx_{t+1} + h_t·U. Cut there, the step's VJP needs
	// no recomputed matrix product: its compiled gradient function holds
	// dh_t = dz_{t+1}·Uᵀ, and only the element-wise gating is recomputed.
	cellProg
	// recProg is the recurrent product of every step at once, h_{t-1}·U
	// with the states stacked (rows = batch·timesteps, unroll=false). Only
	// its VJP is run: dU = Σ_t h_{t-1}ᵀ·dz_t, one large product after the
	// loop instead of one small product and sum per step.
	recProg
)

// progKey identifies a compiled program: Gorgonia graphs have fixed shapes,
// so there is one program per kind, shape (rows is the batch size, or
// batch·timesteps for the projection), use (forward only or with
// gradients), dropout set-up and sequence mask.
type progKey struct {
	kind         progKind
	rows, steps  int
	grad         bool
	maskX, maskH bool
	noDX         bool // gradients without the input's (first layer of a model)
	// seq adds the sequence mask (cell and unrolled programs): the masked
	// step's blend, and the unroll=true output rule. Calls without a mask
	// keep the graphs without it.
	seq bool
}

// program is a compiled graph with its input, output, seed and gradient
// nodes, run by a machine. With grad, the graph also holds the
// vector-Jacobian product built by Gorgonia's Backpropagate: seed nodes
// (input nodes fed the gradients of the loss with respect to the outputs)
// and the gradient nodes of the inputs; the machine then computes only the
// gradients (and what they need), not the forward outputs.
type program struct {
	key    progKey
	m      *machine
	w      *weightNodes
	drop   *maskNodes
	seq    *seqMaskNodes // sequence mask (key.seq): per step (unrolled) or one (cell)
	xs     []*G.Node     // unrolled: x_t (batch, input_dim); projection: [X (rows, input_dim)]
	zIn    [4]*G.Node    // cell: the step's pre-activation; start: zx_0
	zxNext [4]*G.Node    // cell: the next step's input projection
	h0, c0 *G.Node       // the state before the step(s) (start: h0 only; cell: c0, and h0 with key.seq; recurrent: every step's h_{t-1})

	hs   []*G.Node  // the output of each step (unrolled, cell): h_t, or r_t ⊙ h_t (unrolled with key.seq)
	hT   *G.Node    // unrolled with key.seq: the final state h_T (nil: the last of hs)
	cT   *G.Node    // c after the last step (unrolled, cell)
	zOut [4]*G.Node // projection: zx; start: z_0; cell: z_{t+1}; recurrent: h_{t-1}·U

	seedH  []*G.Node // per step, nil where not seeded
	seedHT *G.Node
	seedC  *G.Node
	seedZ  [4]*G.Node // seeds of zOut

	gradX          []*G.Node
	gradZ          [4]*G.Node // cell: gradient of zIn
	gradW          []*G.Node  // aligned with w.nodes
	gradH0, gradC0 *G.Node

	loop *loopBuffers // cell programs: the loop's buffers (see loopBuffers)
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
	n, u := l.gates(), l.cfg.Units
	state := func(name string) *G.Node {
		return G.NewMatrix(g, l.dt, G.WithShape(key.rows, u), G.WithName(name))
	}
	gateInputs := func(name string) (zs [4]*G.Node) {
		for k := 0; k < n; k++ {
			zs[k] = G.NewMatrix(g, l.dt, G.WithShape(key.rows, l.gateWidth()), G.WithName(fmt.Sprintf("%s_%d", name, k)))
		}
		return zs
	}
	switch key.kind {
	case projProg:
		p.w = l.newWeightNodes(g, true, false)
		p.drop = l.newMaskNodes(g, rowsIf(key.maskX, key.rows), 0)
		x := G.NewMatrix(g, l.dt, G.WithShape(key.rows, l.inputDim), G.WithName("x"))
		p.xs = []*G.Node{x}
		if p.zOut, err = l.inputPart(p.w, p.drop, x); err != nil {
			return nil, err
		}
		// Gradients: dX = dZ·Wᵀ, dW = Xᵀ·dZ, db = Σ dZ.
		wrt := append(G.Nodes{x}, p.w.nodes...)
		if key.noDX {
			wrt = p.w.nodes
		}
		return p, p.finish(g, l, nil, wrt)
	case startProg:
		p.w = l.newWeightNodes(g, false, true)
		p.drop = l.newMaskNodes(g, 0, rowsIf(key.maskH, key.rows))
		p.zIn, p.h0 = gateInputs("zx"), state("h0")
		if p.zOut, err = l.preActivation(p.w, p.drop, p.zIn, p.h0); err != nil {
			return nil, err
		}
		// dh0 = Σ dz·Uᵀ; dzx_0 is the seed itself, dU is recProg's.
		return p, p.finish(g, l, nil, G.Nodes{p.h0})
	case recProg:
		p.w = l.newWeightNodes(g, false, true)
		p.drop = l.newMaskNodes(g, 0, rowsIf(key.maskH, key.rows))
		p.h0 = state("h_prev")
		if p.zOut, err = l.preActivation(p.w, p.drop, gateInputs("zx"), p.h0); err != nil {
			return nil, err
		}
		return p, p.finish(g, l, nil, p.w.nodes)
	case cellProg:
		p.w = l.newWeightNodes(g, false, true)
		p.drop = l.newMaskNodes(g, 0, rowsIf(key.maskH, key.rows))
		p.zIn, p.zxNext, p.c0 = gateInputs("z"), gateInputs("zx_next"), state("c0")
		h, c, err := l.gating(p.zIn, p.c0)
		if err != nil {
			return nil, err
		}
		wrt := append(append(G.Nodes{}, p.zIn[:n]...), p.c0)
		if key.seq {
			// The masked step blends with the previous state, so h_{t-1}
			// is an input too; its gradient (n ⊙ dh_t) joins that of the
			// previous step's output.
			p.h0, p.seq = state("h0"), l.newSeqMaskNodes(g, key.rows, 1, false)
			if h, c, err = maskedStep(p.seq.m[0], p.seq.n[0], h, c, p.h0, p.c0); err != nil {
				return nil, err
			}
			wrt = append(wrt, p.h0)
		}
		p.hs, p.cT = []*G.Node{h}, c
		if p.zOut, err = l.preActivation(p.w, p.drop, p.zxNext, h); err != nil {
			return nil, err
		}
		return p, p.finish(g, l, []bool{true}, wrt)
	}
	p.w = l.newWeightNodes(g, true, true)
	p.drop = l.newMaskNodes(g, rowsIf(key.maskX, key.rows), rowsIf(key.maskH, key.rows))
	p.h0, p.c0 = state("h0"), state("c0")
	if key.seq {
		p.seq = l.newSeqMaskNodes(g, key.rows, key.steps, true)
	}
	x := func(t int) *G.Node {
		p.xs = append(p.xs, G.NewMatrix(g, l.dt, G.WithShape(key.rows, l.inputDim), G.WithName(fmt.Sprintf("x_%d", t))))
		return p.xs[t]
	}
	var hT, cT *G.Node
	if p.hs, hT, cT, err = l.unrollSteps(p.w, p.drop, p.seq, key.steps, x, p.h0, p.c0); err != nil {
		return nil, err
	}
	p.cT = cT
	if key.seq {
		p.hT = hT
	}
	seeded := make([]bool, key.steps)
	for t := range seeded {
		seeded[t] = seedAll || t == key.steps-1
	}
	if key.grad && !seedC {
		p.cT, p.hT = nil, nil
	}
	wrt := append(G.Nodes{}, p.xs...)
	if key.noDX {
		wrt = nil
	}
	wrt = append(wrt, p.w.nodes...)
	return p, p.finish(g, l, seeded, append(wrt, p.h0, p.c0))
}

// finish compiles the program: forward only, the machine computes the
// outputs (hs, hT, cT, zOut); with gradients it seeds the outputs (seeded:
// which hs, with hT, cT and zOut), adds the VJP with respect to wrt and
// computes only the gradients: in the loop mode they need no forward
// matrix product.
func (p *program) finish(g *G.ExprGraph, l *LSTM, seeded []bool, wrt G.Nodes) (err error) {
	var outs G.Nodes
	if p.key.grad {
		if err := p.addGradients(g, l, seeded, wrt); err != nil {
			return err
		}
		outs = append(append(outs, p.gradX...), p.gradZ[:]...)
		outs = append(append(outs, p.gradW...), p.gradH0, p.gradC0)
	} else {
		outs = append(append(outs, p.hs...), p.hT, p.cT)
		outs = append(outs, p.zOut[:]...)
	}
	var live G.Nodes
	for _, n := range outs {
		if n != nil {
			live = append(live, n)
		}
	}
	p.m, err = newMachine(live)
	return err
}

// addGradients seeds the program's outputs (the hs marked in seeded, hT and
// cT when not nil, every zOut) and adds their VJP with respect to wrt, keeping
// the gradient nodes of xs, zIn, the weights, h0 and c0.
func (p *program) addGradients(g *G.ExprGraph, l *LSTM, seeded []bool, wrt G.Nodes) error {
	var outs, seeds G.Nodes
	p.seedH = make([]*G.Node, len(p.hs))
	for t, h := range p.hs {
		if seeded[t] {
			p.seedH[t] = G.NewMatrix(g, l.dt, G.WithShape(h.Shape()...), G.WithName(fmt.Sprintf("seed_h_%d", t)))
			outs, seeds = append(outs, h), append(seeds, p.seedH[t])
		}
	}
	if p.hT != nil {
		p.seedHT = G.NewMatrix(g, l.dt, G.WithShape(p.hT.Shape()...), G.WithName("seed_h_final"))
		outs, seeds = append(outs, p.hT), append(seeds, p.seedHT)
	}
	if p.cT != nil {
		p.seedC = G.NewMatrix(g, l.dt, G.WithShape(p.cT.Shape()...), G.WithName("seed_c"))
		outs, seeds = append(outs, p.cT), append(seeds, p.seedC)
	}
	for k, z := range p.zOut {
		if z != nil {
			p.seedZ[k] = G.NewMatrix(g, l.dt, G.WithShape(z.Shape()...), G.WithName(fmt.Sprintf("seed_z_%d", k)))
			outs, seeds = append(outs, z), append(seeds, p.seedZ[k])
		}
	}
	grads, err := G.Backpropagate(outs, seeds, wrt)
	if err != nil {
		return fmt.Errorf("lstm: gradient graph: %w", err)
	}
	for i, n := range wrt {
		switch {
		case contains(p.xs, n):
			p.gradX = append(p.gradX, grads[i])
		case n == p.h0:
			p.gradH0 = grads[i]
		case n == p.c0:
			p.gradC0 = grads[i]
		case contains(p.w.nodes, n):
			p.gradW = append(p.gradW, grads[i])
		default:
			for k := range p.zIn {
				if n == p.zIn[k] {
					p.gradZ[k] = grads[i]
				}
			}
		}
	}
	return nil
}

func contains(ns G.Nodes, n *G.Node) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}

// programInputs are the values one run binds; fields a program has no node
// for are ignored.
type programInputs struct {
	xs      []*tensor.Dense
	zIn     [4]*tensor.Dense
	zxNext  [4]*tensor.Dense
	weights []*tensor.Dense // the full list (see LSTM.weightValues)
	h0, c0  *tensor.Dense
	masks   *maskValues
	seqM    []*tensor.Dense // aligned with program.seq (see seqMask.inputs)
	seqN    []*tensor.Dense
	seqR    []*tensor.Dense
	seedH   []*tensor.Dense // aligned with program.seedH
	seedHT  *tensor.Dense
	seedC   *tensor.Dense
	seedZ   [4]*tensor.Dense
}

// maskValues hold the dropout multipliers of one batch (nil entries: none).
type maskValues struct {
	x, h [4]*tensor.Dense
}

// run binds the inputs and weights and runs the machine. Outputs not given
// a tensor of the caller (p.m.bindOut, before run) are left in the
// machine's buffers until the next run: the caller copies what it keeps.
func (p *program) run(in programInputs) error {
	m := p.m
	for i, n := range p.w.nodes {
		m.bind(n, in.weights[p.w.idx[i]])
	}
	m.bind(p.h0, in.h0)
	m.bind(p.c0, in.c0)
	for t, x := range p.xs {
		m.bind(x, in.xs[t])
	}
	for k := 0; k < 4; k++ {
		m.bind(p.zIn[k], in.zIn[k])
		m.bind(p.zxNext[k], in.zxNext[k])
		m.bind(p.seedZ[k], in.seedZ[k])
		if in.masks != nil {
			m.bind(p.drop.x[k], in.masks.x[k])
			m.bind(p.drop.h[k], in.masks.h[k])
		}
	}
	if p.seq != nil {
		for t := range p.seq.m {
			m.bind(p.seq.m[t], in.seqM[t])
			m.bind(p.seq.n[t], in.seqN[t])
			if p.seq.r != nil {
				m.bind(p.seq.r[t], in.seqR[t])
			}
		}
	}
	for t, s := range p.seedH {
		m.bind(s, in.seedH[t])
	}
	m.bind(p.seedHT, in.seedHT)
	m.bind(p.seedC, in.seedC)
	return m.run()
}
