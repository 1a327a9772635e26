package layers

import (
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestTimeDistributedDense checks TimeDistributed(Dense) against the Dense
// applied to each timestep alone, its gradients against finite
// differences, the Keras weight names and the mask pass-through.
func TestTimeDistributedDense(t *testing.T) {
	cfg := DenseDefaults(2)
	cfg.Activation, cfg.Seed = "sigmoid", 3
	cfg.BiasInitializer = graph.Spec{Name: "random_uniform"}
	cfg.ActivityRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.05}}
	inner, err := NewDense(cfg)
	if err != nil {
		t.Fatal(err)
	}
	td, err := NewTimeDistributed("td", inner)
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, td, []int{graph.None, 3}, tensor.Float64)
	if s := td.OutputShapes()[0]; len(s) != 2 || s[0] != graph.None || s[1] != 2 {
		t.Errorf("output shape %v, want (None, 2)", s)
	}
	ps := td.Params()
	if len(ps) != 2 || ps[0].Name != "td/kernel" || ps[1].Name != "td/bias" {
		t.Errorf("params %v %v: want td/kernel, td/bias", ps[0].Name, ps[1].Name)
	}
	const b, steps = 2, 4
	xv := randValues(b*steps*3, 7)
	mask := graph.NewMask(b, steps, []bool{true, true, true, false, true, true, false, false})
	p, err := td.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{b, steps, 3}, xv)}, []*tensor.Dense{mask}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Masks) != 1 || p.Masks[0] != mask {
		t.Error("mask did not pass through")
	}
	y := p.Outputs[0]
	if !slices3(y.Shape(), b, steps, 2) {
		t.Fatalf("y of shape %v", y.Shape())
	}
	ref, _ := NewDense(cfg)
	mustBuild(t, ref, []int{3}, tensor.Float64)
	graph.CopyInto(ref.kernel.Value, inner.kernel.Value)
	graph.CopyInto(ref.bias.Value, inner.bias.Value)
	pen := 0.0
	for bi := 0; bi < b; bi++ {
		for s := 0; s < steps; s++ {
			row := xv[(bi*steps+s)*3 : (bi*steps+s+1)*3]
			rp, err := forward(ref, graph.NewTensor(tensor.Float64, []int{1, 3}, row), false)
			if err != nil {
				t.Fatal(err)
			}
			pen += rp.ActivityPenalty
			got := graph.Float64s(y)[(bi*steps+s)*2 : (bi*steps+s+1)*2]
			if want := graph.Float64s(rp.Outputs[0]); !closeTo(got, want, 1e-12) {
				t.Errorf("sample %d step %d: %v, want %v", bi, s, got, want)
			}
		}
	}
	if !closeTo([]float64{p.ActivityPenalty}, []float64{pen}, 1e-12) {
		t.Errorf("activity penalty %v, want the sum over steps %v", p.ActivityPenalty, pen)
	}
	checkGradients(t, td, []int{b, steps, 3}, xv, 1e-7)

	c := configRoundTrip(t, td).(*TimeDistributed)
	if c.Inner().Type() != "Dense" || c.Inner().Name() != inner.Name() {
		t.Errorf("rebuilt inner layer %s (%s)", c.Inner().Name(), c.Inner().Type())
	}
	if err := td.Build([][]int{{3}}, tensor.Float64); err == nil {
		t.Error("2-D input: no error")
	}
}
