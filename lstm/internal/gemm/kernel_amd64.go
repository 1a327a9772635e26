package gemm

import "golang.org/x/sys/cpu"

// Available reports whether Sgemm can run here: amd64 with AVX2 and FMA.
var Available = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernel6x16(k int, a, b, c *float32, ldc int)

//go:noescape
func kernel6x8(k int, a, b, c *float64, ldc int)
