package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// State is an LSTM state: h and c, each (batch, units).
type State struct {
	H, C *tensor.Dense
}

// DropoutMasks are binary keep masks (1 keep, 0 drop), one per gate in
// order i, f, c, o: Input[g] is (batch, input_dim), Recurrent[g] is
// (batch, units). The layer multiplies by mask/(1-rate). Implementation 2
// uses index 0 only. A nil entry for an active rate is an error.
type DropoutMasks struct {
	Input, Recurrent [4]*tensor.Dense
}

// CallOptions are the per-call arguments of Call. Every tensor may be a
// view (x.Slice(...), a transpose): it is read as its materialized copy.
type CallOptions struct {
	// Training applies dropout (when a rate is set) and records what VJP
	// needs. Inference (false) never drops.
	Training bool
	// InitialState, when set, is the state before the first step; it takes
	// precedence over a stateful layer's carried state (as Keras 2.2).
	// Gradients flow into it (Grads.InitialH, Grads.InitialC).
	InitialState *State
	// Masks, when set in training, are the dropout keep masks, used instead
	// of masks drawn from the layer's seeded source.
	Masks *DropoutMasks
	// Mask, when set, marks the real timesteps of each sample (Keras'
	// mask): a (batch, timesteps) tensor in input order, of dtype Bool or
	// any integer type; true or non-zero is a real step, false or 0 a
	// padded one (Keras casts the mask to bool). A padded step carries h
	// and c unchanged; see the package documentation for its output, which
	// depends on Unroll as in Keras 2.2.4. A float tensor is an error.
	Mask *tensor.Dense
}

// Outputs are what the layer returns: Output is (batch, units), or
// (batch, timesteps, units) with ReturnSequences (in processing order, so
// reversed with GoBackwards); H and C are the final states, set only with
// ReturnState.
type Outputs struct {
	Output, H, C *tensor.Dense
}

// Grads are the gradients VJP returns, each shaped like what it is the
// gradient of: the input (batch, timesteps, input_dim), the weights, and the
// initial state (also when the state was zeros or carried).
type Grads struct {
	Input, Kernel, RecurrentKernel, Bias, InitialH, InitialC *tensor.Dense
}

// record is one call: everything its VJP needs (inputs, weight values,
// states, masks, the loop mode's intermediates, the outputs for the
// activity penalty), so that several records of one layer can live at once
// and each be differentiated (see vjpRecord).
type record struct {
	training     bool
	batch, steps int
	xs           []*tensor.Dense // per processing step (unrolled mode)
	weights      []*tensor.Dense // see weightValues
	h0, c0       *tensor.Dense
	masks        *maskValues        // dropout multipliers
	seq          *seqMask           // sequence mask; nil without padded steps
	hs, cs       []*tensor.Dense    // states after each processing step (loop mode)
	x            *tensor.Dense      // the steps stacked (steps·batch, input_dim) (loop mode)
	zx           [4]*tensor.Dense   // their input projection (loop mode)
	zs           [][4]*tensor.Dense // each step's pre-activation (loop mode)
	outs         *Outputs
	actVal       float64 // activity penalty of outs
}

// timeIndex maps a processing step to the input time index.
func (l *LSTM) timeIndex(k, steps int) int {
	if l.cfg.GoBackwards {
		return steps - 1 - k
	}
	return k
}

// Call runs the layer on x, of shape (batch, timesteps, input_dim), building
// the weights on the first call (input_dim and dtype from x).
func (l *LSTM) Call(x *tensor.Dense, opt CallOptions) (*Outputs, error) {
	out, rec, err := l.call(x, opt)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.actVal = rec.actVal
	l.last = nil
	if rec.training {
		l.last = rec
	}
	l.mu.Unlock()
	return out, nil
}

// call is Call without keeping the record in the layer: it returns it
// (for VJP with vjpRecord when opt.Training).
func (l *LSTM) call(x *tensor.Dense, opt CallOptions) (*Outputs, *record, error) {
	rec, err := l.prepare(x, opt)
	if err != nil {
		return nil, nil, err
	}
	out, err := l.run(rec)
	if err != nil {
		return nil, nil, err
	}
	return out, rec, nil
}

