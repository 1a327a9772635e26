package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// VJP returns the gradients of a scalar loss with respect to the input, the
// weights and the initial state of the last training Call, given the
// gradients of that loss with respect to the outputs Call returned (a nil
// field counts as zeros). The activity regularizer's gradient is added.
// Gradients come from Gorgonia's autodiff of the cell graph: the unrolled
// graph's Backpropagate at once, or, in the loop mode, the compiled
// one-step vector-Jacobian product run from the last step to the first.
func (l *LSTM) VJP(d Outputs) (*Grads, error) {
	rec := l.last
	if rec == nil {
		return nil, fmt.Errorf("lstm: VJP needs a preceding Call with Training true")
	}
	if err := l.checkSeeds(rec, &d); err != nil {
		return nil, err
	}
	if err := l.addActivityGrad(rec.outs, &d); err != nil {
		return nil, err
	}
	u := l.cfg.Units
	// seeds[k]: gradient with respect to h after processing step k.
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
	if d.H != nil {
		if seeds[last] == nil {
			seeds[last] = d.H.Clone().(*tensor.Dense)
		} else {
			addInto(seeds[last], d.H)
		}
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
	key := progKey{batch: rec.batch, steps: rec.steps, grad: true, maskX: rec.masks.x[0] != nil, maskH: rec.masks.h[0] != nil}
	if l.cfg.Unroll {
		return l.vjpUnrolled(key, rec, seeds, dc)
	}
	key.steps = 1
	return l.vjpLoop(key, rec, seeds, dc)
}

func (l *LSTM) vjpUnrolled(key progKey, rec *record, seeds []*tensor.Dense, dc *tensor.Dense) (*Grads, error) {
	p, err := l.program(key)
	if err != nil {
		return nil, err
	}
	in := programInputs{xs: rec.xs, weights: rec.weights, h0: rec.h0, c0: rec.c0, masks: rec.masks, seedH: seeds, seedC: dc}
	if err := p.run(in); err != nil {
		return nil, err
	}
	g := l.newGrads(rec, valuesOf(p.gradW), p)
	for k, gx := range p.gradX {
		setStep(g.Input, l.timeIndex(k, rec.steps), gx.Value().(*tensor.Dense))
	}
	return g, nil
}

func (l *LSTM) vjpLoop(key progKey, rec *record, seeds []*tensor.Dense, dc *tensor.Dense) (*Grads, error) {
	p, err := l.program(key)
	if err != nil {
		return nil, err
	}
	var g *Grads
	var gw []*tensor.Dense // weight gradients, summed over the steps
	dh := zeros(l.dt, rec.batch, l.cfg.Units)
	for k := rec.steps - 1; k >= 0; k-- {
		addInto(dh, seeds[k])
		in := programInputs{xs: rec.xs[k : k+1], weights: rec.weights, h0: rec.h0, c0: rec.c0, masks: rec.masks,
			seedH: []*tensor.Dense{dh}, seedC: dc}
		if k > 0 {
			in.h0, in.c0 = rec.hs[k-1], rec.cs[k-1]
		}
		if err := p.run(in); err != nil {
			return nil, err
		}
		if gw == nil {
			gw = valuesOf(p.gradW)
		} else {
			for i, n := range p.gradW {
				addInto(gw[i], n.Value().(*tensor.Dense))
			}
		}
		if g == nil {
			g = &Grads{Input: zeros(l.dt, rec.batch, rec.steps, l.inputDim)}
		}
		setStep(g.Input, l.timeIndex(k, rec.steps), p.gradX[0].Value().(*tensor.Dense))
		dh, dc = cloneValue(p.gradH0.Value()), cloneValue(p.gradC0.Value())
	}
	g.Kernel, g.RecurrentKernel, g.Bias = l.weightGrads(gw)
	g.InitialH, g.InitialC = dh, dc
	return g, nil
}

// newGrads assembles the weight gradients gw, copies the initial-state
// gradients out of p and allocates the input gradient.
func (l *LSTM) newGrads(rec *record, gw []*tensor.Dense, p *program) *Grads {
	g := &Grads{
		Input:    zeros(l.dt, rec.batch, rec.steps, l.inputDim),
		InitialH: cloneValue(p.gradH0.Value()),
		InitialC: cloneValue(p.gradC0.Value()),
	}
	g.Kernel, g.RecurrentKernel, g.Bias = l.weightGrads(gw)
	return g
}

// valuesOf copies the values of nodes out of the tape's memory.
func valuesOf(nodes []*G.Node) []*tensor.Dense {
	vs := make([]*tensor.Dense, len(nodes))
	for i, n := range nodes {
		vs[i] = cloneValue(n.Value())
	}
	return vs
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
