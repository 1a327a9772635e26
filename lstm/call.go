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
	masks        *maskValues   // dropout multipliers
	seq          *seqMask      // sequence mask; nil without padded steps
	x            *tensor.Dense // the steps stacked (steps·batch, input_dim) (loop mode)
	// The loop mode's intermediates, step-major (rows t·batch … (t+1)·batch
	// hold processing step t): each step's pre-activation z_t per weight
	// block, (steps·batch, width), and the states, ((steps+1)·batch, units),
	// block 0 holding h_0 and c_0, block t+1 the states after step t.
	zs       [4]*tensor.Dense
	hs, cs   *tensor.Dense
	outs     *Outputs
	actVal   float64 // activity penalty of outs
	released bool    // the arrays went back to the layer's pool (see release)
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
	old := l.last
	l.last = nil
	if rec.training {
		l.last = rec
	}
	l.mu.Unlock()
	// Nothing else holds the previous call's record (VJP, which reads it,
	// does not run concurrently with a training call).
	l.release(old)
	return out, nil
}

// release gives a record's arrays back to the layer's pool: its call can
// no longer be differentiated. A nil record is ignored.
func (l *LSTM) release(rec *record) {
	if rec == nil {
		return
	}
	l.arrays.put(rec.x, rec.hs, rec.cs)
	l.arrays.put(rec.zs[:]...)
	rec.x, rec.hs, rec.cs, rec.zs, rec.released = nil, nil, nil, [4]*tensor.Dense{}, true
}

