package graph

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// orthogonalInit is gain times a random matrix with orthonormal rows or
// columns.
type orthogonalInit struct{ gain float64 }

// Orthogonal returns the Keras "orthogonal" initializer (Keras default gain
// 1). The weight is seen as a rows×cols matrix with cols = shape[len-1] and
// rows = the product of the other dimensions. A matrix A of shape
// (max(rows, cols), min(rows, cols)) is drawn from N(0, 1), factorized as
// A = Q·R (reduced QR), and Q ← Q·diag(sign(diag(R))) makes the result
// uniformly distributed; Q is transposed when rows < cols. The value is
// gain·Q, so W·Wᵀ = gain²·I for a wide weight such as an LSTM recurrent
// kernel (units, 4·units) and Wᵀ·W = gain²·I for a tall one.
//
// This is the algorithm of TF2 and Keras 3; Keras 2.2.4 takes a factor of
// an SVD instead, which gives other values from the same draws but the same
// orthonormality. gain must be > 0; the shape must have at least 2
// dimensions.
func Orthogonal(gain float64) (Initializer, error) {
	if err := checkGain("orthogonal", gain); err != nil {
		return nil, err
	}
	return orthogonalInit{gain: gain}, nil
}

func newOrthogonal(args map[string]float64) (Initializer, error) {
	v, err := parseArgs("initializer", "orthogonal", args, argDef{"gain", 1})
	if err != nil {
		return nil, err
	}
	return Orthogonal(v[0])
}

// Sample draws the (max, min) normal matrix from rng, row-major, and
// returns gain·Q in row-major order.
func (o orthogonalInit) Sample(shape []int, rng *rand.Rand) ([]float64, error) {
	size, err := shapeSize("orthogonal", shape)
	if err != nil {
		return nil, err
	}
	if len(shape) < 2 {
		return nil, fmt.Errorf("graph: initializer \"orthogonal\": shape %v, want at least 2 dimensions", shape)
	}
	if err := checkRNG("orthogonal", rng); err != nil {
		return nil, err
	}
	if size == 0 {
		return []float64{}, nil
	}
	cols := shape[len(shape)-1]
	rows := size / cols
	m, n := max(rows, cols), min(rows, cols)
	a := mat.NewDense(m, n, sampleNormal(rng, m*n, 0, 1, false))
	q := orthonormalColumns(a)
	if rows < cols {
		q = mat.DenseCopyOf(q.T())
	}
	q.Scale(o.gain, q)
	return q.RawMatrix().Data, nil
}

// orthonormalColumns returns the reduced Q (m×n, m ≥ n) of a = Q·R with
// the sign of each column of Q set so that diag(R) ≥ 0. a is overwritten.
func orthonormalColumns(a *mat.Dense) *mat.Dense {
	g := a.RawMatrix()
	tau := make([]float64, g.Cols)
	work := []float64{0}
	lapack64.Geqrf(g, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(g, tau, work, len(work))
	neg := make([]bool, g.Cols)
	for j := range neg {
		neg[j] = g.Data[j*g.Stride+j] < 0
	}
	lapack64.Orgqr(g, tau, work, -1)
	if need := int(work[0]); need > len(work) {
		work = make([]float64, need)
	}
	lapack64.Orgqr(g, tau, work, len(work))
	for i := 0; i < g.Rows; i++ {
		row := g.Data[i*g.Stride : i*g.Stride+g.Cols]
		for j, flip := range neg {
			if flip {
				row[j] = -row[j]
			}
		}
	}
	return a
}

// Spec returns {orthogonal, gain}.
func (o orthogonalInit) Spec() Spec {
	return Spec{Name: "orthogonal", Args: map[string]float64{"gain": o.gain}}
}
