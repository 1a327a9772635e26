package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"

	"gorgonia.org/tensor"
)

// With a mask, GlobalAveragePooling1D averages the real steps only
// (Keras 2.2.4's Σ x·m / Σ m): the second sequence, padded with 99 after
// its two steps, gives (5+7)/2.
func ExampleNewGlobalAveragePooling1D() {
	gap, _ := layers.NewGlobalAveragePooling1D(layers.GlobalPooling1DConfig{})
	_ = gap.Build([][]int{{graph.None, 1}}, graph.Float64) // any length, 1 channel
	x := graph.NewTensor(graph.Float64, []int{2, 3, 1}, []float64{1, 2, 3, 5, 7, 99})
	mask := graph.NewMask(2, 3, []bool{true, true, true, true, true, false})
	p, _ := gap.Forward([]*tensor.Dense{x}, []*tensor.Dense{mask}, false)
	fmt.Println(p.Outputs[0].Shape(), graph.Float64s(p.Outputs[0]))
	// Output: (2, 1) [2 6]
}

// AveragePooling1D with "same" padding leaves the padding out of each
// mean, as TensorFlow's avg_pool: the last window holds 4 alone.
func ExampleNewAveragePooling1D() {
	pool, _ := layers.NewAveragePooling1D(layers.AveragePooling1DConfig{PoolSize: 2, Padding: "same"})
	_ = pool.Build([][]int{{5, 1}}, graph.Float64)
	p, _ := pool.Forward([]*tensor.Dense{graph.NewTensor(graph.Float64, []int{1, 5, 1}, []float64{1, 3, 2, 5, 4})}, nil, false)
	fmt.Println(graph.Float64s(p.Outputs[0]))
	// Output: [2 3.5 4]
}

// Permute numbers the axes from 1, as Keras: dims (2, 1) turns (batch,
// steps, channels) into (batch, channels, steps).
func ExampleNewPermute() {
	perm, _ := layers.NewPermute(layers.PermuteConfig{Dims: []int{2, 1}})
	_ = perm.Build([][]int{{3, 2}}, graph.Float64)
	p, _ := perm.Forward([]*tensor.Dense{graph.NewTensor(graph.Float64, []int{1, 3, 2}, []float64{1, 2, 3, 4, 5, 6})}, nil, false)
	fmt.Println(p.Outputs[0].Shape(), graph.Float64s(p.Outputs[0]))
	// Output: (1, 2, 3) [1 3 5 2 4 6]
}
