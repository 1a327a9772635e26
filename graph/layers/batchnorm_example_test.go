package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
)

// A training Forward normalizes with the batch's statistics and updates
// the moving ones as Keras 2.2.4 does: the first batch sets them to its
// mean and to its variance times n/(n − 1 − ε), whatever their initial
// values (the zero-debiased moving average).
func ExampleBatchNormalization() {
	bn, _ := layers.NewBatchNormalization(layers.BatchNormalizationDefaults())
	_ = bn.Build([][]int{{2}}, graph.Float64)
	x := graph.NewTensor(graph.Float64, []int{2, 2}, []float64{1, 2, 3, 6})
	p, _ := bn.Forward([]*graph.Tensor{x}, nil, true)
	fmt.Printf("y %.4f\n", graph.Float64s(p.Outputs[0]))
	ps := bn.Params() // gamma, beta, moving_mean, moving_variance
	fmt.Printf("moving mean %.4f, variance %.4f\n", graph.Float64s(ps[2].Value), graph.Float64s(ps[3].Value))
	// Output:
	// y [-0.9995 -0.9999 0.9995 0.9999]
	// moving mean [2.0000 4.0000], variance [2.0020 8.0080]
}
