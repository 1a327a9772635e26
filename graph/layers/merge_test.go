package layers

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// newMergeLayer returns the merge layer of a Keras class name.
func newMergeLayer(t *testing.T, class string, axis int) graph.Layer {
	t.Helper()
	cfg, _ := json.Marshal(ConcatenateConfig{Axis: axis})
	if class != "Concatenate" {
		cfg = json.RawMessage(`{}`)
	}
	l, err := graph.NewLayer(class, strings.ToLower(class), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// batchShapes returns per-sample shapes with the batch put first.
func withBatch(batch int, shapes [][]int) [][]int {
	out := make([][]int, len(shapes))
	for i, s := range shapes {
		out[i] = append([]int{batch}, s...)
	}
	return out
}

// broadcastIndex maps a flat index of the batch shape out to the flat
// index of an input of batch shape in: axes of size 1 after the batch make
// up the rank (Keras' expand_dims at axis 1), sizes 1 are repeated.
func broadcastIndex(flat int, out, in []int) int {
	if len(in) < len(out) {
		in = append(append([]int{in[0]}, ones(len(out)-len(in))...), in[1:]...)
	}
	idx := make([]int, len(out))
	for k := len(out) - 1; k >= 0; k-- {
		idx[k] = flat % out[k]
		flat /= out[k]
	}
	off, stride := 0, 1
	for k := len(in) - 1; k >= 0; k-- {
		i := idx[k+len(out)-len(in)]
		if in[k] == 1 {
			i = 0
		}
		off += i * stride
		stride *= in[k]
	}
	return off
}

// reference computes an element-wise merge in plain Go.
func reference(class string, vals [][]float64, shapes [][]int, out []int) []float64 {
	n := 1
	for _, d := range out {
		n *= d
	}
	y := make([]float64, n)
	for f := range y {
		xs := make([]float64, len(vals))
		for i := range vals {
			xs[i] = vals[i][broadcastIndex(f, out, shapes[i])]
		}
		v := xs[0]
		for _, x := range xs[1:] {
			switch class {
			case "Add", "Average":
				v += x
			case "Subtract":
				v -= x
			case "Multiply":
				v *= x
			case "Maximum":
				v = math.Max(v, x)
			case "Minimum":
				v = math.Min(v, x)
			}
		}
		if class == "Average" {
			v /= float64(len(xs))
		}
		y[f] = v
	}
	return y
}

var mergeCases = []struct {
	name   string
	shapes [][]int // per sample
	out    []int
}{
	{"same shapes", [][]int{{3, 4}, {3, 4}, {3, 4}}, []int{3, 4}},
	{"broadcast size 1", [][]int{{3, 4}, {1, 4}, {3, 1}}, []int{3, 4}},
	{"broadcast rank", [][]int{{3, 4}, {4}}, []int{3, 4}},
	{"vectors", [][]int{{5}, {5}}, []int{5}},
}

// TestMergeValues: each element-wise merge equals the plain Go formula,
// broadcasting included, in float64 and float32, and Build gives the
// broadcast output shape.
func TestMergeValues(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-15
		if dt == tensor.Float32 {
			tol = 1e-6
		}
		for _, class := range mergeClasses {
			for _, c := range mergeCases {
				shapes := c.shapes
				if class == "Subtract" {
					shapes = shapes[:2]
				}
				l := newMergeLayer(t, class, 0)
				if err := l.Build(shapes, dt); err != nil {
					t.Fatalf("%s %s: %v", class, c.name, err)
				}
				if got := l.OutputShapes()[0]; graph.FormatShape(got) != graph.FormatShape(c.out) {
					t.Errorf("%s %s: output shape %v, want %v", class, c.name, got, c.out)
				}
				var in []*tensor.Dense
				var vals [][]float64
				for i, s := range withBatch(2, shapes) {
					n := 1
					for _, d := range s {
						n *= d
					}
					v := randValues(n, uint64(10*i+1))
					vals = append(vals, graph.Float64s(graph.NewTensor(dt, s, v))) // rounded to dt
					in = append(in, graph.NewTensor(dt, s, v))
				}
				p, err := l.Forward(in, nil, false)
				if err != nil {
					t.Fatalf("%s %s: %v", class, c.name, err)
				}
				out := append([]int{2}, c.out...)
				if !p.Outputs[0].Shape().Eq(tensor.Shape(out)) || p.Masks != nil || p.Backward != nil {
					t.Fatalf("%s %s: output %v, masks %v, backward %v", class, c.name, p.Outputs[0].Shape(), p.Masks, p.Backward != nil)
				}
				want := reference(class, vals, withBatch(2, shapes), out)
				for i, g := range graph.Float64s(p.Outputs[0]) {
					if math.Abs(g-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
						t.Fatalf("%v %s %s: y[%d] = %v, want %v", dt, class, c.name, i, g, want[i])
					}
				}
			}
		}
	}
}

// TestConcatenateValues: Concatenate along the last, the first and a
// middle axis puts each input's values in place.
func TestConcatenateValues(t *testing.T) {
	a := graph.NewTensor(tensor.Float64, []int{2, 2, 3}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	b := graph.NewTensor(tensor.Float64, []int{2, 2, 1}, []float64{-1, -2, -3, -4})
	c := graph.NewTensor(tensor.Float64, []int{2, 1, 3}, []float64{-1, -2, -3, -4, -5, -6})
	cases := []struct {
		axis   int
		in     []*tensor.Dense
		shape  []int
		values []float64
	}{
		{-1, []*tensor.Dense{a, b}, []int{2, 2, 4}, []float64{1, 2, 3, -1, 4, 5, 6, -2, 7, 8, 9, -3, 10, 11, 12, -4}},
		{2, []*tensor.Dense{b, a}, []int{2, 2, 4}, []float64{-1, 1, 2, 3, -2, 4, 5, 6, -3, 7, 8, 9, -4, 10, 11, 12}},
		{1, []*tensor.Dense{a, c}, []int{2, 3, 3}, []float64{1, 2, 3, 4, 5, 6, -1, -2, -3, 7, 8, 9, 10, 11, 12, -4, -5, -6}},
		{-2, []*tensor.Dense{c, a, c}, []int{2, 4, 3}, []float64{-1, -2, -3, 1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6, 7, 8, 9, 10, 11, 12, -4, -5, -6}},
	}
	for _, tc := range cases {
		l := newMergeLayer(t, "Concatenate", tc.axis)
		var shapes [][]int
		for _, x := range tc.in {
			shapes = append(shapes, []int(x.Shape()[1:]))
		}
		if err := l.Build(shapes, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		if got := l.OutputShapes()[0]; graph.FormatShape(got) != graph.FormatShape(tc.shape[1:]) {
			t.Errorf("axis %d: output shape %v, want %v", tc.axis, got, tc.shape[1:])
		}
		p, err := l.Forward(tc.in, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Outputs[0].Shape().Eq(tensor.Shape(tc.shape)) {
			t.Fatalf("axis %d: shape %v, want %v", tc.axis, p.Outputs[0].Shape(), tc.shape)
		}
		for i, g := range graph.Float64s(p.Outputs[0]) {
			if g != tc.values[i] {
				t.Fatalf("axis %d: %v, want %v", tc.axis, graph.Float64s(p.Outputs[0]), tc.values)
			}
		}
	}
}

// TestMergeGradients: the input gradients of every merge layer (broadcast
// inputs included, whose gradient sums over the repeated axes) match
// central finite differences of L = Σ y ⊙ w for a random w.
func TestMergeGradients(t *testing.T) {
	type gcase struct {
		class  string
		axis   int
		shapes [][]int
	}
	var cases []gcase
	for _, class := range mergeClasses {
		for _, c := range mergeCases {
			s := c.shapes
			if class == "Subtract" {
				s = s[:2]
			}
			cases = append(cases, gcase{class, 0, s})
		}
	}
	cases = append(cases,
		gcase{"Concatenate", -1, [][]int{{3, 2}, {3, 4}, {3, 1}}},
		gcase{"Concatenate", 1, [][]int{{2, 4}, {3, 4}}},
		gcase{"Concatenate", 2, [][]int{{2, 2, 3}, {2, 1, 3}}},
	)
	const h, tol = 1e-6, 1e-8
	for _, c := range cases {
		l := newMergeLayer(t, c.class, c.axis)
		if err := l.Build(c.shapes, tensor.Float64); err != nil {
			t.Fatalf("%s %v: %v", c.class, c.shapes, err)
		}
		var in []*tensor.Dense
		for i, s := range withBatch(2, c.shapes) {
			n := 1
			for _, d := range s {
				n *= d
			}
			v := randValues(n, uint64(7*i+3))
			if c.class == "Maximum" || c.class == "Minimum" {
				for j := range v { // keep the inputs apart: no ties within h
					v[j] += float64(i) * 0.01 * float64(j%3)
				}
			}
			in = append(in, graph.NewTensor(tensor.Float64, s, v))
		}
		p, err := l.Forward(in, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		y := p.Outputs[0]
		w := graph.NewTensor(tensor.Float64, y.Shape(), randValues(y.Shape().TotalSize(), 99))
		dx, err := p.Backward([]*tensor.Dense{w}, nil)
		if err != nil {
			t.Fatal(err)
		}
		lossAt := func() float64 {
			q, err := l.Forward(in, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			wv := graph.Float64s(w)
			for i, v := range graph.Float64s(q.Outputs[0]) {
				s += v * wv[i]
			}
			return s
		}
		for i, x := range in {
			if !dx[i].Shape().Eq(x.Shape()) {
				t.Fatalf("%s %v: gradient %d of shape %v for an input of %v", c.class, c.shapes, i, dx[i].Shape(), x.Shape())
			}
			xv, g := x.Data().([]float64), graph.Float64s(dx[i])
			for j := range xv {
				old := xv[j]
				xv[j] = old + h
				up := lossAt()
				xv[j] = old - h
				dn := lossAt()
				xv[j] = old
				if fd := (up - dn) / (2 * h); math.Abs(fd-g[j]) > tol*math.Max(1, math.Abs(fd)) {
					t.Fatalf("%s axis %d %v: dL/dx%d[%d] = %v, finite difference %v", c.class, c.axis, c.shapes, i, j, g[j], fd)
				}
			}
		}
		// A nil output gradient gives zeros of each input's shape.
		p2, _ := l.Forward(in, nil, true)
		z, err := p2.Backward([]*tensor.Dense{nil}, nil)
		if err != nil || len(z) != len(in) || !z[0].Shape().Eq(in[0].Shape()) {
			t.Errorf("%s: nil output gradient: %v, %v", c.class, z, err)
		}
	}
}

func mask(batch, steps int, keep ...int) *tensor.Dense {
	b := make([]bool, len(keep))
	for i, k := range keep {
		b[i] = k != 0
	}
	return graph.NewMask(batch, steps, b)
}

// TestMergeMasks: an element-wise merge's mask is the AND of the inputs'
// masks (Keras' _Merge.compute_mask); Concatenate's is their AND along a
// feature axis and their concatenation along the timesteps, an input
// without a mask counting as all true (Concatenate.compute_mask); without
// masks there is none.
func TestMergeMasks(t *testing.T) {
	x := graph.NewTensor(tensor.Float64, []int{2, 3, 2}, randValues(12, 1))
	x2 := graph.NewTensor(tensor.Float64, []int{2, 2, 2}, randValues(8, 2))
	m1 := mask(2, 3, 1, 1, 0, 1, 0, 0)
	m2 := mask(2, 3, 1, 0, 0, 1, 1, 0)
	m3 := mask(2, 2, 0, 1, 1, 1)
	cases := []struct {
		class string
		axis  int
		in    []*tensor.Dense
		masks []*tensor.Dense
		want  *tensor.Dense
	}{
		{"Add", 0, []*tensor.Dense{x, x, x}, []*tensor.Dense{m1, nil, m2}, mask(2, 3, 1, 0, 0, 1, 0, 0)},
		{"Multiply", 0, []*tensor.Dense{x, x}, []*tensor.Dense{nil, m2}, m2},
		{"Average", 0, []*tensor.Dense{x, x}, nil, nil},
		{"Maximum", 0, []*tensor.Dense{x, x}, []*tensor.Dense{nil, nil}, nil},
		{"Concatenate", -1, []*tensor.Dense{x, x}, []*tensor.Dense{m1, m2}, mask(2, 3, 1, 0, 0, 1, 0, 0)},
		{"Concatenate", -1, []*tensor.Dense{x, x}, []*tensor.Dense{nil, m2}, m2},
		{"Concatenate", 1, []*tensor.Dense{x, x2}, []*tensor.Dense{m1, m3}, mask(2, 5, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1)},
		{"Concatenate", 1, []*tensor.Dense{x, x2}, []*tensor.Dense{nil, m3}, mask(2, 5, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1)},
		{"Concatenate", 1, []*tensor.Dense{x, x2}, nil, nil},
	}
	for i, c := range cases {
		l := newMergeLayer(t, c.class, c.axis)
		var shapes [][]int
		for _, v := range c.in {
			shapes = append(shapes, []int(v.Shape()[1:]))
		}
		if err := l.Build(shapes, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		p, err := l.Forward(c.in, c.masks, false)
		if err != nil {
			t.Fatalf("case %d (%s): %v", i, c.class, err)
		}
		if c.want == nil {
			if p.Masks != nil {
				t.Errorf("case %d (%s): mask %v, want none", i, c.class, p.Masks)
			}
			continue
		}
		if len(p.Masks) != 1 || !p.Masks[0].Shape().Eq(c.want.Shape()) {
			t.Fatalf("case %d (%s): masks %v, want %v", i, c.class, p.Masks, c.want)
		}
		got, _ := graph.MaskValues(p.Masks[0])
		want, _ := graph.MaskValues(c.want)
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("case %d (%s): mask %v, want %v", i, c.class, got, want)
			}
		}
	}
}

// TestMergeErrors: bad arguments, shapes and masks give errors that name
// the layer and what is wrong.
func TestMergeErrors(t *testing.T) {
	builds := []struct {
		class  string
		axis   int
		shapes [][]int
		want   string
	}{
		{"Add", 0, [][]int{{3}}, "add: 1 inputs: a merge layer takes a list of at least 2"},
		{"Subtract", 0, [][]int{{3}, {3}, {3}}, "Subtract subtract: 3 inputs: want exactly 2"},
		{"Multiply", 0, [][]int{{3, 4}, {3, 5}}, "inputs of shapes (None, 3, 4), (None, 3, 5) do not broadcast together: axis 2 has sizes 4 and 5"},
		{"Average", 0, [][]int{{3}, {}}, "input 1 has no axes besides the batch"},
		{"Maximum", 0, [][]int{{3}, {0}}, "want sizes of 1 or more"},
		{"Concatenate", -1, [][]int{{3, 4}, {4}}, "input 1 has 2 axes, input 0 3: want one rank"},
		{"Concatenate", -1, [][]int{{3, 4}, {2, 4}}, "sizes differ on axis 1 (3 and 2)"},
		{"Concatenate", 3, [][]int{{3, 4}, {3, 4}}, "axis 3 for inputs of 3 axes (batch included): want 1 to 2, or -1 to -2"},
		{"Concatenate", -3, [][]int{{3, 4}, {3, 4}}, "axis -3"},
	}
	for _, c := range builds {
		err := newMergeLayer(t, c.class, c.axis).Build(c.shapes, tensor.Float64)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want one containing %q", c.class, c.shapes, err, c.want)
		}
	}
	if err := NewAdd(MergeConfig{}).Build([][]int{{2}, {2}}, tensor.Int); err == nil {
		t.Error("dtype int: no error")
	}
	if _, err := NewConcatenate(ConcatenateConfig{Axis: 0}); err == nil || !strings.Contains(err.Error(), "batch axis cannot be concatenated") {
		t.Errorf("axis 0: %v", err)
	}
	a := NewAdd(MergeConfig{Name: "sum"})
	x := graph.NewTensor(tensor.Float64, []int{2, 3, 2}, nil)
	if _, err := a.Forward([]*tensor.Dense{x, x}, nil, false); err == nil || !strings.Contains(err.Error(), "Add sum: Forward before Build") {
		t.Errorf("Forward before Build: %v", err)
	}
	if err := a.Build([][]int{{graph.None, 2}, {graph.None, 2}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	forwards := []struct {
		in    []*tensor.Dense
		masks []*tensor.Dense
		want  string
	}{
		{[]*tensor.Dense{x}, nil, "1 inputs: built for 2"},
		{[]*tensor.Dense{x, graph.NewTensor(tensor.Float64, []int{2, 3, 3}, nil)}, nil, "input 1, float64 of shape [2 3 3]: want float64 of shape (None, None, 2)"},
		{[]*tensor.Dense{x, graph.NewTensor(tensor.Float64, []int{3, 3, 2}, nil)}, nil, "input 1 has 3 samples, input 0 2"},
		{[]*tensor.Dense{x, graph.NewTensor(tensor.Float32, []int{2, 3, 2}, nil)}, nil, "input 1, float32"},
		{[]*tensor.Dense{x, x}, []*tensor.Dense{mask(2, 2, 1, 1, 1, 1)}, "mask 0 of shape [2 2] for an input of shape [2 3 2]: want (batch, timesteps)"},
		{[]*tensor.Dense{x, x}, []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 3}, nil)}, "mask 0: graph: mask of dtype float64"},
		{[]*tensor.Dense{x, x}, []*tensor.Dense{nil, nil, nil}, "3 masks for 2 inputs"},
		{[]*tensor.Dense{x, graph.NewTensor(tensor.Float64, []int{2, 4, 2}, nil)}, nil, "inputs of shapes (None, 3, 2), (None, 4, 2) do not broadcast together: axis 1 has sizes 3 and 4"},
	}
	for _, c := range forwards {
		_, err := a.Forward(c.in, c.masks, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Forward: error %v, want one containing %q", err, c.want)
		}
	}
	cat, _ := NewConcatenate(ConcatenateConfig{Name: "cat", Axis: -1})
	if err := cat.Build([][]int{{graph.None, 2}, {graph.None, 3}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.Forward([]*tensor.Dense{x, graph.NewTensor(tensor.Float64, []int{2, 4, 3}, nil)}, nil, false); err == nil ||
		!strings.Contains(err.Error(), "Concatenate cat: inputs of shapes [2 3 2] and [2 4 3]: sizes differ on axis 1") {
		t.Errorf("Concatenate of other timesteps: %v", err)
	}
	p, _ := a.Forward([]*tensor.Dense{x, x}, nil, true)
	if _, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 3, 3}, nil)}, nil); err == nil || !strings.Contains(err.Error(), "output gradient float64 of shape [2 3 3]: want float64 of shape [2 3 2]") {
		t.Errorf("Backward of the wrong shape: %v", err)
	}
}

// TestMergeShapesAndConfig: graph.None in the shapes, Keras' default names,
// and the registry rebuilding each layer from its Config (a Keras
// get_config with "trainable" is read too).
func TestMergeShapesAndConfig(t *testing.T) {
	shapes := []struct {
		class string
		axis  int
		in    [][]int
		want  []int
	}{
		{"Add", 0, [][]int{{graph.None, 4}, {graph.None, 4}}, []int{graph.None, 4}},
		{"Add", 0, [][]int{{graph.None, 4}, {5, 1}}, []int{5, 4}},
		{"Add", 0, [][]int{{graph.None, 4}, {1, 4}}, []int{graph.None, 4}},
		{"Concatenate", -1, [][]int{{graph.None, 4}, {6, 2}}, []int{6, 6}},
		{"Concatenate", 1, [][]int{{graph.None, 4}, {6, 4}}, []int{graph.None, 4}},
		{"Concatenate", 1, [][]int{{3, 4}, {6, 4}}, []int{9, 4}},
	}
	for _, c := range shapes {
		l := newMergeLayer(t, c.class, c.axis)
		if err := l.Build(c.in, tensor.Float32); err != nil {
			t.Fatal(err)
		}
		if got := l.OutputShapes()[0]; graph.FormatShape(got) != graph.FormatShape(c.want) {
			t.Errorf("%s axis %d of %v: output %v, want %v", c.class, c.axis, c.in, got, c.want)
		}
	}
	if n := NewMultiply(MergeConfig{}).Name(); !strings.HasPrefix(n, "multiply_") {
		t.Errorf("default name %q", n)
	}
	c, _ := NewConcatenate(ConcatenateConfig{Axis: -1})
	if !strings.HasPrefix(c.Name(), "concatenate_") {
		t.Errorf("default name %q", c.Name())
	}
	for _, class := range append(mergeClasses[:], "Concatenate") {
		l := newMergeLayer(t, class, 2)
		cfg, err := l.Config()
		if err != nil {
			t.Fatal(err)
		}
		r, err := graph.NewLayer(l.Type(), l.Name(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg2, _ := r.Config()
		if r.Type() != class || r.Name() != l.Name() || string(cfg) != string(cfg2) {
			t.Errorf("%s: rebuilt as %s %s %s from %s", class, r.Type(), r.Name(), cfg2, cfg)
		}
	}
	k, err := graph.NewLayer("Concatenate", "concatenate_1", json.RawMessage(`{"name": "concatenate_1", "trainable": true, "axis": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _ := k.Config(); string(cfg) != `{"name":"concatenate_1","axis":1}` {
		t.Errorf("Keras config read as %s", cfg)
	}
	k, _ = graph.NewLayer("Concatenate", "c", json.RawMessage(`{}`))
	if cfg, _ := k.Config(); !strings.Contains(string(cfg), `"axis":-1`) {
		t.Errorf("Concatenate without axis: %s, want Keras' default -1", cfg)
	}
}
