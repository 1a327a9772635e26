package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// refActivations are closed forms in float64 for the element-wise
// activations.
var refActivations = map[string]func(float64) float64{
	"linear": func(x float64) float64 { return x },
	"tanh":   math.Tanh,
	"sigmoid": func(x float64) float64 {
		return 1 / (1 + math.Exp(-x))
	},
	"hard_sigmoid": func(x float64) float64 {
		return math.Min(1, math.Max(0, 0.2*x+0.5))
	},
	"hard_sigmoid_keras3": func(x float64) float64 {
		return math.Min(1, math.Max(0, x/6+0.5))
	},
	"relu": func(x float64) float64 { return math.Max(0, x) },
	"elu": func(x float64) float64 {
		if x > 0 {
			return x
		}
		return math.Exp(x) - 1
	},
	"selu": func(x float64) float64 {
		const alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
		if x > 0 {
			return scale * x
		}
		return scale * alpha * (math.Exp(x) - 1)
	},
	"softplus":    func(x float64) float64 { return math.Log(1 + math.Exp(x)) },
	"softsign":    func(x float64) float64 { return x / (1 + math.Abs(x)) },
	"exponential": math.Exp,
}

// kinks are the points where an activation is not (twice) differentiable;
// central differences are not taken near them.
var kinks = map[string][]float64{
	"hard_sigmoid":        {-2.5, 2.5},
	"hard_sigmoid_keras3": {-3, 3},
	"relu":                {0},
	"elu":                 {0},
	"selu":                {0},
	"softsign":            {0},
}

var testPoints = []float64{
	-30, -8, -3.001, -3, -2.999, -2.501, -2.5, -2.499, -1, -0.3, -1e-3, 0,
	1e-3, 0.3, 1, 2.499, 2.5, 2.501, 2.999, 3, 3.001, 8, 30,
}

// runActivation evaluates act on x (shape, values xs) in a TapeMachine and
// returns the output and the gradient of Σ w⊙act(x) with respect to x
// (Σ act(x) when w is nil).
func runActivation(t *testing.T, act Activation, dt tensor.Dtype, shape []int, xs, w []float64) (y, dx []float64) {
	t.Helper()
	g := G.NewGraph()
	x := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("x"),
		G.WithValue(NewTensor(dt, shape, xs)))
	out, err := act(x)
	if err != nil {
		t.Fatal(err)
	}
	weighted := out
	if w != nil {
		wn := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("w"),
			G.WithValue(NewTensor(dt, shape, w)))
		weighted = G.Must(G.HadamardProd(out, wn))
	}
	grad := runGrad(t, g, G.Must(G.Sum(weighted)), x)
	return Float64s(out.Value().(tensor.Tensor)), Float64s(grad.Value().(tensor.Tensor))
}

func nearKink(name string, x, d float64) bool {
	for _, k := range kinks[name] {
		if math.Abs(x-k) < d {
			return true
		}
	}
	return false
}

func TestActivationValuesAndGradients(t *testing.T) {
	for _, tc := range []struct {
		dt             tensor.Dtype
		valTol, grdTol float64 // relative to max(1, |want|)
	}{
		{tensor.Float64, 1e-15, 1e-7},
		{tensor.Float32, 1e-6, 1e-5},
	} {
		for name, f := range refActivations {
			act, err := GetActivation(name)
			if err != nil {
				t.Fatal(err)
			}
			y, dx := runActivation(t, act, tc.dt, []int{len(testPoints)}, testPoints, nil)
			for i, x := range testPoints {
				if tc.dt == tensor.Float32 {
					x = float64(float32(x))
				}
				want := f(x)
				if d := math.Abs(y[i] - want); d > tc.valTol*math.Max(1, math.Abs(want)) {
					t.Errorf("%v %s(%v) = %v, want %v (diff %g)", tc.dt, name, x, y[i], want, d)
				}
				h := 1e-5 * math.Max(1, math.Abs(x))
				if nearKink(name, x, 2*h) {
					continue
				}
				fd := (f(x+h) - f(x-h)) / (2 * h)
				if d := math.Abs(dx[i] - fd); d > tc.grdTol*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v d%s/dx(%v) = %v, finite difference %v (diff %g)", tc.dt, name, x, dx[i], fd, d)
				}
			}
		}
	}
}

