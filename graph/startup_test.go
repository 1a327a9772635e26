package graph

import (
	"fmt"
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

// TestTransposeIsAView: a tensor transposed with T() (whose data is not
// moved until Transpose: IsView is false, IsMaterializable true) reads as
// its transposed values through every helper that takes views.
func TestTransposeIsAView(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tr := NewTensor(dt, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
		if err := tr.T(); err != nil {
			t.Fatal(err)
		}
		want := []float64{1, 4, 2, 5, 3, 6}
		if got := Float64s(tr); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: Float64s of a transpose %v, want %v", dt, got, want)
		}
		if got := Float64s(Contiguous(tr)); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: Contiguous of a transpose %v, want %v", dt, got, want)
		}
		dst := NewTensor(tensor.Float64, []int{3, 2}, nil)
		CopyInto(dst, tr)
		if got := Float64s(dst); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: CopyInto from a transpose %v, want %v", dt, got, want)
		}
		sum := NewTensor(dt, []int{3, 2}, []float64{1, 1, 1, 1, 1, 1})
		AddInto(sum, tr)
		if got := Float64s(sum); fmt.Sprint(got) != "[2 5 3 6 4 7]" {
			t.Errorf("%v: AddInto of a transpose %v, want [2 5 3 6 4 7]", dt, got)
		}
	}
	m := NewMask(2, 3, []bool{true, true, true, false, false, false})
	if err := m.T(); err != nil {
		t.Fatal(err)
	}
	got, err := MaskValues(m)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[true false true false true false]" {
		t.Errorf("MaskValues of a transpose %v", got)
	}
}
