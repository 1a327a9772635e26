package lstm

import (
	"gorgonia.org/tensor"
)

// weightValues returns the values bound to weightNodes.nodes: the weights
// themselves for implementation 2, or copies of their four gate blocks for
// implementation 1.
func (l *LSTM) weightValues() []*tensor.Dense {
	ps := l.Params()
	if l.gates() == 1 {
		vs := make([]*tensor.Dense, len(ps))
		for i, p := range ps {
			vs[i] = p.Value
		}
		return vs
	}
	var vs []*tensor.Dense
	for _, p := range ps {
		for k := 0; k < 4; k++ {
			vs = append(vs, gateSlice(p.Value, k))
		}
	}
	return vs
}

// weightGrads assembles gradients aligned with weightNodes.nodes into the
// gradients of the kernel, the recurrent kernel and the bias (nil without
// use_bias), in Keras layout.
func (l *LSTM) weightGrads(gs []*tensor.Dense) (k, r, b *tensor.Dense) {
	n := l.gates()
	full := make([]*tensor.Dense, 0, 3)
	for i := 0; i < len(gs); i += n {
		if n == 1 {
			full = append(full, gs[i])
			continue
		}
		full = append(full, joinGates(gs[i:i+4]))
	}
	if len(full) == 3 {
		b = full[2]
	}
	return full[0], full[1], b
}

// rowsCols views a matrix or a vector (as one row) as rows × cols.
func rowsCols(t *tensor.Dense) (int, int) {
	s := t.Shape()
	if len(s) == 1 {
		return 1, s[0]
	}
	return s[0], s[1]
}

// gateSlice copies gate block k (of 4 along the last axis) out of w.
func gateSlice(w *tensor.Dense, k int) *tensor.Dense {
	rows, cols := rowsCols(w)
	u := cols / 4
	shape := []int{rows, u}
	if w.Dims() == 1 {
		shape = []int{u}
	}
	out := zeros(w.Dtype(), shape...)
	switch d := out.Data().(type) {
	case []float64:
		copyBlock(d, w.Data().([]float64), rows, u, cols, k*u, false)
	case []float32:
		copyBlock(d, w.Data().([]float32), rows, u, cols, k*u, false)
	}
	return out
}

// joinGates is the inverse of gateSlice: it places four gate blocks side
// by side.
func joinGates(blocks []*tensor.Dense) *tensor.Dense {
	rows, u := rowsCols(blocks[0])
	shape := []int{rows, 4 * u}
	if blocks[0].Dims() == 1 {
		shape = []int{4 * u}
	}
	out := zeros(blocks[0].Dtype(), shape...)
	for k, b := range blocks {
		switch d := out.Data().(type) {
		case []float64:
			copyBlock(b.Data().([]float64), d, rows, u, 4*u, k*u, true)
		case []float32:
			copyBlock(b.Data().([]float32), d, rows, u, 4*u, k*u, true)
		}
	}
	return out
}
