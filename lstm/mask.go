package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// seqMask is a call's sequence mask as the graphs take it: per processing
// step k, (batch, units) tensors, each row all ones or all zeros:
//
//	m[k]: 1 on the rows whose step k is real, 0 on padded ones;
//	n[k] = 1 − m[k];
//	r[k]: 1 on the rows that have had a real step among steps 0…k
//	      (unroll=true only: that mode outputs zeros before the first one).
//
// Each is a view of one (steps·batch, units) buffer.
type seqMask struct {
	m, n, r []*tensor.Dense
}

// sequenceMask checks the mask of a call against the input's batch and
// timesteps and returns it per processing step, or nil when there is none
// or when every step is real: the unmasked graphs then compute the same
// numbers (a blend with m = 1, n = 0 is exact).
func (l *LSTM) sequenceMask(mask *tensor.Dense, batch, steps int) (*seqMask, error) {
	if mask == nil {
		return nil, nil
	}
	isReal, err := realSteps(mask, batch, steps)
	if err != nil {
		return nil, err
	}
	all := true
	for _, v := range isReal {
		all = all && v
	}
	if all {
		return nil, nil
	}
	u := l.cfg.Units
	mb, nb := zeros(l.dt, steps*batch, u), zeros(l.dt, steps*batch, u)
	var rb *tensor.Dense
	if l.cfg.Unroll {
		rb = zeros(l.dt, steps*batch, u)
	}
	seen := make([]bool, batch)
	for k := 0; k < steps; k++ {
		ti := l.timeIndex(k, steps)
		for b := 0; b < batch; b++ {
			row := k*batch + b
			if isReal[b*steps+ti] {
				seen[b] = true
				fillOnes(mb, row)
			} else {
				fillOnes(nb, row)
			}
			if rb != nil && seen[b] {
				fillOnes(rb, row)
			}
		}
	}
	s := &seqMask{m: make([]*tensor.Dense, steps), n: make([]*tensor.Dense, steps)}
	if rb != nil {
		s.r = make([]*tensor.Dense, steps)
	}
	for k := 0; k < steps; k++ {
		s.m[k], s.n[k] = rowBlock(mb, k*batch, batch), rowBlock(nb, k*batch, batch)
		if rb != nil {
			s.r[k] = rowBlock(rb, k*batch, batch)
		}
	}
	return s, nil
}

// inputs sets in's sequence-mask values to processing steps [from, to)
// (nothing without a mask).
func (s *seqMask) inputs(in *programInputs, from, to int) {
	if s == nil {
		return
	}
	in.seqM, in.seqN = s.m[from:to], s.n[from:to]
	if s.r != nil {
		in.seqR = s.r[from:to]
	}
}

// realSteps checks a (batch, steps) mask and returns whether each step is
// real, row-major. A Bool mask is taken as it is; in an integer mask every
// non-zero value is a real step (Keras casts the mask to bool). Floats and
// other dtypes are refused: a float mask is most often an input passed by
// mistake.
func realSteps(mask *tensor.Dense, batch, steps int) ([]bool, error) {
	if !sameShape(mask.Shape(), batch, steps) {
		return nil, fmt.Errorf("lstm: mask has shape %v: want (%d, %d) (batch, timesteps)", mask.Shape(), batch, steps)
	}
	out, err := graph.MaskValues(mask)
	if err != nil {
		return nil, fmt.Errorf("lstm: mask has dtype %v: mask must be a bool or integer tensor (true or non-zero: a real step; false or 0: padding)", mask.Dtype())
	}
	return out, nil
}

// fillOnes sets row `row` of a matrix to ones.
func fillOnes(x *tensor.Dense, row int) {
	w := x.Shape()[1]
	switch d := x.Data().(type) {
	case []float64:
		for j := range d[row*w : (row+1)*w] {
			d[row*w+j] = 1
		}
	case []float32:
		for j := range d[row*w : (row+1)*w] {
			d[row*w+j] = 1
		}
	}
}
