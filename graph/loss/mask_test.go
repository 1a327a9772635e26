package loss

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// maskedCase is a sequence output (2 samples, 3 steps, 2 values) with a
// mask: the per-step losses want are computed by hand from the Keras
// formulas; the masked loss is Σ s·m / Σ m (= mean(s ⊙ m / mean(m))).
type maskedCase struct {
	name   string
	yShape []int
	y      []float64
	p      []float64
	steps  []float64 // the loss of each of the 6 steps
}

func maskedCases() []maskedCase {
	ln := math.Log
	p := []float64{0.2, 0.8, 0.6, 0.4, 0.5, 0.5, 0.9, 0.1, 0.3, 0.7, 0.25, 0.75}
	reg := []float64{1, 2, 0, 0.5, -1, 1, 0.5, 0.5, 2, 0, 0.25, 1}
	bin := []float64{0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1}
	oneHot := []float64{0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0}
	sq := func(a float64) float64 { return a * a }
	var mse, mae, bce, cce []float64
	for s := 0; s < 6; s++ {
		a, b := p[2*s]-reg[2*s], p[2*s+1]-reg[2*s+1]
		mse = append(mse, (sq(a)+sq(b))/2)
		mae = append(mae, (math.Abs(a)+math.Abs(b))/2)
		t0, t1, p0, p1 := bin[2*s], bin[2*s+1], p[2*s], p[2*s+1]
		bce = append(bce, -(t0*ln(p0)+(1-t0)*ln(1-p0)+t1*ln(p1)+(1-t1)*ln(1-p1))/2)
		cce = append(cce, -(oneHot[2*s]*ln(p0) + oneHot[2*s+1]*ln(p1)))
	}
	labels := []float64{1, 0, 1, 0, 1, 0}
	return []maskedCase{
		{"mse", []int{2, 3, 2}, reg, p, mse},
		{"mae", []int{2, 3, 2}, reg, p, mae},
		{"binary_crossentropy", []int{2, 3, 2}, bin, p, bce},
		{"categorical_crossentropy", []int{2, 3, 2}, oneHot, p, cce},
		// The rows of p sum to 1, so sparse equals categorical.
		{"sparse_categorical_crossentropy", []int{2, 3}, labels, p, cce},
	}
}

// TestMaskedLossValues: with a mask the loss is Keras 2.2.4's
// weighted_masked_objective of the per-step losses, in both dtypes, and
// without one the mean of the same per-step losses.
func TestMaskedLossValues(t *testing.T) {
	mask := []bool{true, true, false, true, false, false}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		for _, c := range maskedCases() {
			l, _ := Get(c.name)
			ev := NewEvaluator(l, dt)
			y, p := graph.NewTensor(dt, c.yShape, c.y), graph.NewTensor(dt, []int{2, 3, 2}, c.p)
			var sum, kept, all float64
			for i, s := range c.steps {
				all += s
				if mask[i] {
					sum, kept = sum+s, kept+1
				}
			}
			got, _, err := ev.Eval(y, p, graph.NewMask(2, 3, mask))
			if err != nil {
				t.Fatalf("%v %s: %v", dt, c.name, err)
			}
			if want := sum / kept; math.Abs(got-want) > tol*math.Max(1, want) {
				t.Errorf("%v %s masked = %v, want %v", dt, c.name, got, want)
			}
			got, _, err = ev.Eval(y, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := all / 6; math.Abs(got-want) > tol*math.Max(1, want) {
				t.Errorf("%v %s unmasked = %v, want %v", dt, c.name, got, want)
			}
			scores, err := ev.Scores(y, p)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range scores {
				if math.Abs(s-c.steps[i]) > tol*math.Max(1, c.steps[i]) {
					t.Errorf("%v %s: score %d = %v, want %v", dt, c.name, i, s, c.steps[i])
				}
			}
			if v, _ := MaskedMean(scores, mask); math.Abs(v-sum/kept) > tol*math.Max(1, v) {
				t.Errorf("%v %s: MaskedMean = %v, want %v", dt, c.name, v, sum/kept)
			}
		}
	}
}

