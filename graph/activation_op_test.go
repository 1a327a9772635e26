package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestActivationBackpropagate seeds hard_sigmoid with an input gradient node,
// runs twice with Reset and Let, and checks dx = dy·0.2 inside [-2.5, 2.5].
func TestActivationBackpropagate(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		x := G.NewVector(g, dt, G.WithShape(4), G.WithName("x"),
			G.WithValue(NewTensor(dt, []int{4}, []float64{-3, -2.5, 1, 2.6})))
		dy := G.NewVector(g, dt, G.WithShape(4), G.WithName("dy"),
			G.WithValue(NewTensor(dt, []int{4}, []float64{1, 10, 100, 1000})))
		act, _ := GetActivation("hard_sigmoid")
		y, err := act(x)
		if err != nil {
			t.Fatal(err)
		}
		grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x})
		if err != nil {
			t.Fatal(err)
		}
		m := G.NewTapeMachine(g)
		for run, tc := range []struct{ x, y, dx []float64 }{
			{[]float64{-3, -2.5, 1, 2.6}, []float64{0, 0, 0.7, 1}, []float64{0, 2, 20, 0}},
			{[]float64{0, 2.5, -1, 9}, []float64{0.5, 1, 0.3, 1}, []float64{0.2, 2, 20, 0}},
		} {
			if run > 0 {
				m.Reset()
				if err := G.Let(x, NewTensor(dt, []int{4}, tc.x)); err != nil {
					t.Fatal(err)
				}
			}
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			gotY := Float64s(y.Value().(tensor.Tensor))
			gotDx := Float64s(grads[0].Value().(tensor.Tensor))
			for i := range tc.x {
				if math.Abs(gotY[i]-tc.y[i]) > 1e-7 || math.Abs(gotDx[i]-tc.dx[i]) > 1e-5 {
					t.Errorf("%v run %d x=%v: y=%v dx=%v, want %v %v", dt, run, tc.x[i], gotY[i], gotDx[i], tc.y[i], tc.dx[i])
				}
			}
		}
		m.Close()
	}
}

// TestActivationScalar runs an element-wise activation on a scalar node.
func TestActivationScalar(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		var v G.Value = G.NewF64(-0.5)
		if dt == tensor.Float32 {
			v = G.NewF32(-0.5)
		}
		x := G.NewScalar(g, dt, G.WithName("x"), G.WithValue(v))
		act, _ := GetActivation("softsign")
		y, err := act(x)
		if err != nil {
			t.Fatal(err)
		}
		dx := runGrad(t, g, y, x)
		// softsign(-0.5) = -1/3, derivative 1/(1.5)² = 4/9.
		gotY, gotDx := scalarValue(y.Value()), scalarValue(dx.Value())
		if math.Abs(gotY+1.0/3) > 1e-7 || math.Abs(gotDx-4.0/9) > 1e-7 {
			t.Errorf("%v softsign(-0.5) = %v, d/dx %v; want -1/3, 4/9", dt, gotY, gotDx)
		}
	}
}

// TestActivationLispMachine checks the DoDiff path.
func TestActivationLispMachine(t *testing.T) {
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("x"),
		G.WithValue(NewTensor(tensor.Float64, []int{3}, []float64{-1, 0.5, 3})))
	act, _ := GetActivation("hard_sigmoid_keras3")
	y := G.Must(act(x))
	cost := G.Must(G.Sum(G.Must(G.Mul(y, G.NewConstant(2.0)))))
	m := G.NewLispMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	_ = cost
	gv, err := x.Grad()
	if err != nil {
		t.Fatal(err)
	}
	got := Float64s(gv.(tensor.Tensor))
	want := []float64{2.0 / 6, 2.0 / 6, 2.0 / 6}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("LispMachine d/dx[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// TestElemOpPrealloc checks that UsePreallocDo writes into a fitting value
// and falls back to a new one otherwise.
func TestElemOpPrealloc(t *testing.T) {
	x := NewTensor(tensor.Float32, []int{2, 2}, []float64{-3, -1, 1, 3})
	p := NewTensor(tensor.Float32, []int{2, 2}, nil)
	v, err := elemOp{kindHardSigmoid}.UsePreallocDo(p, x)
	if err != nil {
		t.Fatal(err)
	}
	if v != p {
		t.Error("UsePreallocDo did not use the fitting prealloc")
	}
	want := []float64{0, 0.3, 0.7, 1}
	for i, got := range Float64s(p) {
		if math.Abs(got-want[i]) > 1e-7 {
			t.Errorf("prealloc[%d] = %v, want %v", i, got, want[i])
		}
	}
	wrong := NewTensor(tensor.Float64, []int{4}, nil)
	v, err = elemOp{kindHardSigmoid}.UsePreallocDo(wrong, x)
	if err != nil {
		t.Fatal(err)
	}
	if v == wrong || v.Dtype() != tensor.Float32 || !v.Shape().Eq(tensor.Shape{2, 2}) {
		t.Errorf("UsePreallocDo with a misfit prealloc gave %v %v", v.Dtype(), v.Shape())
	}
	gp := NewTensor(tensor.Float32, []int{2, 2}, nil)
	dy := NewTensor(tensor.Float32, []int{2, 2}, []float64{1, 2, 3, 4})
	if _, err := (elemGradOp{kindHardSigmoid}).UsePreallocDo(gp, x, p, dy); err != nil {
		t.Fatal(err)
	}
	wantD := []float64{0, 0.4, 0.6, 0} // x = ±3 is saturated
	for i, got := range Float64s(gp) {
		if math.Abs(got-wantD[i]) > 1e-7 {
			t.Errorf("grad prealloc[%d] = %v, want %v", i, got, wantD[i])
		}
	}
}
