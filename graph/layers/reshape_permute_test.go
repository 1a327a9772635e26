package layers

import (
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestReshape checks Reshape's output shapes (with -1 resolved, or None
// for an input with None), that the values keep their row-major order,
// its gradient, and the errors.
func TestReshape(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	for _, c := range []struct {
		target, in, out []int
		xShape, yShape  []int // a batch of the 12 values of x, and the output's shape
	}{
		{[]int{3, 2}, []int{2, 3}, []int{3, 2}, []int{2, 2, 3}, []int{2, 3, 2}},
		{[]int{-1}, []int{2, 3}, []int{6}, []int{2, 2, 3}, []int{2, 6}},
		{[]int{3, -1}, []int{2, 3}, []int{3, 2}, []int{2, 2, 3}, []int{2, 3, 2}},
		{[]int{1, -1, 3}, []int{6}, []int{1, 2, 3}, []int{2, 6}, []int{2, 1, 2, 3}},
		// As Keras' compute_output_shape: the -1 becomes None.
		{[]int{-1, 3}, []int{graph.None, 2}, []int{graph.None, 3}, []int{2, 3, 2}, []int{2, 2, 3}},
		{[]int{-1, 3}, []int{graph.None, 2}, []int{graph.None, 3}, []int{1, 6, 2}, []int{1, 4, 3}},
		{[]int{6}, []int{graph.None, 2}, []int{6}, []int{2, 3, 2}, []int{2, 6}},
	} {
		r, err := NewReshape(ReshapeConfig{TargetShape: c.target})
		if err != nil {
			t.Fatal(err)
		}
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			mustBuild(t, r, c.in, dt)
			if s := r.OutputShapes()[0]; !slices.Equal(s, c.out) {
				t.Errorf("target %v on %v: output shape %v, want %v", c.target, c.in, s, c.out)
			}
			y, err := output(r, graph.NewTensor(dt, c.xShape, x), false)
			if err != nil {
				t.Fatalf("target %v: %v", c.target, err)
			}
			if got := graph.Float64s(y); !closeTo(got, x, 0) || !slices.Equal(y.Shape(), c.yShape) || y.Dtype() != dt {
				t.Errorf("target %v %v: y = %v of shape %v, want %v of shape %v", c.target, dt, got, y.Shape(), x, c.yShape)
			}
		}
		checkGradients(t, r, c.xShape, randValues(12, 8), 1e-8)
		configRoundTrip(t, r)
	}
	// Errors, each naming the layer.
	for _, target := range [][]int{nil, {}, {-1, -1}, {0, 2}, {-2, 3}} {
		if _, err := NewReshape(ReshapeConfig{Name: "rs", TargetShape: target}); err == nil || !strings.Contains(err.Error(), "rs") || !strings.Contains(err.Error(), "target_shape") {
			t.Errorf("target_shape %v: error %v", target, err)
		}
	}
	// The last sizes multiply past the int range (a hostile file): an
	// error, not a division by a wrapped zero.
	for _, c := range []struct{ target, in []int }{{[]int{4, -1}, []int{2, 3}}, {[]int{5}, []int{2, 3}}, {[]int{7}, []int{6}}, {[]int{1 << 40, 1 << 40, -1}, []int{6}}, {[]int{1 << 40, 1 << 40}, []int{6}}} {
		r, _ := NewReshape(ReshapeConfig{Name: "rs", TargetShape: c.target})
		if err := r.Build([][]int{c.in}, tensor.Float64); err == nil || !strings.Contains(err.Error(), "rs") || !strings.Contains(err.Error(), "total size") {
			t.Errorf("target %v on %v: error %v", c.target, c.in, err)
		}
	}
	// None steps: each batch must fit.
	r, _ := NewReshape(ReshapeConfig{Name: "rs", TargetShape: []int{-1, 4}})
	mustBuild(t, r, []int{graph.None, 2}, tensor.Float64)
	y, err := output(r, graph.NewTensor(tensor.Float64, []int{1, 4, 2}, x[:8]), false)
	if err != nil || !slices.Equal(y.Shape(), []int{1, 2, 4}) {
		t.Errorf("4 steps of 2 to (-1, 4): %v, %v", y, err)
	}
	if _, err := output(r, graph.NewTensor(tensor.Float64, []int{1, 3, 2}, x[:6]), false); err == nil || !strings.Contains(err.Error(), "rs") {
		t.Errorf("3 steps of 2 to (-1, 4): error %v", err)
	}
	_, err = r.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 2}, nil)}, []*tensor.Dense{graph.NewMask(1, 2, []bool{true, false})}, false)
	if err == nil || !strings.Contains(err.Error(), "rs") || !strings.Contains(err.Error(), "masking") {
		t.Errorf("masked input: error %v", err)
	}
	if err := r.Build([][]int{{2}, {2}}, tensor.Float64); err == nil || !strings.Contains(err.Error(), "rs") {
		t.Errorf("two inputs: error %v", err)
	}
}

