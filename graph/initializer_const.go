package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// constantInit fills a weight with one value.
type constantInit struct {
	name  string // "zeros", "ones" or "constant"
	value float64
}

// Zeros returns the Keras "zeros" initializer: every value is 0.
func Zeros() Initializer { return constantInit{name: "zeros"} }

// Ones returns the Keras "ones" initializer: every value is 1.
func Ones() Initializer { return constantInit{name: "ones", value: 1} }

// Constant returns the Keras "constant" initializer: every value is value
// (Keras default 0). value must be finite.
func Constant(value float64) (Initializer, error) {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return nil, fmt.Errorf("graph: initializer \"constant\": value = %v, want a finite number", value)
	}
	return constantInit{name: "constant", value: value}, nil
}

func newConstant(args map[string]float64) (Initializer, error) {
	v, err := parseArgs("initializer", "constant", args, argDef{"value", 0})
	if err != nil {
		return nil, err
	}
	return Constant(v[0])
}

// Sample returns prod(shape) copies of the value; rng is not used.
func (c constantInit) Sample(shape []int, _ *rand.Rand) ([]float64, error) {
	n, err := shapeSize(c.name, shape)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	if c.value != 0 {
		for i := range out {
			out[i] = c.value
		}
	}
	return out, nil
}

// Spec returns {zeros}, {ones} or {constant, value}.
func (c constantInit) Spec() Spec {
	if c.name == "constant" {
		return Spec{Name: c.name, Args: map[string]float64{"value": c.value}}
	}
	return Spec{Name: c.name}
}

// identityInit is gain·I.
type identityInit struct{ gain float64 }

// Identity returns the Keras "identity" initializer: gain·I for a square
// 2-D shape (Keras default gain 1). As in Keras 2.2, any other shape is an
// error at Sample. gain must be > 0.
func Identity(gain float64) (Initializer, error) {
	if err := checkGain("identity", gain); err != nil {
		return nil, err
	}
	return identityInit{gain: gain}, nil
}

func newIdentity(args map[string]float64) (Initializer, error) {
	v, err := parseArgs("initializer", "identity", args, argDef{"gain", 1})
	if err != nil {
		return nil, err
	}
	return Identity(v[0])
}

// Sample returns gain·I for shape (n, n); rng is not used.
func (id identityInit) Sample(shape []int, _ *rand.Rand) ([]float64, error) {
	if len(shape) != 2 || shape[0] != shape[1] || shape[0] < 0 {
		return nil, fmt.Errorf("graph: initializer \"identity\": shape %v, want a square 2-D shape (n, n)", shape)
	}
	n := shape[0]
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		out[i*n+i] = id.gain
	}
	return out, nil
}

// Spec returns {identity, gain}.
func (id identityInit) Spec() Spec {
	return Spec{Name: "identity", Args: map[string]float64{"gain": id.gain}}
}

// checkGain returns an error naming initializer name unless gain > 0.
func checkGain(name string, gain float64) error {
	if !(gain > 0) || math.IsInf(gain, 0) {
		return fmt.Errorf("graph: initializer %q: gain = %v, want a finite gain > 0", name, gain)
	}
	return nil
}
