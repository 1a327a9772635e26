//go:build !openblas

package graph

// BLAS names the BLAS implementation in use: "gonum" (pure Go, the
// default) or "openblas" (build tag openblas, needs cgo and
// libopenblas-dev).
const BLAS = "gonum"