// prepare checks the arguments of a call, builds the weights on the first
// one and returns the call's record with its inputs.
func (l *LSTM) prepare(x *tensor.Dense, opt CallOptions) (*record, error) {
	if err := checkInput(x, opt.Mask); err != nil {
		return nil, err
	}
	s := x.Shape()
	batch, steps, dim := s[0], s[1], s[2]
	if l.built && dim != l.inputDim {
		return nil, fmt.Errorf("lstm: input_dim = %d, but the layer's weights were built for input_dim %d", dim, l.inputDim)
	}
	if l.built && x.Dtype() != l.dt {
		return nil, fmt.Errorf("lstm: input dtype %v, but the layer is %v", x.Dtype(), l.dt)
	}
	if err := l.checkStatefulBatch(batch); err != nil {
		return nil, err
	}
	if !l.built {
		if err := l.BuildFor(dim, x.Dtype()); err != nil {
			return nil, err
		}
	}
	h0, c0, err := l.initialState(batch, opt.InitialState)
	if err != nil {
		return nil, err
	}
	seq, err := l.sequenceMask(opt.Mask, batch, steps)
	if err != nil {
		return nil, err
	}
	masks, err := l.dropoutMasks(batch, opt)
	if err != nil {
		return nil, err
	}
	rec := &record{training: opt.Training, batch: batch, steps: steps, h0: h0, c0: c0, masks: masks, seq: seq, weights: l.weightValues()}
	x = graph.Contiguous(x)
	if l.cfg.Unroll {
		for k := 0; k < steps; k++ {
			rec.xs = append(rec.xs, stepSlice(x, l.timeIndex(k, steps)))
		}
	} else {
		rec.x = stepMajor(x, l.timeIndex)
	}
	return rec, nil
}

// checkInput checks what a call's input and mask must be whatever the
// layer: x (batch, timesteps, input_dim), float32 or float64, and the mask
// (nil, or (batch, timesteps), bool or integer). It runs before the first
// call builds the layer, so that a refused call changes nothing.
func checkInput(x, mask *tensor.Dense) error {
	if x == nil {
		return fmt.Errorf("lstm: input is nil")
	}
	s := x.Shape()
	if len(s) != 3 {
		return fmt.Errorf("lstm: input has shape %v (rank %d): want rank 3 (batch, timesteps, input_dim)", s, len(s))
	}
	if !isFloat(x.Dtype()) {
		return fmt.Errorf("lstm: input dtype %v: want float32 or float64", x.Dtype())
	}
	if s[0] < 1 || s[1] < 1 || s[2] < 1 {
		return fmt.Errorf("lstm: input has shape %v: every dimension must be at least 1", s)
	}
	if mask != nil {
		if _, err := realSteps(mask, s[0], s[1]); err != nil {
			return err
		}
	}
	return nil
}

