package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// runPenalty evaluates 3·r.Penalty(w) for w of the given shape in a
// TapeMachine and returns it and its gradient with respect to w.
func runPenalty(t *testing.T, r Regularizer, dt tensor.Dtype, shape []int, ws []float64) (float64, []float64) {
	t.Helper()
	g := G.NewGraph()
	w := G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("w"),
		G.WithValue(NewTensor(dt, shape, ws)))
	p, err := r.Penalty(w)
	if err != nil {
		t.Fatal(err)
	}
	three := G.NewConstant(3.0)
	if dt == tensor.Float32 {
		three = G.NewConstant(float32(3))
	}
	cost := G.Must(G.Mul(p, three))
	dw := runGrad(t, g, cost, w)
	return scalarValue(cost.Value()), Float64s(dw.Value().(tensor.Tensor))
}

func TestRegularizerPenalty(t *testing.T) {
	// w = [[1, -2, 0], [0.5, -0.25, 3]]: Σ|w| = 6.75, Σw² = 14.3125.
	ws := []float64{1, -2, 0, 0.5, -0.25, 3}
	sign := []float64{1, -1, 0, 1, -1, 1}
	for _, tc := range []struct {
		name   string
		r      Regularizer
		l1, l2 float64
		want   float64 // penalty by hand
	}{
		{"L1(0.1)", L1(0.1), 0.1, 0, 0.675},
		{"L2(0.1)", L2(0.1), 0, 0.1, 1.43125},
		{"L1L2(0.1,0.2)", L1L2(0.1, 0.2), 0.1, 0.2, 0.675 + 2.8625},
		{"L1L2(0,0)", L1L2(0, 0), 0, 0, 0},
		{"get l1", must(GetRegularizer("l1")), 0.01, 0, 0.0675},
		{"get l2", must(GetRegularizer("l2")), 0, 0.01, 0.143125},
		{"get l1_l2", must(GetRegularizer("l1_l2")), 0.01, 0.01, 0.0675 + 0.143125},
		{"new l2", must(NewRegularizer(Spec{Name: "l2", Args: map[string]float64{"l2": 0.5}})), 0, 0.5, 7.15625},
		{"new l1_l2 l1 only", must(NewRegularizer(Spec{Name: "l1_l2", Args: map[string]float64{"l1": 1}})), 1, 0.01, 6.75 + 0.143125},
		{"new L1L2 class", must(NewRegularizer(Spec{Name: "L1L2", Args: map[string]float64{"l2": 1}})), 0, 1, 14.3125},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := 1e-15
			if dt == tensor.Float32 {
				tol = 1e-6
			}
			got, grad := runPenalty(t, tc.r, dt, []int{2, 3}, ws)
			if math.Abs(got-3*tc.want) > tol*math.Max(1, 3*tc.want) {
				t.Errorf("%s %v: 3·penalty = %v, want %v", tc.name, dt, got, 3*tc.want)
			}
			for i, w := range ws {
				want := 3 * (tc.l1*sign[i] + 2*tc.l2*w)
				if math.Abs(grad[i]-want) > tol*math.Max(1, math.Abs(want)) {
					t.Errorf("%s %v: d/dw[%d] (w=%v) = %v, want %v", tc.name, dt, i, w, grad[i], want)
				}
			}
		}
	}
}

// TestRegularizerFiniteDifferences compares the gradient with central
// differences of the closed form at points away from w = 0.
func TestRegularizerFiniteDifferences(t *testing.T) {
	ws := []float64{0.3, -1.7, 2.2, -0.05}
	const l1, l2 = 0.07, 0.13
	f := func(ws []float64) float64 {
		var s float64
		for _, w := range ws {
			s += 3 * (l1*math.Abs(w) + l2*w*w)
		}
		return s
	}
	_, grad := runPenalty(t, L1L2(l1, l2), tensor.Float64, []int{4}, ws)
	for i := range ws {
		const h = 1e-5
		p := append([]float64(nil), ws...)
		m := append([]float64(nil), ws...)
		p[i] += h
		m[i] -= h
		fd := (f(p) - f(m)) / (2 * h)
		if math.Abs(grad[i]-fd) > 1e-7 {
			t.Errorf("d/dw[%d] = %v, finite difference %v", i, grad[i], fd)
		}
	}
}

