//go:build !amd64

package gemm

// Available reports whether Sgemm can run here: amd64 with AVX2 and FMA.
const Available = false

func kernel6x16(k int, a, b, c *float32, ldc int) { panic("gemm: no kernel on this architecture") }

func kernel6x8(k int, a, b, c *float64, ldc int) { panic("gemm: no kernel on this architecture") }
