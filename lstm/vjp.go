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
	if rec.released {
		return nil, fmt.Errorf("lstm: VJP of a call whose record was released (a model pass's Backward runs once)")
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
	seeds := stepSeeds{}
	if l.cfg.ReturnSequences {
		seeds.seq = d.Output
	} else {
		seeds.last = d.Output
	}
	// h_T is the last output, except in the unrolled graph with a mask
	// (see unrollSteps): there it has a seed of its own.
	var dh *tensor.Dense
	switch {
	case l.cfg.Unroll && rec.seq != nil:
		dh = d.H
	case d.H == nil:
	case seeds.last == nil:
		seeds.last = d.H
	default:
		seeds.last = seeds.last.Clone().(*tensor.Dense)
		graph.AddInto(seeds.last, d.H)
	}
	if l.cfg.Unroll {
		return l.vjpUnrolled(rec, seeds, dh, d.C, !needDX)
	}
	return l.vjpLoop(rec, seeds, d.C, !needDX)
}

// stepSeeds are the gradients of the loss with respect to the output of
// each processing step: step k of seq (batch, steps, units) when not nil,
// plus last at the last step.
type stepSeeds struct {
	seq, last *tensor.Dense
}

// into sets dst (batch, units) to the seed of step k of steps.
func (s stepSeeds) into(dst *tensor.Dense, k, steps int) {
	if s.seq != nil {
		stepCopy(dst, s.seq, k, false)
	} else {
		clearTensor(dst)
	}
	if s.last != nil && k == steps-1 {
		graph.AddInto(dst, s.last)
	}
}

// vjpUnrolled runs the unrolled graph's VJP; dh (the seed of h_T with a
// mask) and dc may be nil for zeros.
func (l *LSTM) vjpUnrolled(rec *record, seeds stepSeeds, dh, dc *tensor.Dense, noDX bool) (*Grads, error) {
	key := progKey{kind: unrolledProg, rows: rec.batch, steps: rec.steps, grad: true,
		maskX: rec.masks.x[0] != nil, maskH: rec.masks.h[0] != nil, noDX: noDX, seq: rec.seq != nil}
	p, put, err := l.program(key)
	if err != nil {
		return nil, err
	}
	defer put()
	zero := zeros(l.dt, rec.batch, l.cfg.Units)
	or := func(t *tensor.Dense) *tensor.Dense {
		if t == nil {
			return zero
		}
		return t
	}
	sh := make([]*tensor.Dense, rec.steps)
	for k := range sh {
		if p.seedH[k] != nil {
			sh[k] = zeros(l.dt, rec.batch, l.cfg.Units)
			seeds.into(sh[k], k, rec.steps)
		}
	}
	in := programInputs{xs: rec.xs, weights: rec.weights, h0: rec.h0, c0: rec.c0, masks: rec.masks, seedH: sh, seedHT: or(dh), seedC: or(dc)}
	rec.seq.inputs(&in, 0, rec.steps)
	if err := p.run(in); err != nil {
		return nil, err
	}
	g := &Grads{InitialH: p.m.value(p.gradH0).Clone().(*tensor.Dense), InitialC: p.m.value(p.gradC0).Clone().(*tensor.Dense)}
	if !noDX {
		g.Input = zeros(l.dt, rec.batch, rec.steps, l.inputDim)
		for t, gx := range p.gradX {
			setStep(g.Input, l.timeIndex(t, rec.steps), p.m.value(gx))
		}
	}
	gw := make([]*tensor.Dense, len(rec.weights))
	addGrads(gw, p)
	g.Kernel, g.RecurrentKernel, g.Bias = l.weightGrads(gw)
	return g, nil
}

