package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSgemm compares Sgemm with a float64 reference for every combination
// of transposes, on shapes that are and are not multiples of the kernel's
// block (6×16) and of the packing blocks, with row strides wider than the
// matrices, serial and split over goroutines, to a relative 1e-5 of the sum
// of the terms' magnitudes.
func TestSgemm(t *testing.T) {
	if !Available {
		t.Skip("no AVX2 and FMA here: the LSTM uses gonum")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 1}, {5, 15, 3}, {7, 17, 2}, {32, 128, 32}, {32, 32, 50},
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
				a, b := randSlice(rng, ar*lda), randSlice(rng, br*ldb)
				c := randSlice(rng, m*ldc) // overwritten, except the padding
				keep := append([]float32(nil), c...)
				Sgemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
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
						if math.Abs(got-want) > 1e-5*mag+1e-30 {
							t.Fatalf("C[%d][%d] = %v, want %v", i, j, got, want)
						}
					}
				}
			})
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(2*rng.Float64() - 1)
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
			a, bb, cc := randSlice(rng, c.m*c.k), randSlice(rng, c.k*c.n), make([]float32, c.m*c.n)
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
