package lstm

import (
	"fmt"
	"math"
	"testing"

	"github.com/golstm/golstm/graph"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestArithOps checks the cell's product, sum and element-wise product ops
// against Gorgonia's G.Mul (with G.Transpose), G.Add and G.HadamardProd:
// values and the gradients Backpropagate derives from their SymDiff (of
// Σ out ⊙ r, r random), in a TapeMachine as a caller's graph runs them
// (UnrolledWith) and, for the values, on the layer's machine, in float64 to
// 1e-12 and in float32 to 1e-5.
func TestArithOps(t *testing.T) {
	rng := graph.NewRNG(7)
	type build func(a, b *G.Node) (*G.Node, error)
	transposed := func(n *G.Node, on bool) *G.Node {
		if on {
			return G.Must(G.Transpose(n))
		}
		return n
	}
	gorgoniaMul := func(ta, tb bool) build {
		return func(a, b *G.Node) (*G.Node, error) { return G.Mul(transposed(a, ta), transposed(b, tb)) }
	}
	ours := func(op G.Op) build {
		return func(a, b *G.Node) (*G.Node, error) { return G.ApplyOp(op, a, b) }
	}
	cases := []struct {
		name         string
		ours, theirs build
		a, b         []int
	}{
		{"A×B", ours(mulOp{}), gorgoniaMul(false, false), []int{3, 4}, []int{4, 5}},
		{"Aᵀ×B", ours(mulOp{true, false}), gorgoniaMul(true, false), []int{4, 3}, []int{4, 5}},
		{"A×Bᵀ", ours(mulOp{false, true}), gorgoniaMul(false, true), []int{3, 4}, []int{5, 4}},
		{"Aᵀ×Bᵀ", ours(mulOp{true, true}), gorgoniaMul(true, true), []int{4, 3}, []int{5, 4}},
		// Past transposeMin: gemm transposes A first (gonum build).
		{"Aᵀ×B large", ours(mulOp{true, false}), gorgoniaMul(true, false), []int{70, 64}, []int{70, 5}},
		{"Aᵀ×Bᵀ large", ours(mulOp{true, true}), gorgoniaMul(true, true), []int{70, 64}, []int{5, 70}},
		{"+", ours(pointOp{pointAdd}), G.Add, []int{3, 4}, []int{3, 4}},
		{"⊙", ours(pointOp{pointMul}), G.HadamardProd, []int{3, 4}, []int{3, 4}},
		{"⊙ vector", ours(pointOp{pointMul}), G.HadamardProd, []int{6}, []int{6}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := map[tensor.Dtype]float64{tensor.Float64: 1e-12, tensor.Float32: 1e-5}[dt]
			a64, b64 := randDense(rng, 1, c.a...), randDense(rng, 1, c.b...)
			run := func(op build) (out, da, db *tensor.Dense) {
				g := G.NewGraph()
				node := func(name string, v *tensor.Dense) *G.Node {
					t := graph.NewTensor(dt, v.Shape(), graph.Float64s(v))
					if len(v.Shape()) == 1 {
						return G.NewVector(g, dt, G.WithShape(v.Shape()...), G.WithName(name), G.WithValue(t))
					}
					return G.NewMatrix(g, dt, G.WithShape(v.Shape()...), G.WithName(name), G.WithValue(t))
				}
				a, b := node("a", a64), node("b", b64)
				y := G.Must(op(a, b))
				r := node("r", randDense(graph.NewRNG(3), 1, y.Shape()...))
				grads, err := G.Grad(G.Must(G.Sum(G.Must(G.HadamardProd(y, r)))), a, b)
				if err != nil {
					t.Fatal(err)
				}
				m := G.NewTapeMachine(g)
				defer m.Close()
				if err := m.RunAll(); err != nil {
					t.Fatal(err)
				}
				dense := func(n *G.Node) *tensor.Dense { return n.Value().(*tensor.Dense).Clone().(*tensor.Dense) }
				return dense(y), dense(grads[0]), dense(grads[1])
			}
			t.Run(fmt.Sprintf("%s/%v", c.name, dt), func(t *testing.T) {
				got := [3]*tensor.Dense{}
				want := [3]*tensor.Dense{}
				got[0], got[1], got[2] = run(c.ours)
				want[0], want[1], want[2] = run(c.theirs)
				for i, name := range []string{"output", "gradient of a", "gradient of b"} {
					if err := sameTensor(got[i], want[i], tol); err != nil {
						t.Errorf("%s: %v", name, err)
					}
				}
				// The machine computes the same values into its buffers.
				g := G.NewGraph()
				a := G.NewTensor(g, dt, len(c.a), G.WithShape(c.a...), G.WithName("a"))
				b := G.NewTensor(g, dt, len(c.b), G.WithShape(c.b...), G.WithName("b"))
				y := G.Must(c.ours(a, b))
				m, err := newMachine(G.Nodes{y})
				if err != nil {
					t.Fatal(err)
				}
				m.bind(a, graph.NewTensor(dt, c.a, graph.Float64s(a64)))
				m.bind(b, graph.NewTensor(dt, c.b, graph.Float64s(b64)))
				if err := m.run(); err != nil {
					t.Fatal(err)
				}
				if err := sameTensor(m.value(y), want[0], tol); err != nil {
					t.Errorf("machine: %v", err)
				}
			})
		}
	}
}

// TestArithOpsAllocs checks that the ops computing into a preallocated
// output allocate nothing (their reason to exist, see arithop.go).
func TestArithOpsAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops the pooled packing buffers")
	}
	a, b := zeros(tensor.Float32, 8, 8), zeros(tensor.Float32, 8, 8)
	out := zeros(tensor.Float32, 8, 8)
	for _, op := range []G.UsePreallocDoer{mulOp{}, mulOp{true, true}, pointOp{pointAdd}, pointOp{pointMul}} {
		args := []G.Value{a, b} // the machine reuses its argument lists
		n := testing.AllocsPerRun(20, func() {
			if _, err := op.UsePreallocDo(out, args...); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%v: %v allocations per call, want 0", op, n)
		}
	}
}