// run computes a prepared call: the outputs, the carried states of a
// stateful layer and the activity penalty.
func (l *LSTM) run(rec *record) (*Outputs, error) {
	outs, hT, cT, err := l.forward(rec)
	if err != nil {
		return nil, err
	}
	out := l.assemble(outs, hT, cT)
	rec.outs = out
	if l.cfg.Stateful {
		l.cfg.BatchSize = rec.batch
		l.states = &State{H: hT.Clone().(*tensor.Dense), C: cT.Clone().(*tensor.Dense)}
	}
	if l.actReg.reg != nil {
		if rec.actVal, err = l.actReg.value(returned(out)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// assemble builds the returned tensors from the output of each processing
// step and the final states.
func (l *LSTM) assemble(outs []*tensor.Dense, hT, cT *tensor.Dense) *Outputs {
	last := outs[len(outs)-1]
	out := &Outputs{Output: last}
	if l.cfg.ReturnSequences {
		b := last.Shape()[0]
		seq := zeros(l.dt, b, len(outs), l.cfg.Units)
		for k, h := range outs {
			setStep(seq, k, h)
		}
		out.Output = seq
	}
	if l.cfg.ReturnState {
		out.H, out.C = hT, cT
		if hT == last {
			out.H = hT.Clone().(*tensor.Dense)
		}
	}
	return out
}

// forward runs the steps in the layer's mode and returns the output of
// each processing step and the final states (hT may be the last output).
// The loop mode records the states and the input projection for VJP.
func (l *LSTM) forward(rec *record) (outs []*tensor.Dense, hT, cT *tensor.Dense, err error) {
	var ls leases
	defer ls.giveBack()
	mx, mh, seq := rec.masks.x[0] != nil, rec.masks.h[0] != nil, rec.seq != nil
	if l.cfg.Unroll {
		p, err := l.program(progKey{kind: unrolledProg, rows: rec.batch, steps: rec.steps, maskX: mx, maskH: mh, seq: seq}, &ls)
		if err != nil {
			return nil, nil, nil, err
		}
		in := programInputs{xs: rec.xs, weights: rec.weights, h0: rec.h0, c0: rec.c0, masks: rec.masks}
		rec.seq.inputs(&in, 0, rec.steps)
		if err := p.run(in); err != nil {
			return nil, nil, nil, err
		}
		outs = make([]*tensor.Dense, len(p.hVals))
		for t, h := range p.hVals {
			outs[t] = owned(h)
		}
		hT = outs[len(outs)-1]
		if p.hTVal != nil {
			hT = owned(p.hTVal)
		}
		return outs, hT, owned(p.cVal), nil
	}
	// Loop mode: the input projection of every step in one product, the
	// first pre-activation, then the compiled cell once per step.
	rows := rec.batch * rec.steps
	pp, err := l.program(progKey{kind: projProg, rows: rows, maskX: mx}, &ls)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := pp.run(programInputs{xs: []*tensor.Dense{rec.x}, weights: rec.weights, masks: repeatMasks(rec.masks, rec.steps)}); err != nil {
		return nil, nil, nil, err
	}
	for k := 0; k < l.gates(); k++ {
		rec.zx[k] = owned(pp.zVals[k])
	}
	sp, err := l.program(progKey{kind: startProg, rows: rec.batch, maskH: mh}, &ls)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := sp.run(programInputs{zIn: rec.stepProjection(0), h0: rec.h0, weights: rec.weights, masks: rec.masks}); err != nil {
		return nil, nil, nil, err
	}
	z := ownedAll(sp.zVals)
	cp, err := l.program(progKey{kind: cellProg, rows: rec.batch, steps: 1, maskH: mh, seq: seq}, &ls)
	if err != nil {
		return nil, nil, nil, err
	}
	h, c := rec.h0, rec.c0
	in := programInputs{weights: rec.weights, masks: rec.masks}
	for t := 0; t < rec.steps; t++ {
		in.zIn, in.h0, in.c0, in.zxNext = z, h, c, rec.stepProjection(t+1)
		rec.seq.inputs(&in, t, t+1)
		if err := cp.run(in); err != nil {
			return nil, nil, nil, err
		}
		rec.zs = append(rec.zs, z)
		h, c, z = owned(cp.hVals[0]), owned(cp.cVal), ownedAll(cp.zVals)
		rec.hs, rec.cs = append(rec.hs, h), append(rec.cs, c)
	}
	return rec.hs, h, c, nil
}

// leases are the programs one call or VJP took from the layer's cache,
// given back together once their outputs are read.
type leases []func()

// giveBack gives every program back to the cache.
func (ls *leases) giveBack() {
	for _, put := range *ls {
		put()
	}
	*ls = nil
}

// program takes the compiled program for key from the layer's cache
// (compiling one when none is idle) until ls is given back: no other call
// runs it meanwhile.
func (l *LSTM) program(key progKey, ls *leases) (*program, error) {
	p, put, err := l.progs.Get(key)
	if err != nil {
		return nil, err
	}
	*ls = append(*ls, put)
	return p, nil
}

// compile builds and compiles the program for key (the cache's compile
// function).
func (l *LSTM) compile(key progKey) (*program, error) {
	seedAll, seedC := l.cfg.ReturnSequences, l.cfg.ReturnState
	if key.kind == cellProg {
		// One cell: both of its outputs carry gradient from the next step.
		seedAll, seedC = true, true
	}
	return l.buildProgram(key, seedAll, seedC)
}

// SetProgramCacheSize sets how many idle compiled programs the layer keeps
// (default graph.DefaultProgramCacheSize): one per kind of graph, batch
// size, sequence length (projection and unrolled programs) and use, and
// one more per goroutine running inference at once.
func (l *LSTM) SetProgramCacheSize(n int) error { return l.progs.SetCapacity(n) }
