package lstm

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// addRowOp adds a vector to every row of a matrix: (rows, w) + (w) →
// (rows, w), the bias add of every gate product. Gorgonia's BroadcastAdd
// builds it from Reshape, SizeOf and a materialized Repeat of the bias (and
// their gradients) for every step of an unrolled graph; this is one node
// whose gradient is the incoming gradient itself for the matrix and one
// column-sum node for the vector, so autodiff still derives it.
type addRowOp struct{}

// colSumOp sums a matrix over its rows: (rows, w) → (w).
type colSumOp struct{}

var (
	_ G.SDOp            = addRowOp{}
	_ G.UsePreallocDoer = addRowOp{}
	_ G.UsePreallocDoer = colSumOp{}
)

func addRow(z, b *G.Node) (*G.Node, error) { return G.ApplyOp(addRowOp{}, z, b) }

// Arity returns 2: the op takes two inputs (z, b).
func (op addRowOp) Arity() int { return 2 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op addRowOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a}, G.TensorType{Dims: 2, Of: a})
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op addRowOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("lstm: %v wants 2 inputs, got %d", op, len(in))
	}
	z, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(z) != 2 || len(b) != 1 || b[0] != z[1] {
		return nil, fmt.Errorf("lstm: %v: shapes %v and %v: want (rows, w) and (w)", op, in[0], in[1])
	}
	return z.Clone(), nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op addRowOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op addRowOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op addRowOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op addRowOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op addRowOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op addRowOp) String() string { return "addrow" }

// Do computes the output into a new value: UsePreallocDo with no prealloc.
func (op addRowOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes the output into prealloc when it is a contiguous
// tensor of the output's dtype and shape, into a new value otherwise.
func (op addRowOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	z, ok1 := in[0].(*tensor.Dense)
	b, ok2 := in[1].(*tensor.Dense)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("lstm: %v wants dense tensors", op)
	}
	z, b = graph.Contiguous(z), graph.Contiguous(b)
	rows, w := z.Shape()[0], z.Shape()[1]
	out := reuse(prealloc, z.Dtype(), rows, w)
	if z.Dtype() == tensor.Float64 {
		addRows(out.Float64s(), z.Float64s(), b.Float64s(), rows, w)
	} else {
		addRows(out.Float32s(), z.Float32s(), b.Float32s(), rows, w)
	}
	return out, nil
}

func addRows[T float32 | float64](out, z, b []T, rows, w int) {
	for r := 0; r < rows; r++ {
		o, zr := out[r*w:(r+1)*w], z[r*w:(r+1)*w]
		for j, v := range b {
			o[j] = zr[j] + v
		}
	}
}

// DiffWRT reports that both inputs are differentiable.
func (op addRowOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns the gradients of z and b: grad itself and its column sum
// (a colSumOp node).
func (op addRowOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	db, err := G.ApplyOp(colSumOp{}, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, db}, nil
}

// Arity returns 1: the op takes one input (x).
func (op colSumOp) Arity() int { return 1 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op colSumOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 1, Of: a})
}

// InferShape returns the output shape, or an error when the input shapes
// do not fit.
func (op colSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := matrixShape(op, in)
	if err != nil {
		return nil, err
	}
	return tensor.Shape{s[1]}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op colSumOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op colSumOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op colSumOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op colSumOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op colSumOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op colSumOp) String() string { return "colsum" }

// Do computes the output into a new value: UsePreallocDo with no prealloc.
func (op colSumOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes the output into prealloc when it is a contiguous
// tensor of the output's dtype and shape, into a new value otherwise.
func (op colSumOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dims() != 2 {
		return nil, fmt.Errorf("lstm: %v wants a matrix, got %v", op, in[0])
	}
	x = graph.Contiguous(x)
	rows, w := x.Shape()[0], x.Shape()[1]
	out := reuse(prealloc, x.Dtype(), w)
	if x.Dtype() == tensor.Float64 {
		sumRows(out.Float64s(), x.Float64s(), rows, w)
	} else {
		sumRows(out.Float32s(), x.Float32s(), rows, w)
	}
	return out, nil
}

func sumRows[T float32 | float64](out, x []T, rows, w int) {
	clear(out)
	for r := 0; r < rows; r++ {
		for j, v := range x[r*w : (r+1)*w] {
			out[j] += v
		}
	}
}