// TestMaskedLossGradients checks the gradient of the masked loss (from
// Gorgonia's autodiff) against central finite differences, and that a
// masked step gets a zero gradient.
func TestMaskedLossGradients(t *testing.T) {
	mask := graph.NewMask(2, 3, []bool{true, false, true, true, true, false})
	const h = 1e-6
	for _, c := range maskedCases() {
		l, _ := Get(c.name)
		ev := NewEvaluator(l, tensor.Float64)
		y := graph.NewTensor(tensor.Float64, c.yShape, c.y)
		_, grad, err := ev.Eval(y, graph.NewTensor(tensor.Float64, []int{2, 3, 2}, c.p), mask)
		if err != nil {
			t.Fatal(err)
		}
		g := graph.Float64s(grad)
		for i := range c.p {
			pp := append([]float64(nil), c.p...)
			pp[i] += h
			up, _, _ := ev.Eval(y, graph.NewTensor(tensor.Float64, []int{2, 3, 2}, pp), mask)
			pp[i] -= 2 * h
			dn, _, _ := ev.Eval(y, graph.NewTensor(tensor.Float64, []int{2, 3, 2}, pp), mask)
			fd := (up - dn) / (2 * h)
			if math.Abs(fd-g[i]) > 1e-7*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s: d/dp[%d] = %v, finite difference %v", c.name, i, g[i], fd)
			}
			if step := i / 2; (step == 1 || step == 5) && g[i] != 0 {
				t.Errorf("%s: masked step %d has gradient %v", c.name, step, g[i])
			}
		}
	}
}

// TestFullyMaskedLoss: a batch with every step masked (Keras 2.2.4 divides
// by mean(mask) = 0 and gives NaN) gives loss 0 and a zero gradient.
func TestFullyMaskedLoss(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		l, _ := Get("mse")
		ev := NewEvaluator(l, dt)
		y := graph.NewTensor(dt, []int{2, 3, 1}, []float64{1, 2, 3, 4, 5, 6})
		p := graph.NewTensor(dt, []int{2, 3, 1}, nil)
		v, g, err := ev.Eval(y, p, graph.NewMask(2, 3, make([]bool, 6)))
		if err != nil {
			t.Fatal(err)
		}
		if v != 0 {
			t.Errorf("%v: fully masked loss %v, want 0", dt, v)
		}
		for i, x := range graph.Float64s(g) {
			if x != 0 {
				t.Errorf("%v: fully masked gradient [%d] = %v, want 0", dt, i, x)
			}
		}
		if m, err := MaskedMean([]float64{1, 2}, []bool{false, false}); m != 0 || err != nil {
			t.Errorf("MaskedMean of a fully masked batch = %v, %v; want 0", m, err)
		}
	}
}

// TestMaskedLossIntegerMask: an integer mask (Keras casts a mask to bool)
// gives the numbers of the bool mask of its non-zero entries.
func TestMaskedLossIntegerMask(t *testing.T) {
	l, _ := Get("mse")
	ev := NewEvaluator(l, tensor.Float64)
	y := graph.NewTensor(tensor.Float64, []int{1, 3, 1}, []float64{1, 2, 3})
	p := graph.NewTensor(tensor.Float64, []int{1, 3, 1}, nil)
	b, _, _ := ev.Eval(y, p, graph.NewMask(1, 3, []bool{true, false, true}))
	i, _, err := ev.Eval(y, p, tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]int32{1, 0, 7})))
	if err != nil {
		t.Fatal(err)
	}
	if b != i || b != 5 {
		t.Errorf("int32 mask loss %v, bool mask %v, want 5", i, b)
	}
}

