package layers

import (
	"math"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds the helpers that several test files of the package share.

// checkGradients checks a built one-input layer's Backward against central
// finite differences of L = Σ y⊙r + activity penalty, r fixed random
// weights, for the input x (of shape xs, values xv, float64) and every
// weight, within tol.
func checkGradients(t *testing.T, l graph.Layer, xs []int, xv []float64, tol float64) {
	t.Helper()
	x := func() *tensor.Dense { return graph.NewTensor(tensor.Float64, xs, xv) }
	p, err := forward(l, x(), true)
	if err != nil {
		t.Fatal(err)
	}
	ys := []int(p.Outputs[0].Shape())
	r := graph.NewTensor(tensor.Float64, ys, randValues(tensor.Shape(ys).TotalSize(), 99))
	lossAt := func() float64 {
		p, err := forward(l, x(), false)
		if err != nil {
			t.Fatal(err)
		}
		s := p.ActivityPenalty
		for i, v := range graph.Float64s(p.Outputs[0]) {
			s += v * graph.Float64s(r)[i]
		}
		return s
	}
	for _, w := range l.Params() {
		clear(w.Grad.Data().([]float64))
	}
	gxs, err := p.Backward([]*tensor.Dense{r}, []bool{true})
	if err != nil {
		t.Fatal(err)
	}
	const h = 1e-6
	check := func(what string, vals []float64, grad []float64) {
		t.Helper()
		if len(grad) != len(vals) {
			t.Fatalf("d/d%s has %d values for %d", what, len(grad), len(vals))
		}
		for i := range vals {
			old := vals[i]
			vals[i] = old + h
			up := lossAt()
			vals[i] = old - h
			dn := lossAt()
			vals[i] = old
			if fd := (up - dn) / (2 * h); math.Abs(fd-grad[i]) > tol*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s: d/d%s[%d] = %v, finite difference %v", l.Name(), what, i, grad[i], fd)
			}
		}
	}
	check("x", xv, graph.Float64s(gxs[0]))
	for _, w := range l.Params() {
		check(w.Name, w.Value.Data().([]float64), graph.Float64s(w.Grad))
	}
}

// closeTo reports whether got and want have the same length and agree
// within tol·max(1, |want|).
func closeTo(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			return false
		}
	}
	return true
}

// mustBuild builds l for one input of per-sample shape in, in dt.
func mustBuild(t *testing.T, l graph.Layer, in []int, dt tensor.Dtype) {
	t.Helper()
	if err := l.Build([][]int{in}, dt); err != nil {
		t.Fatal(err)
	}
}

// configRoundTrip rebuilds l from its Config through the registry and
// checks that the copy's Config is the same.
func configRoundTrip(t *testing.T, l graph.Layer) graph.Layer {
	t.Helper()
	raw, err := l.Config()
	if err != nil {
		t.Fatal(err)
	}
	c, err := graph.NewLayer(l.Type(), l.Name(), raw)
	if err != nil {
		t.Fatal(err)
	}
	raw2, err := c.Config()
	if err != nil {
		t.Fatal(err)
	}
	if string(raw) != string(raw2) || c.Name() != l.Name() || c.Type() != l.Type() {
		t.Errorf("config round trip of %s: %s (%s) became %s (%s)", l.Name(), raw, l.Type(), raw2, c.Type())
	}
	return c
}