// TestBlasGemm checks the BLAS path of the product (CPUs without AVX2 and
// FMA, and float64 before internal/gemm) with gonum's gemm, where Aᵀ·B
// transposes A first from transposeMin on: against a plain triple loop,
// to 1e-12.
func TestBlasGemm(t *testing.T) {
	rng := graph.NewRNG(11)
	for _, s := range [][3]int{{3, 5, 4}, {64, 7, 70}, {70, 9, 64}} {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			a, b := graph.Float64s(randDense(rng, 1, m*k)), graph.Float64s(randDense(rng, 1, k*n))
			lda, ldb := k, n
			if tr[0] {
				lda = m
			}
			if tr[1] {
				ldb = k
			}
			tA, tB := blas.NoTrans, blas.NoTrans
			if tr[0] {
				tA = blas.Trans
			}
			if tr[1] {
				tB = blas.Trans
			}
			c := make([]float64, m*n)
			blasGemm(gonum.Implementation{}.Dgemm, tA, tB, m, n, k, a, lda, b, ldb, c)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					want := 0.0
					for p := 0; p < k; p++ {
						var x, y float64
						if tr[0] {
							x = a[p*lda+i]
						} else {
							x = a[i*lda+p]
						}
						if tr[1] {
							y = b[j*ldb+p]
						} else {
							y = b[p*ldb+j]
						}
						want += x * y
					}
					if math.Abs(c[i*n+j]-want) > 1e-12*math.Max(1, math.Abs(want)) {
						t.Fatalf("%v %v: C[%d][%d] = %v, want %v", s, tr, i, j, c[i*n+j], want)
					}
				}
			}
		}
	}
}
