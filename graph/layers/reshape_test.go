package layers

import (
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

func TestRepeatVector(t *testing.T) {
	r, err := NewRepeatVector(RepeatVectorConfig{N: 3})
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, r, []int{2}, tensor.Float32)
	if s := r.OutputShapes()[0]; len(s) != 2 || s[0] != 3 || s[1] != 2 {
		t.Errorf("output shape %v, want (3, 2)", s)
	}
	y, err := output(r, graph.NewTensor(tensor.Float32, []int{2, 2}, []float64{1, 2, 3, 4}), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}
	if got := graph.Float64s(y); !closeTo(got, want, 0) || !slices3(y.Shape(), 2, 3, 2) {
		t.Errorf("y = %v of shape %v, want %v of (2, 3, 2)", got, y.Shape(), want)
	}
	mustBuild(t, r, []int{4}, tensor.Float64)
	checkGradients(t, r, []int{2, 4}, randValues(8, 1), 1e-8)

	if _, err := NewRepeatVector(RepeatVectorConfig{Name: "rv", N: 0}); err == nil || !strings.Contains(err.Error(), "rv") {
		t.Errorf("n 0: error %v", err)
	}
	if err := r.Build([][]int{{3, 4}}, tensor.Float64); err == nil {
		t.Error("3-D input: no error")
	}
	mustBuild(t, r, []int{4}, tensor.Float64)
	_, err = r.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 4}, nil)}, []*tensor.Dense{graph.NewMask(1, 4, make([]bool, 4))}, false)
	if err == nil || !strings.Contains(err.Error(), "masking") {
		t.Errorf("masked input: error %v", err)
	}
	configRoundTrip(t, r)
}

func TestFlatten(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for _, c := range []struct {
		format string
		want   []float64
	}{
		{"", x},
		// channels_first (2 channels, 3 steps): order (steps, channels).
		{"channels_first", []float64{1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}},
	} {
		f, err := NewFlatten(FlattenConfig{DataFormat: c.format})
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, f, []int{2, 3}, tensor.Float64)
		if s := f.OutputShapes()[0]; len(s) != 1 || s[0] != 6 {
			t.Errorf("output shape %v, want (6)", s)
		}
		y, err := output(f, graph.NewTensor(tensor.Float64, []int{2, 2, 3}, x), false)
		if err != nil {
			t.Fatal(err)
		}
		if got := graph.Float64s(y); !closeTo(got, c.want, 0) || len(y.Shape()) != 2 || y.Shape()[1] != 6 {
			t.Errorf("%q: y = %v of shape %v, want %v", c.format, got, y.Shape(), c.want)
		}
		mustBuild(t, f, []int{3, 2, 2}, tensor.Float64)
		checkGradients(t, f, []int{2, 3, 2, 2}, randValues(24, 2), 1e-8)
		configRoundTrip(t, f)
	}
	f, _ := NewFlatten(FlattenConfig{Name: "fl"})
	if err := f.Build([][]int{{graph.None, 3}}, tensor.Float64); err == nil || !strings.Contains(err.Error(), "not fully defined") {
		t.Errorf("None steps: error %v", err)
	}
	if _, err := NewFlatten(FlattenConfig{DataFormat: "nchw"}); err == nil || !strings.Contains(err.Error(), "data_format") {
		t.Errorf("bad data format: error %v", err)
	}
	mustBuild(t, f, []int{2, 3}, tensor.Float64)
	_, err := f.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 3}, nil)}, []*tensor.Dense{graph.NewMask(1, 2, []bool{true, false})}, false)
	if err == nil || !strings.Contains(err.Error(), "fl") {
		t.Errorf("masked input: error %v", err)
	}
}

func TestMaxPooling1D(t *testing.T) {
	x := []float64{1, 3, 2, 5, 4}
	for _, c := range []struct {
		size, strides int
		padding       string
		want          []float64
	}{
		{2, 0, "valid", []float64{3, 5}},
		// out 3, pad 1 on the right: windows (1,3) (2,5) (4)
		{2, 0, "same", []float64{3, 5, 4}},
		// out 5, pad 2, 1 left: windows (1,3) (1,3,2) (3,2,5) (2,5,4) (5,4)
		{3, 1, "same", []float64{3, 3, 5, 5, 5}},
		{3, 2, "valid", []float64{3, 5}},
	} {
		m, err := NewMaxPooling1D(MaxPooling1DConfig{PoolSize: c.size, Strides: c.strides, Padding: c.padding})
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, m, []int{graph.None, 1}, tensor.Float32)
		y, err := output(m, graph.NewTensor(tensor.Float32, []int{1, 5, 1}, x), false)
		if err != nil {
			t.Fatal(err)
		}
		if got := graph.Float64s(y); !closeTo(got, c.want, 0) {
			t.Errorf("pool %d strides %d %s: y = %v, want %v", c.size, c.strides, c.padding, got, c.want)
		}
		mustBuild(t, m, []int{7, 3}, tensor.Float64)
		checkGradients(t, m, []int{2, 7, 3}, randValues(42, 6), 1e-8)
		configRoundTrip(t, m)
	}
	m, _ := NewMaxPooling1D(MaxPooling1DConfig{})
	if m.cfg.PoolSize != 2 || m.cfg.Strides != 2 || m.cfg.Padding != "valid" {
		t.Errorf("defaults %+v: want pool_size 2, strides = pool_size, valid", m.cfg)
	}
	// Ties: the gradient goes to the first maximum only.
	mustBuild(t, m, []int{4, 1}, tensor.Float64)
	p, _ := forward(m, graph.NewTensor(tensor.Float64, []int{1, 4, 1}, []float64{2, 2, 1, 1}), true)
	g, _ := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 1}, []float64{1, 1})}, nil)
	if got := graph.Float64s(g[0]); !closeTo(got, []float64{1, 0, 1, 0}, 0) {
		t.Errorf("tie gradient %v, want [1 0 1 0]", got)
	}
	for _, bad := range []MaxPooling1DConfig{{PoolSize: -1}, {Padding: "causal"}, {DataFormat: "channels_first"}} {
		if _, err := NewMaxPooling1D(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if err := m.Build([][]int{{1, 3}}, tensor.Float64); err == nil {
		t.Error("1 step for a valid window of 2: no error")
	}
}
