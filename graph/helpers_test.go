package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
)

// This file holds the helpers that several test files of the package share.

// runGrad differentiates the scalar cost with respect to wrt, runs g once
// in a TapeMachine and returns the gradient node, whose Value then holds
// ∂cost/∂wrt.
func runGrad(t *testing.T, g *G.ExprGraph, cost, wrt *G.Node) *G.Node {
	t.Helper()
	grads, err := G.Grad(cost, wrt)
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	return grads[0]
}

// scalarValue returns the float value of a scalar Value.
func scalarValue(v G.Value) float64 {
	switch d := v.Data().(type) {
	case float64:
		return d
	case float32:
		return float64(d)
	case []float64:
		return d[0]
	case []float32:
		return float64(d[0])
	}
	return math.NaN()
}
