package loss

import (
	"math"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestLossValues checks each loss against numbers computed by hand from the
// Keras formulas, in float64 and float32.
func TestLossValues(t *testing.T) {
	ln := math.Log
	cases := []struct {
		name   string
		yShape []int
		y      []float64
		pShape []int
		p      []float64
		want   float64
	}{
		{"mse", []int{2, 2}, []float64{1, 2, 3, 4}, []int{2, 2}, []float64{1.5, 2, 2, 4}, (0.25 + 1) / 4},
		{"mae", []int{2, 2}, []float64{1, 2, 3, 4}, []int{2, 2}, []float64{1.5, 2, 2, 4}, (0.5 + 1) / 4},
		{"mape", []int{2, 1}, []float64{2, 0}, []int{2, 1}, []float64{1, 1e-8}, 100 * (0.5 + 1e-8/1e-7) / 2},
		{"huber", []int{1, 3}, []float64{0, 0, 0}, []int{1, 3}, []float64{0.5, -2, 1}, (0.125 + (0.5 + 1) + 0.5) / 3},
		{"binary_crossentropy", []int{2, 1}, []float64{1, 0}, []int{2, 1}, []float64{0.8, 0.4}, -(ln(0.8) + ln(0.6)) / 2},
		{"binary_crossentropy", []int{1, 1}, []float64{1}, []int{1, 1}, []float64{0}, -ln(1e-7)},
		{"categorical_crossentropy", []int{2, 3}, []float64{0, 1, 0, 1, 0, 0}, []int{2, 3},
			[]float64{0.2, 0.6, 0.2, 1, 1, 2}, -(ln(0.6) + ln(0.25)) / 2},
		{"sparse_categorical_crossentropy", []int{2}, []float64{1, 0}, []int{2, 3},
			[]float64{0.2, 0.6, 0.2, 0.5, 0.25, 0.25}, -(ln(0.6) + ln(0.5)) / 2},
		{"sparse_categorical_crossentropy", []int{2, 1}, []float64{2, 0}, []int{2, 3},
			[]float64{0.5, 0.5, 0, 0.5, 0.25, 0.25}, -(ln(1e-7/(1+1e-7)) + ln(0.5)) / 2},
		{"mse", []int{1, 2, 2}, []float64{1, 2, 3, 4}, []int{1, 2, 2}, []float64{0, 0, 0, 0}, 30.0 / 4},
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		for _, c := range cases {
			loss, err := Get(c.name)
			if err != nil {
				t.Fatal(err)
			}
			lc := NewEvaluator(loss, dt)
			got, _, err := lc.Eval(graph.NewTensor(dt, c.yShape, c.y), graph.NewTensor(dt, c.pShape, c.p), nil)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if math.Abs(got-c.want) > tol*math.Max(1, math.Abs(c.want)) {
				t.Errorf("%v %s(%v, %v) = %v, want %v", dt, c.name, c.y, c.p, got, c.want)
			}
		}
	}
}

// TestLossGradients checks d loss / d y_pred against central finite
// differences in float64, at points away from the kinks.
func TestLossGradients(t *testing.T) {
	y := []float64{1, 0, 0, 0, 1, 0}
	p := []float64{0.3, 0.5, 0.2, 0.15, 0.55, 0.3}
	reg := []float64{0.4, -1.7, 2.5, 3, -0.2, 0.9}
	cases := []struct {
		name   string
		yShape []int
		y      []float64
		p      []float64
		tol    float64
	}{
		{"mse", []int{2, 3}, reg, p, 1e-8},
		{"mae", []int{2, 3}, reg, p, 1e-8},
		{"mape", []int{2, 3}, reg, p, 1e-6},
		{"huber", []int{2, 3}, reg, []float64{0.3, 0.5, 0.2, 0.15, 0.55, 2.3}, 1e-8},
		{"binary_crossentropy", []int{2, 3}, y, p, 1e-7},
		{"categorical_crossentropy", []int{2, 3}, y, p, 1e-7},
		{"sparse_categorical_crossentropy", []int{2}, []float64{0, 1}, p, 1e-7},
	}
	const h = 1e-6
	for _, c := range cases {
		loss, _ := Get(c.name)
		lc := NewEvaluator(loss, tensor.Float64)
		yt := graph.NewTensor(tensor.Float64, c.yShape, c.y)
		_, grad, err := lc.Eval(yt, graph.NewTensor(tensor.Float64, []int{2, 3}, c.p), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		g := graph.Float64s(grad)
		for i := range c.p {
			pp := append([]float64(nil), c.p...)
			pp[i] += h
			up, _, _ := lc.Eval(yt, graph.NewTensor(tensor.Float64, []int{2, 3}, pp), nil)
			pp[i] -= 2 * h
			dn, _, _ := lc.Eval(yt, graph.NewTensor(tensor.Float64, []int{2, 3}, pp), nil)
			fd := (up - dn) / (2 * h)
			if math.Abs(fd-g[i]) > c.tol*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s: d/dp[%d] = %v, finite difference %v", c.name, i, g[i], fd)
			}
		}
	}
}

func TestLossErrors(t *testing.T) {
	if _, err := Get("nope"); err == nil {
		t.Error("Get(nope): no error")
	}
	mse, _ := Get("mse")
	lc := NewEvaluator(mse, tensor.Float64)
	if _, _, err := lc.Eval(graph.NewTensor(tensor.Float64, []int{2, 2}, nil), graph.NewTensor(tensor.Float64, []int{2, 3}, nil), nil); err == nil {
		t.Error("mse with mismatched shapes: no error")
	}
	sp, _ := Get("sparse_categorical_crossentropy")
	lc = NewEvaluator(sp, tensor.Float64)
	for _, y := range [][]float64{{3, 0}, {0.5, 1}, {-1, 0}} {
		if _, _, err := lc.Eval(graph.NewTensor(tensor.Float64, []int{2}, y), graph.NewTensor(tensor.Float64, []int{2, 3}, nil), nil); err == nil {
			t.Errorf("sparse labels %v: no error", y)
		}
	}
}
