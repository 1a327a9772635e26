package graph

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// penaltyOp reduces a weight w of d dimensions to the scalar
// l1·Σ|w| + l2·Σw² in one node (summed in float64).
type penaltyOp struct {
	l1, l2 float64
	d      int
}

// penaltyGradOp computes g·(l1·sign(w) + 2·l2·w) from (w, g), with
// sign(0) = 0.
type penaltyGradOp penaltyOp

var (
	_ G.SDOp = penaltyOp{}
	_ G.ADOp = penaltyOp{}
)

// weightType is the Gorgonia type of a d-dimensional weight of dtype a.
func weightType(d int, a hm.TypeVariable) hm.Type {
	if d == 0 {
		return a
	}
	return G.TensorType{Dims: d, Of: a}
}

// Arity returns 1: the op takes one input (w).
func (op penaltyOp) Arity() int { return 1 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op penaltyOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(weightType(op.d, a), a)
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op penaltyOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	return tensor.ScalarShape(), nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op penaltyOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op penaltyOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op penaltyOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op penaltyOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v/%d", op, op.d) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op penaltyOp) Hashcode() uint32 { return hashOf(op) }

// String returns the op's name, as Gorgonia prints it.
func (op penaltyOp) String() string { return fmt.Sprintf("l1_l2{%v,%v}", op.l1, op.l2) }

// Do returns the penalty as a scalar of w's dtype.
func (op penaltyOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	w, err := flat(in[0])
	if err != nil {
		return nil, err
	}
	switch w := w.(type) {
	case []float64:
		return G.NewF64(penalty(w, op.l1, op.l2)), nil
	case []float32:
		return G.NewF32(float32(penalty(w, op.l1, op.l2))), nil
	}
	return nil, fmt.Errorf("graph: %v: unsupported input", op)
}

func penalty[T float](w []T, l1, l2 float64) float64 {
	var sa, s2 float64
	for _, v := range w {
		f := float64(v)
		sa += math.Abs(f)
		s2 += f * f
	}
	return l1*sa + l2*s2
}

// DiffWRT says that the penalty is differentiable with respect to w.
func (op penaltyOp) DiffWRT(n int) []bool { return []bool{true} }

// SymDiff returns the one-node gradient g·(l1·sign(w) + 2·l2·w).
func (op penaltyOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	dw, err := G.ApplyOp(penaltyGradOp(op), in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dw}, nil
}

// DoDiff adds the gradient to w's (LispMachine).
func (op penaltyOp) DoDiff(_ G.ExecutionContext, in G.Nodes, out *G.Node) error {
	if len(in) != 1 {
		return fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	g, err := out.Grad()
	if err != nil {
		return err
	}
	acc, err := in[0].Grad()
	if err != nil {
		return err
	}
	d, err := penaltyGradOp(op).Do(in[0].Value(), g)
	if err != nil {
		return err
	}
	a, ok := acc.(*tensor.Dense)
	if !ok {
		return fmt.Errorf("graph: %v: gradient of %T not supported", op, acc)
	}
	_, err = a.Add(d.(*tensor.Dense), tensor.UseUnsafe())
	return err
}

// Arity returns 2: the op takes two inputs (w, g).
func (op penaltyGradOp) Arity() int { return 2 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op penaltyGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	t := weightType(op.d, a)
	return hm.NewFnType(t, a, t)
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op penaltyGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return inferSame(op, in)
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op penaltyGradOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op penaltyGradOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op penaltyGradOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op penaltyGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v/%d", op, op.d) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op penaltyGradOp) Hashcode() uint32 { return hashOf(op) }

// String returns the op's name, as Gorgonia prints it.
func (op penaltyGradOp) String() string { return fmt.Sprintf("l1_l2_grad{%v,%v}", op.l1, op.l2) }

// Do returns g·(l1·sign(w) + 2·l2·w) shaped like w.
func (op penaltyGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("graph: %v wants 2 inputs, got %d", op, len(in))
	}
	gs, err := flat(in[1])
	if err != nil {
		return nil, err
	}
	var g float64
	switch gs := gs.(type) {
	case []float64:
		g = gs[0]
	case []float32:
		g = float64(gs[0])
	}
	return elemDo(nil, in[:1], func(out any, ins []any) {
		switch o := out.(type) {
		case []float64:
			penaltyGrad(o, ins[0].([]float64), g*op.l1, 2*g*op.l2)
		case []float32:
			penaltyGrad(o, ins[0].([]float32), g*op.l1, 2*g*op.l2)
		}
	})
}

// penaltyGrad sets dw[i] = a·sign(w[i]) + b·w[i], with sign(0) = 0.
func penaltyGrad[T float](dw, w []T, a, b float64) {
	for i, v := range w {
		f := float64(v)
		s := 0.0
		if f > 0 {
			s = a
		} else if f < 0 {
			s = -a
		}
		dw[i] = T(s + b*f)
	}
}
