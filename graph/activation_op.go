package graph

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// elemOp is a Gorgonia Op applying one element-wise activation in a single
// graph node. Its gradient (SymDiff for TapeMachine, DoDiff for
// LispMachine) is one elemGradOp node.
type elemOp struct{ k elemKind }

// elemGradOp computes dx = dy·f'(x) from (x, y = f(x), dy) in one node.
type elemGradOp struct{ k elemKind }

var (
	_ G.SDOp            = elemOp{}
	_ G.ADOp            = elemOp{}
	_ G.UsePreallocDoer = elemOp{}
	_ G.UsePreallocDoer = elemGradOp{}
)

// applyElem adds the node k(x) to x's graph.
func applyElem(k elemKind, x *G.Node) (*G.Node, error) {
	if err := CheckDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("graph: activation %s: %w", elemNames[k], err)
	}
	return G.ApplyOp(elemOp{k}, x)
}

// Arity returns 1: the op takes one input (x).
func (op elemOp) Arity() int { return 1 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op elemOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op elemOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return inferSame(op, in) }

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op elemOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op elemOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op elemOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%s", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op elemOp) Hashcode() uint32 { return hashOf(op) }

// String returns the op's name, as Gorgonia prints it.
func (op elemOp) String() string { return elemNames[op.k] }

// Do computes f(x) into a new value.
func (op elemOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	return elemDo(nil, in, func(out any, ins []any) {
		switch o := out.(type) {
		case []float64:
			elemForward(op.k, o, ins[0].([]float64))
		case []float32:
			elemForward(op.k, o, ins[0].([]float32))
		}
	})
}

// UsePreallocDo computes f(x) into prealloc when it fits, else into a new
// value.
func (op elemOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if !fits(prealloc, in) {
		return op.Do(in...)
	}
	if out, ok := denseOperands(prealloc, in); ok {
		if out.Dtype() == tensor.Float64 {
			elemForward(op.k, out.Float64s(), in[0].(*tensor.Dense).Float64s())
		} else {
			elemForward(op.k, out.Float32s(), in[0].(*tensor.Dense).Float32s())
		}
		return out, nil
	}
	return elemDo(prealloc.(*tensor.Dense), in, func(out any, ins []any) {
		switch o := out.(type) {
		case []float64:
			elemForward(op.k, o, ins[0].([]float64))
		case []float32:
			elemForward(op.k, o, ins[0].([]float32))
		}
	})
}

// DiffWRT says that the op is differentiable with respect to its input.
func (op elemOp) DiffWRT(n int) []bool { return []bool{true} }

// SymDiff returns the one-node gradient dy·f'(x).
func (op elemOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	dx, err := G.ApplyOp(elemGradOp(op), in[0], out, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// DoDiff adds dy·f'(x) to the input's gradient (LispMachine).
func (op elemOp) DoDiff(_ G.ExecutionContext, in G.Nodes, out *G.Node) error {
	if len(in) != 1 {
		return fmt.Errorf("graph: %v wants 1 input, got %d", op, len(in))
	}
	dy, err := out.Grad()
	if err != nil {
		return err
	}
	dxAcc, err := in[0].Grad()
	if err != nil {
		return err
	}
	d, err := elemGradOp(op).Do(in[0].Value(), out.Value(), dy)
	if err != nil {
		return err
	}
	acc, ok := dxAcc.(*tensor.Dense)
	if !ok {
		return fmt.Errorf("graph: %v: gradient of %T not supported", op, dxAcc)
	}
	_, err = acc.Add(d.(*tensor.Dense), tensor.UseUnsafe())
	return err
}

// Arity returns 3: the op takes three inputs (x, y, dy).
func (op elemGradOp) Arity() int { return 3 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op elemGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a, a)
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op elemGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) { return inferSame(op, in) }

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op elemGradOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op elemGradOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op elemGradOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op elemGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%s", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op elemGradOp) Hashcode() uint32 { return hashOf(op) }

// String returns the op's name, as Gorgonia prints it.
func (op elemGradOp) String() string { return elemNames[op.k] + "_grad" }

// Do computes dy·f'(x) from (x, y, dy) into a new value.
func (op elemGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 3 {
		return nil, fmt.Errorf("graph: %v wants 3 inputs, got %d", op, len(in))
	}
	return elemDo(nil, in, op.kernel)
}

// UsePreallocDo computes dy·f'(x) into prealloc when it fits, else into a
// new value.
func (op elemGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 3 || !fits(prealloc, in) {
		return op.Do(in...)
	}
	if out, ok := denseOperands(prealloc, in); ok {
		x, y, dy := in[0].(*tensor.Dense), in[1].(*tensor.Dense), in[2].(*tensor.Dense)
		if out.Dtype() == tensor.Float64 {
			elemBackward(op.k, out.Float64s(), x.Float64s(), y.Float64s(), dy.Float64s())
		} else {
			elemBackward(op.k, out.Float32s(), x.Float32s(), y.Float32s(), dy.Float32s())
		}
		return out, nil
	}
	return elemDo(prealloc.(*tensor.Dense), in, op.kernel)
}

func (op elemGradOp) kernel(out any, ins []any) {
	switch o := out.(type) {
	case []float64:
		elemBackward(op.k, o, ins[0].([]float64), ins[1].([]float64), ins[2].([]float64))
	case []float32:
		elemBackward(op.k, o, ins[0].([]float32), ins[1].([]float32), ins[2].([]float32))
	}
}

func inferSame(op G.Op, in []G.DimSizer) (tensor.Shape, error) {
	if len(in) != op.Arity() {
		return nil, fmt.Errorf("graph: %v wants %d inputs, got %d", op, op.Arity(), len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("graph: %v: input shape of %T not supported", op, in[0])
	}
	return s.Clone(), nil
}

func hashOf(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
