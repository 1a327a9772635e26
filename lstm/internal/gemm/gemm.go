// Package gemm is a float32 and float64 matrix product for amd64 with AVX2
// and FMA: the layout of BLIS and OpenBLAS (A and B copied into packed
// panels, a 6×16 (float32) or 6×8 (float64) block of C kept in registers
// by an assembly kernel), run on every core for large products. Gonum's
// pure-Go gemm, the default BLAS of Gorgonia, loops over axpy and dot
// products and reaches a fraction of the machine's rate on the LSTM's
// products; this package keeps the pure-Go build (no cgo) within reach of
// OpenBLAS. Other architectures, and CPUs without AVX2 and FMA, use gonum
// (see Available).
package gemm

import (
	"runtime"
	"sync"
	"unsafe"
)

// The blocking: a kernel computes an mr×nr block of C from packed strips
// of A (mr rows) and B (nr columns: 16 float32 or 8 float64 values, two
// ymm registers); kc values of the inner dimension are packed at a time,
// mc rows of A (about 120 KB of float32, for L2) and 64 strips of B.
const (
	mr    = 6
	kc    = 256
	mc    = 20 * mr
	ncNR  = 64 // nc = ncNR·nr
	maxNR = 16
)

// parallelMin is the size m·n·k from which a product is split over
// GOMAXPROCS goroutines (below, starting them costs more than they save).
const parallelMin = 1 << 20

type float interface{ float32 | float64 }

// kernel adds to C[0:mr][0:nr] (row stride ldc) the product of a packed
// strip of A (k columns of mr values) and one of B (k rows of nr values):
// kernel6x16 for float32, kernel6x8 for float64. The calls are direct, so
// that the pointers, which the assembly does not keep, stay on the stack.
func kernel[T float](k int, a, b, c *T, ldc int) {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		kernel6x16(k, (*float32)(unsafe.Pointer(a)), (*float32)(unsafe.Pointer(b)), (*float32)(unsafe.Pointer(c)), ldc)
	} else {
		kernel6x8(k, (*float64)(unsafe.Pointer(a)), (*float64)(unsafe.Pointer(b)), (*float64)(unsafe.Pointer(c)), ldc)
	}
}

// nrOf is the kernel's width for T.
func nrOf[T float]() int {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return 16
	}
	return 8
}

// Sgemm sets C to op(A)·op(B), where op(X) is X, or Xᵀ when its flag is
// set: op(A) is m×k (A stored m×k with row stride lda, or k×m when
// transA), op(B) k×n (B stored k×n with stride ldb, or n×k when transB),
// and C m×n with row stride ldc. Each value of C is the same sum, in the
// same order (fused multiply-adds over each block of kc terms, in order),
// whatever m and n and however the product is split: a row of a product
// does not depend on the other rows (the LSTM's two unroll modes, and a
// sequence split into stateful calls, give the same numbers). It panics
// if Available is false or a slice is too short.
func Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
}

// Dgemm is Sgemm for float64.
func Dgemm(transA, transB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
}

// gemm is Sgemm and Dgemm.
func gemm[T float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if !Available {
		panic("gemm: needs amd64 with AVX2 and FMA")
	}
	if m <= 0 || n <= 0 {
		return
	}
	for i := 0; i < m; i++ {
		clear(c[i*ldc : i*ldc+n])
	}
	if k <= 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 || m*n*k < parallelMin {
		serial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	// Split the larger side of C into one part per worker, in whole
	// kernel blocks; the caller computes the last part.
	var wg sync.WaitGroup
	if m >= n {
		part := roundUp((m+workers-1)/workers, mr)
		for i0 := 0; i0 < m; i0 += part {
			rows := min(part, m-i0)
			aSub := a[i0:] // op(A)'s rows from i0: A's columns, or its rows
			if !transA {
				aSub = a[i0*lda:]
			}
			if i0+rows == m {
				serial(transA, transB, rows, n, k, aSub, lda, b, ldb, c[i0*ldc:], ldc)
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serial(transA, transB, rows, n, k, aSub, lda, b, ldb, c[i0*ldc:], ldc)
			}()
		}
	} else {
		part := roundUp((n+workers-1)/workers, nrOf[T]())
		for j0 := 0; j0 < n; j0 += part {
			cols := min(part, n-j0)
			bSub := b[j0:] // op(B)'s columns from j0: B's columns, or its rows
			if transB {
				bSub = b[j0*ldb:]
			}
			if j0+cols == n {
				serial(transA, transB, m, cols, k, a, lda, bSub, ldb, c[j0:], ldc)
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serial(transA, transB, m, cols, k, a, lda, bSub, ldb, c[j0:], ldc)
			}()
		}
	}
	wg.Wait()
}

// serial adds op(A)·op(B) to C on the calling goroutine.
func serial[T float](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	nr := nrOf[T]()
	nc := ncNR * nr
	kb0 := min(kc, k)
	pa := getBuf[T](min(mc, roundUp(m, mr)) * kb0)
	pb := getBuf[T](min(nc, roundUp(n, nr)) * kb0)
	defer putBuf(pa)
	defer putBuf(pb)
	var tile [mr * maxNR]T
	for jc := 0; jc < n; jc += nc {
		nb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			packB(*pb, nr, transB, b, ldb, pc, jc, kb, nb)
			for ic := 0; ic < m; ic += mc {
				mb := min(mc, m-ic)
				packA(*pa, transA, a, lda, ic, pc, mb, kb)
				for jr := 0; jr < nb; jr += nr {
					bp := (*pb)[(jr/nr)*kb*nr : (jr/nr+1)*kb*nr]
					nn := min(nr, nb-jr)
					for ir := 0; ir < mb; ir += mr {
						ap := (*pa)[(ir/mr)*kb*mr : (ir/mr+1)*kb*mr]
						mm := min(mr, mb-ir)
						at := (ic+ir)*ldc + jc + jr
						if mm == mr && nn == nr {
							_ = c[at+(mr-1)*ldc+nr-1] // the kernel writes up to there
							kernel(kb, &ap[0], &bp[0], &c[at], ldc)
							continue
						}
						// An edge block: computed whole into tile (the
						// packed strips are zero-padded), added in part.
						clear(tile[:])
						kernel(kb, &ap[0], &bp[0], &tile[0], nr)
						for i := 0; i < mm; i++ {
							row := c[at+i*ldc : at+i*ldc+nn]
							for j := range row {
								row[j] += tile[i*nr+j]
							}
						}
					}
				}
			}
		}
	}
}

