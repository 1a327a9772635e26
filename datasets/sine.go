package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Sine is one sinusoidal component A·sin(2π·t/P + φ) of a generated series.
// Period P is measured in time steps and Phase φ in radians.
type Sine struct {
	Period    float64
	Amplitude float64
	Phase     float64
}

// SineConfig describes a synthetic series for GenerateSine.
type SineConfig struct {
	Length     int     // number of time steps, ≥ 1
	Components []Sine  // sinusoids to add; may be empty
	Noise      float64 // standard deviation of the Gaussian noise, ≥ 0
	Trend      float64 // slope of the linear trend per time step
	Offset     float64 // constant level
	Seed       uint64  // seed of the noise generator
}

// newRNG returns a PCG generator seeded with seed. It uses the same stream
// constant as graph.NewRNG, so a seed gives the same sequence in both places.
func newRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// GenerateSine returns a series of cfg.Length values,
//
//	x_t = Offset + Trend·t + Σ_k A_k·sin(2π·t/P_k + φ_k) + Noise·ε_t,  t = 0, …, Length−1,
//
// where ε_t are standard normal draws from a PCG generator seeded with
// cfg.Seed. No draw is made when Noise is 0. It returns an error if Length < 1,
// a period is not positive, Noise is negative, or a parameter is not finite.
func GenerateSine(cfg SineConfig) ([]float64, error) {
	if cfg.Length < 1 {
		return nil, fmt.Errorf("datasets: sine Length %d: must be ≥ 1", cfg.Length)
	}
	if !(cfg.Noise >= 0) || math.IsInf(cfg.Noise, 0) {
		return nil, fmt.Errorf("datasets: sine Noise %v: must be a finite standard deviation ≥ 0", cfg.Noise)
	}
	if !finite(cfg.Trend) || !finite(cfg.Offset) {
		return nil, errors.New("datasets: sine Trend and Offset must be finite")
	}
	for i, c := range cfg.Components {
		if !(c.Period > 0) || math.IsInf(c.Period, 0) {
			return nil, fmt.Errorf("datasets: sine component %d: Period %v must be finite and > 0", i, c.Period)
		}
		if !finite(c.Amplitude) || !finite(c.Phase) {
			return nil, fmt.Errorf("datasets: sine component %d: Amplitude and Phase must be finite", i)
		}
	}
	var rng *rand.Rand
	if cfg.Noise > 0 {
		rng = newRNG(cfg.Seed)
	}
	out := make([]float64, cfg.Length)
	for t := range out {
		ft := float64(t)
		v := cfg.Offset + cfg.Trend*ft
		for _, c := range cfg.Components {
			v += c.Amplitude * math.Sin(2*math.Pi*ft/c.Period+c.Phase)
		}
		if rng != nil {
			v += cfg.Noise * rng.NormFloat64()
		}
		out[t] = v
	}
	return out, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
