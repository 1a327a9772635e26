package layers

import (
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestDropoutNoiseShape checks that a noise shape shares each draw along
// its axes of size 1 and that the kept fraction is 1-rate.
func TestDropoutNoiseShape(t *testing.T) {
	const b, steps, f = 40, 6, 50
	d, err := NewDropout(DropoutConfig{Rate: 0.4, NoiseShape: []int{graph.None, 1, f}, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, d, []int{graph.None, f}, tensor.Float64)
	x := graph.NewTensor(tensor.Float64, []int{b, steps, f}, nil)
	x.Memset(1.0)
	p, err := forward(d, x, true)
	if err != nil {
		t.Fatal(err)
	}
	y := graph.Float64s(p.Outputs[0])
	zeros := 0
	for bi := 0; bi < b; bi++ {
		for c := 0; c < f; c++ {
			first := y[(bi*steps)*f+c]
			if first != 0 && math.Abs(first-1/0.6) > 1e-12 {
				t.Fatalf("y = %v: want 0 or %v", first, 1/0.6)
			}
			if first == 0 {
				zeros++
			}
			for s := 1; s < steps; s++ {
				if y[(bi*steps+s)*f+c] != first {
					t.Fatalf("sample %d channel %d: step %d differs from step 0: the draw is not shared over time", bi, c, s)
				}
			}
		}
	}
	// 2000 draws at p = 0.4: sd ≈ 22, allow 5 sd.
	if math.Abs(float64(zeros)-800) > 110 {
		t.Errorf("%d of 2000 channels dropped at rate 0.4", zeros)
	}
	dy := graph.NewTensor(tensor.Float64, []int{b, steps, f}, randValues(b*steps*f, 1))
	g, err := p.Backward([]*tensor.Dense{dy}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range graph.Float64s(g[0]) {
		if want := graph.Float64s(dy)[i] * y[i]; math.Abs(v-want) > 1e-12 {
			t.Fatalf("dx[%d] = %v, want dy·s = %v", i, v, want)
		}
	}
	for _, bad := range [][]int{{b, 2, f}, {graph.None, f}} {
		d, _ := NewDropout(DropoutConfig{Rate: 0.5, NoiseShape: bad})
		err := d.Build([][]int{{steps, f}}, tensor.Float64)
		if err == nil {
			_, err = forward(d, x, true)
		}
		if err == nil || !strings.Contains(err.Error(), "noise_shape") {
			t.Errorf("noise shape %v for %v: error %v, want one naming noise_shape", bad, x.Shape(), err)
		}
	}
	if _, err := NewDropout(DropoutConfig{Rate: 0.5, NoiseShape: []int{0, 1}}); err == nil {
		t.Error("noise shape entry 0: no error")
	}
}

// TestSpatialDropout1D checks that whole channels are dropped, that
// inference is the identity and that the config round trip keeps the
// class.
func TestSpatialDropout1D(t *testing.T) {
	d, err := NewSpatialDropout1D(DropoutConfig{Rate: 0.5, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.Type() != "SpatialDropout1D" || !strings.HasPrefix(d.Name(), "spatial_dropout1d_") {
		t.Errorf("type %s, name %s", d.Type(), d.Name())
	}
	mustBuild(t, d, []int{graph.None, 8}, tensor.Float32)
	x := graph.NewTensor(tensor.Float32, []int{3, 5, 8}, randValues(120, 5))
	y, err := output(d, x, true)
	if err != nil {
		t.Fatal(err)
	}
	yv, xv := graph.Float64s(y), graph.Float64s(x)
	for b := 0; b < 3; b++ {
		for c := 0; c < 8; c++ {
			kept := yv[b*40+c] != 0
			for s := 0; s < 5; s++ {
				i := (b*5+s)*8 + c
				if got := yv[i] != 0; got != kept {
					t.Fatalf("sample %d channel %d: step %d kept %v, step 0 %v", b, c, s, got, kept)
				}
				if kept && math.Abs(yv[i]-2*xv[i]) > 1e-6 {
					t.Fatalf("kept value %v, want %v", yv[i], 2*xv[i])
				}
			}
		}
	}
	inf, _ := output(d, x, false)
	if !closeTo(graph.Float64s(inf), xv, 0) {
		t.Error("inference is not the identity")
	}
	if err := d.Build([][]int{{8}}, tensor.Float32); err == nil {
		t.Error("2-D input: no error")
	}
	if _, err := NewSpatialDropout1D(DropoutConfig{Rate: 1}); err == nil || !strings.Contains(err.Error(), "SpatialDropout1D") {
		t.Errorf("rate 1: error %v, want one naming SpatialDropout1D", err)
	}
	configRoundTrip(t, d)
}