func TestRegularizerSpec(t *testing.T) {
	for _, tc := range []struct {
		r    Regularizer
		want Spec
	}{
		{L1(0.3), Spec{Name: "l1", Args: map[string]float64{"l1": 0.3}}},
		{L2(0.2), Spec{Name: "l2", Args: map[string]float64{"l2": 0.2}}},
		{L1L2(0.1, 0), Spec{Name: "l1_l2", Args: map[string]float64{"l1": 0.1, "l2": 0}}},
		{must(GetRegularizer("l1_l2")), Spec{Name: "l1_l2", Args: map[string]float64{"l1": 0.01, "l2": 0.01}}},
		{must(GetRegularizer("L1L2")), Spec{Name: "L1L2", Args: map[string]float64{"l1": 0, "l2": 0}}},
	} {
		got := tc.r.Spec()
		if got.Name != tc.want.Name || len(got.Args) != len(tc.want.Args) {
			t.Errorf("Spec() = %v, want %v", got, tc.want)
			continue
		}
		for k, v := range tc.want.Args {
			if got.Args[k] != v {
				t.Errorf("Spec() = %v, want %v", got, tc.want)
			}
		}
		back, err := NewRegularizer(got)
		if err != nil {
			t.Errorf("NewRegularizer(%v): %v", got, err)
		} else if b := back.(*l1l2); b.l1 != tc.r.(*l1l2).l1 || b.l2 != tc.r.(*l1l2).l2 {
			t.Errorf("NewRegularizer(%v) = %+v", got, b)
		}
	}
}

func TestRegularizerErrors(t *testing.T) {
	for _, tc := range []struct {
		spec  Spec
		words []string // the error must contain all of them
	}{
		{Spec{Name: "l3"}, []string{`"l3"`, "l1, l2, l1_l2"}},
		{Spec{Name: ""}, []string{`""`, "l1_l2"}},
		{Spec{Name: "l1", Args: map[string]float64{"l2": 1}}, []string{`"l2"`, "want l1"}},
		{Spec{Name: "l2", Args: map[string]float64{"l": 1}}, []string{`"l"`, "want l2"}},
		{Spec{Name: "l1", Args: map[string]float64{"l1": -0.1}}, []string{"l1 = -0.1", ">= 0"}},
		{Spec{Name: "l1_l2", Args: map[string]float64{"l2": math.NaN()}}, []string{"l2 = NaN"}},
		{Spec{Name: "l2", Args: map[string]float64{"l2": math.Inf(1)}}, []string{"l2 = +Inf"}},
	} {
		_, err := NewRegularizer(tc.spec)
		if err == nil {
			t.Errorf("NewRegularizer(%v) gave no error", tc.spec)
			continue
		}
		for _, w := range tc.words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("NewRegularizer(%v) error %q lacks %q", tc.spec, err, w)
			}
		}
	}
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("w"))
	for _, tc := range []struct {
		r   Regularizer
		arg string
	}{
		{L1(-1), "l1 = -1"},
		{L2(math.NaN()), "l2 = NaN"},
		{L1L2(0.1, -2), "l2 = -2"},
	} {
		_, err := tc.r.Penalty(w)
		if err == nil || !strings.Contains(err.Error(), tc.arg) {
			t.Errorf("Penalty with %s: error %v", tc.arg, err)
		}
	}
	iw := G.NewVector(g, tensor.Int, G.WithShape(2), G.WithName("iw"))
	if _, err := L2(0.1).Penalty(iw); err == nil {
		t.Error("Penalty accepted an int weight")
	}
}

// TestRegularizerLispMachine checks the DoDiff path and sign(0) = 0.
func TestRegularizerLispMachine(t *testing.T) {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("w"),
		G.WithValue(NewTensor(tensor.Float64, []int{3}, []float64{-2, 0, 1})))
	p := G.Must(L1L2(0.5, 0.25).Penalty(w))
	m := G.NewLispMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if got := scalarValue(p.Value()); math.Abs(got-(0.5*3+0.25*5)) > 1e-15 {
		t.Errorf("penalty = %v, want 2.75", got)
	}
	gv, err := w.Grad()
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-0.5 - 1, 0, 0.5 + 0.5}
	for i, got := range Float64s(gv.(tensor.Tensor)) {
		if math.Abs(got-want[i]) > 1e-15 {
			t.Errorf("LispMachine d/dw[%d] = %v, want %v", i, got, want[i])
		}
	}
}

func must(r Regularizer, err error) Regularizer {
	if err != nil {
		panic(err)
	}
	return r
}