// call is Call without keeping the record in the layer: it returns it
// (for VJP with vjpRecord when opt.Training).
func (l *LSTM) call(x *tensor.Dense, opt CallOptions) (*Outputs, *record, error) {
	rec, err := l.prepare(x, opt)
	if err != nil {
		return nil, nil, err
	}
	out, err := l.run(rec)
	if !rec.training || err != nil {
		l.release(rec)
	}
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
	// The first call builds the weights; the lock makes concurrent first
	// calls build once, and later calls only read what the build wrote.
	l.mu.Lock()
	built := l.built
	l.mu.Unlock()
	if built && dim != l.inputDim {
		return nil, fmt.Errorf("lstm: input_dim = %d, but the layer's weights were built for input_dim %d", dim, l.inputDim)
	}
	if built && x.Dtype() != l.dt {
		return nil, fmt.Errorf("lstm: input dtype %v, but the layer is %v", x.Dtype(), l.dt)
	}
	if err := l.checkStatefulBatch(batch); err != nil {
		return nil, err
	}
	if !built {
		l.mu.Lock()
		var err error
		if !l.built {
			err = l.BuildFor(dim, x.Dtype())
		}
		l.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if dim != l.inputDim || x.Dtype() != l.dt {
			return nil, fmt.Errorf("lstm: input (%d features, %v) but a concurrent first call built the layer for %d features, %v", dim, x.Dtype(), l.inputDim, l.dt)
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
		rec.x = l.arrays.get(l.dt, steps*batch, dim)
		stepMajor(rec.x, x, l.timeIndex)
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
	var out *Outputs
	var err error
	if l.cfg.Unroll {
		out, err = l.forwardUnrolled(rec)
	} else {
		out, err = l.forwardLoop(rec)
	}
	if err != nil {
		return nil, err
	}
	rec.outs = out
	if l.cfg.Stateful {
		l.cfg.BatchSize = rec.batch
		l.states = &State{H: out.H.Clone().(*tensor.Dense), C: out.C.Clone().(*tensor.Dense)}
	}
	if !l.cfg.ReturnState {
		out.H, out.C = nil, nil
	}
	if l.actReg.reg != nil {
		if rec.actVal, err = l.actReg.value(returned(out)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// newOutputs returns the outputs of a call with T processing steps: the
// sequence output (batch, T, units) allocated with return_sequences, and H
// and C set to hT and cT (which the caller owns).
func (l *LSTM) newOutputs(batch, steps int, hT, cT *tensor.Dense) *Outputs {
	out := &Outputs{Output: hT, H: hT, C: cT}
	if l.cfg.ReturnSequences {
		out.Output = zeros(l.dt, batch, steps, l.cfg.Units)
	} else if l.cfg.ReturnState {
		out.Output = hT.Clone().(*tensor.Dense)
	}
	return out
}

// forwardUnrolled runs the unrolled graph.
func (l *LSTM) forwardUnrolled(rec *record) (*Outputs, error) {
	mx, mh, seq := rec.masks.x[0] != nil, rec.masks.h[0] != nil, rec.seq != nil
	p, put, err := l.program(progKey{kind: unrolledProg, rows: rec.batch, steps: rec.steps, maskX: mx, maskH: mh, seq: seq})
	if err != nil {
		return nil, err
	}
	defer put()
	in := programInputs{xs: rec.xs, weights: rec.weights, h0: rec.h0, c0: rec.c0, masks: rec.masks}
	rec.seq.inputs(&in, 0, rec.steps)
	if err := p.run(in); err != nil {
		return nil, err
	}
	// The output of the last step and h_T differ with a mask (see
	// unrollSteps).
	last := p.m.value(p.hs[len(p.hs)-1])
	hT := last
	if p.hT != nil {
		hT = p.m.value(p.hT)
	}
	out := l.newOutputs(rec.batch, rec.steps, hT.Clone().(*tensor.Dense), p.m.value(p.cT).Clone().(*tensor.Dense))
	if l.cfg.ReturnSequences {
		for t, h := range p.hs {
			setStep(out.Output, t, p.m.value(h))
		}
	} else if p.hT != nil {
		out.Output = last.Clone().(*tensor.Dense)
	}
	return out, nil
}

// forwardLoop runs the loop mode: the input projection of every step in one
// product, the first pre-activation, then the compiled cell once per step.
// The step's values move between runs through the cell program's buffers
// (loopBuffers); a training call copies the pre-activations and states into
// the record for VJP.
func (l *LSTM) forwardLoop(rec *record) (*Outputs, error) {
	mx, mh, seq := rec.masks.x[0] != nil, rec.masks.h[0] != nil, rec.seq != nil
	n, b, steps := l.gates(), rec.batch, rec.steps
	pp, put, err := l.program(progKey{kind: projProg, rows: b * steps, maskX: mx})
	if err != nil {
		return nil, err
	}
	defer put()
	if rec.training {
		// The projection is computed into the record, where each step's
		// pre-activation then replaces its input projection.
		for k := 0; k < n; k++ {
			rec.zs[k] = l.arrays.get(l.dt, b*steps, l.gateWidth())
			pp.m.bindOut(pp.zOut[k], rec.zs[k])
		}
	}
	if err := pp.run(programInputs{xs: []*tensor.Dense{rec.x}, weights: rec.weights, masks: repeatMasks(rec.masks, steps, true)}); err != nil {
		return nil, err
	}
	zx := rec.zs
	if !rec.training {
		for k := 0; k < n; k++ {
			zx[k] = pp.m.value(pp.zOut[k]) // the projection's own buffer, until its next run
		}
	}
	sp, put, err := l.program(progKey{kind: startProg, rows: b, maskH: mh})
	if err != nil {
		return nil, err
	}
	defer put()
	cp, put, err := l.program(progKey{kind: cellProg, rows: b, steps: 1, maskH: mh, seq: seq})
	if err != nil {
		return nil, err
	}
	defer put()
	buf := cp.buffers(l)
	// z_0 = zx_0 + h_0·U, computed in place into the buffer the first
	// step reads.
	for k := 0; k < n; k++ {
		getRows(buf.z[0][k], zx[k], 0)
		sp.m.bindOut(sp.zOut[k], buf.z[0][k])
	}
	if err := sp.run(programInputs{zIn: buf.z[0], h0: rec.h0, weights: rec.weights, masks: rec.masks}); err != nil {
		return nil, err
	}
	if rec.training {
		for k := 0; k < n; k++ {
			copyRows(rec.zs[k], 0, buf.z[0][k])
		}
		rec.hs, rec.cs = l.arrays.get(l.dt, (steps+1)*b, l.cfg.Units), l.arrays.get(l.dt, (steps+1)*b, l.cfg.Units)
		copyRows(rec.hs, 0, rec.h0)
		copyRows(rec.cs, 0, rec.c0)
	}
	var outSeq *tensor.Dense
	if l.cfg.ReturnSequences {
		outSeq = zeros(l.dt, b, steps, l.cfg.Units)
	}
	h, c := rec.h0, rec.c0
	in := programInputs{weights: rec.weights, masks: rec.masks}
	for t := 0; t < steps; t++ {
		cur, next := t%2, (t+1)%2
		// z_{t+1} = zx_{t+1} + h_t·U, in place into the buffer of
		// zx_{t+1} (zeros past the last step).
		for k := 0; k < n; k++ {
			if t+1 < steps {
				getRows(buf.z[next][k], zx[k], (t+1)*b)
			} else {
				clearTensor(buf.z[next][k])
			}
			cp.m.bindOut(cp.zOut[k], buf.z[next][k])
		}
		cp.m.bindOut(cp.hs[0], buf.h[next])
		cp.m.bindOut(cp.cT, buf.c[next])
		in.zIn, in.zxNext, in.h0, in.c0 = buf.z[cur], buf.z[next], h, c
		rec.seq.inputs(&in, t, t+1)
		if err := cp.run(in); err != nil {
			return nil, err
		}
		h, c = buf.h[next], buf.c[next]
		if rec.training {
			copyRows(rec.hs, (t+1)*b, h)
			copyRows(rec.cs, (t+1)*b, c)
			if t+1 < steps {
				for k := 0; k < n; k++ {
					copyRows(rec.zs[k], (t+1)*b, buf.z[next][k])
				}
			}
		}
		if outSeq != nil {
			setStep(outSeq, t, h)
		}
	}
	out := l.newOutputs(b, steps, h.Clone().(*tensor.Dense), c.Clone().(*tensor.Dense))
	if outSeq != nil {
		out.Output = outSeq
	}
	return out, nil
}

// program returns a compiled program for key, an idle one or a newly
// compiled one, and the function that gives it back once its last run is
// done and its outputs are read (see graph.ProgramCache: the cache is
// bounded, and concurrent inference calls each get their own program).
func (l *LSTM) program(key progKey) (*program, func(), error) { return l.progs.Get(key) }

// compile builds the program for key.
func (l *LSTM) compile(key progKey) (*program, error) {
	seedAll, seedC := l.cfg.ReturnSequences, l.cfg.ReturnState
	if key.kind == cellProg {
		// One cell: both of its outputs carry gradient from the next step.
		seedAll, seedC = true, true
	}
	return l.buildProgram(key, seedAll, seedC)
}

// SetProgramCacheSize sets how many idle compiled programs the layer keeps
// (see graph.ProgramCache; default graph.DefaultProgramCacheSize). The loop
// mode compiles a cell, a start and a projection program per batch size
// (the projection also per sequence length), with and without gradients;
// the unrolled mode one graph per batch size and sequence length.
func (l *LSTM) SetProgramCacheSize(n int) error { return l.progs.SetCapacity(n) }