// TestActivationKinkGradients checks exact gradient values at, just inside
// and just outside the kinks, and in the saturated regions.
func TestActivationKinkGradients(t *testing.T) {
	const alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		// next returns the representable neighbour of x towards dir in dt.
		next := func(x, dir float64) float64 {
			if dt == tensor.Float32 {
				return float64(math.Nextafter32(float32(x), float32(dir)))
			}
			return math.Nextafter(x, dir)
		}
		tol := 0.0
		if dt == tensor.Float32 {
			tol = 1e-7
		}
		for _, tc := range []struct {
			name     string
			x        float64
			y, dydx  float64
			yTol     float64 // extra tolerance on y for points off the kink
			exactVal bool
		}{
			{"hard_sigmoid", -100, 0, 0, 0, true},
			{"hard_sigmoid", next(-2.5, -3), 0, 0, 0, true},
			{"hard_sigmoid", -2.5, 0, 0.2, 0, true},
			{"hard_sigmoid", next(-2.5, 0), 0, 0.2, 1e-6, false},
			{"hard_sigmoid", 0, 0.5, 0.2, 0, true},
			{"hard_sigmoid", 1, 0.7, 0.2, 1e-7, false},
			{"hard_sigmoid", next(2.5, 0), 1, 0.2, 1e-6, false},
			{"hard_sigmoid", 2.5, 1, 0.2, 0, true},
			{"hard_sigmoid", next(2.5, 3), 1, 0, 0, true},
			{"hard_sigmoid", 2.6, 1, 0, 0, true},
			{"hard_sigmoid", 100, 1, 0, 0, true},
			{"hard_sigmoid_keras3", -100, 0, 0, 0, true},
			{"hard_sigmoid_keras3", next(-3, -4), 0, 0, 0, true},
			{"hard_sigmoid_keras3", -3, 0, 1.0 / 6, 0, true},
			{"hard_sigmoid_keras3", next(-3, 0), 0, 1.0 / 6, 1e-6, false},
			{"hard_sigmoid_keras3", -2.5, 1.0 / 12, 1.0 / 6, 1e-7, false},
			{"hard_sigmoid_keras3", 1, 2.0 / 3, 1.0 / 6, 1e-7, false},
			{"hard_sigmoid_keras3", 2.6, 1 - 0.4/6, 1.0 / 6, 1e-7, false},
			{"hard_sigmoid_keras3", next(3, 0), 1, 1.0 / 6, 1e-6, false},
			{"hard_sigmoid_keras3", 3, 1, 1.0 / 6, 0, true},
			{"hard_sigmoid_keras3", next(3, 4), 1, 0, 0, true},
			{"hard_sigmoid_keras3", 100, 1, 0, 0, true},
			{"relu", -1, 0, 0, 0, true},
			{"relu", 0, 0, 0, 0, true},
			{"relu", 1e-30, 1e-30, 1, 1e-36, false},
			{"relu", 2, 2, 1, 0, true},
			{"elu", 0, 0, 1, 0, true},
			{"elu", -1000, -1, 0, 0, true},
			{"selu", 0, 0, scale * alpha, 0, true},
			{"selu", 1, scale, scale, 1e-7, false},
			{"softsign", 0, 0, 1, 0, true},
			{"softsign", -3, -0.75, 1.0 / 16, 0, true},
			{"sigmoid", 0, 0.5, 0.25, 0, true},
			{"sigmoid", -800, 0, 0, 0, true},
			{"sigmoid", 800, 1, 0, 0, true},
			{"tanh", 0, 0, 1, 0, true},
			{"softplus", 0, math.Ln2, 0.5, 1e-7, false},
			{"softplus", -800, 0, 0, 0, true},
			{"softplus", 800, 800, 1, 0, true},
		} {
			act, err := GetActivation(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			y, dx := runActivation(t, act, dt, []int{1}, []float64{tc.x}, nil)
			yTol := tc.yTol
			if !tc.exactVal {
				yTol = math.Max(yTol, 1e-15)
			}
			if math.Abs(y[0]-tc.y) > yTol {
				t.Errorf("%v %s(%v) = %v, want %v", dt, tc.name, tc.x, y[0], tc.y)
			}
			if math.Abs(dx[0]-tc.dydx) > tol*math.Abs(tc.dydx)+1e-16*math.Abs(tc.dydx) {
				t.Errorf("%v d%s/dx(%v) = %v, want %v", dt, tc.name, tc.x, dx[0], tc.dydx)
			}
		}
	}
}

