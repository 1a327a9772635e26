package graph

import (
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Activation maps a node element-wise (softmax: along the last axis) to a
// new node. Gradients come from Gorgonia's autodiff of the returned node.
type Activation func(x *G.Node) (*G.Node, error)

// Initializer draws the initial value of a weight.
type Initializer interface {
	// Sample returns prod(shape) values in row-major order. Random
	// initializers draw every value from rng, so the same rng state gives
	// the same values.
	Sample(shape []int, rng *rand.Rand) ([]float64, error)
	// Spec describes the initializer for saving.
	Spec() Spec
}

// Regularizer is a penalty on a weight that a model adds to its loss.
type Regularizer interface {
	// Penalty returns a scalar node holding the penalty of w.
	Penalty(w *G.Node) (*G.Node, error)
	// Spec describes the regularizer for saving.
	Spec() Spec
}

// Constraint projects a weight after each optimizer update.
type Constraint interface {
	// Apply projects w in place.
	Apply(w *tensor.Dense) error
	// Spec describes the constraint for saving.
	Spec() Spec
}
