package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestStartup runs a tiny graph with a gradient, so that a start-up panic in
// a dependency (gorgonia/tensor need go4.org/unsafe/assume-no-moving-gc
// v0.0.0-20231121144256-b99613f794b6 on Go >= 1.21) fails CI before it
// reaches a user.
func TestStartup(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("x"),
		G.WithValue(NewTensor(tensor.Float64, []int{2}, []float64{0.5, -1})))
	y := G.Must(G.Sum(G.Must(G.Tanh(x))))
	dx := runGrad(t, g, y, x)
	want := math.Tanh(0.5) + math.Tanh(-1)
	if got := y.Value().Data().(float64); math.Abs(got-want) > 1e-15 {
		t.Errorf("sum(tanh(x)) = %v, want %v", got, want)
	}
	gx := dx.Value().Data().([]float64)
	for i, v := range []float64{0.5, -1} {
		want := 1 - math.Tanh(v)*math.Tanh(v)
		if math.Abs(gx[i]-want) > 1e-15 {
			t.Errorf("d/dx[%d] = %v, want %v", i, gx[i], want)
		}
	}
}

// TestFloat64sView reads a sliced view: only the view's values.
func TestFloat64sView(t *testing.T) {
	d := NewTensor(tensor.Float64, []int{3, 4}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	v, err := d.Slice(tensor.S(1, 3), tensor.S(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	got := Float64s(v.(*tensor.Dense))
	want := []float64{5, 6, 9, 10}
	if len(got) != len(want) {
		t.Fatalf("Float64s(view) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Float64s(view) = %v, want %v", got, want)
		}
	}
}
