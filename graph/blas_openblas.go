//go:build openblas

package graph

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With the build tag openblas, every matrix product of Gorgonia and its
// tensor engine goes through OpenBLAS (cgo, Debian's libopenblas-dev) via
// gonum's netlib binding instead of gonum's pure-Go BLAS.
func init() { G.Use(netlib.Implementation{}) }

// BLAS names the BLAS implementation in use: "openblas" or "gonum".
const BLAS = "openblas"
