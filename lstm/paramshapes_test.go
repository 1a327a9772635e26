package lstm

import (
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// TestParamShapes: ParamShapes says, without building, exactly the weights
// Build creates (names and shapes, with and without bias, with initial
// state inputs), and refuses what Build refuses with the same error.
func TestParamShapes(t *testing.T) {
	for _, c := range []struct {
		in      [][]int
		useBias bool
	}{
		{[][]int{{graph.None, 3}}, true},
		{[][]int{{7, 2}}, false},
		{[][]int{{graph.None, 4}, {5}, {5}}, true},
	} {
		cfg := Default(5)
		cfg.Name, cfg.UseBias = "l", c.useBias
		l := mustNew(t, cfg)
		shapes, err := l.ParamShapes(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Build(c.in, tensor.Float32); err != nil {
			t.Fatal(err)
		}
		if len(shapes) != len(l.Params()) {
			t.Errorf("%v: ParamShapes %v, Build made %d weights", c.in, shapes, len(l.Params()))
		}
		for _, p := range l.Params() {
			if !slices.Equal(shapes[p.Name], p.Value.Shape()) {
				t.Errorf("%v: ParamShapes says %s is %v, Build made %v", c.in, p.Name, shapes[p.Name], p.Value.Shape())
			}
		}
	}
	l := mustNew(t, Default(2))
	for _, in := range [][][]int{{{3}}, {{4, 3}, {2}}, {{4, 0}}, {{4, 3}, {3}, {2}}} {
		_, e1 := l.ParamShapes(in)
		e2 := l.Build(in, tensor.Float32)
		if e1 == nil || e2 == nil || e1.Error() != e2.Error() {
			t.Errorf("input %v: ParamShapes error %v, Build error %v: want the same", in, e1, e2)
		}
	}
}
