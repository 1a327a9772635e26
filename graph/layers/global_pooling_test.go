package layers

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// withMask is a one-input layer given a fixed mask with its input, so that
// checkGradients checks a masked Backward.
type withMask struct {
	graph.Layer
	mask *tensor.Dense
}

func (w withMask) Forward(in, _ []*tensor.Dense, training bool) (*graph.Pass, error) {
	return w.Layer.Forward(in, []*tensor.Dense{w.mask}, training)
}

// globalX is a batch of 2 sequences of 3 steps, 2 channels:
// sample 0: (1, -2), (3, 5), (2, 0); sample 1: (-1, 4), (0, 4), (6, -3).
var globalX = []float64{1, -2, 3, 5, 2, 0, -1, 4, 0, 4, 6, -3}

// TestGlobalPooling1DValues checks both global poolings on globalX against
// values worked out by hand, with and without a mask and keepdims, in
// float32 and float64.
func TestGlobalPooling1DValues(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name     string
		avg      bool
		keepDims bool
		mask     []bool
		want     []float64
	}{
		// max over the steps; sample 1's channel 1 ties at 4.
		{"max", false, false, nil, []float64{3, 5, 6, 4}},
		{"max keepdims", false, true, nil, []float64{3, 5, 6, 4}},
		// (1+3+2)/3, (-2+5+0)/3; (-1+0+6)/3, (4+4-3)/3
		{"average", true, false, nil, []float64{2, 1, 5.0 / 3, 5.0 / 3}},
		{"average keepdims", true, true, nil, []float64{2, 1, 5.0 / 3, 5.0 / 3}},
		// Keras 2.2.4: Σ x·m / Σ m. Sample 0 keeps steps 0, 1: (1+3)/2,
		// (-2+5)/2; sample 1 keeps steps 1, 2: (0+6)/2, (4-3)/2.
		{"average masked", true, false, []bool{true, true, false, false, true, true}, []float64{2, 1.5, 3, 0.5}},
		{"average masked keepdims", true, true, []bool{true, true, false, false, true, true}, []float64{2, 1.5, 3, 0.5}},
		// Sample 1 all masked: 0/0 = NaN, as in Keras.
		{"average all masked", true, false, []bool{false, true, false, false, false, false}, []float64{3, 5, nan, nan}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			cfg := GlobalPooling1DConfig{Name: "g", KeepDims: c.keepDims}
			var l *GlobalPooling1D
			var err error
			if c.avg {
				l, err = NewGlobalAveragePooling1D(cfg)
			} else {
				l, err = NewGlobalMaxPooling1D(cfg)
			}
			if err != nil {
				t.Fatal(err)
			}
			mustBuild(t, l, []int{graph.None, 2}, dt)
			var masks []*tensor.Dense
			if c.mask != nil {
				masks = []*tensor.Dense{graph.NewMask(2, 3, c.mask)}
			}
			p, err := l.Forward([]*tensor.Dense{graph.NewTensor(dt, []int{2, 3, 2}, globalX)}, masks, false)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			wantShape, wantOut := []int{2, 2}, []int{2}
			if c.keepDims {
				wantShape, wantOut = []int{2, 1, 2}, []int{1, 2}
			}
			y := p.Outputs[0]
			got := graph.Float64s(y)
			same := len(got) == len(c.want)
			for i := 0; same && i < len(got); i++ {
				same = math.IsNaN(got[i]) == math.IsNaN(c.want[i]) && (math.IsNaN(got[i]) || math.Abs(got[i]-c.want[i]) <= 1e-6*math.Max(1, math.Abs(c.want[i])))
			}
			if !same || !slices.Equal(y.Shape(), wantShape) || y.Dtype() != dt {
				t.Errorf("%s %v: y = %v %v of shape %v, want %v of shape %v", c.name, dt, y.Dtype(), got, y.Shape(), c.want, wantShape)
			}
			if !slices.Equal(l.OutputShapes()[0], wantOut) {
				t.Errorf("%s: output shape %v, want %v", c.name, l.OutputShapes()[0], wantOut)
			}
			if p.Masks != nil {
				t.Errorf("%s: output masks %v, want none (Keras' compute_mask returns None)", c.name, p.Masks)
			}
		}
	}
}

