package loss

import (
	"math"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

func TestMetricValues(t *testing.T) {
	cases := []struct {
		name   string
		loss   string
		yShape []int
		y      []float64
		pShape []int
		p      []float64
		want   float64
	}{
		{"mae", "", []int{2, 2}, []float64{1, 2, 3, 4}, []int{2, 2}, []float64{1.5, 2, 2, 4}, 1.5 / 4},
		{"mse", "", []int{2, 1}, []float64{1, 2}, []int{2, 1}, []float64{0, 0}, 2.5},
		{"binary_accuracy", "", []int{4, 1}, []float64{1, 0, 1, 0}, []int{4, 1}, []float64{0.7, 0.5, 0.5, 0.2}, 0.75},
		{"categorical_accuracy", "", []int{3, 3}, []float64{0, 1, 0, 1, 0, 0, 0, 0, 1}, []int{3, 3},
			[]float64{0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0, 0.4, 0.6}, 2.0 / 3},
		{"sparse_categorical_accuracy", "", []int{3, 1}, []float64{1, 0, 2}, []int{3, 3},
			[]float64{0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0, 0.4, 0.6}, 2.0 / 3},
		{"accuracy", "", []int{3}, []float64{1, 0, 2}, []int{3, 3},
			[]float64{0.1, 0.8, 0.1, 0.5, 0.3, 0.2, 0, 0.4, 0.6}, 1},
		{"accuracy", "binary_crossentropy", []int{1, 2}, []float64{1, 1}, []int{1, 2}, []float64{0.9, 0.2}, 0.5},
		{"acc", "categorical_crossentropy", []int{1, 2}, []float64{1, 0}, []int{1, 2}, []float64{0.9, 0.2}, 1},
	}
	for _, c := range cases {
		var loss Loss
		if c.loss != "" {
			loss, _ = Get(c.loss)
		}
		m, err := ResolveMetric(c.name, loss, c.pShape[len(c.pShape)-1])
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.Scores(graph.NewTensor(tensor.Float64, c.yShape, c.y), graph.NewTensor(tensor.Float64, c.pShape, c.p))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := MaskedMean(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s (loss %q) = %v, want %v", c.name, c.loss, got, c.want)
		}
	}
	if _, err := GetMetric("f1"); err == nil {
		t.Error("GetMetric(f1): no error")
	}
}
