package lstm

import (
	"fmt"
	"hash"
	"hash/fnv"
	"slices"

	"github.com/chewxy/hm"
	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// blockOp takes column block k of n equal blocks of a row-major matrix:
// (rows, n·w) → (rows, w). It is Gorgonia's Slice(x, nil, S(k·w, (k+1)·w))
// made for the fused gate split of implementation 2: Slice materializes its
// view through a generic iterator and its gradient (sliceIncrOp) too, which
// dominated the profile of a small LSTM step. Its gradient is blockGradOp,
// so autodiff still derives the step's backward pass.
type blockOp struct{ k, n int }

// blockGradOp scatters dy (rows, w) into block k of a zero (rows, n·w).
type blockGradOp struct{ k, n int }

var (
	_ G.SDOp            = blockOp{}
	_ G.UsePreallocDoer = blockOp{}
	_ G.UsePreallocDoer = blockGradOp{}
)

func gateBlock(z *G.Node, k, n int) (*G.Node, error) { return G.ApplyOp(blockOp{k, n}, z) }

// Arity returns 1: the op takes one input (x).
func (op blockOp) Arity() int { return 1 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op blockOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op blockOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := matrixShape(op, in)
	if err != nil {
		return nil, err
	}
	if s[1]%op.n != 0 {
		return nil, fmt.Errorf("lstm: %v: %d columns do not split into %d blocks", op, s[1], op.n)
	}
	return tensor.Shape{s[0], s[1] / op.n}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op blockOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op blockOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op blockOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op blockOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op blockOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op blockOp) String() string { return fmt.Sprintf("block(%d/%d)", op.k, op.n) }

// Do computes the output into a new value: UsePreallocDo with no prealloc.
func (op blockOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes the output into prealloc when it is a contiguous
// tensor of the output's dtype and shape, into a new value otherwise.
func (op blockOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dims() != 2 {
		return nil, fmt.Errorf("lstm: %v wants a matrix, got %v", op, in[0])
	}
	rows, cols := x.Shape()[0], x.Shape()[1]
	w := cols / op.n
	x = graph.Contiguous(x)
	out := reuse(prealloc, x.Dtype(), rows, w)
	if x.Dtype() == tensor.Float64 {
		copyBlock(out.Float64s(), x.Float64s(), rows, w, cols, op.k*w, false)
	} else {
		copyBlock(out.Float32s(), x.Float32s(), rows, w, cols, op.k*w, false)
	}
	return out, nil
}

// DiffWRT reports that the input is differentiable.
func (op blockOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns the gradient of x: grad scattered into block k of zeros
// (a blockGradOp node).
func (op blockOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(blockGradOp(op), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// Arity returns 1: the op takes one input (dy).
func (op blockGradOp) Arity() int { return 1 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op blockGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op blockGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := matrixShape(op, in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[0], s[1] * op.n}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op blockGradOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op blockGradOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op blockGradOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op blockGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op blockGradOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op blockGradOp) String() string { return fmt.Sprintf("blockgrad(%d/%d)", op.k, op.n) }

// Do computes the output into a new value: UsePreallocDo with no prealloc.
func (op blockGradOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes the output into prealloc when it is a contiguous
// tensor of the output's dtype and shape, into a new value otherwise.
func (op blockGradOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	dy, ok := in[0].(*tensor.Dense)
	if !ok || dy.Dims() != 2 {
		return nil, fmt.Errorf("lstm: %v wants a matrix, got %v", op, in[0])
	}
	rows, w := dy.Shape()[0], dy.Shape()[1]
	cols := w * op.n
	dy = graph.Contiguous(dy)
	out := reuse(prealloc, dy.Dtype(), rows, cols)
	clearTensor(out)
	if dy.Dtype() == tensor.Float64 {
		copyBlock(dy.Float64s(), out.Float64s(), rows, w, cols, op.k*w, true)
	} else {
		copyBlock(dy.Float32s(), out.Float32s(), rows, w, cols, op.k*w, true)
	}
	return out, nil
}

// copyBlock copies between a (rows, w) matrix and columns [at, at+w) of a
// (rows, cols) matrix: from the wide one when scatter is false, into it
// when true.
func copyBlock[T float32 | float64](narrow, wide []T, rows, w, cols, at int, scatter bool) {
	for r := 0; r < rows; r++ {
		n, wd := narrow[r*w:(r+1)*w], wide[r*cols+at:r*cols+at+w]
		if scatter {
			copy(wd, n)
		} else {
			copy(n, wd)
		}
	}
}

// reuse returns prealloc when it is a dense tensor of the wanted dtype and
// shape, else a new zero tensor.
func reuse(prealloc G.Value, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if p, ok := prealloc.(*tensor.Dense); ok && p.Dtype() == dt && sameShape(p.Shape(), shape...) && !p.IsMaterializable() {
		return p
	}
	// A copy of shape, so that the callers' argument lists do not escape
	// (and allocate) on the path that reuses prealloc.
	return tensor.New(tensor.Of(dt), tensor.WithShape(slices.Clone(shape)...))
}

func matrixShape(op G.Op, in []G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("lstm: %v wants 1 input, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 {
		return nil, fmt.Errorf("lstm: %v wants a matrix, got shape %v", op, in[0])
	}
	return s, nil
}

func hashOp(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
