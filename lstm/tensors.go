package lstm

import (
	"fmt"
	"slices"
	"sync"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Small value-level helpers on float32/float64 dense tensors. They panic on
// other dtypes: the layer checks dtypes at its entry points.

func zeros(dt tensor.Dtype, shape ...int) *tensor.Dense { return graph.NewTensor(dt, shape, nil) }

// owned returns a value a finished tape run left in a Read holder (the
// Bidirectional merge's): the run copied it into a new value.
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
func stepCopy(step, seq *tensor.Dense, t int, scatter bool) { moveStep(step, 0, seq, t, scatter) }

// moveStep copies between row block blk of a step-major matrix m
// (n·batch, width) and step t of seq (batch, steps, width): into seq when
// scatter, else out of it.
func moveStep(m *tensor.Dense, blk int, seq *tensor.Dense, t int, scatter bool) {
	s := seq.Shape()
	b, n, w := s[0], s[1], s[2]
	if seq.Dtype() == tensor.Float64 {
		copyBlock(m.Float64s()[blk*b*w:(blk+1)*b*w], seq.Float64s(), b, w, n*w, t*w, scatter)
	} else {
		copyBlock(m.Float32s()[blk*b*w:(blk+1)*b*w], seq.Float32s(), b, w, n*w, t*w, scatter)
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

// stepMajor sets dst (steps·batch, width) to the processing steps of x
// (batch, steps, width) stacked (see stackSteps), copied straight from x:
// row t·batch+b is x[b, timeIndex(t), :].
func stepMajor(dst, x *tensor.Dense, timeIndex func(t, steps int) int) {
	n := x.Shape()[1]
	for t := 0; t < n; t++ {
		moveStep(dst, t, x, timeIndex(t, n), false)
	}
}

// unstackSteps is the inverse of stackSteps into a (batch, steps, width)
// tensor, placing processing step t at time index timeIndex(t, steps).
func unstackSteps(x *tensor.Dense, batch int, timeIndex func(t, steps int) int) *tensor.Dense {
	rows, w := x.Shape()[0], x.Shape()[1]
	steps := rows / batch
	out := zeros(x.Dtype(), batch, steps, w)
	for t := 0; t < steps; t++ {
		moveStep(x, t, out, timeIndex(t, steps), true)
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
	if dst.Dtype() == tensor.Float64 {
		copy(dst.Float64s()[at*w:], src.Float64s())
	} else {
		copy(dst.Float32s()[at*w:], src.Float32s())
	}
}

// getRows fills the matrix dst with the rows of src from row `at`.
func getRows(dst, src *tensor.Dense, at int) {
	w := dst.Shape()[1]
	if dst.Dtype() == tensor.Float64 {
		copy(dst.Float64s(), src.Float64s()[at*w:])
	} else {
		copy(dst.Float32s(), src.Float32s()[at*w:])
	}
}

// clearTensor sets every value of t to zero.
func clearTensor(t *tensor.Dense) {
	if t.Dtype() == tensor.Float64 {
		clear(t.Float64s())
	} else {
		clear(t.Float32s())
	}
}

// repeatMasks returns the dropout masks of one path (x or h) repeated for
// every step, as the stacked programs (the projection, the recurrent
// product) need them: the same mask at every timestep, as Keras. The
// masks of the other path are left out.
func repeatMasks(m *maskValues, steps int, input bool) *maskValues {
	out := &maskValues{}
	src, dst := &m.h, &out.h
	if input {
		src, dst = &m.x, &out.x
	}
	for k, x := range src {
		if x == nil {
			continue
		}
		xs := make([]*tensor.Dense, steps)
		for t := range xs {
			xs[t] = x
		}
		dst[k] = stackSteps(xs)
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

// loopBuffers are the tensors a cell program's runs read and write in the
// loop mode, two of each (batch rows): a step reads one and writes the
// other, which the next step reads, so that no value is copied between
// runs and no run allocates. The values the record keeps are copied out.
type loopBuffers struct {
	z, dz  [2][4]*tensor.Dense // pre-activation and its gradient, per weight block
	h, c   [2]*tensor.Dense    // states
	dh, dc [2]*tensor.Dense    // their gradients
	seed   *tensor.Dense       // the gradient of a step's output
}

// buffers returns p's loop buffers, made on first use.
func (p *program) buffers(l *LSTM) *loopBuffers {
	if p.loop != nil {
		return p.loop
	}
	b, u := p.key.rows, l.cfg.Units
	lb := &loopBuffers{seed: zeros(l.dt, b, u)}
	for i := 0; i < 2; i++ {
		for k := 0; k < l.gates(); k++ {
			lb.z[i][k], lb.dz[i][k] = zeros(l.dt, b, l.gateWidth()), zeros(l.dt, b, l.gateWidth())
		}
		lb.h[i], lb.c[i], lb.dh[i], lb.dc[i] = zeros(l.dt, b, u), zeros(l.dt, b, u), zeros(l.dt, b, u), zeros(l.dt, b, u)
	}
	p.loop = lb
	return lb
}

// arrayPool keeps the large arrays of the loop mode (a call's record and
// the VJP's gradient of every pre-activation) once their call is done, for
// the next call of the same shapes: a training step then reuses the last
// one's memory instead of allocating (and faulting in) a new copy of its
// activations every step. It keeps at most poolPerShape idle arrays of
// each shape, and poolShapes shapes (the least recently used go first).
type arrayPool struct {
	mu   sync.Mutex
	idle []pooled // least recently used first
}

type pooled struct {
	key arrayKey
	ts  []*tensor.Dense
}

type arrayKey struct {
	dt         tensor.Dtype
	rows, cols int
}

const (
	poolPerShape = 8 // a training step holds up to 8 of one shape (implementation 1: 4 blocks of z and of dz)
	poolShapes   = 8
)

// get returns a (rows, cols) matrix of dtype dt, from the pool or new. Its
// values are not zeroed: the caller overwrites all of them.
func (a *arrayPool) get(dt tensor.Dtype, rows, cols int) *tensor.Dense {
	k := arrayKey{dt, rows, cols}
	a.mu.Lock()
	for i := range a.idle {
		if p := &a.idle[i]; p.key == k && len(p.ts) > 0 {
			t := p.ts[len(p.ts)-1]
			p.ts[len(p.ts)-1] = nil
			p.ts = p.ts[:len(p.ts)-1]
			a.mu.Unlock()
			return t
		}
	}
	a.mu.Unlock()
	return zeros(dt, rows, cols)
}

// put gives matrices back for reuse (nil ones are skipped); nothing may
// use them afterwards.
func (a *arrayPool) put(ts ...*tensor.Dense) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, t := range ts {
		if t == nil {
			continue
		}
		s := t.Shape()
		k := arrayKey{t.Dtype(), s[0], s[1]}
		i := slices.IndexFunc(a.idle, func(p pooled) bool { return p.key == k })
		var p pooled
		if i >= 0 {
			p = a.idle[i]
			a.idle = slices.Delete(a.idle, i, i+1)
		} else {
			p = pooled{key: k}
			if len(a.idle) == poolShapes {
				a.idle = slices.Delete(a.idle, 0, 1)
			}
		}
		if len(p.ts) < poolPerShape {
			p.ts = append(p.ts, t)
		}
		a.idle = append(a.idle, p)
	}
}
