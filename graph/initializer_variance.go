package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Codes of VarianceScaling's mode and distribution in Spec.Args.
const (
	modeFanIn   = 0
	modeFanOut  = 1
	modeFanAvg  = 2
	distNormal  = 0
	distUniform = 1
)

// varianceModes and varianceDistributions are the accepted strings of
// VarianceScaling; a string's index is its code in Spec.Args.
var (
	varianceModes         = []string{"fan_in", "fan_out", "fan_avg"}
	varianceDistributions = []string{"normal", "uniform"}
)

// varianceInit is Keras 2.2 VarianceScaling.
type varianceInit struct {
	name  string  // spec name: "variance_scaling" or a preset (glorot_uniform, ...)
	scale float64 // > 0
	mode  int     // index in varianceModes
	dist  int     // index in varianceDistributions
}

// VarianceScaling returns the Keras 2.2 "variance_scaling" initializer
// (Keras defaults scale 1, mode "fan_in", distribution "normal"). With
// fan_in and fan_out from the weight's shape (below) and
//
//	n = max(1, fan_in), max(1, fan_out) or max(1, (fan_in+fan_out)/2)
//
// for mode "fan_in", "fan_out" or "fan_avg", distribution "normal" draws
// from a normal with stddev sqrt(scale/n) truncated at 2 stddev (Keras 2.2
// does not correct the stddev for the truncation), and "uniform" draws from
// U[-limit, limit) with limit = sqrt(3·scale/n). mode and distribution are
// case-insensitive; scale must be > 0.
//
// Fans are those of Keras 2.2 _compute_fans: for a 2-D shape fan_in =
// shape[0], fan_out = shape[1]; for 3-D to 5-D, with r = prod(shape[:-2]),
// fan_in = shape[-2]·r and fan_out = shape[-1]·r; otherwise both are
// sqrt(prod(shape)).
func VarianceScaling(scale float64, mode, distribution string) (Initializer, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("graph: initializer \"variance_scaling\": scale = %v, want a finite scale > 0", scale)
	}
	m := indexFold(varianceModes, mode)
	if m < 0 {
		return nil, fmt.Errorf("graph: initializer \"variance_scaling\": mode %q, want one of %s",
			mode, strings.Join(varianceModes, ", "))
	}
	d := indexFold(varianceDistributions, distribution)
	if d < 0 {
		return nil, fmt.Errorf("graph: initializer \"variance_scaling\": distribution %q, want one of %s",
			distribution, strings.Join(varianceDistributions, ", "))
	}
	return varianceInit{name: "variance_scaling", scale: scale, mode: m, dist: d}, nil
}

// indexFold returns the index of s in list, ignoring case, or -1.
func indexFold(list []string, s string) int {
	for i, v := range list {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

func newVarianceScaling(args map[string]float64) (Initializer, error) {
	const name = "variance_scaling"
	v, err := parseArgs("initializer", name, args,
		argDef{"scale", 1}, argDef{"mode", 0}, argDef{"distribution", 0})
	if err != nil {
		return nil, err
	}
	m, err := intArg("initializer", name, "mode", v[1])
	if err != nil || m < 0 || m >= len(varianceModes) {
		return nil, fmt.Errorf("graph: initializer %q: mode = %v, want 0 (fan_in), 1 (fan_out) or 2 (fan_avg)", name, v[1])
	}
	d, err := intArg("initializer", name, "distribution", v[2])
	if err != nil || d < 0 || d >= len(varianceDistributions) {
		return nil, fmt.Errorf("graph: initializer %q: distribution = %v, want 0 (normal) or 1 (uniform)", name, v[2])
	}
	return VarianceScaling(v[0], varianceModes[m], varianceDistributions[d])
}

// GlorotUniform returns the Keras "glorot_uniform" initializer:
// U[-limit, limit) with limit = sqrt(6/(fan_in+fan_out)), which is
// VarianceScaling(1, "fan_avg", "uniform").
func GlorotUniform() Initializer { return varianceInit{"glorot_uniform", 1, modeFanAvg, distUniform} }

// GlorotNormal returns the Keras "glorot_normal" initializer: a normal with
// stddev sqrt(2/(fan_in+fan_out)) truncated at 2 stddev, which is
// VarianceScaling(1, "fan_avg", "normal").
func GlorotNormal() Initializer { return varianceInit{"glorot_normal", 1, modeFanAvg, distNormal} }

// HeUniform returns the Keras "he_uniform" initializer: U[-limit, limit)
// with limit = sqrt(6/fan_in), which is VarianceScaling(2, "fan_in", "uniform").
func HeUniform() Initializer { return varianceInit{"he_uniform", 2, modeFanIn, distUniform} }

// HeNormal returns the Keras "he_normal" initializer: a normal with stddev
// sqrt(2/fan_in) truncated at 2 stddev, which is
// VarianceScaling(2, "fan_in", "normal").
func HeNormal() Initializer { return varianceInit{"he_normal", 2, modeFanIn, distNormal} }

// LecunUniform returns the Keras "lecun_uniform" initializer:
// U[-limit, limit) with limit = sqrt(3/fan_in), which is
// VarianceScaling(1, "fan_in", "uniform").
func LecunUniform() Initializer { return varianceInit{"lecun_uniform", 1, modeFanIn, distUniform} }

// LecunNormal returns the Keras "lecun_normal" initializer: a normal with
// stddev sqrt(1/fan_in) truncated at 2 stddev, which is
// VarianceScaling(1, "fan_in", "normal").
func LecunNormal() Initializer { return varianceInit{"lecun_normal", 1, modeFanIn, distNormal} }

// Sample draws prod(shape) values from rng.
func (v varianceInit) Sample(shape []int, rng *rand.Rand) ([]float64, error) {
	n, err := shapeSize(v.name, shape)
	if err != nil {
		return nil, err
	}
	if err := checkRNG(v.name, rng); err != nil {
		return nil, err
	}
	scale := v.scale / v.fan(shape)
	if v.dist == distNormal {
		return sampleNormal(rng, n, 0, math.Sqrt(scale), true), nil
	}
	limit := math.Sqrt(3 * scale)
	return sampleUniform(rng, n, -limit, limit), nil
}

// fan returns the n of VarianceScaling for shape.
func (v varianceInit) fan(shape []int) float64 {
	in, out := computeFans(shape)
	switch v.mode {
	case modeFanIn:
		return math.Max(1, in)
	case modeFanOut:
		return math.Max(1, out)
	}
	return math.Max(1, (in+out)/2)
}

// Spec returns the preset's name without arguments, or {variance_scaling,
// scale, mode, distribution} with mode and distribution coded as in
// NewInitializer.
func (v varianceInit) Spec() Spec {
	if v.name != "variance_scaling" {
		return Spec{Name: v.name}
	}
	return Spec{Name: v.name, Args: map[string]float64{
		"scale": v.scale, "mode": float64(v.mode), "distribution": float64(v.dist)}}
}