func TestSoftmax(t *testing.T) {
	act, err := GetActivation("softmax")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dt             tensor.Dtype
		valTol, grdTol float64
	}{
		{tensor.Float64, 1e-15, 1e-7},
		{tensor.Float32, 1e-6, 1e-5},
	} {
		for _, shape := range [][]int{{5}, {2, 4}, {2, 2, 3}, {3, 1}} {
			n := 1
			for _, d := range shape {
				n *= d
			}
			last := shape[len(shape)-1]
			xs := make([]float64, n)
			w := make([]float64, n)
			for i := range xs {
				xs[i] = float64((i*7)%11)/3 - 1.5
				w[i] = float64((i*5)%7) - 3
			}
			if tc.dt == tensor.Float32 {
				for i := range xs {
					xs[i] = float64(float32(xs[i]))
				}
			}
			// ref returns softmax over each row of length last.
			ref := func(xs []float64) []float64 {
				out := make([]float64, len(xs))
				for r := 0; r < len(xs); r += last {
					var s float64
					for j := r; j < r+last; j++ {
						out[j] = math.Exp(xs[j])
						s += out[j]
					}
					for j := r; j < r+last; j++ {
						out[j] /= s
					}
				}
				return out
			}
			cost := func(xs []float64) float64 {
				var c float64
				for i, v := range ref(xs) {
					c += w[i] * v
				}
				return c
			}
			y, dx := runActivation(t, act, tc.dt, shape, xs, w)
			want := ref(xs)
			for r := 0; r < n; r += last {
				var s float64
				for j := r; j < r+last; j++ {
					s += y[j]
					if math.Abs(y[j]-want[j]) > tc.valTol {
						t.Errorf("%v %v softmax[%d] = %v, want %v", tc.dt, shape, j, y[j], want[j])
					}
				}
				if math.Abs(s-1) > 4*tc.valTol {
					t.Errorf("%v %v softmax row %d sums to %v", tc.dt, shape, r/last, s)
				}
			}
			for i := range xs {
				const h = 1e-5
				xp := append([]float64(nil), xs...)
				xm := append([]float64(nil), xs...)
				xp[i] += h
				xm[i] -= h
				fd := (cost(xp) - cost(xm)) / (2 * h)
				if math.Abs(dx[i]-fd) > tc.grdTol*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v %v d/dx[%d] = %v, finite difference %v", tc.dt, shape, i, dx[i], fd)
				}
			}
		}
	}
}

func TestGetActivationNames(t *testing.T) {
	names := ActivationNames()
	if len(names) != 12 {
		t.Errorf("ActivationNames() has %d names, want 12", len(names))
	}
	for _, name := range append(names, "", "None") {
		if _, err := GetActivation(name); err != nil {
			t.Errorf("GetActivation(%q): %v", name, err)
		}
	}
	names[0] = "changed"
	if ActivationNames()[0] != "linear" {
		t.Error("ActivationNames returns a shared slice")
	}
	for _, name := range []string{"Tanh", "hardsigmoid", "swish", "none"} {
		_, err := GetActivation(name)
		if err == nil {
			t.Errorf("GetActivation(%q) gave no error", name)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, `"`+name+`"`) || !strings.Contains(msg, "hard_sigmoid_keras3") {
			t.Errorf("GetActivation(%q) error %q does not name the input and the accepted names", name, msg)
		}
	}
}

func TestActivationRejectsIntegers(t *testing.T) {
	for _, name := range ActivationNames() {
		g := G.NewGraph()
		x := G.NewVector(g, tensor.Int, G.WithShape(2), G.WithName("x"))
		act, _ := GetActivation(name)
		if _, err := act(x); err == nil {
			t.Errorf("%s accepted an int node", name)
		}
	}
}
