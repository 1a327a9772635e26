package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// VJP returns the gradients of a scalar loss with respect to the input, the
// weights and the initial state of the last training Call, given the
// gradients of that loss with respect to the outputs Call returned (a nil
// field counts as zeros; views are read as their copies). The activity
// regularizer's gradient is added. Gradients come from Gorgonia's autodiff
// of the cell graph: the unrolled graph's Backpropagate at once, or, in the
// loop mode, the compiled one-step vector-Jacobian product run from the
// last step to the first. The input gradient is zero at padded steps of a
// masked call.
func (l *LSTM) VJP(d Outputs) (*Grads, error) { return l.vjp(d, true) }

// vjp is VJP; without needDX it leaves the input gradient out (nil).
func (l *LSTM) vjp(d Outputs, needDX bool) (*Grads, error) {
	l.mu.Lock()
	rec := l.last
	l.mu.Unlock()
	return l.vjpRecord(rec, d, needDX)
}

// vjpRecord is the VJP of the call recorded in rec (see call).
func (l *LSTM) vjpRecord(rec *record, d Outputs, needDX bool) (*Grads, error) {
	if rec == nil || !rec.training {
		return nil, fmt.Errorf("lstm: VJP needs a preceding Call with Training true")
	}
	d.Output, d.H, d.C = graph.Contiguous(d.Output), graph.Contiguous(d.H), graph.Contiguous(d.C)
	if err := l.checkSeeds(rec, &d); err != nil {
		return nil, err
	}
	if l.actReg.reg != nil {
		if err := l.actReg.addGrad(returned(rec.outs), []**tensor.Dense{&d.Output, &d.H, &d.C}); err != nil {
			return nil, err
		}
	}
	u := l.cfg.Units
	// seeds[k]: gradient with respect to the output of processing step k.
	seeds := make([]*tensor.Dense, rec.steps)
	last := rec.steps - 1
	if l.cfg.ReturnSequences {
		if d.Output != nil {
			for k := range seeds {
				seeds[k] = stepSlice(d.Output, k)
			}
		}
	} else if d.Output != nil {
		seeds[last] = d.Output.Clone().(*tensor.Dense)
	}
	// h_T is the last output, except in the unrolled graph with a mask
	// (see unrollSteps): there it has a seed of its own.
	var dh *tensor.Dense
	separateH := l.cfg.Unroll && rec.seq != nil
	switch {
	case separateH:
		dh = d.H
		if dh == nil && l.cfg.ReturnState {
			dh = zeros(l.dt, rec.batch, u)
		}
	case d.H == nil:
	case seeds[last] == nil:
		seeds[last] = d.H.Clone().(*tensor.Dense)
	default:
		graph.AddInto(seeds[last], d.H)
	}
	for k := range seeds {
		if seeds[k] == nil {
			seeds[k] = zeros(l.dt, rec.batch, u)
		}
	}
	dc := d.C
	if dc == nil {
		dc = zeros(l.dt, rec.batch, u)
	}
	if l.cfg.Unroll {
		return l.vjpUnrolled(rec, seeds, dh, dc, !needDX)
	}
	return l.vjpLoop(rec, seeds, dc, !needDX)
}

func (l *LSTM) vjpUnrolled(rec *record, seeds []*tensor.Dense, dh, dc *tensor.Dense, noDX bool) (*Grads, error) {
	var ls leases
	defer ls.giveBack()
	key := progKey{kind: unrolledProg, rows: rec.batch, steps: rec.steps, grad: true,
		maskX: rec.masks.x[0] != nil, maskH: rec.masks.h[0] != nil, noDX: noDX, seq: rec.seq != nil}
	p, err := l.program(key, &ls)
	if err != nil {
		return nil, err
	}
	in := programInputs{xs: rec.xs, weights: rec.weights, h0: rec.h0, c0: rec.c0, masks: rec.masks, seedH: seeds, seedHT: dh, seedC: dc}
	rec.seq.inputs(&in, 0, rec.steps)
	if err := p.run(in); err != nil {
		return nil, err
	}
	g := &Grads{InitialH: owned(p.gradH0.Value()), InitialC: owned(p.gradC0.Value())}
	if !noDX {
		g.Input = zeros(l.dt, rec.batch, rec.steps, l.inputDim)
	}
	gw := make([]*tensor.Dense, len(rec.weights))
	addGrads(gw, p)
	g.Kernel, g.RecurrentKernel, g.Bias = l.weightGrads(gw)
	for t, gx := range p.gradX {
		setStep(g.Input, l.timeIndex(t, rec.steps), gx.Value().(*tensor.Dense))
	}
	return g, nil
}

