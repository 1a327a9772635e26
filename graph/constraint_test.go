package graph

import (
	"math"
	"reflect"
	"testing"

	"gorgonia.org/tensor"
)

func mustConstraint(t *testing.T, c Constraint, err error) Constraint {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConstraints checks each projection against values computed by hand
// from the Keras formulas (ε = 1e-7), in float64 and float32.
func TestConstraints(t *testing.T) {
	const eps = 1e-7
	maxNorm := func(v float64, axis int) Constraint { c, err := MaxNorm(v, axis); return mustConstraint(t, c, err) }
	minMax := func(lo, hi, rate float64, axis int) Constraint {
		c, err := MinMaxNorm(lo, hi, rate, axis)
		return mustConstraint(t, c, err)
	}
	s10 := math.Sqrt(10)
	for _, c := range []struct {
		name  string
		c     Constraint
		shape []int
		w     []float64
		want  []float64
	}{
		// Columns of [[3 0] [4 0] [0 0]] have norms 5 and 0.
		{"max_norm axis 0", maxNorm(2, 0), []int{3, 2}, []float64{3, 0, 4, 0, 0, 0},
			[]float64{3 * 2 / (5 + eps), 0, 4 * 2 / (5 + eps), 0, 0, 0}},
		// Rows have norms 3, 4 and 0.
		{"max_norm axis 1", maxNorm(2, 1), []int{3, 2}, []float64{3, 0, 4, 0, 0, 0},
			[]float64{3 * 2 / (3 + eps), 0, 4 * 2 / (4 + eps), 0, 0, 0}},
		{"max_norm axis -1", maxNorm(2, -1), []int{3, 2}, []float64{3, 0, 4, 0, 0, 0},
			[]float64{3 * 2 / (3 + eps), 0, 4 * 2 / (4 + eps), 0, 0, 0}},
		// Norm 1 ≤ 2: only the factor n/(ε+n).
		{"max_norm inside", maxNorm(2, 0), []int{2, 1}, []float64{0.6, 0.8},
			[]float64{0.6 / (1 + eps), 0.8 / (1 + eps)}},
		{"max_norm bias", maxNorm(2, 0), []int{2}, []float64{3, -4},
			[]float64{3 * 2 / (5 + eps), -4 * 2 / (5 + eps)}},
		{"max_norm 0", maxNorm(0, 0), []int{2}, []float64{3, -4}, []float64{0, 0}},
		{"unit_norm axis 0", UnitNorm(0), []int{2, 2}, []float64{3, 1, 4, 0},
			[]float64{3 / (5 + eps), 1 / (1 + eps), 4 / (5 + eps), 0}},
		{"unit_norm axis 1", UnitNorm(1), []int{2, 2}, []float64{3, 4, 0, 0},
			[]float64{3 / (5 + eps), 4 / (5 + eps), 0, 0}},
		{"unit_norm zero bias", UnitNorm(0), []int{3}, []float64{0, 0, 0}, []float64{0, 0, 0}},
		{"unit_norm bias", UnitNorm(-1), []int{3}, []float64{1, 2, 2},
			[]float64{1 / (3 + eps), 2 / (3 + eps), 2 / (3 + eps)}},
		// (2, 2, 2) holding 1..8, axis 1: slices (1,3), (2,4), (5,7), (6,8).
		{"unit_norm 3-D axis 1", UnitNorm(1), []int{2, 2, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8},
			[]float64{1 / (s10 + eps), 2 / (math.Sqrt(20) + eps), 3 / (s10 + eps), 4 / (math.Sqrt(20) + eps),
				5 / (math.Sqrt(74) + eps), 6 / (10 + eps), 7 / (math.Sqrt(74) + eps), 8 / (10 + eps)}},
		// Columns of [[3 0.3 0] [4 0.4 0]] have norms 5, 0.5 and 0.
		{"min_max_norm rate 1", minMax(1, 2, 1, 0), []int{2, 3}, []float64{3, 0.3, 0, 4, 0.4, 0},
			[]float64{3 * 2 / (5 + eps), 0.3 * 1 / (0.5 + eps), 0, 4 * 2 / (5 + eps), 0.4 * 1 / (0.5 + eps), 0}},
		// d = 0.5·clip(n) + 0.5·n: 3.5 for n = 5, 0.75 for n = 0.5.
		{"min_max_norm rate 0.5", minMax(1, 2, 0.5, 0), []int{2, 3}, []float64{3, 0.3, 0, 4, 0.4, 0},
			[]float64{3 * 3.5 / (5 + eps), 0.3 * 0.75 / (0.5 + eps), 0, 4 * 3.5 / (5 + eps), 0.4 * 0.75 / (0.5 + eps), 0}},
		{"min_max_norm rate 0", minMax(1, 2, 0, 0), []int{2, 1}, []float64{3, 4},
			[]float64{3 * 5 / (5 + eps), 4 * 5 / (5 + eps)}},
		{"min_max_norm axis 1", minMax(0, 1, 1, 1), []int{2, 2}, []float64{0.3, 0.4, 3, 4},
			[]float64{0.3 * 0.5 / (0.5 + eps), 0.4 * 0.5 / (0.5 + eps), 3 / (5 + eps), 4 / (5 + eps)}},
		{"non_neg", NonNeg(), []int{2, 2}, []float64{-1, 2, 0, -0.5}, []float64{0, 2, 0, 0}},
	} {
		for dt, tol := range map[tensor.Dtype]float64{tensor.Float64: 1e-15, tensor.Float32: 2e-7} {
			w := NewTensor(dt, c.shape, c.w)
			if err := c.c.Apply(w); err != nil {
				t.Fatalf("%s %v: %v", c.name, dt, err)
			}
			got := Float64s(w)
			for i := range got {
				if math.Abs(got[i]-c.want[i]) > tol*math.Max(1, math.Abs(c.want[i])) {
					t.Errorf("%s %v: w[%d] = %.10g, want %.10g ± %v", c.name, dt, i, got[i], c.want[i], tol)
				}
			}
		}
	}
}

func TestConstraintSpecs(t *testing.T) {
	for _, c := range []struct {
		name string
		want Spec
	}{
		{"max_norm", Spec{"max_norm", map[string]float64{"max_value": 2, "axis": 0}}},
		{"maxnorm", Spec{"max_norm", map[string]float64{"max_value": 2, "axis": 0}}},
		{"MaxNorm", Spec{"max_norm", map[string]float64{"max_value": 2, "axis": 0}}},
		{"non_neg", Spec{Name: "non_neg"}},
		{"nonneg", Spec{Name: "non_neg"}},
		{"unit_norm", Spec{"unit_norm", map[string]float64{"axis": 0}}},
		{"unitnorm", Spec{"unit_norm", map[string]float64{"axis": 0}}},
		{"min_max_norm", Spec{"min_max_norm", map[string]float64{"min_value": 0, "max_value": 1, "rate": 1, "axis": 0}}},
		{"MinMaxNorm", Spec{"min_max_norm", map[string]float64{"min_value": 0, "max_value": 1, "rate": 1, "axis": 0}}},
	} {
		con, err := GetConstraint(c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := con.Spec(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("GetConstraint(%q).Spec() = %v, want %v", c.name, got, c.want)
		}
	}
	mn, err := MinMaxNorm(0.5, 3, 0.25, -1)
	mx, err2 := MaxNorm(4, 1)
	for _, con := range []Constraint{mustConstraint(t, mn, err), mustConstraint(t, mx, err2), UnitNorm(1), NonNeg()} {
		back, err := NewConstraint(con.Spec())
		if err != nil {
			t.Fatalf("%v: %v", con.Spec(), err)
		}
		if !reflect.DeepEqual(back, con) {
			t.Errorf("round trip of %v gave %v", con.Spec(), back.Spec())
		}
	}
}

func TestConstraintErrors(t *testing.T) {
	spec := func(name string, args map[string]float64) error {
		_, err := NewConstraint(Spec{name, args})
		return err
	}
	ctor := func(_ Constraint, err error) error { return err }
	apply := func(c Constraint, w *tensor.Dense) error { return c.Apply(w) }
	view, err := NewTensor(tensor.Float64, []int{3, 2}, nil).Slice(nil, tensor.S(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	checkErrors(t, []errorCase{
		{"unknown name", ctor(GetConstraint("l2")), []string{`unknown constraint "l2"`, "max_norm, min_max_norm, non_neg, unit_norm"}},
		{"unknown argument", spec("max_norm", map[string]float64{"max": 1}), []string{`"max"`, "max_value, axis"}},
		{"non_neg argument", spec("non_neg", map[string]float64{"axis": 0}), []string{"no arguments"}},
		{"axis fraction", spec("unit_norm", map[string]float64{"axis": 0.5}), []string{"axis = 0.5", "integer"}},
		{"max_value < 0", ctor(MaxNorm(-1, 0)), []string{"max_value = -1", "max_value >= 0"}},
		{"min > max", ctor(MinMaxNorm(2, 1, 1, 0)), []string{"min_value = 2", "max_value = 1", "min_value <= max_value"}},
		{"min < 0", spec("min_max_norm", map[string]float64{"min_value": -1}), []string{"min_value = -1"}},
		{"rate > 1", ctor(MinMaxNorm(0, 1, 1.5, 0)), []string{"rate = 1.5", "0 <= rate <= 1"}},
		{"axis of bias", apply(UnitNorm(1), NewTensor(tensor.Float64, []int{4}, nil)),
			[]string{"unit_norm", "axis 1", "shape (4)", "-1 <= axis < 1"}},
		{"axis -3 of matrix", apply(UnitNorm(-3), NewTensor(tensor.Float32, []int{2, 2}, nil)), []string{"-2 <= axis < 2"}},
		{"nil weight", apply(NonNeg(), nil), []string{"non_neg", "nil"}},
		{"int weight", apply(NonNeg(), tensor.New(tensor.WithShape(2), tensor.WithBacking([]int{1, -1}))), []string{"dtype", "float32 or float64"}},
		{"view", apply(UnitNorm(0), view.(*tensor.Dense)), []string{"view"}},
	})
}
