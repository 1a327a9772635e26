package datasets

import (
	"fmt"
	"math"
)

// Range is the half-open range of time steps [Start, End).
type Range struct{ Start, End int }

// Len returns End − Start.
func (r Range) Len() int { return r.End - r.Start }

// Rows returns the sub-slice of data, flat row-major with the given number of
// features, that holds the time steps of r. It shares memory with data and
// panics, like slicing, if r is out of range.
func (r Range) Rows(data []float64, features int) []float64 {
	return data[r.Start*features : r.End*features]
}

// Split divides n time steps chronologically, without shuffling, into
// training, validation and test ranges:
//
//	train = [0, ⌊n·train⌋), val = [⌊n·train⌋, ⌊n·(train+val)⌋), test = the rest,
//
// where ⌊·⌋ allows 1e-9 of binary rounding (so 0.7·10 gives 7). It returns an
// error if n < 0, a fraction is outside [0, 1], or train+val > 1.
func Split(n int, train, val float64) (trainR, valR, testR Range, err error) {
	if n < 0 {
		return trainR, valR, testR, fmt.Errorf("datasets: split n %d: must be ≥ 0", n)
	}
	if !(train >= 0 && train <= 1) {
		return trainR, valR, testR, fmt.Errorf("datasets: split train fraction %v: must be in [0, 1]", train)
	}
	if !(val >= 0 && val <= 1) {
		return trainR, valR, testR, fmt.Errorf("datasets: split validation fraction %v: must be in [0, 1]", val)
	}
	if train+val > 1+1e-12 {
		return trainR, valR, testR, fmt.Errorf("datasets: split fractions train %v + validation %v = %v: must be ≤ 1",
			train, val, train+val)
	}
	cut := func(f float64) int { return min(n, int(math.Floor(f*float64(n)+1e-9))) }
	a, b := cut(train), cut(train+val)
	return Range{0, a}, Range{a, b}, Range{b, n}, nil
}