// TestGlobalPooling1DGradients checks Backward against finite differences:
// the max routes dy to the argmax, the average spreads dy·m/Σm (with and
// without a mask), with keepdims too.
func TestGlobalPooling1DGradients(t *testing.T) {
	mask := graph.NewMask(3, 5, []bool{true, true, true, false, false, true, false, true, false, true, true, true, true, true, true})
	for _, c := range []struct {
		name     string
		avg      bool
		keepDims bool
		mask     *tensor.Dense
	}{
		{"max", false, false, nil}, {"max keepdims", false, true, nil},
		{"average", true, false, nil}, {"average keepdims", true, true, nil},
		{"average masked", true, false, mask}, {"average masked keepdims", true, true, mask},
	} {
		cfg := GlobalPooling1DConfig{Name: c.name, KeepDims: c.keepDims}
		newLayer := NewGlobalMaxPooling1D
		if c.avg {
			newLayer = NewGlobalAveragePooling1D
		}
		l, err := newLayer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, l, []int{graph.None, 4}, tensor.Float64)
		var tested graph.Layer = l
		if c.mask != nil {
			tested = withMask{l, c.mask}
		}
		checkGradients(t, tested, []int{3, 5, 4}, randValues(60, 11), 1e-6)
	}
	// dy spread by hand: sample 0 keeps steps 0, 1 of 3, so dx = dy/2 there
	// and 0 at step 2.
	l, _ := NewGlobalAveragePooling1D(GlobalPooling1DConfig{})
	mustBuild(t, l, []int{3, 1}, tensor.Float64)
	p, err := l.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 3, 1}, []float64{1, 2, 3})}, []*tensor.Dense{graph.NewMask(1, 3, []bool{true, true, false})}, true)
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 1}, []float64{4})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(g[0]); !closeTo(got, []float64{2, 2, 0}, 0) {
		t.Errorf("masked average gradient %v, want [2 2 0]", got)
	}
	// Ties: the max's gradient goes to the first maximum only.
	m, _ := NewGlobalMaxPooling1D(GlobalPooling1DConfig{})
	mustBuild(t, m, []int{4, 1}, tensor.Float64)
	p, _ = forward(m, graph.NewTensor(tensor.Float64, []int{1, 4, 1}, []float64{1, 3, 3, 2}), true)
	g, _ = p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 1}, []float64{1})}, nil)
	if got := graph.Float64s(g[0]); !closeTo(got, []float64{0, 1, 0, 0}, 0) {
		t.Errorf("tie gradient %v, want [0 1 0 0]", got)
	}
}

// TestGlobalPooling1DVariableLength checks a layer built for None steps on
// batches of 2 and 5 steps, and that a padded, masked batch gives each
// sample's mean at its true length.
func TestGlobalPooling1DVariableLength(t *testing.T) {
	avg, _ := NewGlobalAveragePooling1D(GlobalPooling1DConfig{})
	mx, _ := NewGlobalMaxPooling1D(GlobalPooling1DConfig{})
	for _, l := range []*GlobalPooling1D{avg, mx} {
		if s := l.FreeShape([]int{5, 3}); !slices.Equal(s, []int{graph.None, 3}) {
			t.Errorf("%s: FreeShape (5, 3) = %v, want (None, 3)", l.Type(), s)
		}
		mustBuild(t, l, []int{graph.None, 1}, tensor.Float64)
		if s := l.OutputShapes()[0]; !slices.Equal(s, []int{1}) {
			t.Errorf("%s: output shape %v, want (1)", l.Type(), s)
		}
		for _, steps := range []int{2, 5} {
			x := make([]float64, steps)
			for i := range x {
				x[i] = float64(i + 1) // 1, ..., steps
			}
			y, err := output(l, graph.NewTensor(tensor.Float64, []int{1, steps, 1}, x), false)
			if err != nil {
				t.Fatal(err)
			}
			want := float64(steps) // max
			if l == avg {
				want = float64(steps+1) / 2
			}
			if got := graph.Float64s(y); !closeTo(got, []float64{want}, 1e-12) {
				t.Errorf("%s on %d steps: %v, want %v", l.Type(), steps, got, want)
			}
		}
	}
	// Samples of lengths 2 and 4, padded to 4 with garbage.
	x := []float64{1, 2, 99, -99, 5, 6, 7, 8}
	p, err := avg.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 4, 1}, x)}, []*tensor.Dense{graph.NewMask(2, 4, []bool{true, true, false, false, true, true, true, true})}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(p.Outputs[0]); !closeTo(got, []float64{1.5, 6.5}, 1e-12) {
		t.Errorf("padded batch: %v, want [1.5 6.5]", got)
	}
}

