package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// keras224Cases is testdata/keras224_actlayers.json, written by
// testdata/keras224_actlayers.py, a numpy transcription of Keras 2.2.4's
// advanced activations (TensorFlow backend) with TensorFlow's gradients.
type keras224Cases struct {
	Elementwise []struct {
		Class  string          `json:"class"`
		Config json.RawMessage `json:"config"`
		X      []float64       `json:"x"`
		Y      []float64       `json:"y"`
		DyDx   []float64       `json:"dydx"`
	} `json:"elementwise"`
	Softmax []struct {
		Axis int       `json:"axis"`
		X    []float64 `json:"x"`
		Y    []float64 `json:"y"`
	} `json:"softmax"`
	PReLU struct {
		Alpha, X, Y, DyDx, DAlpha []float64
	} `json:"prelu"`
	AlphaDropout []struct {
		Rate, A, B, Dropped float64
	} `json:"alpha_dropout"`
}

// TestKeras224Transcription checks every layer built from its Keras config
// (through the registry) against the numpy transcription of Keras 2.2.4:
// ReLU over a grid of max_value, negative_slope and threshold (negative
// and above max_value too), LeakyReLU, ELU and ThresholdedReLU, values and
// derivatives at the kinks and between them; Softmax along each axis of a
// 3-D batch; PReLU's values and gradients; AlphaDropout's a and b.
func TestKeras224Transcription(t *testing.T) {
	raw, err := os.ReadFile("testdata/keras224_actlayers.json")
	if err != nil {
		t.Fatal(err)
	}
	var c keras224Cases
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Elementwise) < 70 || len(c.Softmax) != 4 || len(c.AlphaDropout) != 5 {
		t.Fatalf("testdata has %d element-wise, %d softmax, %d alpha dropout cases", len(c.Elementwise), len(c.Softmax), len(c.AlphaDropout))
	}
	for _, e := range c.Elementwise {
		what := fmt.Sprintf("%s%s", e.Class, e.Config)
		l, err := graph.NewLayer(e.Class, "k", e.Config)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		mustBuild(t, l, []int{len(e.X)}, tensor.Float64)
		y, d := valuesAndSlopes(t, l, e.X, tensor.Float64)
		for i := range e.X {
			if math.Abs(y[i]-e.Y[i]) > 1e-15*math.Max(1, math.Abs(e.Y[i])) || d[i] != e.DyDx[i] {
				t.Errorf("%s at x = %v: y %v, dy/dx %v; Keras 2.2.4 %v, %v", what, e.X[i], y[i], d[i], e.Y[i], e.DyDx[i])
			}
		}
	}
	for _, s := range c.Softmax {
		l, _ := NewSoftmax(SoftmaxConfig{Axis: s.Axis})
		mustBuild(t, l, []int{3, 4}, tensor.Float64)
		y, err := output(l, graph.NewTensor(tensor.Float64, []int{2, 3, 4}, s.X), false)
		if err != nil {
			t.Fatal(err)
		}
		if !closeTo(graph.Float64s(y), s.Y, 1e-15) {
			t.Errorf("Softmax axis %d: %v, Keras 2.2.4 %v", s.Axis, graph.Float64s(y), s.Y)
		}
	}
	p, _ := NewPReLU(PReLUConfig{SharedAxes: []int{1}})
	mustBuild(t, p, []int{3, 4}, tensor.Float64)
	graph.CopyInto(p.alpha.Value, graph.NewTensor(tensor.Float64, []int{1, 4}, c.PReLU.Alpha))
	pass, err := forward(p, graph.NewTensor(tensor.Float64, []int{2, 3, 4}, c.PReLU.X), true)
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, 24)
	for i := range ones {
		ones[i] = 1
	}
	g, err := pass.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 3, 4}, ones)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !closeTo(graph.Float64s(pass.Outputs[0]), c.PReLU.Y, 1e-15) || !closeTo(graph.Float64s(g[0]), c.PReLU.DyDx, 0) ||
		!closeTo(graph.Float64s(p.alpha.Grad), c.PReLU.DAlpha, 1e-14) {
		t.Errorf("PReLU: y %v, dy/dx %v, d/dalpha %v; Keras 2.2.4 %v, %v, %v", graph.Float64s(pass.Outputs[0]), graph.Float64s(g[0]),
			graph.Float64s(p.alpha.Grad), c.PReLU.Y, c.PReLU.DyDx, c.PReLU.DAlpha)
	}
	// AlphaDropout: a dropped element is a·α' + b, a kept one a·x + b; with
	// x = 0 and x = 1 both show a and b.
	for _, a := range c.AlphaDropout {
		d, _ := NewAlphaDropout(AlphaDropoutConfig{Rate: a.Rate, Seed: 1})
		mustBuild(t, d, []int{400}, tensor.Float64)
		x := make([]float64, 800)
		for i := 400; i < 800; i++ {
			x[i] = 1
		}
		y, err := output(d, graph.NewTensor(tensor.Float64, []int{2, 400}, x), true)
		if err != nil {
			t.Fatal(err)
		}
		kept0, kept1 := 0, 0
		for i, v := range graph.Float64s(y) {
			switch {
			case math.Abs(v-a.Dropped) < 1e-14:
			case i < 400 && math.Abs(v-a.B) < 1e-14:
				kept0++
			case i >= 400 && math.Abs(v-(a.A+a.B)) < 1e-14:
				kept1++
			default:
				t.Fatalf("AlphaDropout rate %v: y[%d] = %v for x = %v: not a·x+b (a %v, b %v) nor %v", a.Rate, i, v, x[i], a.A, a.B, a.Dropped)
			}
		}
		if kept0 == 0 || kept1 == 0 {
			t.Errorf("AlphaDropout rate %v: %d and %d kept of 400", a.Rate, kept0, kept1)
		}
	}
}
