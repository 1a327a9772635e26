package lstm

import (
	"fmt"
	"hash"
	"sync"

	"github.com/chewxy/hm"
	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/lstm/internal/gemm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The cell's arithmetic: the matrix product and the element-wise sum and
// product of equal-shaped tensors, as Gorgonia ops whose gradients are
// nodes of the same ops, so that Backpropagate derives the cell's backward
// pass from them as from G.Mul, G.Add and G.HadamardProd. Those compute
// through the tensor package's generic engine, which costs 4 (element-wise)
// to 9 (product) allocations and about half a microsecond per call even
// into a preallocated output: in the loop mode, which runs a few dozen
// small nodes per timestep, that was most of the time and of the garbage
// of a small layer's step. These call the kernels directly: a loop over
// the contiguous values, or a gemm: the BLAS Gorgonia uses (G.WhichBLAS:
// OpenBLAS with the openblas build tag, or gonum's), except in the
// pure-Go build, whose products use package internal/gemm where the CPU
// has AVX2 and FMA (five to ten times gonum's rate on the layer's
// products).

// mulOp is the matrix product op(A)·op(B), op(X) being X or, with the
// flag, Xᵀ.
type mulOp struct{ transA, transB bool }

// pointKind selects the function of a pointOp.
type pointKind uint8

const (
	pointAdd pointKind = iota // a + b
	pointMul                  // a ⊙ b
)

// pointOp is an element-wise function of two tensors of one shape.
type pointOp struct{ kind pointKind }

var (
	_ G.SDOp            = mulOp{}
	_ G.UsePreallocDoer = mulOp{}
	_ G.SDOp            = pointOp{}
	_ G.UsePreallocDoer = pointOp{}
)

func matMul(a, b *G.Node) (*G.Node, error)   { return G.ApplyOp(mulOp{}, a, b) }
func add(a, b *G.Node) (*G.Node, error)      { return G.ApplyOp(pointOp{pointAdd}, a, b) }
func hadamard(a, b *G.Node) (*G.Node, error) { return G.ApplyOp(pointOp{pointMul}, a, b) }

// Arity returns 2: the op takes two inputs (A, B).
func (op mulOp) Arity() int { return 2 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op mulOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	m := G.TensorType{Dims: 2, Of: a}
	return hm.NewFnType(m, m, m)
}

// dims returns the sizes (m, k) of op(X) for a matrix X of shape s.
func transDims(s tensor.Shape, trans bool) (int, int) {
	if trans {
		return s[1], s[0]
	}
	return s[0], s[1]
}

// InferShape returns the output shape (m, n) of op(A) (m, k) by op(B)
// (k, n), or an error when the input shapes do not fit.
func (op mulOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("lstm: %v wants 2 inputs, got %d", op, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(a) != 2 || len(b) != 2 {
		return nil, fmt.Errorf("lstm: %v wants two matrices, got shapes %v and %v", op, in[0], in[1])
	}
	m, k := transDims(a, op.transA)
	k2, n := transDims(b, op.transB)
	if k != k2 {
		return nil, fmt.Errorf("lstm: %v: shapes %v and %v do not fit", op, a, b)
	}
	return tensor.Shape{m, n}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op mulOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go (or one BLAS call).
func (op mulOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op mulOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op mulOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op mulOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op mulOp) String() string {
	t := map[bool]string{true: "ᵀ"}
	return fmt.Sprintf("A%s×B%s", t[op.transA], t[op.transB])
}

// Do computes the output into a new value: UsePreallocDo with no prealloc.
func (op mulOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes op(A)·op(B) into prealloc when it is a contiguous
// tensor of the output's dtype and shape, into a new value otherwise.
func (op mulOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	a, b, ok := operands(in)
	if !ok {
		return nil, operandsError(op, in)
	}
	if a.Dims() != 2 || b.Dims() != 2 {
		return nil, fmt.Errorf("lstm: %v wants two matrices, got shapes %v and %v", op, a.Shape(), b.Shape())
	}
	m, k := transDims(a.Shape(), op.transA)
	k2, n := transDims(b.Shape(), op.transB)
	if k != k2 {
		return nil, fmt.Errorf("lstm: %v: shapes %v and %v do not fit", op, a.Shape(), b.Shape())
	}
	out := reuse(prealloc, a.Dtype(), m, n)
	tA, tB := blas.NoTrans, blas.NoTrans
	if op.transA {
		tA = blas.Trans
	}
	if op.transB {
		tB = blas.Trans
	}
	lda, ldb := a.Shape()[1], b.Shape()[1]
	own := graph.BLAS == "gonum" && gemm.Available
	switch {
	case a.Dtype() == tensor.Float64 && own:
		gemm.Dgemm(op.transA, op.transB, m, n, k, a.Float64s(), lda, b.Float64s(), ldb, out.Float64s(), n)
	case a.Dtype() == tensor.Float64:
		blasGemm(G.WhichBLAS().Dgemm, tA, tB, m, n, k, a.Float64s(), lda, b.Float64s(), ldb, out.Float64s())
	case own:
		gemm.Sgemm(op.transA, op.transB, m, n, k, a.Float32s(), lda, b.Float32s(), ldb, out.Float32s(), n)
	default:
		blasGemm(G.WhichBLAS().Sgemm, tA, tB, m, n, k, a.Float32s(), lda, b.Float32s(), ldb, out.Float32s())
	}
	return out, nil
}

// blasGemm sets c (m, n) to op(a)·op(b) with the BLAS routine f. Gonum's
// pure-Go gemm runs Aᵀ·B (the weight gradients: a long sum over the rows
// of every step) three to four times slower than A·B, so with it a is
// transposed first, into a pooled buffer.
func blasGemm[T float32 | float64](f func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int),
	tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T) {
	if tA == blas.Trans && graph.BLAS == "gonum" && m*k >= transposeMin {
		buf := getScratch[T](m * k)
		transposeInto(*buf, a[:k*m], k, m)
		f(blas.NoTrans, tB, m, n, k, 1, *buf, k, b, ldb, 0, c, n)
		scratchPool[T]().Put(buf)
		return
	}
	f(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
}

// transposeMin is the size of A from which blasGemm transposes it first.
const transposeMin = 64 * 64

// scratch32 and scratch64 hold *[]float32 and *[]float64 buffers for
// blasGemm.
var scratch32, scratch64 sync.Pool

func scratchPool[T float32 | float64]() *sync.Pool {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return &scratch32
	}
	return &scratch64
}

// getScratch returns a buffer of n values from the pool of T (give it back
// with scratchPool[T]().Put).
func getScratch[T float32 | float64](n int) *[]T {
	if v, _ := scratchPool[T]().Get().(*[]T); v != nil && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	v := make([]T, n)
	return &v
}

// transposeInto sets dst (cols, rows) to the transpose of src (rows,
// cols), by tiles that stay in cache.
func transposeInto[T float32 | float64](dst, src []T, rows, cols int) {
	const tile = 32
	for i0 := 0; i0 < rows; i0 += tile {
		for j0 := 0; j0 < cols; j0 += tile {
			for i := i0; i < min(i0+tile, rows); i++ {
				row := src[i*cols : (i+1)*cols]
				for j := j0; j < min(j0+tile, cols); j++ {
					dst[j*rows+i] = row[j]
				}
			}
		}
	}
}

// DiffWRT reports that both inputs are differentiable.
func (op mulOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns the gradients of A and B, themselves products of the
// output's gradient G with the other input: for C = A·B, dA = G·Bᵀ and
// dB = Aᵀ·G, and the transposed forms.
func (op mulOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	a, b := in[0], in[1]
	type term struct {
		x, y   *G.Node
		tx, ty bool
	}
	var da, db term
	switch {
	case !op.transA && !op.transB:
		da, db = term{grad, b, false, true}, term{a, grad, true, false}
	case op.transA && !op.transB:
		da, db = term{b, grad, false, true}, term{a, grad, false, false}
	case !op.transA && op.transB:
		da, db = term{grad, b, false, false}, term{grad, a, true, false}
	default:
		da, db = term{b, grad, true, true}, term{grad, a, true, true}
	}
	ga, err := G.ApplyOp(mulOp{da.tx, da.ty}, da.x, da.y)
	if err != nil {
		return nil, err
	}
	gb, err := G.ApplyOp(mulOp{db.tx, db.ty}, db.x, db.y)
	if err != nil {
		return nil, err
	}
	return G.Nodes{ga, gb}, nil
}

// Arity returns 2: the op takes two inputs (a, b).
func (op pointOp) Arity() int { return 2 }

// Type returns the op's type signature, for Gorgonia's type inference.
func (op pointOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a, a)
}

// InferShape returns the shape of the inputs, or an error when they
// differ.
func (op pointOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("lstm: %v wants 2 inputs, got %d", op, len(in))
	}
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || !sameShape(a, b...) {
		return nil, fmt.Errorf("lstm: %v wants two tensors of one shape, got shapes %v and %v", op, in[0], in[1])
	}
	return a.Clone(), nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op pointOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go.
func (op pointOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op pointOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op pointOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op pointOp) Hashcode() uint32 { return hashOp(op) }

// String returns the op's name, as Gorgonia prints it.
func (op pointOp) String() string { return [...]string{"+", "⊙"}[op.kind] }

// Do computes the output into a new value: UsePreallocDo with no prealloc.
func (op pointOp) Do(in ...G.Value) (G.Value, error) { return op.UsePreallocDo(nil, in...) }

// UsePreallocDo computes a + b or a ⊙ b into prealloc when it is a
// contiguous tensor of the output's dtype and shape (it may be a or b
// itself), into a new value otherwise.
func (op pointOp) UsePreallocDo(prealloc G.Value, in ...G.Value) (G.Value, error) {
	a, b, ok := operands(in)
	if !ok {
		return nil, operandsError(op, in)
	}
	if !sameShape(a.Shape(), b.Shape()...) {
		return nil, fmt.Errorf("lstm: %v wants two tensors of one shape, got shapes %v and %v", op, a.Shape(), b.Shape())
	}
	out := reuse(prealloc, a.Dtype(), a.Shape()...)
	if a.Dtype() == tensor.Float64 {
		pointKernel(op.kind, out.Float64s(), a.Float64s(), b.Float64s())
	} else {
		pointKernel(op.kind, out.Float32s(), a.Float32s(), b.Float32s())
	}
	return out, nil
}

func pointKernel[T float32 | float64](k pointKind, out, a, b []T) {
	b, out = b[:len(a)], out[:len(a)]
	switch k {
	case pointAdd:
		for i, v := range a {
			out[i] = v + b[i]
		}
	case pointMul:
		for i, v := range a {
			out[i] = v * b[i]
		}
	}
}

// DiffWRT reports that both inputs are differentiable.
func (op pointOp) DiffWRT(int) []bool { return []bool{true, true} }

// SymDiff returns the gradients of a and b: the output's gradient itself
// for a sum, grad ⊙ b and grad ⊙ a for a product.
func (op pointOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if op.kind == pointAdd {
		return G.Nodes{grad, grad}, nil
	}
	da, err := hadamard(grad, in[1])
	if err != nil {
		return nil, err
	}
	db, err := hadamard(grad, in[0])
	if err != nil {
		return nil, err
	}
	return G.Nodes{da, db}, nil
}

// operands returns the two inputs of a binary op as contiguous float
// tensors of one dtype (a view is read as its copy), or false.
func operands(in []G.Value) (a, b *tensor.Dense, ok bool) {
	if len(in) != 2 {
		return nil, nil, false
	}
	a, ok1 := in[0].(*tensor.Dense)
	b, ok2 := in[1].(*tensor.Dense)
	if !ok1 || !ok2 || a.Dtype() != b.Dtype() || !isFloat(a.Dtype()) {
		return nil, nil, false
	}
	return graph.Contiguous(a), graph.Contiguous(b), true
}

func operandsError(op G.Op, in []G.Value) error {
	return fmt.Errorf("lstm: %v wants two float32 or float64 tensors of one dtype, got %d values %v", op, len(in), in)
}
