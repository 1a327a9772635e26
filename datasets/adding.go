package datasets

import "fmt"

// AddingConfig describes a data set of the adding problem for
// AddingProblem.
type AddingConfig struct {
	Samples int    // number of sequences, ≥ 1
	MinLen  int    // shortest sequence, ≥ 2
	MaxLen  int    // longest sequence, ≥ MinLen; the padded length
	Seed    uint64 // seed of every draw
}

// Adding is a data set of the adding problem: Samples sequences of two
// features, each of its own length, post-padded with zeros to Steps =
// MaxLen, and their targets. X and Y are flat, row-major:
//
//	X has shape (Samples, Steps, 2): X[(i*Steps+t)*2+0] is value t of sequence i,
//	                                 X[(i*Steps+t)*2+1] its marker (0 or 1);
//	                                 both are 0 for t ≥ Lengths[i] (padding)
//	Y has shape (Samples, 1):        Y[i] = the sum of the two marked values
//
// Values lie in (0, 1], so a real step is never all zeros and a Masking
// layer with mask_value 0 (or Mask) recovers the lengths exactly.
type Adding struct {
	X, Y    []float64
	Lengths []int
	Samples int
	Steps   int
}

// XShape returns the shape of X: (Samples, Steps, 2).
func (a *Adding) XShape() []int { return []int{a.Samples, a.Steps, 2} }

// YShape returns the shape of Y: (Samples, 1).
func (a *Adding) YShape() []int { return []int{a.Samples, 1} }

// Mask returns the (Samples, Steps) mask of the real steps, row-major:
// true for t < Lengths[i].
func (a *Adding) Mask() []bool {
	m := make([]bool, a.Samples*a.Steps)
	for i, n := range a.Lengths {
		for t := 0; t < n; t++ {
			m[i*a.Steps+t] = true
		}
	}
	return m
}

// AddingProblem returns a data set of the adding problem of Hochreiter &
// Schmidhuber (1997, "Long Short-Term Memory", experiment 4) in the form of
// Le, Jaitly & Hinton (2015, "A Simple Way to Initialize Recurrent Networks
// of Rectified Linear Units") with variable lengths: each sequence has a
// length L drawn uniformly from [MinLen, MaxLen]; each step holds a value
// drawn uniformly from (0, 1] and a marker; exactly two steps are marked
// with 1, one drawn uniformly from the first half, [0, ⌊L/2⌋), and one from
// the second, [⌊L/2⌋, L); the target is the sum of the two marked values.
// The network must find the markers and carry the first marked value
// across the sequence. Predicting the constant 1 (the targets' mean) gives
// a mean squared error of 1/6 ≈ 0.167, the variance of a sum of two
// uniform values; a model that solves the task gets far below it.
//
// Hochreiter & Schmidhuber's original draws values from [-1, 1], marks one
// of the first ten steps and targets 0.5 + (x₁ + x₂)/4; the form here is
// the one later papers use. Per sequence the draws are: the length, the L
// values, the first marker, the second marker, all from a PCG generator
// seeded with Seed. It returns an error for Samples < 1, MinLen < 2 or
// MaxLen < MinLen.
func AddingProblem(cfg AddingConfig) (*Adding, error) {
	switch {
	case cfg.Samples < 1:
		return nil, fmt.Errorf("datasets: adding problem Samples %d: must be ≥ 1", cfg.Samples)
	case cfg.MinLen < 2:
		return nil, fmt.Errorf("datasets: adding problem MinLen %d: must be ≥ 2 (one marker in each half)", cfg.MinLen)
	case cfg.MaxLen < cfg.MinLen:
		return nil, fmt.Errorf("datasets: adding problem MaxLen %d: must be ≥ MinLen %d", cfg.MaxLen, cfg.MinLen)
	}
	rng := newRNG(cfg.Seed)
	a := &Adding{
		X:       make([]float64, cfg.Samples*cfg.MaxLen*2),
		Y:       make([]float64, cfg.Samples),
		Lengths: make([]int, cfg.Samples),
		Samples: cfg.Samples,
		Steps:   cfg.MaxLen,
	}
	for i := range a.Lengths {
		n := cfg.MinLen + rng.IntN(cfg.MaxLen-cfg.MinLen+1)
		a.Lengths[i] = n
		seq := a.X[i*cfg.MaxLen*2 : (i*cfg.MaxLen+n)*2]
		for t := 0; t < n; t++ {
			seq[2*t] = 1 - rng.Float64() // (0, 1]
		}
		half := n / 2
		first := rng.IntN(half)
		second := half + rng.IntN(n-half)
		seq[2*first+1], seq[2*second+1] = 1, 1
		a.Y[i] = seq[2*first] + seq[2*second]
	}
	return a, nil
}
