package layers

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// dotReference is Keras' Dot computed from its definition, index by index:
// out[b, free x indices..., free y indices...] = Σ_k x̂[..k at ax..] ŷ[..k at ay..]
// (x̂, ŷ: l2-normalized along the axes when normalize), for per-sample
// shapes sx, sy and 0-based per-sample axes ax, ay.
func dotReference(x, y []float64, batch int, sx, sy []int, ax, ay int, normalize bool) []float64 {
	// at returns the flat index of sample b, free index f (0 when the
	// input has one axis) and summed index k.
	at := func(s []int, a, b, f, k int) int {
		block := 1
		for _, n := range s {
			block *= n
		}
		switch {
		case len(s) == 1:
			return b*block + k
		case a == 0:
			return b*block + k*s[1] + f
		default:
			return b*block + f*s[1] + k
		}
	}
	free := func(s []int, a int) int {
		if len(s) == 1 {
			return 1
		}
		return s[1-a]
	}
	norm := func(v []float64, s []int, a, b, f int) float64 {
		if !normalize {
			return 1
		}
		sum := 0.0
		for k := range s[a] {
			sum += v[at(s, a, b, f, k)] * v[at(s, a, b, f, k)]
		}
		return math.Sqrt(math.Max(sum, 1e-12))
	}
	p, q := free(sx, ax), free(sy, ay)
	var out []float64
	for b := range batch {
		for i := range p {
			for j := range q {
				nx, ny := norm(x, sx, ax, b, i), norm(y, sy, ay, b, j)
				s := 0.0
				for k := range sx[ax] {
					s += x[at(sx, ax, b, i, k)] / nx * y[at(sy, ay, b, j, k)] / ny
				}
				out = append(out, s)
			}
		}
	}
	return out
}

var dotCases = []struct {
	name      string
	axes      DotAxes
	normalize bool
	sx, sy    []int
	out       []int // per sample
}{
	{"attention scores", DotAxes{2, 2}, false, []int{3, 4}, []int{5, 4}, []int{3, 5}},
	{"over the steps", DotAxes{1}, false, []int{3, 4}, []int{3, 2}, []int{4, 2}},
	{"context", DotAxes{2, 1}, false, []int{3, 5}, []int{5, 4}, []int{3, 4}},
	{"both transposed", DotAxes{1, 2}, false, []int{4, 3}, []int{2, 4}, []int{3, 2}},
	{"vectors", DotAxes{1}, false, []int{4}, []int{4}, []int{1}},
	{"vectors, axis -1", DotAxes{-1}, false, []int{4}, []int{4}, []int{1}},
	{"matrix and vector", DotAxes{2, 1}, false, []int{3, 4}, []int{4}, []int{3}},
	{"vector and matrix", DotAxes{-1, 1}, false, []int{3}, []int{3, 2}, []int{2}},
	{"cosine, vectors", DotAxes{1}, true, []int{4}, []int{4}, []int{1}},
	{"cosine, attention", DotAxes{-1}, true, []int{3, 4}, []int{2, 4}, []int{3, 2}},
}

