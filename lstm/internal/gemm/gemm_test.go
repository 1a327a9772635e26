package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemm compares Sgemm and Dgemm with a float64 reference for every
// combination of transposes, on shapes that are and are not multiples of
// the kernel's block (6×16, 6×8) and of the packing blocks, with row
// strides wider than the matrices, serial and split over goroutines, to a
// relative 1e-5 (float32) or 1e-13 (float64) of the sum of the terms'
// magnitudes; the padding past each row of C stays untouched.
func TestGemm(t *testing.T) {
	if !Available {
		t.Skip("no AVX2 and FMA here: the LSTM uses gonum")
	}
	t.Run("float32", func(t *testing.T) { testGemm(t, Sgemm, 1e-5) })
	t.Run("float64", func(t *testing.T) { testGemm(t, Dgemm, 1e-13) })
}

func testGemm[T float](t *testing.T, gemm func(transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int), tol float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 1}, {5, 15, 3}, {7, 17, 2}, {6, 8, 4}, {32, 128, 32}, {32, 32, 50},
		{13, 37, 300}, {121, 1025, 7}, {64, 512, 128}, {200, 40, 520}, {130, 70, 260},
		{128, 128, 64}, {64, 300, 60}} // split over goroutines with k smaller than the split side
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			tA, tB := tr[0], tr[1]
			t.Run(fmt.Sprintf("%dx%dx%d/tA=%t/tB=%t", m, n, k, tA, tB), func(t *testing.T) {
				const pad = 3 // stride beyond the row
				ar, ac := m, k
				if tA {
					ar, ac = k, m
				}
				br, bc := k, n
				if tB {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+pad, bc+pad, n+pad
				a, b := randSlice[T](rng, ar*lda), randSlice[T](rng, br*ldb)
				c := randSlice[T](rng, m*ldc) // overwritten, except the padding
				keep := append([]T(nil), c...)
				gemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
				at := func(i, p int) float64 {
					if tA {
						return float64(a[p*lda+i])
					}
					return float64(a[i*lda+p])
				}
				bt := func(p, j int) float64 {
					if tB {
						return float64(b[j*ldb+p])
					}
					return float64(b[p*ldb+j])
				}
				for i := 0; i < m; i++ {
					for j := 0; j < ldc; j++ {
						got := float64(c[i*ldc+j])
						if j >= n {
							if got != float64(keep[i*ldc+j]) {
								t.Fatalf("C[%d][%d] past the row was written", i, j)
							}
							continue
						}
						want, mag := 0.0, 0.0
						for p := 0; p < k; p++ {
							want += at(i, p) * bt(p, j)
							mag += math.Abs(at(i, p) * bt(p, j))
						}
						if math.Abs(got-want) > tol*mag+1e-30 {
							t.Fatalf("C[%d][%d] = %v, want %v", i, j, got, want)
						}
					}
				}
			})
		}
	}
}

// TestGemmAllocs checks that a product on the calling goroutine allocates
// nothing once the packing buffers are pooled.
func TestGemmAllocs(t *testing.T) {
	if !Available || raceEnabled {
		t.Skip("no AVX2 and FMA here, or the race detector (which drops pooled buffers)")
	}
	a, b, c := make([]float32, 32*32), make([]float32, 32*128), make([]float32, 32*128)
	Sgemm(false, false, 32, 128, 32, a, 32, b, 128, c, 128)
	if n := testing.AllocsPerRun(20, func() { Sgemm(false, false, 32, 128, 32, a, 32, b, 128, c, 128) }); n != 0 {
		t.Errorf("%v allocations per product, want 0", n)
	}
}

func randSlice[T float](rng *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(2*rng.Float64() - 1)
	}
	return s
}

// BenchmarkSgemm times the LSTM's products at the sizes of ../../bench_test.go
// (h·U per step, dz·Uᵀ, the weight gradient over every step), reporting
// GFLOP/s.
func BenchmarkSgemm(b *testing.B) {
	for _, c := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"sine/hU", false, false, 32, 128, 32},
		{"medium/hU", false, false, 64, 512, 128},
		{"large/hU", false, false, 128, 2048, 512},
		{"large/dzUT", false, true, 128, 512, 2048},
		{"large/HTdZ", true, false, 512, 2048, 12800},
	} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			a, bb, cc := randSlice[float32](rng, c.m*c.k), randSlice[float32](rng, c.k*c.n), make([]float32, c.m*c.n)
			lda, ldb := c.k, c.n
			if c.tA {
				lda = c.m
			}
			if c.tB {
				ldb = c.k
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Sgemm(c.tA, c.tB, c.m, c.n, c.k, a, lda, bb, ldb, cc, c.n)
			}
			b.ReportMetric(2*float64(c.m*c.n*c.k)*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
		})
	}
}

// TestGemmRowsIndependent checks that each row of a product is exactly the
// same computed alone, in a block of rows, or in the whole (split over
// goroutines) product, and for an Aᵀ·B: the sums do not depend on the
// shape (what keeps the LSTM's modes equal).
func TestGemmRowsIndependent(t *testing.T) {
	if !Available {
		t.Skip("no AVX2 and FMA here")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 300, 70, 600 // m·n·k above parallelMin, k over two packing blocks
	a, b := randSlice[float64](rng, m*k), randSlice[float64](rng, k*n)
	whole := make([]float64, m*n)
	Dgemm(false, false, m, n, k, a, k, b, n, whole, n)
	at := make([]float64, k*m) // A stored transposed
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			at[p*m+i] = a[i*k+p]
		}
	}
	viaT := make([]float64, m*n)
	Dgemm(true, false, m, n, k, at, m, b, n, viaT, n)
	for _, rows := range []int{1, 5, 7} {
		for i0 := 0; i0+rows <= m; i0 += 37 {
			part := make([]float64, rows*n)
			Dgemm(false, false, rows, n, k, a[i0*k:], k, b, n, part, n)
			for i := 0; i < rows; i++ {
				for j := 0; j < n; j++ {
					if w := whole[(i0+i)*n+j]; part[i*n+j] != w || viaT[(i0+i)*n+j] != w {
						t.Fatalf("row %d of a %d-row block: C[%d] = %v, whole %v, Aᵀ %v", i0+i, rows, j, part[i*n+j], w, viaT[(i0+i)*n+j])
					}
				}
			}
		}
	}
}
