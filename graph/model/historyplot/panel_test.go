package historyplot

import (
	"math"
	"testing"

	"github.com/golstm/golstm/graph/model"
	"gonum.org/v1/plot"
)

// TestPanelScale: a positive curve spanning more than LogRange gets a log
// axis; one with a zero, or spanning less, a linear axis; a constant
// curve is centred; NaN values are skipped.
func TestPanelScale(t *testing.T) {
	for _, c := range []struct {
		vals []float64
		log  bool
	}{
		{[]float64{0.1, 0.01, 0.0005, math.NaN()}, true},
		{[]float64{0.1, 0.01, 0}, false},
		{[]float64{2, 1, 0.5}, false},
		{[]float64{0.01, 0.01}, false},
	} {
		h := &model.History{Epoch: make([]int, len(c.vals)), History: map[string][]float64{"loss": c.vals}}
		p, err := panel(h, []string{"loss"})
		if err != nil {
			t.Fatal(err)
		}
		if _, isLog := p.Y.Scale.(plot.LogScale); isLog != c.log {
			t.Errorf("%v: log axis %v, want %v", c.vals, isLog, c.log)
		}
		if !(p.Y.Min < p.Y.Max) {
			t.Errorf("%v: y range [%v, %v]", c.vals, p.Y.Min, p.Y.Max)
		}
	}
}