// TestDotValues checks Dot against dotReference for every axes form, in
// float64 and float32, and two hand-computed cases.
func TestDotValues(t *testing.T) {
	for _, c := range dotCases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			l, err := NewDot(DotConfig{Name: "dot", Axes: c.axes, Normalize: c.normalize})
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Build([][]int{c.sx, c.sy}, dt); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := l.OutputShapes()[0]; !equalInts(got, c.out) {
				t.Errorf("%s: output shape %v, want %v", c.name, got, c.out)
			}
			const batch = 2
			xs, ys := append([]int{batch}, c.sx...), append([]int{batch}, c.sy...)
			xv := randValues(tensor.Shape(xs).TotalSize(), 1)
			yv := randValues(tensor.Shape(ys).TotalSize(), 2)
			p, err := l.Forward([]*tensor.Dense{graph.NewTensor(dt, xs, xv), graph.NewTensor(dt, ys, yv)}, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			ax, ay := l.axes[0], l.axes[1]
			want := dotReference(graph.Float64s(graph.NewTensor(dt, xs, xv)), graph.Float64s(graph.NewTensor(dt, ys, yv)), batch, c.sx, c.sy, ax, ay, c.normalize)
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-5
			}
			if got := p.Outputs[0]; !equalInts(got.Shape(), append([]int{batch}, c.out...)) || !closeTo(graph.Float64s(got), want, tol) {
				t.Errorf("%s %v: got %v %v, want %v", c.name, dt, got.Shape(), graph.Float64s(got), want)
			}
		}
	}
	// By hand: rows (1, 2, 3), (4, 5, 6) against (1, 0, 1), (0, 1, 0).
	l, _ := NewDot(DotConfig{Axes: DotAxes{2}})
	if err := l.Build([][]int{{2, 3}, {2, 3}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	p, err := l.Forward([]*tensor.Dense{
		graph.NewTensor(tensor.Float64, []int{1, 2, 3}, []float64{1, 2, 3, 4, 5, 6}),
		graph.NewTensor(tensor.Float64, []int{1, 2, 3}, []float64{1, 0, 1, 0, 1, 0}),
	}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(p.Outputs[0]); !closeTo(got, []float64{4, 2, 10, 5}, 0) {
		t.Errorf("by hand: %v, want [4 2 10 5]", got)
	}
	// Cosine of (3, 4) and (6, 8) is 1; of (1, 0) and (0, 2) is 0.
	l, _ = NewDot(DotConfig{Axes: DotAxes{1}, Normalize: true})
	if err := l.Build([][]int{{2}, {2}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	p, err = l.Forward([]*tensor.Dense{
		graph.NewTensor(tensor.Float64, []int{2, 2}, []float64{3, 4, 1, 0}),
		graph.NewTensor(tensor.Float64, []int{2, 2}, []float64{6, 8, 0, 2}),
	}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(p.Outputs[0]); !closeTo(got, []float64{1, 0}, 1e-15) {
		t.Errorf("cosines: %v, want [1 0]", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDotGradients checks both input gradients against central finite
// differences of L = Σ out ⊙ r, for every case, normalization included
// (and a zero row, where the norm is clamped).
func TestDotGradients(t *testing.T) {
	const h, tol = 1e-6, 1e-7
	for _, c := range dotCases {
		l, err := NewDot(DotConfig{Name: "dot", Axes: c.axes, Normalize: c.normalize})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Build([][]int{c.sx, c.sy}, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		xs, ys := append([]int{2}, c.sx...), append([]int{2}, c.sy...)
		vals := [][]float64{randValues(tensor.Shape(xs).TotalSize(), 3), randValues(tensor.Shape(ys).TotalSize(), 4)}
		if c.normalize {
			clear(vals[0][:c.sx[len(c.sx)-1]]) // a zero first row of x (its last axis): the clamped norm
		}
		in := func() []*tensor.Dense {
			return []*tensor.Dense{graph.NewTensor(tensor.Float64, xs, vals[0]), graph.NewTensor(tensor.Float64, ys, vals[1])}
		}
		p, err := l.Forward(in(), nil, true)
		if err != nil {
			t.Fatal(err)
		}
		r := randValues(p.Outputs[0].Shape().TotalSize(), 5)
		grads, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, p.Outputs[0].Shape(), r)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		loss := func() float64 {
			q, err := l.Forward(in(), nil, false)
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			for i, v := range graph.Float64s(q.Outputs[0]) {
				s += v * r[i]
			}
			return s
		}
		for k := range 2 {
			g := graph.Float64s(grads[k])
			for i := range vals[k] {
				old := vals[k][i]
				vals[k][i] = old + h
				up := loss()
				vals[k][i] = old - h
				dn := loss()
				vals[k][i] = old
				fd := (up - dn) / (2 * h)
				if c.normalize && k == 0 && i < c.sx[len(c.sx)-1] {
					// At the clamped zero row the loss is not smooth
					// (|x| at 0); the gradient is the clamp's, checked
					// one-sided below.
					continue
				}
				if math.Abs(fd-g[i]) > tol*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s: d/d(input %d)[%d] = %v, finite difference %v", c.name, k, i, g[i], fd)
				}
			}
		}
		if c.normalize {
			// Inside the clamp (|x|² < 1e-12) x̂ = x / 1e-6 is linear: a
			// step of 1e-9 stays inside it.
			const hs = 1e-9
			g := graph.Float64s(grads[0])
			for i := range c.sx[len(c.sx)-1] { // the normalized cases sum over x's last axis
				base := loss()
				vals[0][i] = hs
				fd := (loss() - base) / hs
				vals[0][i] = 0
				if math.Abs(fd-g[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s: clamped row: d/dx[%d] = %v, one-sided difference %v", c.name, i, g[i], fd)
				}
			}
		}
	}
}

// TestDotMasksConfigErrors: masked inputs give an output without a mask
// (Keras 2.2.4's Dot.compute_mask); axes read from a number or a list and
// written back the same way; bad arguments and shapes are errors naming
// the layer and what is accepted.
func TestDotMasksConfigErrors(t *testing.T) {
	l, err := NewDot(DotConfig{Name: "att", Axes: DotAxes{2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Build([][]int{{graph.None, 2}, {graph.None, 2}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if got := l.OutputShapes()[0]; !equalInts(got, []int{graph.None, graph.None}) {
		t.Errorf("output shape %v, want (None, None)", got)
	}
	x := graph.NewTensor(tensor.Float64, []int{1, 3, 2}, randValues(6, 1))
	y := graph.NewTensor(tensor.Float64, []int{1, 4, 2}, randValues(8, 2))
	p, err := l.Forward([]*tensor.Dense{x, y}, []*tensor.Dense{mask(1, 3, 1, 1, 0), nil}, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Masks != nil || !equalInts(p.Outputs[0].Shape(), []int{1, 3, 4}) {
		t.Errorf("masked Dot: masks %v, output shape %v: want no mask, (1, 3, 4)", p.Masks, p.Outputs[0].Shape())
	}
	for _, c := range []struct{ json, back string }{
		{`{"name":"d","axes":-1,"normalize":true}`, `{"name":"d","axes":-1,"normalize":true}`},
		{`{"name":"d","axes":[2,1],"normalize":false}`, `{"name":"d","axes":[2,1],"normalize":false}`},
	} {
		got, err := graph.NewLayer("Dot", "d", json.RawMessage(c.json))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := got.Config()
		if string(raw) != c.back {
			t.Errorf("config %s written back as %s", c.json, raw)
		}
		configRoundTrip(t, got)
	}
	for _, c := range []struct {
		cfg  string
		in   [][]int
		want string
	}{
		{`{"axes":[1,1,1]}`, nil, "one per input"},
		{`{"axes":0}`, nil, "batch"},
		{`{"axes":"x"}`, nil, "axes"},
		{`{"axes":3}`, [][]int{{2, 3}, {2, 3}}, "want 1 to 2"},
		{`{"axes":-3}`, [][]int{{2, 3}, {2, 3}}, "want 1 to 2"},
		{`{"axes":2}`, [][]int{{2, 3}, {2, 4}}, "sizes 3 and 4"},
		{`{"axes":1}`, [][]int{{2, 3, 4}, {2, 3, 4}}, "1 or 2 axes"},
		{`{"axes":1}`, [][]int{{2}}, "at least 2"},
		{`{"axes":1}`, [][]int{{2}, {2}, {2}}, "exactly 2"},
	} {
		l, err := graph.NewLayer("Dot", "bad", json.RawMessage(c.cfg))
		if err == nil && c.in != nil {
			err = l.Build(c.in, tensor.Float64)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.in != nil && !strings.Contains(err.Error(), "bad")) {
			t.Errorf("Dot %s on %v: error %v, want one saying %q", c.cfg, c.in, err, c.want)
		}
	}
	// Forward checks what Build fixed.
	l, _ = NewDot(DotConfig{Name: "d2", Axes: DotAxes{2}})
	if err := l.Build([][]int{{3, 2}, {3, 2}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Forward([]*tensor.Dense{x, y}, nil, false); err == nil || !strings.Contains(err.Error(), "d2") {
		t.Errorf("Forward on other shapes: error %v", err)
	}
}
