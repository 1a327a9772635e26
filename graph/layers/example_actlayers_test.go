package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
)

// ReLU with a threshold, a negative slope and a max value, as Keras'
// ReLU(max_value=3, negative_slope=0.5, threshold=1): 0.5·(x−1) below 1,
// x from 1 up to 3, 3 above.
func ExampleReLU() {
	maxValue := 3.0
	relu, _ := layers.NewReLU(layers.ReLUConfig{MaxValue: &maxValue, NegativeSlope: 0.5, Threshold: 1})
	m, _ := model.NewSequential(graph.Float64, relu)
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 5}, []float64{-1, 0.5, 1, 2, 5}), 1)
	fmt.Println(graph.Float64s(y))
	// Output: [-1 -0.25 0 2 3]
}

// PReLU learns the slope of the negative part; with shared_axes [1] a
// sequence has one slope per channel.
func ExamplePReLU() {
	p, _ := layers.NewPReLU(layers.PReLUConfig{SharedAxes: []int{1},
		AlphaInitializer: graph.Spec{Name: "constant", Args: map[string]float64{"value": 0.1}}})
	m, _ := model.NewSequential(graph.Float64, p)
	_ = m.Build(graph.None, 2)
	fmt.Println(m.Params()[0].Value.Shape())
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 2, 2}, []float64{-1, 2, 3, -4}), 1)
	fmt.Println(graph.Float64s(y))
	// Output:
	// (1, 2)
	// [-0.1 2 3 -0.4]
}
