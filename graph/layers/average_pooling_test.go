package layers

import (
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestAveragePooling1D checks AveragePooling1D on x = 1, 3, 2, 5, 4 against
// means worked out by hand for both paddings ("same" leaves the padding out
// of the mean, as TensorFlow's avg_pool), its gradient by finite
// differences, None steps, defaults and errors.
func TestAveragePooling1D(t *testing.T) {
	x := []float64{1, 3, 2, 5, 4}
	for _, c := range []struct {
		size, strides int
		padding       string
		want          []float64
	}{
		{2, 0, "valid", []float64{2, 3.5}},
		// out 3, pad 1 on the right: windows (1,3) (2,5) (4): the last mean
		// is 4/1, not (4+0)/2.
		{2, 0, "same", []float64{2, 3.5, 4}},
		// out 5, pad 2, 1 left: windows (1,3) (1,3,2) (3,2,5) (2,5,4) (5,4)
		{3, 1, "same", []float64{2, 2, 10.0 / 3, 11.0 / 3, 4.5}},
		{3, 2, "valid", []float64{2, 11.0 / 3}},
		// out 3, pad 2, 1 left: windows (1,3) (3,2,5) (5,4)
		{3, 2, "same", []float64{2, 10.0 / 3, 4.5}},
		{1, 1, "valid", x},
		// A window far longer than the input: one mean of the 5 steps
		// (computed from the window's bounds, not position by position).
		{1 << 40, 0, "same", []float64{3}},
	} {
		a, err := NewAveragePooling1D(AveragePooling1DConfig{PoolSize: c.size, Strides: c.strides, Padding: c.padding})
		if err != nil {
			t.Fatal(err)
		}
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			mustBuild(t, a, []int{graph.None, 1}, dt)
			y, err := output(a, graph.NewTensor(dt, []int{1, 5, 1}, x), false)
			if err != nil {
				t.Fatal(err)
			}
			if got := graph.Float64s(y); !closeTo(got, c.want, 1e-6) || y.Dtype() != dt || !slices3(y.Shape(), 1, len(c.want), 1) {
				t.Errorf("pool %d strides %d %s %v: y = %v of shape %v, want %v", c.size, c.strides, c.padding, dt, got, y.Shape(), c.want)
			}
		}
		if s := a.OutputShapes()[0]; s[0] != graph.None || s[1] != 1 {
			t.Errorf("output shape %v for None steps", s)
		}
		strides := c.strides
		if strides == 0 {
			strides = c.size
		}
		mustBuild(t, a, []int{7, 3}, tensor.Float64)
		if s := a.OutputShapes()[0]; s[0] != outLen(7, c.size, strides, c.padding) || s[1] != 3 {
			t.Errorf("pool %d strides %d %s: output shape %v for 7 steps", c.size, c.strides, c.padding, s)
		}
		checkGradients(t, a, []int{2, 7, 3}, randValues(42, 7), 1e-6)
		configRoundTrip(t, a)
	}
	// The gradient spreads dy/n over each window's real steps: windows (0,1),
	// (2) of 3 steps, pool 2 same.
	a, _ := NewAveragePooling1D(AveragePooling1DConfig{Padding: "same"})
	mustBuild(t, a, []int{3, 1}, tensor.Float64)
	p, _ := forward(a, graph.NewTensor(tensor.Float64, []int{1, 3, 1}, []float64{1, 2, 3}), true)
	g, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 1}, []float64{2, 3})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(g[0]); !closeTo(got, []float64{1, 1, 3}, 0) {
		t.Errorf("gradient %v, want [1 1 3]", got)
	}
	d, _ := NewAveragePooling1D(AveragePooling1DConfig{})
	if d.cfg.PoolSize != 2 || d.cfg.Strides != 2 || d.cfg.Padding != "valid" || d.cfg.DataFormat != "channels_last" || !strings.HasPrefix(d.Name(), "average_pooling1d_") {
		t.Errorf("defaults %+v: want pool_size 2, strides = pool_size, valid, channels_last", d.cfg)
	}
	for _, c := range []struct {
		cfg  AveragePooling1DConfig
		want string
	}{
		{AveragePooling1DConfig{Name: "ap", PoolSize: -1}, "pool_size"},
		{AveragePooling1DConfig{Name: "ap", Strides: -2}, "strides"},
		{AveragePooling1DConfig{Name: "ap", Padding: "causal"}, "padding"},
		{AveragePooling1DConfig{Name: "ap", DataFormat: "channels_first"}, "channels_first"},
	} {
		if _, err := NewAveragePooling1D(c.cfg); err == nil || !strings.Contains(err.Error(), "ap") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v", c.cfg, err)
		}
	}
	ap, _ := NewAveragePooling1D(AveragePooling1DConfig{Name: "ap", PoolSize: 3})
	for _, in := range [][][]int{{{2, 3}}, {{3}}, {{4, 3}, {4, 3}}} {
		if err := ap.Build(in, tensor.Float64); err == nil || !strings.Contains(err.Error(), "ap") {
			t.Errorf("input %v: error %v", in, err)
		}
	}
	mustBuild(t, ap, []int{graph.None, 2}, tensor.Float64)
	if _, err := output(ap, graph.NewTensor(tensor.Float64, []int{1, 2, 2}, nil), false); err == nil || !strings.Contains(err.Error(), "ap") {
		t.Errorf("2 steps for a valid window of 3: error %v", err)
	}
	_, err = ap.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 4, 2}, nil)}, []*tensor.Dense{graph.NewMask(1, 4, []bool{true, true, true, false})}, false)
	if err == nil || !strings.Contains(err.Error(), "ap") || !strings.Contains(err.Error(), "masking") {
		t.Errorf("masked input: error %v", err)
	}
}

// outLen is the pooled length from its definition: ⌊(steps-size)/strides⌋+1
// for valid padding, ⌈steps/strides⌉ for same.
func outLen(steps, size, strides int, padding string) int {
	if padding == "valid" {
		return (steps-size)/strides + 1
	}
	return (steps + strides - 1) / strides
}

// TestAveragePooling1DNone checks that the pooled lengths of None steps
// follow each batch: 4 and 6 steps with pool 2.
func TestAveragePooling1DNone(t *testing.T) {
	a, _ := NewAveragePooling1D(AveragePooling1DConfig{})
	if s := a.FreeShape([]int{6, 2}); !slices.Equal(s, []int{graph.None, 2}) {
		t.Errorf("FreeShape (6, 2) = %v, want (None, 2)", s)
	}
	mustBuild(t, a, []int{graph.None, 1}, tensor.Float64)
	for _, steps := range []int{4, 6} {
		x := make([]float64, steps)
		want := make([]float64, steps/2)
		for i := range x {
			x[i] = float64(i * i)
			want[i/2] += x[i] / 2
		}
		y, err := output(a, graph.NewTensor(tensor.Float64, []int{1, steps, 1}, x), false)
		if err != nil {
			t.Fatal(err)
		}
		if got := graph.Float64s(y); !closeTo(got, want, 1e-12) || !slices.Equal(y.Shape(), []int{1, steps / 2, 1}) {
			t.Errorf("%d steps: %v of shape %v, want %v", steps, got, y.Shape(), want)
		}
	}
}
