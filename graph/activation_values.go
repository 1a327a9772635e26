package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elemDo runs kernel(out, ins) on the flat float slices of the values in
// (all of one dtype and one size) and returns the result: out when out is
// not nil, else a new value shaped like in[0] (a scalar for a scalar).
func elemDo(out *tensor.Dense, in []G.Value, kernel func(out any, ins []any)) (G.Value, error) {
	ins := make([]any, len(in))
	n := -1
	var dt tensor.Dtype
	for i, v := range in {
		s, err := flat(v)
		if err != nil {
			return nil, err
		}
		ins[i] = s
		m, d := lenDtype(s)
		if i == 0 {
			n, dt = m, d
		} else if m != n || d != dt {
			return nil, fmt.Errorf("graph: input %d has %d %v values, want %d %v", i, m, d, n, dt)
		}
	}
	if out != nil {
		o, err := flat(out)
		if err != nil {
			return nil, err
		}
		kernel(o, ins)
		return out, nil
	}
	switch x := in[0].(type) {
	case *G.F64:
		o := []float64{0}
		kernel(o, ins)
		return G.NewF64(o[0]), nil
	case *G.F32:
		o := []float32{0}
		kernel(o, ins)
		return G.NewF32(o[0]), nil
	case tensor.Tensor:
		res := tensor.New(tensor.Of(dt), tensor.WithShape(x.Shape().Clone()...))
		o, err := flat(res)
		if err != nil {
			return nil, err
		}
		kernel(o, ins)
		return res, nil
	}
	return nil, fmt.Errorf("graph: value of %T not supported", in[0])
}

// flat returns v's values as a []float64 or []float32 (shared with v for a
// contiguous tensor).
func flat(v G.Value) (any, error) {
	switch x := v.(type) {
	case *G.F64:
		return []float64{float64(*x)}, nil
	case *G.F32:
		return []float32{float32(*x)}, nil
	case *tensor.Dense:
		if x.IsMaterializable() {
			x = x.Materialize().(*tensor.Dense)
		}
		switch x.Dtype() {
		case tensor.Float64:
			return x.Float64s(), nil
		case tensor.Float32:
			return x.Float32s(), nil
		}
		return nil, CheckDtype(x.Dtype())
	}
	return nil, fmt.Errorf("graph: value of %T not supported", v)
}

func lenDtype(s any) (int, tensor.Dtype) {
	if f, ok := s.([]float64); ok {
		return len(f), tensor.Float64
	}
	f := s.([]float32)
	return len(f), tensor.Float32
}

// fits reports whether p is a contiguous dense tensor with in[0]'s dtype and
// shape, so that a result can be written into it.
func fits(p G.Value, in []G.Value) bool {
	d, ok := p.(*tensor.Dense)
	if !ok || d.IsMaterializable() || len(in) == 0 {
		return false
	}
	x, ok := in[0].(*tensor.Dense)
	return ok && x.Dtype() == d.Dtype() && x.Shape().Eq(d.Shape())
}

// denseOperands reports whether out (which fits in, see fits) and every
// value of in are contiguous float tensors of one dtype and size, which a
// kernel can then read and write as typed slices without boxing them (the
// path of a node run many times per step, as in a recurrent layer), and
// returns out.
func denseOperands(out G.Value, in []G.Value) (*tensor.Dense, bool) {
	o := out.(*tensor.Dense)
	if o.Dtype() != tensor.Float64 && o.Dtype() != tensor.Float32 {
		return nil, false
	}
	n := o.Shape().TotalSize()
	for _, v := range in {
		d, ok := v.(*tensor.Dense)
		if !ok || d.IsMaterializable() || d.Dtype() != o.Dtype() || d.Shape().TotalSize() != n {
			return nil, false
		}
	}
	return o, true
}
