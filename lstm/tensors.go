package lstm

import (
	"fmt"
	"slices"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Small value-level helpers on float32/float64 dense tensors. They panic on
// other dtypes: the layer checks dtypes at its entry points.

func zeros(dt tensor.Dtype, shape ...int) *tensor.Dense { return graph.NewTensor(dt, shape, nil) }

// owned returns a value a finished run left in a root node or in a Read
// holder. It needs no copy: the tape allocates every register anew on the
// next run (TapeMachine.Reset drops them all, vm_tape.go), and program.run
// empties the Read holders first, so nothing writes into it again.
func owned(v G.Value) *tensor.Dense { return v.(*tensor.Dense) }

// stepSlice copies x[:, t, :] of a (batch, steps, width) tensor into a new
// (batch, width) tensor: a column block of x seen as (batch, steps·width).
func stepSlice(x *tensor.Dense, t int) *tensor.Dense {
	s := x.Shape()
	out := zeros(x.Dtype(), s[0], s[2])
	stepCopy(out, x, t, false)
	return out
}

// setStep copies v (batch, width) into x[:, t, :] of a (batch, steps, width)
// tensor.
func setStep(x *tensor.Dense, t int, v *tensor.Dense) { stepCopy(v, x, t, true) }

// stepCopy copies between a (batch, width) matrix and step t of a
// (batch, steps, width) tensor: into the step when scatter, else out of it.
func stepCopy(step, seq *tensor.Dense, t int, scatter bool) {
	s := seq.Shape()
	b, n, w := s[0], s[1], s[2]
	switch d := seq.Data().(type) {
	case []float64:
		copyBlock(step.Data().([]float64), d, b, w, n*w, t*w, scatter)
	case []float32:
		copyBlock(step.Data().([]float32), d, b, w, n*w, t*w, scatter)
	}
}

// sameShape compares dimensions exactly (tensor.Shape.Eq treats (n) and
// (n, 1) as equal).
func sameShape(a tensor.Shape, b ...int) bool { return slices.Equal([]int(a), b) }

// stackSteps stacks per-step (batch, width) tensors into one
// (steps·batch, width) tensor, step-major: row t·batch+b is xs[t][b].
func stackSteps(xs []*tensor.Dense) *tensor.Dense {
	b, w := xs[0].Shape()[0], xs[0].Shape()[1]
	out := zeros(xs[0].Dtype(), len(xs)*b, w)
	for t, x := range xs {
		copyRows(out, t*b, x)
	}
	return out
}

// stepMajor is stackSteps of the processing steps of x (batch, steps,
// width), copied straight from x: row t·batch+b is x[b, timeIndex(t), :].
func stepMajor(x *tensor.Dense, timeIndex func(t, steps int) int) *tensor.Dense {
	s := x.Shape()
	b, n, w := s[0], s[1], s[2]
	out := zeros(x.Dtype(), n*b, w)
	for t := 0; t < n; t++ {
		stepCopy(rowBlock(out, t*b, b), x, timeIndex(t, n), false)
	}
	return out
}

// unstackSteps is the inverse of stackSteps into a (batch, steps, width)
// tensor, placing processing step t at time index timeIndex(t, steps).
func unstackSteps(x *tensor.Dense, batch int, timeIndex func(t, steps int) int) *tensor.Dense {
	rows, w := x.Shape()[0], x.Shape()[1]
	steps := rows / batch
	out := zeros(x.Dtype(), batch, steps, w)
	for t := 0; t < steps; t++ {
		setStep(out, timeIndex(t, steps), rowBlock(x, t*batch, batch))
	}
	return out
}

// rowBlock returns rows [from, from+n) of a matrix as a matrix sharing its
// memory.
func rowBlock(x *tensor.Dense, from, n int) *tensor.Dense {
	w := x.Shape()[1]
	switch d := x.Data().(type) {
	case []float64:
		return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(d[from*w:(from+n)*w]))
	case []float32:
		return tensor.New(tensor.WithShape(n, w), tensor.WithBacking(d[from*w:(from+n)*w]))
	}
	panic(fmt.Sprintf("lstm: dtype %v", x.Dtype()))
}

// copyRows copies the matrix src into dst starting at row `at`.
func copyRows(dst *tensor.Dense, at int, src *tensor.Dense) {
	w := dst.Shape()[1]
	switch d := dst.Data().(type) {
	case []float64:
		copy(d[at*w:], src.Data().([]float64))
	case []float32:
		copy(d[at*w:], src.Data().([]float32))
	}
}

// repeatMasks returns the input dropout masks repeated for every step, as
// the stacked projection input needs them (the same mask at every
// timestep, as Keras); recurrent masks are left out.
func repeatMasks(m *maskValues, steps int) *maskValues {
	out := &maskValues{}
	for k, x := range m.x {
		if x == nil {
			continue
		}
		xs := make([]*tensor.Dense, steps)
		for t := range xs {
			xs[t] = x
		}
		out.x[k] = stackSteps(xs)
	}
	return out
}

// stepProjection returns the input projection of processing step t (views
// of the recorded projection), or zeros past the last step.
func (r *record) stepProjection(t int) [4]*tensor.Dense {
	var zx [4]*tensor.Dense
	for k, z := range r.zx {
		if z == nil {
			continue
		}
		if t < r.steps {
			zx[k] = rowBlock(z, t*r.batch, r.batch)
		} else {
			zx[k] = zeros(z.Dtype(), r.batch, z.Shape()[1])
		}
	}
	return zx
}

// ownedAll is owned for the non-nil values of vs.
func ownedAll(vs [4]G.Value) [4]*tensor.Dense {
	var out [4]*tensor.Dense
	for k, v := range vs {
		if v != nil {
			out[k] = owned(v)
		}
	}
	return out
}

// reverseSteps returns a copy of x (batch, steps, width) with the time axis
// reversed: step t of the result is step steps-1-t of x.
func reverseSteps(x *tensor.Dense) *tensor.Dense {
	s := x.Shape()
	out := zeros(x.Dtype(), s...)
	step := zeros(x.Dtype(), s[0], s[2])
	for t := 0; t < s[1]; t++ {
		stepCopy(step, x, t, false)
		stepCopy(step, out, s[1]-1-t, true)
	}
	return out
}
