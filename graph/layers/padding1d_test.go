package layers

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestSteps1DLayers checks ZeroPadding1D, Cropping1D and UpSampling1D on
// hand-computed cases (Keras 2.2.4: K.temporal_padding, inputs[:, c0:-c1],
// K.repeat_elements), with fixed and None steps, in float32 and float64,
// their output shapes, the registry round trip of their configs, and
// their gradients against finite differences.
func TestSteps1DLayers(t *testing.T) {
	// x: batch 2, steps 3, features 2.
	x := []float64{1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6}
	for _, c := range []struct {
		name, class, json string
		steps             int // the output's steps
		want              []float64
	}{
		{"pad 1", "ZeroPadding1D", `{}`, 5, []float64{0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, -1, -2, -3, -4, -5, -6, 0, 0}},
		{"pad (2, 0)", "ZeroPadding1D", `{"padding": [2, 0]}`, 5, []float64{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, -1, -2, -3, -4, -5, -6}},
		{"pad 0", "ZeroPadding1D", `{"padding": 0}`, 3, x},
		{"crop (1, 1)", "Cropping1D", `{}`, 1, []float64{3, 4, -3, -4}},
		{"crop (0, 1)", "Cropping1D", `{"cropping": [0, 1]}`, 2, []float64{1, 2, 3, 4, -1, -2, -3, -4}},
		{"crop 0", "Cropping1D", `{"cropping": 0}`, 3, x},
		{"upsample 2", "UpSampling1D", `{}`, 6, []float64{1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6, -1, -2, -1, -2, -3, -4, -3, -4, -5, -6, -5, -6}},
		{"upsample 1", "UpSampling1D", `{"size": 1}`, 3, x},
	} {
		for _, steps := range []int{3, graph.None} {
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				l, err := graph.NewLayer(c.class, "s1", json.RawMessage(c.json))
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				mustBuild(t, l, []int{steps, 2}, dt)
				wantShape := []int{c.steps, 2}
				if steps == graph.None {
					wantShape[0] = graph.None
				}
				if s := l.OutputShapes(); len(s) != 1 || !slices.Equal(s[0], wantShape) {
					t.Errorf("%s: output shapes %v, want %v", c.name, s, wantShape)
				}
				y, err := output(l, graph.NewTensor(dt, []int{2, 3, 2}, x), true)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if !slices.Equal(graph.Float64s(y), c.want) || !slices.Equal([]int(y.Shape()), []int{2, c.steps, 2}) || y.Dtype() != dt {
					t.Errorf("%s %v: y %v of %v, want %v", c.name, dt, graph.Float64s(y), y.Shape(), c.want)
				}
				if dt == tensor.Float64 && steps == 3 {
					configRoundTrip(t, l)
					checkGradients(t, l, []int{2, 3, 2}, slices.Clone(x), 1e-6)
				}
			}
		}
	}
	// With None steps, a longer sequence: (1, 1) cropping of 5 steps.
	l := must(NewCropping1D(Cropping1DConfig{Cropping: Pair{1, 1}}))
	mustBuild(t, l, []int{graph.None, 1}, tensor.Float64)
	y, err := output(l, graph.NewTensor(tensor.Float64, []int{1, 5, 1}, []float64{1, 2, 3, 4, 5}), false)
	if err != nil || !slices.Equal(graph.Float64s(y), []float64{2, 3, 4}) {
		t.Errorf("cropping of 5 steps: %v %v", y, err)
	}
	if s := l.FreeShape([]int{5, 1}); !slices.Equal(s, []int{graph.None, 1}) {
		t.Errorf("FreeShape %v", s)
	}
}

// TestSteps1DLayersErrors checks bad arguments, inputs and masks (none of
// the three supports masking in Keras 2.2.4): each error names the layer.
func TestSteps1DLayersErrors(t *testing.T) {
	for _, c := range []struct {
		name, class, json string
		in                []int
		want              string
	}{
		{"negative padding", "ZeroPadding1D", `{"padding": [-1, 0]}`, nil, "padding"},
		{"padding of three", "ZeroPadding1D", `{"padding": [1, 1, 1]}`, nil, "list of two"},
		{"padding text", "ZeroPadding1D", `{"padding": "same"}`, nil, "whole number"},
		{"negative cropping", "Cropping1D", `{"cropping": -1}`, nil, "cropping"},
		{"cropping all", "Cropping1D", `{"cropping": [2, 1]}`, []int{3, 2}, "leaves none"},
		{"size 0", "UpSampling1D", `{"size": 0}`, nil, "size"},
		{"size fraction", "UpSampling1D", `{"size": 1.5}`, nil, "size"},
		{"2-D input", "ZeroPadding1D", `{}`, []int{4}, "(batch, steps, features)"},
		{"4-D input", "UpSampling1D", `{}`, []int{4, 2, 2}, "(batch, steps, features)"},
	} {
		l, err := graph.NewLayer(c.class, "sx", json.RawMessage(c.json))
		if err == nil && c.in != nil {
			err = l.Build([][]int{c.in}, tensor.Float64)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.class) {
			t.Errorf("%s: error %v, want one naming %s and %q", c.name, err, c.class, c.want)
		}
	}
	// Too few steps for the cropping, found at Forward with None steps.
	l := must(NewCropping1D(Cropping1DConfig{Name: "crop", Cropping: Pair{1, 1}}))
	mustBuild(t, l, []int{graph.None, 1}, tensor.Float64)
	if _, err := output(l, graph.NewTensor(tensor.Float64, []int{1, 2, 1}, nil), false); err == nil || !strings.Contains(err.Error(), "crop") {
		t.Errorf("cropping of 2 steps: error %v", err)
	}
	// A mask is refused, as by Keras 2.2.4's compute_mask without
	// supports_masking.
	mask := graph.NewMask(1, 3, []bool{true, true, false})
	for _, l := range []graph.Layer{
		must(NewZeroPadding1D(ZeroPadding1DConfig{Name: "zp"})),
		must(NewCropping1D(Cropping1DConfig{Name: "cr"})),
		must(NewUpSampling1D(UpSampling1DConfig{Name: "up", Size: 2})),
	} {
		mustBuild(t, l, []int{3, 1}, tensor.Float64)
		_, err := l.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 3, 1}, nil)}, []*tensor.Dense{mask}, false)
		if err == nil || !strings.Contains(err.Error(), l.Name()) || !strings.Contains(err.Error(), "masking") {
			t.Errorf("%s with a mask: error %v", l.Type(), err)
		}
		if _, err := output(l, graph.NewTensor(tensor.Float64, []int{1, 3, 2}, nil), false); err == nil {
			t.Errorf("%s: input of 2 features for 1: no error", l.Type())
		}
	}
}
