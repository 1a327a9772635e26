package graph

import (
	"math"

	"github.com/chewxy/math32"
)

// elemKind selects the element-wise function of an elemOp.
type elemKind uint8

const (
	kindHardSigmoid   elemKind = iota // clip(0.2x+0.5, 0, 1), Keras 2
	kindHardSigmoidK3                 // clip(x/6+0.5, 0, 1), Keras 3
	kindRelu                          // max(x, 0)
	kindElu                           // x if x > 0 else exp(x)-1
	kindSelu                          // scale·x if x > 0 else scale·alpha·(exp(x)-1)
	kindSoftplus                      // log(1+exp(x))
	kindSoftsign                      // x/(1+|x|)
	kindSigmoid                       // 1/(1+exp(-x))
	kindTanh                          // tanh(x)
)

// elemNames are the Keras names of the elemKinds, used in op strings and
// hashes.
var elemNames = [...]string{
	kindHardSigmoid:   "hard_sigmoid",
	kindHardSigmoidK3: "hard_sigmoid_keras3",
	kindRelu:          "relu",
	kindElu:           "elu",
	kindSelu:          "selu",
	kindSoftplus:      "softplus",
	kindSoftsign:      "softsign",
	kindSigmoid:       "sigmoid",
	kindTanh:          "tanh",
}

// SELU constants of Keras (Klambauer et al. 2017).
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

type float interface{ ~float32 | ~float64 }

// elemForward sets y[i] = f(x[i]) for the function of k.
// y and x have the same length; y may alias x.
func elemForward[T float](k elemKind, y, x []T) {
	switch k {
	case kindHardSigmoid:
		clipLinear(y, x, 0.2, 0.5, -2.5, 2.5)
	case kindHardSigmoidK3:
		clipLinear(y, x, T(1)/6, 0.5, -3, 3)
	case kindRelu:
		for i, v := range x {
			if v <= 0 {
				v = 0
			}
			y[i] = v // NaN passes
		}
	case kindElu:
		for i, v := range x {
			if !(v > 0) {
				v = T(math.Expm1(float64(v)))
			}
			y[i] = v
		}
	case kindSelu:
		for i, v := range x {
			if v > 0 {
				y[i] = seluScale * v
			} else {
				y[i] = T(seluScale * seluAlpha * math.Expm1(float64(v)))
			}
		}
	case kindSoftplus:
		for i, v := range x {
			// max(x,0) + log1p(exp(-|x|)): no overflow, full precision.
			f := float64(v)
			y[i] = T(math.Max(f, 0) + math.Log1p(math.Exp(-math.Abs(f))))
		}
	case kindSoftsign:
		for i, v := range x {
			a := v
			if a < 0 {
				a = -a
			}
			y[i] = v / (1 + a)
		}
	case kindSigmoid:
		for i, v := range x {
			y[i] = T(sigmoid(float64(v)))
		}
	case kindTanh:
		tanhSlice(y, x)
	}
}

// tanhSlice sets y[i] = tanh(x[i]). Go's math.Tanh costs about ten times an
// exp on this machine, and tanh is the inner loop of every LSTM step, so
// float32 uses math32.Tanh (within 1e-7 of the float64 value) and float64
// uses tanh64.
func tanhSlice[T float](y, x []T) {
	switch ys := any(y).(type) {
	case []float32:
		for i, v := range any(x).([]float32) {
			ys[i] = math32.Tanh(v)
		}
	case []float64:
		for i, v := range any(x).([]float64) {
			ys[i] = tanh64(v)
		}
	default:
		for i, v := range x {
			y[i] = T(math.Tanh(float64(v)))
		}
	}
}

// tanh64 is tanh(x) = expm1(2x)/(expm1(2x)+2), within 2 ulp of math.Tanh
// and about ten times faster; |x| > 22 gives ±1 exactly (as math.Tanh).
func tanh64(x float64) float64 {
	switch {
	case x > 22:
		return 1
	case x < -22:
		return -1
	}
	e := math.Expm1(2 * x)
	return e / (e + 2)
}

// elemBackward sets dx[i] = dy[i]·f'(x[i]) for the function of k, where
// y = f(x) is the forward output. dx may alias any input.
func elemBackward[T float](k elemKind, dx, x, y, dy []T) {
	switch k {
	case kindHardSigmoid:
		clipLinearGrad(dx, x, dy, 0.2, -2.5, 2.5)
	case kindHardSigmoidK3:
		clipLinearGrad(dx, x, dy, T(1)/6, -3, 3)
	case kindRelu:
		for i, v := range x {
			if v > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = 0
			}
		}
	case kindElu:
		for i, v := range x {
			if v > 0 {
				dx[i] = dy[i]
			} else {
				dx[i] = dy[i] * (y[i] + 1) // exp(x)
			}
		}
	case kindSelu:
		for i, v := range x {
			if v > 0 {
				dx[i] = dy[i] * seluScale
			} else {
				dx[i] = dy[i] * (y[i] + seluScale*seluAlpha) // scale·alpha·exp(x)
			}
		}
	case kindSoftplus:
		for i, v := range x {
			dx[i] = dy[i] * T(sigmoid(float64(v)))
		}
	case kindSoftsign:
		for i, v := range x {
			a := v
			if a < 0 {
				a = -a
			}
			d := 1 + a
			dx[i] = dy[i] / (d * d)
		}
	case kindSigmoid:
		for i := range x {
			dx[i] = dy[i] * y[i] * (1 - y[i])
		}
	case kindTanh:
		for i := range x {
			dx[i] = dy[i] * (1 - y[i]*y[i])
		}
	}
}

// clipLinear sets y[i] = clip(slope·x[i]+shift, 0, 1), with the kinks at
// x = lo (value 0) and x = hi (value 1) exact.
func clipLinear[T float](y, x []T, slope, shift, lo, hi T) {
	for i, v := range x {
		switch {
		case v <= lo:
			y[i] = 0
		case v >= hi:
			y[i] = 1
		default:
			y[i] = slope*v + shift // NaN passes
		}
	}
}

// clipLinearGrad sets dx[i] = dy[i]·slope for lo <= x[i] <= hi (kinks
// included, as tf.clip_by_value and torch.clamp do) and 0 elsewhere.
func clipLinearGrad[T float](dx, x, dy []T, slope, lo, hi T) {
	for i, v := range x {
		if v >= lo && v <= hi {
			dx[i] = dy[i] * slope
		} else {
			dx[i] = 0
		}
	}
}

// sigmoid is 1/(1+exp(-x)), computed without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
