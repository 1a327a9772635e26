package layers

import (
	"math"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

func TestDropout(t *testing.T) {
	if _, err := NewDropout(DropoutConfig{Rate: 1}); err == nil {
		t.Error("rate 1: no error")
	}
	d, _ := NewDropout(DropoutConfig{Rate: 0.25, Seed: 3})
	d.Build([][]int{{4000}}, tensor.Float64)
	x := graph.NewTensor(tensor.Float64, []int{1, 4000}, nil)
	x.Memset(2.0)
	p, _ := forward(d, x, true)
	y := p.Outputs[0]
	zeros, kept := 0, 0.0
	for _, v := range graph.Float64s(y) {
		switch {
		case v == 0:
			zeros++
		case math.Abs(v-2/0.75) < 1e-12:
			kept++
		default:
			t.Fatalf("output %v: want 0 or %v", v, 2/0.75)
		}
	}
	// 4000 draws at p=0.25: sd ≈ 27, allow 5 sd.
	if math.Abs(float64(zeros)-1000) > 140 {
		t.Errorf("%d zeros of 4000 at rate 0.25", zeros)
	}
	dy := graph.NewTensor(tensor.Float64, []int{1, 4000}, nil)
	dy.Memset(1.0)
	gs, _ := p.Backward([]*tensor.Dense{dy}, []bool{true})
	g := gs[0]
	for i, v := range graph.Float64s(g) {
		if v != graph.Float64s(y)[i]/2 {
			t.Fatalf("grad[%d] = %v, want %v", i, v, graph.Float64s(y)[i]/2)
		}
	}
	inf, _ := output(d, x, false)
	if graph.Float64s(inf)[0] != 2 {
		t.Error("inference is not the identity")
	}
	d2, _ := NewDropout(DropoutConfig{Rate: 0.25, Seed: 3})
	d2.Build([][]int{{4000}}, tensor.Float64)
	y2, _ := output(d2, x, true)
	for i, v := range graph.Float64s(y2) {
		if v != graph.Float64s(y)[i] {
			t.Fatal("same seed gave another mask")
		}
	}
}
