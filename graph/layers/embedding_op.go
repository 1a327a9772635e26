package layers

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gatherOp looks up rows: from a table E (rows, width) and ids (n) of
// tensor.Int it returns (n, width) with row i = E[ids[i]], Keras' K.gather.
// Its gradient with respect to E is scatterAddOp, so Gorgonia's autodiff
// derives the Embedding's weight gradient; ids take none.
type gatherOp struct{}

// scatterAddOp is the gradient of gatherOp: from ids (n) and dy (n, width)
// it returns dE (rows, width), zero but for dE[ids[i]] += dy[i], so that an
// id used several times gets the sum of its rows' gradients.
type scatterAddOp struct{ rows int }

var (
	_ G.SDOp            = gatherOp{}
	_ G.UsePreallocDoer = gatherOp{}
	_ G.UsePreallocDoer = scatterAddOp{}
)

// Arity returns 2: the op takes the table and the ids.
func (op gatherOp) Arity() int { return 2 }

// Type returns the op's type signature, for Gorgonia's type inference: a
// float table and integer ids give a float matrix.
func (op gatherOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, idsType, a)
}

// idsType is the type of a vector of tensor.Int (as Gorgonia's ByIndices
// types its indices).
var idsType = G.TensorType{Dims: 1, Of: tensor.Int}

// InferShape returns (n, width) for a table (rows, width) and n ids.
func (op gatherOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("layers: %v wants 2 inputs, got %d", op, len(in))
	}
	e, ok1 := in[0].(tensor.Shape)
	ids, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(e) != 2 || len(ids) != 1 {
		return nil, fmt.Errorf("layers: %v wants a matrix and a vector, got %v and %v", op, in[0], in[1])
	}
	return tensor.Shape{ids[0], e[1]}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op gatherOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op gatherOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op gatherOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name, which identifies it, to h.
func (op gatherOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op gatherOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op gatherOp) String() string { return "gather" }

// Do computes the rows into a new value.
func (op gatherOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes the rows into prealloc when it is a tensor of the
// output's dtype and shape, into a new value otherwise. An id outside the
// table is an error.
func (op gatherOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	e, ids, err := tableAndIDs(op, in)
	if err != nil {
		return nil, err
	}
	rows, w := e.Shape()[0], e.Shape()[1]
	out := outTensor(prealloc, e.Dtype(), len(ids), w)
	for _, id := range ids {
		if id < 0 || id >= rows {
			return nil, fmt.Errorf("layers: %v: id %d outside [0, %d)", op, id, rows)
		}
	}
	switch o := out.Data().(type) {
	case []float64:
		gatherRows(o, e.Data().([]float64), ids, w)
	case []float32:
		gatherRows(o, e.Data().([]float32), ids, w)
	default:
		return nil, fmt.Errorf("layers: %v: table of %v not supported", op, e.Dtype())
	}
	return out, nil
}

func gatherRows[T float32 | float64](out, e []T, ids []int, w int) {
	for i, id := range ids {
		copy(out[i*w:(i+1)*w], e[id*w:(id+1)*w])
	}
}

// DiffWRT says that the op is differentiable with respect to the table
// only.
func (op gatherOp) DiffWRT(n int) []bool { return []bool{true, false} }

// SymDiff returns the table's gradient, scatterAdd(ids, dy), and none for
// the ids.
func (op gatherOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("layers: %v wants 2 inputs, got %d", op, len(in))
	}
	de, err := G.ApplyOp(scatterAddOp{rows: in[0].Shape()[0]}, in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{de, nil}, nil
}

// Arity returns 2: the op takes the ids and the rows' gradient.
func (op scatterAddOp) Arity() int { return 2 }

// Type returns the op's type signature: integer ids and a float matrix give
// a float matrix.
func (op scatterAddOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(idsType, a, a)
}

// InferShape returns (rows, width) for n ids and dy (n, width).
func (op scatterAddOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("layers: %v wants 2 inputs, got %d", op, len(in))
	}
	dy, ok := in[1].(tensor.Shape)
	if !ok || len(dy) != 2 {
		return nil, fmt.Errorf("layers: %v wants a matrix gradient, got %v", op, in[1])
	}
	return tensor.Shape{op.rows, dy[1]}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op scatterAddOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op scatterAddOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op scatterAddOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and table size, which identify it, to h.
func (op scatterAddOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op scatterAddOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op scatterAddOp) String() string { return fmt.Sprintf("scatter_add(%d)", op.rows) }

// Do computes dE into a new value.
func (op scatterAddOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes dE into prealloc when it is a tensor of the
// output's dtype and shape (zeroing it first), into a new value otherwise.
func (op scatterAddOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("layers: %v wants 2 inputs, got %d", op, len(in))
	}
	ids, ok := in[0].Data().([]int)
	dy, ok2 := in[1].(*tensor.Dense)
	if !ok || !ok2 || dy.Dims() != 2 || dy.Shape()[0] != len(ids) {
		return nil, fmt.Errorf("layers: %v wants %d int ids and a (%d, width) gradient, got %v and %v", op, len(ids), len(ids), in[0].Shape(), in[1].Shape())
	}
	w := dy.Shape()[1]
	out := outTensor(prealloc, dy.Dtype(), op.rows, w)
	for _, id := range ids {
		if id < 0 || id >= op.rows {
			return nil, fmt.Errorf("layers: %v: id %d outside [0, %d)", op, id, op.rows)
		}
	}
	switch o := out.Data().(type) {
	case []float64:
		scatterAdd(o, dy.Data().([]float64), ids, w)
	case []float32:
		scatterAdd(o, dy.Data().([]float32), ids, w)
	default:
		return nil, fmt.Errorf("layers: %v: gradient of %v not supported", op, dy.Dtype())
	}
	return out, nil
}

func scatterAdd[T float32 | float64](out, dy []T, ids []int, w int) {
	clear(out)
	for i, id := range ids {
		row := out[id*w : (id+1)*w]
		for j, v := range dy[i*w : (i+1)*w] {
			row[j] += v
		}
	}
}

// tableAndIDs checks gatherOp's inputs: a float matrix and a vector of
// tensor.Int.
func tableAndIDs(op G.Op, in []G.Value) (*tensor.Dense, []int, error) {
	if len(in) != 2 {
		return nil, nil, fmt.Errorf("layers: %v wants 2 inputs, got %d", op, len(in))
	}
	e, ok := in[0].(*tensor.Dense)
	if !ok || e.Dims() != 2 || e.IsMaterializable() {
		return nil, nil, fmt.Errorf("layers: %v wants a contiguous matrix table, got %v", op, in[0].Shape())
	}
	ids, ok := in[1].Data().([]int)
	if !ok {
		return nil, nil, fmt.Errorf("layers: %v wants ids of tensor.Int, got %v", op, in[1].Dtype())
	}
	return e, ids, nil
}

// outTensor returns prealloc when it is a contiguous tensor of dtype dt and
// shape (rows, w), else a new one.
func outTensor(prealloc G.Value, dt tensor.Dtype, rows, w int) *tensor.Dense {
	if p, ok := prealloc.(*tensor.Dense); ok && p.Dtype() == dt && !p.IsMaterializable() && p.Shape().Eq(tensor.Shape{rows, w}) {
		return p
	}
	return tensor.New(tensor.Of(dt), tensor.WithShape(rows, w))
}

func hashOp(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
