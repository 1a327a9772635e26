package graph

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gorgonia.org/tensor"
)

// initFactory builds an initializer from the arguments of a Spec.
type initFactory func(args map[string]float64) (Initializer, error)

// initializers maps each canonical Keras 2.2 initializer name to its factory.
var initializers = map[string]initFactory{
	"zeros":            noArgs("initializer", "zeros", Zeros),
	"ones":             noArgs("initializer", "ones", Ones),
	"constant":         newConstant,
	"random_normal":    newRandomNormal,
	"random_uniform":   newRandomUniform,
	"truncated_normal": newTruncatedNormal,
	"variance_scaling": newVarianceScaling,
	"glorot_uniform":   noArgs("initializer", "glorot_uniform", GlorotUniform),
	"glorot_normal":    noArgs("initializer", "glorot_normal", GlorotNormal),
	"he_uniform":       noArgs("initializer", "he_uniform", HeUniform),
	"he_normal":        noArgs("initializer", "he_normal", HeNormal),
	"lecun_uniform":    noArgs("initializer", "lecun_uniform", LecunUniform),
	"lecun_normal":     noArgs("initializer", "lecun_normal", LecunNormal),
	"orthogonal":       newOrthogonal,
	"identity":         newIdentity,
}

// initAliases maps the other names Keras 2.2 accepts (its compatibility
// aliases and class names) to the canonical names.
var initAliases = map[string]string{
	"zero":            "zeros",
	"one":             "ones",
	"normal":          "random_normal",
	"uniform":         "random_uniform",
	"Zeros":           "zeros",
	"Ones":            "ones",
	"Constant":        "constant",
	"RandomNormal":    "random_normal",
	"RandomUniform":   "random_uniform",
	"TruncatedNormal": "truncated_normal",
	"VarianceScaling": "variance_scaling",
	"Orthogonal":      "orthogonal",
	"Identity":        "identity",
}

// GetInitializer returns the initializer Keras 2.2 names name, with the
// Keras default arguments: zeros, ones, constant (value 0), random_normal
// (mean 0, stddev 0.05), random_uniform (minval -0.05, maxval 0.05),
// truncated_normal (mean 0, stddev 0.05), variance_scaling (scale 1, fan_in,
// normal), glorot_uniform, glorot_normal, he_uniform, he_normal,
// lecun_uniform, lecun_normal, orthogonal (gain 1) and identity (gain 1).
// The Keras aliases zero, one, normal, uniform and the class names (Zeros,
// RandomNormal, VarianceScaling, ...) are accepted too.
func GetInitializer(name string) (Initializer, error) {
	return NewInitializer(Spec{Name: name})
}

// NewInitializer builds the initializer that s describes; it is the inverse
// of Initializer.Spec. Arguments left out of s.Args take the Keras defaults
// (see GetInitializer). The argument names are those of Keras:
//
//	constant:                          value
//	random_normal, truncated_normal:   mean, stddev
//	random_uniform:                    minval, maxval
//	variance_scaling:                  scale, mode, distribution
//	orthogonal, identity:              gain
//
// Spec arguments are numbers, so the strings of variance_scaling are coded:
// mode 0 = "fan_in", 1 = "fan_out", 2 = "fan_avg"; distribution 0 = "normal"
// (truncated normal, as in Keras 2.2), 1 = "uniform". The other names take no
// arguments.
func NewInitializer(s Spec) (Initializer, error) {
	f, err := lookup("initializer", s.Name, initializers, initAliases)
	if err != nil {
		return nil, err
	}
	return f(s.Args)
}

// InitTensor returns a tensor of dtype dt and the given shape filled by
// init.Sample(shape, rng). Values are drawn in float64 and then converted,
// so float32 values follow the named distribution up to rounding. A shape
// with a zero dimension is an error (Gorgonia tensors cannot be empty).
func InitTensor(init Initializer, shape []int, dt tensor.Dtype, rng *rand.Rand) (*tensor.Dense, error) {
	if init == nil {
		return nil, errors.New("graph: InitTensor: init is nil")
	}
	if err := CheckDtype(dt); err != nil {
		return nil, err
	}
	if slices.Contains(shape, 0) {
		return nil, fmt.Errorf("graph: InitTensor: shape %v has a zero dimension: want dimensions > 0", shape)
	}
	vals, err := init.Sample(shape, rng)
	if err != nil {
		return nil, err
	}
	return NewTensor(dt, shape, vals), nil
}

// shapeSize returns the number of values of shape, or an error naming
// initializer name if a dimension is negative.
func shapeSize(name string, shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("graph: initializer %q: shape %v has a negative dimension", name, shape)
		}
		n *= d
	}
	return n, nil
}

// checkRNG returns an error naming initializer name if rng is nil.
func checkRNG(name string, rng *rand.Rand) error {
	if rng == nil {
		return fmt.Errorf("graph: initializer %q: rng is nil: want a source such as NewRNG(seed)", name)
	}
	return nil
}

// computeFans returns the numbers of input and output units of a weight of
// the given shape, as Keras 2.2 _compute_fans (channels_last):
//
//	2-D:        fan_in = shape[0], fan_out = shape[1]
//	3-, 4-, 5-D: r = prod(shape[:-2]), fan_in = shape[-2]·r, fan_out = shape[-1]·r
//	otherwise:  fan_in = fan_out = sqrt(prod(shape))
//
// So a fused LSTM kernel (input_dim, 4·units) has fan_out = 4·units.
func computeFans(shape []int) (fanIn, fanOut float64) {
	switch k := len(shape); {
	case k == 2:
		return float64(shape[0]), float64(shape[1])
	case k >= 3 && k <= 5:
		r := 1
		for _, d := range shape[:k-2] {
			r *= d
		}
		return float64(shape[k-2] * r), float64(shape[k-1] * r)
	default:
		n := 1
		for _, d := range shape {
			n *= d
		}
		s := math.Sqrt(float64(n))
		return s, s
	}
}
