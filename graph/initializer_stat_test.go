package graph

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// Moments of the standard normal truncated to [-2, 2] (the truncation of
// TensorFlow's truncated_normal), from φ(2) and Z = P(|x| ≤ 2):
// E[x²] = 1 − 4φ(2)/Z and E[x⁴] = 3 − 28φ(2)/Z.
var (
	truncZ    = math.Erf(2 / math.Sqrt2)
	truncPhi  = math.Exp(-2) / math.Sqrt(2*math.Pi)
	truncVar  = 1 - 4*truncPhi/truncZ
	truncKurt = (3 - 28*truncPhi/truncZ) / (truncVar * truncVar)
)

func mustInit(t *testing.T, init Initializer, err error) Initializer {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return init
}

// TestInitializerMoments draws ≥ 40 000 values per case and checks the
// bounds exactly and the sample mean and variance against the Keras
// formulas. With N values of variance σ² and kurtosis κ = μ₄/σ⁴, the sample
// mean has standard error σ/√N and the sample variance σ²·√((κ−1)/N); the
// tolerance is 6 standard errors, so a correct sampler fails with
// probability below 1e-8 (and the seeds are fixed, so the test is
// deterministic), while a wrong fan or limit (a change of variance by a
// factor of 4/5 or more) is far outside it.
func TestInitializerMoments(t *testing.T) {
	const (
		kNormal  = 3.0
		kUniform = 1.8
	)
	uniform := func(lo, hi float64) (mean, variance float64) {
		return (lo + hi) / 2, (hi - lo) * (hi - lo) / 12
	}
	type tc struct {
		name       string
		init       Initializer
		shape      []int
		lo, hi     float64 // bounds of every value
		mean, vari float64
		kurt       float64
	}
	var cases []tc
	add := func(name string, init Initializer, shape []int, lo, hi, mean, vari, kurt float64) {
		cases = append(cases, tc{name, init, shape, lo, hi, mean, vari, kurt})
	}
	inf := math.Inf(1)

	get := func(name string) Initializer {
		init, err := GetInitializer(name)
		return mustInit(t, init, err)
	}
	m, v := uniform(-0.05, 0.05)
	add("random_uniform default", get("random_uniform"), []int{200, 300}, -0.05, 0.05, m, v, kUniform)
	ru, err := RandomUniform(2, 5)
	m, v = uniform(2, 5)
	add("RandomUniform(2, 5)", mustInit(t, ru, err), []int{200, 300}, 2, 5, m, v, kUniform)
	add("random_normal default", get("random_normal"), []int{200, 300}, -inf, inf, 0, 0.05*0.05, kNormal)
	rn, err := RandomNormal(1.5, 2)
	add("RandomNormal(1.5, 2)", mustInit(t, rn, err), []int{200, 300}, -inf, inf, 1.5, 4, kNormal)
	add("truncated_normal default", get("truncated_normal"), []int{200, 300}, -0.1, 0.1, 0, 0.05*0.05*truncVar, truncKurt)
	tn, err := TruncatedNormal(-1, 0.5)
	add("TruncatedNormal(-1, 0.5)", mustInit(t, tn, err), []int{200, 300}, -2, 0, -1, 0.25*truncVar, truncKurt)

	// LSTM kernel (input_dim 64, 4·units 512): fan_in 64, fan_out 512.
	lim := math.Sqrt(6.0 / (64 + 512))
	add("glorot_uniform LSTM kernel", GlorotUniform(), []int{64, 512}, -lim, lim, 0, lim*lim/3, kUniform)
	sd := math.Sqrt(2.0 / (64 + 512))
	add("glorot_normal LSTM kernel", GlorotNormal(), []int{64, 512}, -2*sd, 2*sd, 0, sd*sd*truncVar, truncKurt)
	lim = math.Sqrt(6.0 / 200)
	add("he_uniform", HeUniform(), []int{200, 300}, -lim, lim, 0, lim*lim/3, kUniform)
	sd = math.Sqrt(2.0 / 200)
	add("he_normal", HeNormal(), []int{200, 300}, -2*sd, 2*sd, 0, sd*sd*truncVar, truncKurt)
	lim = math.Sqrt(3.0 / 200)
	add("lecun_uniform", LecunUniform(), []int{200, 300}, -lim, lim, 0, lim*lim/3, kUniform)
	sd = math.Sqrt(1.0 / 200)
	add("lecun_normal", LecunNormal(), []int{200, 300}, -2*sd, 2*sd, 0, sd*sd*truncVar, truncKurt)

	vs, err := VarianceScaling(3, "fan_out", "uniform")
	lim = math.Sqrt(3 * 3.0 / 200) // fan_out = shape[1] = 200
	add("variance_scaling(3, fan_out, uniform)", mustInit(t, vs, err), []int{300, 200}, -lim, lim, 0, lim*lim/3, kUniform)
	vs, err = VarianceScaling(2, "FAN_AVG", "Normal")
	// conv kernel (5, 5, 64, 32): r = 25, fan_in = 1600, fan_out = 800.
	sd = math.Sqrt(2.0 / 1200)
	add("variance_scaling(2, fan_avg, normal) 4-D", mustInit(t, vs, err), []int{5, 5, 64, 32}, -2*sd, 2*sd, 0, sd*sd*truncVar, truncKurt)
	// 1-D: fan_in = fan_out = sqrt(40000) = 200.
	lim = math.Sqrt(6.0 / 400)
	add("glorot_uniform 1-D", GlorotUniform(), []int{40000}, -lim, lim, 0, lim*lim/3, kUniform)

	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			w, err := InitTensor(c.init, c.shape, dt, NewRNG(42))
			if err != nil {
				t.Fatalf("%s %v: %v", c.name, dt, err)
			}
			if !w.Shape().Eq(tensor.Shape(c.shape)) || w.Dtype() != dt {
				t.Fatalf("%s %v: got shape %v dtype %v", c.name, dt, w.Shape(), w.Dtype())
			}
			vals := Float64s(w)
			lo, hi := c.lo, c.hi
			if dt == tensor.Float32 { // rounding to float32 is monotone
				lo, hi = float64(float32(lo)), float64(float32(hi))
			}
			var sum float64
			for _, x := range vals {
				if x < lo || x > hi {
					t.Fatalf("%s %v: value %v outside [%v, %v]", c.name, dt, x, lo, hi)
				}
				sum += x
			}
			n := float64(len(vals))
			mean := sum / n
			var ss float64
			for _, x := range vals {
				ss += (x - mean) * (x - mean)
			}
			vari := ss / (n - 1)
			tolMean := 6 * math.Sqrt(c.vari/n)
			tolVar := 6 * c.vari * math.Sqrt((c.kurt-1)/n)
			if math.Abs(mean-c.mean) > tolMean {
				t.Errorf("%s %v: mean %v, want %v ± %v", c.name, dt, mean, c.mean, tolMean)
			}
			if math.Abs(vari-c.vari) > tolVar {
				t.Errorf("%s %v: variance %v, want %v ± %v", c.name, dt, vari, c.vari, tolVar)
			}
		}
	}
}

func TestComputeFans(t *testing.T) {
	for _, c := range []struct {
		shape         []int
		fanIn, fanOut float64
	}{
		{[]int{64, 512}, 64, 512}, // LSTM kernel: fan_out = 4·units
		{[]int{3, 7}, 3, 7},
		{[]int{3, 4, 5}, 12, 15},       // r = 3
		{[]int{2, 3, 4, 5}, 24, 30},    // r = 6
		{[]int{1, 2, 3, 4, 5}, 24, 30}, // r = 6
		{[]int{16}, 4, 4},
		{[]int{}, 1, 1},
		{[]int{1, 1, 2, 2, 2, 2}, 4, 4},
	} {
		in, out := computeFans(c.shape)
		if in != c.fanIn || out != c.fanOut {
			t.Errorf("computeFans(%v) = %v, %v, want %v, %v", c.shape, in, out, c.fanIn, c.fanOut)
		}
	}
}
