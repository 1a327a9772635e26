package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestActivationLayer checks y = f(x) by hand for several Keras
// activations, on 2-D and 3-D inputs, in both dtypes, with a mask passing
// through.
func TestActivationLayer(t *testing.T) {
	x := []float64{-2, -0.5, 0, 0.5, 1, 3}
	softmaxRow := func(r []float64) []float64 {
		s := 0.0
		for _, v := range r {
			s += math.Exp(v)
		}
		out := make([]float64, len(r))
		for i, v := range r {
			out[i] = math.Exp(v) / s
		}
		return out
	}
	cases := []struct {
		act  string
		want func(v float64) float64
	}{
		{"tanh", math.Tanh},
		{"relu", func(v float64) float64 { return math.Max(v, 0) }},
		{"sigmoid", func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"hard_sigmoid", func(v float64) float64 { return math.Min(1, math.Max(0, 0.2*v+0.5)) }},
		{"hard_sigmoid_keras3", func(v float64) float64 { return math.Min(1, math.Max(0, v/6+0.5)) }},
		{"linear", func(v float64) float64 { return v }},
		{"", func(v float64) float64 { return v }},
		{"softsign", func(v float64) float64 { return v / (1 + math.Abs(v)) }},
	}
	for _, c := range cases {
		a, err := NewActivation(ActivationConfig{Activation: c.act})
		if err != nil {
			t.Fatal(err)
		}
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			mustBuild(t, a, []int{graph.None, 3}, dt)
			mask := graph.NewMask(1, 2, []bool{true, false})
			p, err := a.Forward([]*tensor.Dense{graph.NewTensor(dt, []int{1, 2, 3}, x)}, []*tensor.Dense{mask}, false)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]float64, len(x))
			for i, v := range x {
				want[i] = c.want(v)
			}
			if got := graph.Float64s(p.Outputs[0]); !closeTo(got, want, 1e-6) {
				t.Errorf("%q %v: y = %v, want %v", c.act, dt, got, want)
			}
			if len(p.Masks) != 1 || p.Masks[0] != mask {
				t.Errorf("%q: mask did not pass through", c.act)
			}
		}
	}
	sm, _ := NewActivation(ActivationConfig{Activation: "softmax"})
	mustBuild(t, sm, []int{3}, tensor.Float64)
	y, err := output(sm, graph.NewTensor(tensor.Float64, []int{2, 3}, x), false)
	if err != nil {
		t.Fatal(err)
	}
	want := append(softmaxRow(x[:3]), softmaxRow(x[3:])...)
	if got := graph.Float64s(y); !closeTo(got, want, 1e-12) {
		t.Errorf("softmax: y = %v, want %v (per row)", got, want)
	}
}

// TestActivationGradients checks Backward against finite differences.
func TestActivationGradients(t *testing.T) {
	for _, act := range []string{"tanh", "softmax", "elu", "linear", "softplus"} {
		a, err := NewActivation(ActivationConfig{Activation: act})
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, a, []int{3, 4}, tensor.Float64)
		checkGradients(t, a, []int{2, 3, 4}, randValues(24, 8), 1e-7)
	}
}

func TestActivationErrorsAndConfig(t *testing.T) {
	_, err := NewActivation(ActivationConfig{Name: "a1", Activation: "gelu2"})
	if err == nil || !strings.Contains(err.Error(), "a1") || !strings.Contains(err.Error(), "tanh") {
		t.Errorf("unknown activation: error %v, want one naming the layer and listing the accepted names", err)
	}
	a, _ := NewActivation(ActivationConfig{Activation: "selu"})
	if !strings.HasPrefix(a.Name(), "activation_") {
		t.Errorf("default name %q", a.Name())
	}
	mustBuild(t, a, []int{5}, tensor.Float32)
	configRoundTrip(t, a)
	if _, err := output(a, graph.NewTensor(tensor.Float32, []int{2, 4}, nil), false); err == nil {
		t.Error("input of another shape: no error")
	}
}
