package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// normalInit draws from N(mean, stddev²), truncated to mean ± 2·stddev when
// truncated is set.
type normalInit struct {
	mean, stddev float64
	truncated    bool
}

// RandomNormal returns the Keras "random_normal" initializer: values drawn
// i.i.d. from N(mean, stddev²) (Keras defaults mean 0, stddev 0.05).
// stddev must be > 0.
func RandomNormal(mean, stddev float64) (Initializer, error) {
	return newNormal("random_normal", mean, stddev, false)
}

// TruncatedNormal returns the Keras "truncated_normal" initializer: values
// drawn from N(mean, stddev²), redrawing any value farther than 2·stddev from
// mean, as TensorFlow's truncated_normal (Keras defaults mean 0, stddev 0.05).
// The variance of the result is about 0.774·stddev². stddev must be > 0.
func TruncatedNormal(mean, stddev float64) (Initializer, error) {
	return newNormal("truncated_normal", mean, stddev, true)
}

func newNormal(name string, mean, stddev float64, truncated bool) (Initializer, error) {
	if math.IsNaN(mean) || math.IsInf(mean, 0) {
		return nil, fmt.Errorf("graph: initializer %q: mean = %v, want a finite number", name, mean)
	}
	if !(stddev > 0) || math.IsInf(stddev, 0) {
		return nil, fmt.Errorf("graph: initializer %q: stddev = %v, want a finite stddev > 0", name, stddev)
	}
	return normalInit{mean: mean, stddev: stddev, truncated: truncated}, nil
}

func newRandomNormal(args map[string]float64) (Initializer, error) {
	v, err := parseArgs("initializer", "random_normal", args, argDef{"mean", 0}, argDef{"stddev", 0.05})
	if err != nil {
		return nil, err
	}
	return RandomNormal(v[0], v[1])
}

func newTruncatedNormal(args map[string]float64) (Initializer, error) {
	v, err := parseArgs("initializer", "truncated_normal", args, argDef{"mean", 0}, argDef{"stddev", 0.05})
	if err != nil {
		return nil, err
	}
	return TruncatedNormal(v[0], v[1])
}

func (r normalInit) name() string {
	if r.truncated {
		return "truncated_normal"
	}
	return "random_normal"
}

// Sample draws prod(shape) values from rng.
func (r normalInit) Sample(shape []int, rng *rand.Rand) ([]float64, error) {
	n, err := shapeSize(r.name(), shape)
	if err != nil {
		return nil, err
	}
	if err := checkRNG(r.name(), rng); err != nil {
		return nil, err
	}
	return sampleNormal(rng, n, r.mean, r.stddev, r.truncated), nil
}

// Spec returns {random_normal or truncated_normal, mean, stddev}.
func (r normalInit) Spec() Spec {
	return Spec{Name: r.name(), Args: map[string]float64{"mean": r.mean, "stddev": r.stddev}}
}

// sampleNormal draws n values from N(mean, stddev²); with truncated set,
// standard normal draws with |z| > 2 are redrawn.
func sampleNormal(rng *rand.Rand, n int, mean, stddev float64, truncated bool) []float64 {
	out := make([]float64, n)
	for i := range out {
		z := rng.NormFloat64()
		for truncated && math.Abs(z) > 2 {
			z = rng.NormFloat64()
		}
		out[i] = mean + stddev*z
	}
	return out
}

// uniformInit draws from U[minval, maxval).
type uniformInit struct{ minval, maxval float64 }

// RandomUniform returns the Keras "random_uniform" initializer: values drawn
// i.i.d. from U[minval, maxval) (Keras defaults -0.05, 0.05). minval must be
// < maxval.
func RandomUniform(minval, maxval float64) (Initializer, error) {
	if math.IsInf(minval, 0) || math.IsInf(maxval, 0) || !(minval < maxval) {
		return nil, fmt.Errorf("graph: initializer \"random_uniform\": minval = %v, maxval = %v, want finite minval < maxval", minval, maxval)
	}
	return uniformInit{minval: minval, maxval: maxval}, nil
}

func newRandomUniform(args map[string]float64) (Initializer, error) {
	v, err := parseArgs("initializer", "random_uniform", args, argDef{"minval", -0.05}, argDef{"maxval", 0.05})
	if err != nil {
		return nil, err
	}
	return RandomUniform(v[0], v[1])
}

// Sample draws prod(shape) values from rng.
func (u uniformInit) Sample(shape []int, rng *rand.Rand) ([]float64, error) {
	n, err := shapeSize("random_uniform", shape)
	if err != nil {
		return nil, err
	}
	if err := checkRNG("random_uniform", rng); err != nil {
		return nil, err
	}
	return sampleUniform(rng, n, u.minval, u.maxval), nil
}

// Spec returns {random_uniform, minval, maxval}.
func (u uniformInit) Spec() Spec {
	return Spec{Name: "random_uniform", Args: map[string]float64{"minval": u.minval, "maxval": u.maxval}}
}

// sampleUniform draws n values from U[lo, hi).
func sampleUniform(rng *rand.Rand, n int, lo, hi float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo + (hi-lo)*rng.Float64()
	}
	return out
}