func TestMaskedLossErrors(t *testing.T) {
	l, _ := Get("mse")
	ev := NewEvaluator(l, tensor.Float64)
	y := graph.NewTensor(tensor.Float64, []int{2, 3, 1}, nil)
	p := graph.NewTensor(tensor.Float64, []int{2, 3, 1}, nil)
	cases := []struct {
		mask *tensor.Dense
		want string
	}{
		{graph.NewTensor(tensor.Float64, []int{2, 3}, nil), "float64"},
		{graph.NewMask(3, 2, make([]bool, 6)), "want shape [2 3]"},
		{graph.NewMask(2, 1, make([]bool, 2)), "want shape [2 3]"},
	}
	for _, c := range cases {
		_, _, err := ev.Eval(y, p, c.mask)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("mask %v %v: error %v, want one with %q", c.mask.Dtype(), c.mask.Shape(), err, c.want)
		}
	}
	if _, err := MaskedMean([]float64{1, 2}, []bool{true}); err == nil {
		t.Error("MaskedMean with a short mask: no error")
	}
	if _, err := MaskedMean(nil, nil); err == nil {
		t.Error("MaskedMean of no scores: no error")
	}
}

// TestMaskedMetricScores: metrics give one value per step of a sequence
// output, which MaskedMean reduces as Keras 2.2.4 masks metrics.
func TestMaskedMetricScores(t *testing.T) {
	y := graph.NewTensor(tensor.Float64, []int{1, 3, 2}, []float64{0, 1, 1, 0, 0, 1})
	p := graph.NewTensor(tensor.Float64, []int{1, 3, 2}, []float64{0.2, 0.8, 0.3, 0.7, 0.9, 0.1})
	acc, _ := GetMetric("categorical_accuracy")
	s, err := acc.Scores(y, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 0, 0}; !slices.Equal(s, want) {
		t.Errorf("categorical_accuracy scores %v, want %v", s, want)
	}
	if v, _ := MaskedMean(s, []bool{true, true, false}); v != 0.5 {
		t.Errorf("masked accuracy %v, want 0.5", v)
	}
	bin, _ := GetMetric("binary_accuracy")
	if s, _ = bin.Scores(y, p); !slices.Equal(s, []float64{1, 0, 0}) {
		t.Errorf("binary_accuracy scores %v, want [1 0 0]", s)
	}
	mse, _ := GetMetric("mse")
	if s, _ = mse.Scores(y, p); math.Abs(s[0]-0.04) > 1e-15 || len(s) != 3 {
		t.Errorf("mse scores %v, want [0.04 ...] of 3", s)
	}
}

// TestEvaluatorCacheBounded: an Evaluator that sees many prediction shapes
// (sequence lengths) keeps at most its cache size of compiled graphs, and
// still computes every loss right.
func TestEvaluatorCacheBounded(t *testing.T) {
	l, _ := Get("mse")
	ev := NewEvaluator(l, tensor.Float64)
	if err := ev.SetProgramCacheSize(2); err != nil {
		t.Fatal(err)
	}
	for steps := 1; steps <= 6; steps++ {
		y := graph.NewTensor(tensor.Float64, []int{1, steps, 1}, nil)
		p := graph.NewTensor(tensor.Float64, []int{1, steps, 1}, nil)
		p.Memset(2.0)
		v, _, err := ev.Eval(y, p, graph.NewMask(1, steps, slices.Repeat([]bool{true}, steps)))
		if err != nil {
			t.Fatal(err)
		}
		if v != 4 {
			t.Errorf("%d steps: loss %v, want 4", steps, v)
		}
		if n := ev.progs.Len(); n > 2 {
			t.Fatalf("%d steps: %d graphs kept, want at most 2", steps, n)
		}
	}
	if ev.progs.Compiled() != 6 {
		t.Errorf("%d graphs compiled for 6 shapes", ev.progs.Compiled())
	}
	if err := ev.SetProgramCacheSize(-1); err == nil {
		t.Error("cache size -1: no error")
	}
}
