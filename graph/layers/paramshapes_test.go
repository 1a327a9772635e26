package layers

import (
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// TestDenseParamShapes: ParamShapes says, without building, exactly the
// weights Build creates (names and shapes), and refuses what Build
// refuses.
func TestDenseParamShapes(t *testing.T) {
	for _, c := range []struct {
		in      []int
		useBias bool
	}{{[]int{3}, true}, {[]int{graph.None, 5}, false}, {[]int{2, 4, 6}, true}} {
		cfg := DenseDefaults(7)
		cfg.Name, cfg.UseBias = "d", c.useBias
		d, err := NewDense(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var _ graph.ParamShaper = d
		shapes, err := d.ParamShapes([][]int{c.in})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Build([][]int{c.in}, tensor.Float32); err != nil {
			t.Fatal(err)
		}
		if len(shapes) != len(d.Params()) {
			t.Errorf("input %v: ParamShapes %v, Build made %d weights", c.in, shapes, len(d.Params()))
		}
		for _, p := range d.Params() {
			if !slices.Equal(shapes[p.Name], p.Value.Shape()) {
				t.Errorf("input %v: ParamShapes says %s is %v, Build made %v", c.in, p.Name, shapes[p.Name], p.Value.Shape())
			}
		}
	}
	d, _ := NewDense(DenseDefaults(2))
	for _, in := range [][][]int{{{graph.None}}, {{2}, {2}}, {{0, 3}}} {
		_, e1 := d.ParamShapes(in)
		e2 := d.Build(in, tensor.Float32)
		if e1 == nil || e2 == nil || e1.Error() != e2.Error() {
			t.Errorf("input %v: ParamShapes error %v, Build error %v: want the same", in, e1, e2)
		}
	}
}