// vjpLoop runs the compiled one-step VJP from the last step to the first:
// each step takes the gradient of its outputs h_t (from the loss) and c_t,
// and of the next step's pre-activation, and gives the gradient of its own
// pre-activation, of c_{t-1} and of the recurrent kernel. With a mask the
// step also gives the gradient of h_{t-1} through the carried state, which
// joins the loss's gradient of the previous step's output. Then the first
// step's pre-activation VJP gives dh_0, and the projection's VJP the input,
// kernel and bias gradients.
func (l *LSTM) vjpLoop(rec *record, seeds []*tensor.Dense, dc *tensor.Dense, noDX bool) (*Grads, error) {
	var ls leases
	defer ls.giveBack()
	mx, mh := rec.masks.x[0] != nil, rec.masks.h[0] != nil
	cp, err := l.program(progKey{kind: cellProg, rows: rec.batch, steps: 1, grad: true, maskH: mh, seq: rec.seq != nil}, &ls)
	if err != nil {
		return nil, err
	}
	n, width := l.gates(), l.gateWidth()
	var dzx, dnext [4]*tensor.Dense
	for k := 0; k < n; k++ {
		dzx[k] = zeros(l.dt, rec.batch*rec.steps, width)
		dnext[k] = zeros(l.dt, rec.batch, width)
	}
	gw := make([]*tensor.Dense, len(rec.weights))
	var dhCarry *tensor.Dense // masked: the gradient of h_{t} through step t+1's blend
	for t := rec.steps - 1; t >= 0; t-- {
		if dhCarry != nil {
			graph.AddInto(seeds[t], dhCarry)
		}
		in := programInputs{zIn: rec.zs[t], zxNext: rec.stepProjection(t + 1), h0: rec.h0, c0: rec.c0, weights: rec.weights,
			masks: rec.masks, seedH: seeds[t : t+1], seedC: dc, seedZ: dnext}
		if t > 0 {
			in.h0, in.c0 = rec.hs[t-1], rec.cs[t-1]
		}
		rec.seq.inputs(&in, t, t+1)
		if err := cp.run(in); err != nil {
			return nil, err
		}
		addGrads(gw, cp)
		for k := 0; k < n; k++ {
			if t+1 < rec.steps {
				// The next step's input projection enters its pre-activation
				// by a plain sum: its gradient is that of the pre-activation.
				copyRows(dzx[k], (t+1)*rec.batch, dnext[k])
			}
			dnext[k] = owned(cp.gradZ[k].Value())
		}
		dc = owned(cp.gradC0.Value())
		if cp.gradH0 != nil {
			dhCarry = owned(cp.gradH0.Value())
		}
	}
	sp, err := l.program(progKey{kind: startProg, rows: rec.batch, grad: true, maskH: mh}, &ls)
	if err != nil {
		return nil, err
	}
	if err := sp.run(programInputs{zIn: rec.stepProjection(0), h0: rec.h0, weights: rec.weights, masks: rec.masks, seedZ: dnext}); err != nil {
		return nil, err
	}
	addGrads(gw, sp)
	for k := 0; k < n; k++ {
		copyRows(dzx[k], 0, dnext[k])
	}
	dh := owned(sp.gradH0.Value())
	if dhCarry != nil {
		graph.AddInto(dh, dhCarry)
	}
	pp, err := l.program(progKey{kind: projProg, rows: rec.batch * rec.steps, grad: true, maskX: mx, noDX: noDX}, &ls)
	if err != nil {
		return nil, err
	}
	in := programInputs{xs: []*tensor.Dense{rec.x}, weights: rec.weights, masks: repeatMasks(rec.masks, rec.steps), seedZ: dzx}
	if err := pp.run(in); err != nil {
		return nil, err
	}
	addGrads(gw, pp)
	g := &Grads{InitialH: dh, InitialC: dc}
	if !noDX {
		g.Input = unstackSteps(pp.gradX[0].Value().(*tensor.Dense), rec.batch, l.timeIndex)
	}
	g.Kernel, g.RecurrentKernel, g.Bias = l.weightGrads(gw)
	return g, nil
}

// addGrads adds the weight gradients of a run of p into the full list gw
// (see LSTM.weightValues), copying them out of the tape's memory.
func addGrads(gw []*tensor.Dense, p *program) {
	for i, n := range p.gradW {
		v := n.Value().(*tensor.Dense)
		j := p.w.idx[i]
		if gw[j] == nil {
			gw[j] = v
		} else {
			graph.AddInto(gw[j], v)
		}
	}
}

// checkSeeds validates the output gradients against the recorded call.
func (l *LSTM) checkSeeds(rec *record, d *Outputs) error {
	check := func(name string, t *tensor.Dense, want tensor.Shape) error {
		if t == nil {
			return nil
		}
		if t.Dtype() != l.dt {
			return fmt.Errorf("lstm: VJP: gradient of %s has dtype %v, want %v", name, t.Dtype(), l.dt)
		}
		if !sameShape(t.Shape(), want...) { // not Shape.Eq: it equates (n) and (n, 1)
			return fmt.Errorf("lstm: VJP: gradient of %s has shape %v, want %v", name, t.Shape(), want)
		}
		return nil
	}
	if err := check("output", d.Output, rec.outs.Output.Shape()); err != nil {
		return err
	}
	if !l.cfg.ReturnState && (d.H != nil || d.C != nil) {
		return fmt.Errorf("lstm: VJP: gradients of h and c given, but return_state is false")
	}
	st := tensor.Shape{rec.batch, l.cfg.Units}
	if err := check("h", d.H, st); err != nil {
		return err
	}
	return check("c", d.C, st)
}
