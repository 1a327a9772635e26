package layers

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

func testDense(t *testing.T, cfg DenseConfig, inShape []int, dt tensor.Dtype) *Dense {
	t.Helper()
	d, err := NewDense(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Build([][]int{inShape}, dt); err != nil {
		t.Fatal(err)
	}
	return d
}

// forward runs a one-input layer on x and returns its Pass.
func forward(l graph.Layer, x *tensor.Dense, training bool) (*graph.Pass, error) {
	return l.Forward([]*tensor.Dense{x}, nil, training)
}

// output runs a one-input layer on x and returns its one output.
func output(l graph.Layer, x *tensor.Dense, training bool) (*tensor.Dense, error) {
	p, err := forward(l, x, training)
	if err != nil {
		return nil, err
	}
	return p.Outputs[0], nil
}

func randValues(n int, seed uint64) []float64 {
	rng := graph.NewRNG(seed)
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()*2 - 1
	}
	return v
}

// TestDenseForward checks y = act(x·W + b) on a 3-D input by hand.
func TestDenseForward(t *testing.T) {
	cfg := DenseDefaults(2)
	cfg.Activation = "tanh"
	d := testDense(t, cfg, []int{2, 3}, tensor.Float64)
	w := []float64{0.1, -0.2, 0.3, 0.4, -0.5, 0.6}
	copy(d.kernel.Value.Data().([]float64), w)
	copy(d.bias.Value.Data().([]float64), []float64{0.05, -0.05})
	x := []float64{1, 2, 3, -1, 0, 1, 0.5, 0.5, 0.5, 2, -2, 1}
	y, err := output(d, graph.NewTensor(tensor.Float64, []int{2, 2, 3}, x), false)
	if err != nil {
		t.Fatal(err)
	}
	if s := []int(y.Shape()); !slices.Equal(s, []int{2, 2, 2}) {
		t.Fatalf("output shape %v, want [2 2 2]", s)
	}
	got := graph.Float64s(y)
	for r := 0; r < 4; r++ {
		for u := 0; u < 2; u++ {
			z := []float64{0.05, -0.05}[u]
			for k := 0; k < 3; k++ {
				z += x[r*3+k] * w[k*2+u]
			}
			if want := math.Tanh(z); math.Abs(got[r*2+u]-want) > 1e-14 {
				t.Errorf("y[%d,%d] = %v, want %v", r, u, got[r*2+u], want)
			}
		}
	}
}

// TestDenseGradients checks Backward against central finite differences of
// L = Σ y⊙r + activity penalty, for x, kernel and bias, on a 3-D input.
func TestDenseGradients(t *testing.T) {
	cfg := DenseDefaults(3)
	cfg.Activation = "sigmoid"
	cfg.Seed = 7
	cfg.ActivityRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.1}}
	cfg.BiasInitializer = graph.Spec{Name: "random_uniform"}
	d := testDense(t, cfg, []int{2, 4}, tensor.Float64)
	checkGradients(t, d, []int{2, 2, 4}, randValues(2*2*4, 1), 1e-8)
	if len(d.Params()) != 2 || d.Params()[0].Name != d.Name()+"/kernel" {
		t.Errorf("params %v", d.Params())
	}
}

func TestDenseErrorsAndConfig(t *testing.T) {
	if _, err := NewDense(DenseDefaults(0)); err == nil {
		t.Error("units 0: no error")
	}
	bad := DenseDefaults(2)
	bad.Activation = "nope"
	if _, err := NewDense(bad); err == nil {
		t.Error("unknown activation: no error")
	}
	cfg := DenseDefaults(2)
	cfg.Name = "out"
	cfg.UseBias = false
	cfg.KernelConstraint = &graph.Spec{Name: "non_neg"}
	d := testDense(t, cfg, []int{3}, tensor.Float32)
	if len(d.Params()) != 1 || d.Params()[0].Constraint == nil {
		t.Errorf("no-bias layer params %v", d.Params())
	}
	raw, err := d.Config()
	if err != nil {
		t.Fatal(err)
	}
	l, err := graph.NewLayer("Dense", "copy", raw)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := l.Config()
	var a, b DenseConfig
	json.Unmarshal(raw, &a)
	json.Unmarshal(raw2, &b)
	a.Name, b.Name = "", ""
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) || l.Name() != "copy" {
		t.Errorf("config round trip: %s vs %s (name %s)", ja, jb, l.Name())
	}
	if _, err := output(d, graph.NewTensor(tensor.Float32, []int{2, 4}, nil), false); err == nil {
		t.Error("input of wrong feature size: no error")
	}
}
