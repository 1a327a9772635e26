package graph

import (
	"fmt"
	"math"
	"slices"
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

// TestTransposeViews: a transposed tensor (T, not yet materialized) keeps
// its backing array in the original order; Float64s, CopyInto, Contiguous
// and MaskValues read it in the transposed order.
func TestTransposeViews(t *testing.T) {
	d := NewTensor(tensor.Float64, []int{2, 3}, []float64{0, 1, 2, 3, 4, 5})
	if err := d.T(); err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 3, 1, 4, 2, 5}
	check := func(what string, got []float64) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s of a transpose = %v, want %v", what, got, want)
			}
		}
	}
	check("Float64s", Float64s(d))
	dst := NewTensor(tensor.Float32, []int{3, 2}, nil)
	CopyInto(dst, d)
	check("CopyInto", Float64s(dst))
	dst64 := NewTensor(tensor.Float64, []int{3, 2}, nil)
	CopyInto(dst64, d)
	check("CopyInto (same dtype)", Float64s(dst64))
	check("Contiguous", Contiguous(d).Data().([]float64))
	m := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int32{1, 1, 1, 0, 0, 0}))
	if err := m.T(); err != nil {
		t.Fatal(err)
	}
	keep, err := MaskValues(m)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keep, []bool{true, false, true, false, true, false}) {
		t.Errorf("MaskValues of a transpose = %v", keep)
	}
}

// TestAddIntoView: AddInto reads a transposed or sliced src in its logical
// order.
func TestAddIntoView(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tr := NewTensor(dt, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
		if err := tr.T(); err != nil {
			t.Fatal(err)
		}
		sum := NewTensor(dt, []int{3, 2}, []float64{1, 1, 1, 1, 1, 1})
		AddInto(sum, tr)
		if got := Float64s(sum); fmt.Sprint(got) != "[2 5 3 6 4 7]" {
			t.Errorf("%v: AddInto of a transpose %v, want [2 5 3 6 4 7]", dt, got)
		}
		sl, err := NewTensor(dt, []int{3, 3}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}).Slice(tensor.S(1, 3), tensor.S(0, 2))
		if err != nil {
			t.Fatal(err)
		}
		sum = NewTensor(dt, []int{2, 2}, nil)
		AddInto(sum, sl.(*tensor.Dense))
		if got := Float64s(sum); fmt.Sprint(got) != "[4 5 7 8]" {
			t.Errorf("%v: AddInto of a slice %v, want [4 5 7 8]", dt, got)
		}
	}
}