// packA copies rows [i0, i0+mb) and columns [p0, p0+kb) of op(A) into dst
// as strips of mr rows, each kb columns of mr values, the rows past mb
// zero.
func packA[T float](dst []T, trans bool, a []T, lda, i0, p0, mb, kb int) {
	for s := 0; s*mr < mb; s++ {
		strip := dst[s*kb*mr : (s+1)*kb*mr]
		rows := min(mr, mb-s*mr)
		if rows < mr {
			clear(strip)
		}
		first := i0 + s*mr
		if trans {
			// op(A)[i][p] = a[p*lda+i]: each p holds the strip's rows
			// side by side.
			for p := 0; p < kb; p++ {
				copy(strip[p*mr:p*mr+rows], a[(p0+p)*lda+first:])
			}
			continue
		}
		if rows < mr {
			for r := 0; r < rows; r++ {
				row := a[(first+r)*lda+p0 : (first+r)*lda+p0+kb]
				for p, v := range row {
					strip[p*mr+r] = v
				}
			}
			continue
		}
		// A full strip, written in order (the six rows read side by side;
		// the indexing below does not compile unless mr is 6).
		var _ [1]struct{} = [mr - 5]struct{}{}
		base := first*lda + p0
		r0, r1, r2 := a[base:base+kb], a[base+lda:base+lda+kb], a[base+2*lda:base+2*lda+kb]
		r3, r4, r5 := a[base+3*lda:base+3*lda+kb], a[base+4*lda:base+4*lda+kb], a[base+5*lda:base+5*lda+kb]
		for p := range r0 {
			d := strip[p*mr : p*mr+mr : p*mr+mr]
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
	}
}

// packB copies rows [p0, p0+kb) and columns [j0, j0+nb) of op(B) into dst
// as strips of nr columns, each kb rows of nr values, the columns past nb
// zero.
func packB[T float](dst []T, nr int, trans bool, b []T, ldb, p0, j0, kb, nb int) {
	for s := 0; s*nr < nb; s++ {
		strip := dst[s*kb*nr : (s+1)*kb*nr]
		cols := min(nr, nb-s*nr)
		if cols < nr {
			clear(strip)
		}
		first := j0 + s*nr
		if !trans {
			for p := 0; p < kb; p++ {
				copy(strip[p*nr:p*nr+cols], b[(p0+p)*ldb+first:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p].
		for j := 0; j < cols; j++ {
			col := b[(first+j)*ldb+p0 : (first+j)*ldb+p0+kb]
			for p, v := range col {
				strip[p*nr+j] = v
			}
		}
	}
}

func roundUp(x, to int) int { return (x + to - 1) / to * to }

// bufs32 and bufs64 hold packing buffers (*[]float32, *[]float64).
var bufs32, bufs64 sync.Pool

func bufs[T float]() *sync.Pool {
	var zero T
	if _, ok := any(zero).(float32); ok {
		return &bufs32
	}
	return &bufs64
}

func getBuf[T float](n int) *[]T {
	if p, _ := bufs[T]().Get().(*[]T); p != nil && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	p := make([]T, n)
	return &p
}

func putBuf[T float](p *[]T) { bufs[T]().Put(p) }