// vjpLoop runs the compiled one-step VJP from the last step to the first:
// each step takes the gradient of its outputs h_t (from the loss) and c_t,
// and of the next step's pre-activation, and gives the gradient of its own
// pre-activation and of c_{t-1}. With a mask the step also gives the
// gradient of h_{t-1} through the carried state, which joins the loss's
// gradient of the previous step's output. Then the first step's
// pre-activation VJP gives dh_0, the recurrent product's VJP the recurrent
// kernel's gradient and the projection's VJP the input, kernel and bias
// gradients, each one large product over every step. dc may be nil for
// zeros.
func (l *LSTM) vjpLoop(rec *record, seeds stepSeeds, dc *tensor.Dense, noDX bool) (*Grads, error) {
	mx, mh, seq := rec.masks.x[0] != nil, rec.masks.h[0] != nil, rec.seq != nil
	n, b, steps := l.gates(), rec.batch, rec.steps
	cp, put, err := l.program(progKey{kind: cellProg, rows: b, steps: 1, grad: true, maskH: mh, seq: seq})
	if err != nil {
		return nil, err
	}
	defer put()
	buf := cp.buffers(l)
	var dz [4]*tensor.Dense // every step's dz_t, step-major
	for k := 0; k < n; k++ {
		dz[k] = l.arrays.get(l.dt, b*steps, l.gateWidth())
	}
	defer l.arrays.put(dz[:]...)
	// The last step reads the buffers of step `steps`: no gradient from a
	// next pre-activation or a next blend, dc_T from the loss.
	first := steps % 2
	for k := 0; k < n; k++ {
		clearTensor(buf.dz[first][k])
	}
	clearTensor(buf.dh[first])
	if dc != nil {
		graph.CopyInto(buf.dc[first], dc)
	} else {
		clearTensor(buf.dc[first])
	}
	in := programInputs{weights: rec.weights, masks: rec.masks, seedH: []*tensor.Dense{buf.seed}}
	for t := steps - 1; t >= 0; t-- {
		rd, wr := (t+1)%2, t%2
		for k := 0; k < n; k++ {
			getRows(buf.z[0][k], rec.zs[k], t*b)
			cp.m.bindOut(cp.gradZ[k], buf.dz[wr][k])
		}
		getRows(buf.c[0], rec.cs, t*b) // c_{t-1}
		seeds.into(buf.seed, t, steps)
		if seq {
			getRows(buf.h[0], rec.hs, t*b) // h_{t-1}
			graph.AddInto(buf.seed, buf.dh[rd])
			cp.m.bindOut(cp.gradH0, buf.dh[wr])
		}
		cp.m.bindOut(cp.gradC0, buf.dc[wr])
		in.zIn, in.c0, in.h0, in.seedC, in.seedZ = buf.z[0], buf.c[0], buf.h[0], buf.dc[rd], buf.dz[rd]
		rec.seq.inputs(&in, t, t+1)
		if err := cp.run(in); err != nil {
			return nil, err
		}
		for k := 0; k < n; k++ {
			copyRows(dz[k], t*b, buf.dz[wr][k])
		}
	}
	// Step 0 wrote index 0: dz_0, dc_0 and (masked) the carried dh_0.
	sp, put, err := l.program(progKey{kind: startProg, rows: b, grad: true, maskH: mh})
	if err != nil {
		return nil, err
	}
	defer put()
	if err := sp.run(programInputs{h0: rec.h0, weights: rec.weights, masks: rec.masks, seedZ: buf.dz[0]}); err != nil {
		return nil, err
	}
	g := &Grads{InitialH: sp.m.value(sp.gradH0).Clone().(*tensor.Dense), InitialC: buf.dc[0].Clone().(*tensor.Dense)}
	if seq {
		graph.AddInto(g.InitialH, buf.dh[0])
	}
	gw := make([]*tensor.Dense, len(rec.weights))
	rp, put, err := l.program(progKey{kind: recProg, rows: b * steps, grad: true, maskH: mh})
	if err != nil {
		return nil, err
	}
	defer put()
	hPrev := rowBlock(rec.hs, 0, b*steps) // h_{t-1} of every step
	if err := rp.run(programInputs{h0: hPrev, weights: rec.weights, masks: repeatMasks(rec.masks, steps, false), seedZ: dz}); err != nil {
		return nil, err
	}
	addGrads(gw, rp)
	pp, put, err := l.program(progKey{kind: projProg, rows: b * steps, grad: true, maskX: mx, noDX: noDX})
	if err != nil {
		return nil, err
	}
	defer put()
	if err := pp.run(programInputs{xs: []*tensor.Dense{rec.x}, weights: rec.weights, masks: repeatMasks(rec.masks, steps, true), seedZ: dz}); err != nil {
		return nil, err
	}
	addGrads(gw, pp)
	if !noDX {
		g.Input = unstackSteps(pp.m.value(pp.gradX[0]), b, l.timeIndex)
	}
	g.Kernel, g.RecurrentKernel, g.Bias = l.weightGrads(gw)
	return g, nil
}

// addGrads adds the weight gradients of a run of p into the full list gw
// (see LSTM.weightValues), copying them out of the machine's buffers.
func addGrads(gw []*tensor.Dense, p *program) {
	for i, n := range p.gradW {
		v := p.m.value(n)
		j := p.w.idx[i]
		if gw[j] == nil {
			gw[j] = v.Clone().(*tensor.Dense)
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