// permuteRef is the permutation from its definition: y[b, o1, ..., ok] =
// x[b, i1, ..., ik] with i_{dims[a]} = o_a, for per-sample shape in.
func permuteRef(x []float64, b int, in, dims []int) []float64 {
	k := len(in)
	out := make([]int, k)
	for a, d := range dims {
		out[a] = in[d-1]
	}
	n := tensor.Shape(in).TotalSize()
	y := make([]float64, 0, len(x))
	o := make([]int, k)
	for bi := 0; bi < b; bi++ {
		for e := 0; e < n; e++ {
			rem := e // o: the output multi-index of element e
			for a := k - 1; a >= 0; a-- {
				o[a] = rem % out[a]
				rem /= out[a]
			}
			i := make([]int, k)
			for a, d := range dims {
				i[d-1] = o[a]
			}
			off := 0
			for a := range k {
				off = off*in[a] + i[a]
			}
			y = append(y, x[bi*n+off])
		}
	}
	return y
}

// TestPermute checks Permute against its definition (and a transpose by
// hand), its output shapes with None, its gradient, and the errors.
func TestPermute(t *testing.T) {
	p, err := NewPermute(PermuteConfig{Name: "pm", Dims: []int{2, 1}})
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, p, []int{2, 3}, tensor.Float32)
	y, err := output(p, graph.NewTensor(tensor.Float32, []int{1, 2, 3}, []float64{1, 2, 3, 4, 5, 6}), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(y); !closeTo(got, []float64{1, 4, 2, 5, 3, 6}, 0) || !slices3(y.Shape(), 1, 3, 2) {
		t.Errorf("transpose: %v of shape %v, want [1 4 2 5 3 6] of (1, 3, 2)", got, y.Shape())
	}
	for _, c := range []struct{ dims, in, out []int }{
		{[]int{1}, []int{4}, []int{4}},
		{[]int{1, 2}, []int{3, 2}, []int{3, 2}},
		{[]int{2, 1}, []int{graph.None, 3}, []int{3, graph.None}},
		{[]int{3, 1, 2}, []int{2, 3, 4}, []int{4, 2, 3}},
		{[]int{2, 3, 1}, []int{2, 3, 4}, []int{3, 4, 2}},
		{[]int{1, 3, 2}, []int{2, graph.None, 4}, []int{2, 4, graph.None}},
	} {
		p, err := NewPermute(PermuteConfig{Dims: c.dims})
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, p, c.in, tensor.Float64)
		if s := p.OutputShapes()[0]; !slices.Equal(s, c.out) {
			t.Errorf("dims %v on %v: output shape %v, want %v", c.dims, c.in, s, c.out)
		}
		in := slices.Clone(c.in)
		for i, d := range in {
			if d == graph.None {
				in[i] = 5
			}
		}
		shape := append([]int{2}, in...)
		x := randValues(tensor.Shape(shape).TotalSize(), 9)
		y, err := output(p, graph.NewTensor(tensor.Float64, shape, x), false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := graph.Float64s(y), permuteRef(x, 2, in, c.dims); !closeTo(got, want, 0) {
			t.Errorf("dims %v on %v: y = %v, want %v", c.dims, in, got, want)
		}
		checkGradients(t, p, shape, x, 1e-8)
		configRoundTrip(t, p)
	}
	for _, dims := range [][]int{nil, {0, 1}, {1, 1}, {1, 3}, {2}} {
		if _, err := NewPermute(PermuteConfig{Name: "pm", Dims: dims}); err == nil || !strings.Contains(err.Error(), "pm") || !strings.Contains(err.Error(), "dims") {
			t.Errorf("dims %v: error %v", dims, err)
		}
	}
	for _, in := range [][][]int{{{3}}, {{2, 3, 4}}, {{2, 3}, {2, 3}}} {
		if err := p.Build(in, tensor.Float64); err == nil || !strings.Contains(err.Error(), "pm") {
			t.Errorf("input %v: error %v", in, err)
		}
	}
	mustBuild(t, p, []int{2, 3}, tensor.Float64)
	_, err = p.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 2, 3}, nil)}, []*tensor.Dense{graph.NewMask(1, 2, []bool{true, false})}, false)
	if err == nil || !strings.Contains(err.Error(), "pm") || !strings.Contains(err.Error(), "masking") {
		t.Errorf("masked input: error %v", err)
	}
	if d, _ := NewPermute(PermuteConfig{Dims: []int{1}}); !strings.HasPrefix(d.Name(), "permute_") {
		t.Errorf("default name %q", d.Name())
	}
	if d, _ := NewReshape(ReshapeConfig{TargetShape: []int{1}}); !strings.HasPrefix(d.Name(), "reshape_") {
		t.Errorf("default name %q", d.Name())
	}
}