// TestGlobalPooling1DErrors checks the arguments and inputs refused, each
// error naming the layer, and the config round trip.
func TestGlobalPooling1DErrors(t *testing.T) {
	for _, newLayer := range []func(GlobalPooling1DConfig) (*GlobalPooling1D, error){NewGlobalMaxPooling1D, NewGlobalAveragePooling1D} {
		for _, format := range []string{"channels_first", "nhwc"} {
			_, err := newLayer(GlobalPooling1DConfig{Name: "gp", DataFormat: format})
			if err == nil || !strings.Contains(err.Error(), "gp") || !strings.Contains(err.Error(), "data_format") || !strings.Contains(err.Error(), "channels_last") {
				t.Errorf("data_format %q: error %v", format, err)
			}
		}
		l, err := newLayer(GlobalPooling1DConfig{Name: "gp"})
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range [][][]int{{{3}}, {{2, 3, 4}}, {{2, 3}, {2, 3}}, {{0, 3}}} {
			if err := l.Build(in, tensor.Float64); err == nil || !strings.Contains(err.Error(), "gp") {
				t.Errorf("%s: input %v: error %v", l.Type(), in, err)
			}
		}
		mustBuild(t, l, []int{3, 2}, tensor.Float64)
		if _, err := output(l, graph.NewTensor(tensor.Float64, []int{1, 4, 2}, nil), false); err == nil || !strings.Contains(err.Error(), "gp") {
			t.Errorf("%s: input of 4 steps for 3: error %v", l.Type(), err)
		}
		c := configRoundTrip(t, l)
		if c.Type() != l.Type() {
			t.Errorf("round trip of %s gave %s", l.Type(), c.Type())
		}
		k, _ := newLayer(GlobalPooling1DConfig{Name: "k", KeepDims: true})
		if raw, _ := configRoundTrip(t, k).Config(); !strings.Contains(string(raw), `"keepdims":true`) || !strings.Contains(string(raw), `"data_format":"channels_last"`) {
			t.Errorf("config %s: want keepdims true and data_format channels_last", raw)
		}
	}
	// GlobalMaxPooling1D does not support masking in Keras 2.2.4.
	m, _ := NewGlobalMaxPooling1D(GlobalPooling1DConfig{Name: "gmp"})
	mustBuild(t, m, []int{3, 2}, tensor.Float64)
	_, err := m.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 3, 2}, nil)}, []*tensor.Dense{graph.NewMask(1, 3, []bool{true, true, false})}, false)
	if err == nil || !strings.Contains(err.Error(), "gmp") || !strings.Contains(err.Error(), "masking") {
		t.Errorf("GlobalMaxPooling1D with a mask: error %v", err)
	}
	a, _ := NewGlobalAveragePooling1D(GlobalPooling1DConfig{Name: "gap"})
	mustBuild(t, a, []int{3, 2}, tensor.Float64)
	for _, mask := range []*tensor.Dense{graph.NewMask(1, 2, []bool{true, true}), graph.NewTensor(tensor.Float64, []int{1, 3}, []float64{1, 1, 0})} {
		_, err := a.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 3, 2}, nil)}, []*tensor.Dense{mask}, false)
		if err == nil || !strings.Contains(err.Error(), "gap") || !strings.Contains(err.Error(), "mask") {
			t.Errorf("mask %v %v: error %v", mask.Dtype(), mask.Shape(), err)
		}
	}
	if n, _ := NewGlobalAveragePooling1D(GlobalPooling1DConfig{}); !strings.HasPrefix(n.Name(), "global_average_pooling1d_") {
		t.Errorf("default name %q", n.Name())
	}
	if n, _ := NewGlobalMaxPooling1D(GlobalPooling1DConfig{}); !strings.HasPrefix(n.Name(), "global_max_pooling1d_") {
		t.Errorf("default name %q", n.Name())
	}
}
