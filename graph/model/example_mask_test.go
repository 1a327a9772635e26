package model_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
)

// A Masking layer marks the padded steps of variable-length sequences; the
// loss of an output that carries the mask counts only the real steps
// (Keras 2.2.4's weighted_masked_objective).
func Example_maskedLoss() {
	mask, _ := layers.NewMasking(layers.MaskingConfig{MaskValue: 0})
	cfg := layers.DenseDefaults(1)
	cfg.KernelInitializer = graph.Spec{Name: "ones"} // y = x0 + x1 per step
	out, _ := layers.NewDense(cfg)
	m, _ := model.NewSequential(graph.Float64, mask, out)
	if err := m.Compile("mse", optim.NewSGD()); err != nil {
		fmt.Println(err)
		return
	}
	// Two sequences of 3 steps of 2 features: the first has 3 real steps,
	// the second 1, then padding (all zeros) whose targets are ignored.
	x := graph.NewTensor(graph.Float64, []int{2, 3, 2}, []float64{
		1, 0, 0, 1, 1, 1,
		2, 0, 0, 0, 0, 0,
	})
	y := graph.NewTensor(graph.Float64, []int{2, 3, 1}, []float64{
		1, 1, 1, // errors 0, 0, 1
		0, 9, 9, // error 2, then padding
	})
	ev, err := m.Evaluate(x, y, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	// The mean squared error over the 4 real steps: (0 + 0 + 1 + 4) / 4.
	fmt.Println(ev["loss"])
	// Output: 1.25
}
