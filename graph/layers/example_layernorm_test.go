package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
)

// ExampleLayerNormalization normalizes each step of each sample over its
// features, as tf.keras' LayerNormalization() does: (0, 10) and (20, 30)
// both become (−5, 5)/√(25 + 0.001).
func ExampleLayerNormalization() {
	cfg := layers.LayerNormalizationDefaults()
	cfg.Name = "ln"
	ln, err := layers.NewLayerNormalization(cfg)
	if err != nil {
		panic(err)
	}
	if err := ln.Build([][]int{{2, 2}}, graph.Float64); err != nil {
		panic(err)
	}
	p, err := ln.Forward([]*graph.Tensor{graph.NewTensor(graph.Float64, []int{1, 2, 2}, []float64{0, 10, 20, 30})}, nil, false)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.5f\n", graph.Float64s(p.Outputs[0]))
	for _, w := range ln.Params() {
		fmt.Println(w.Name, w.Value.Shape())
	}
	// Output:
	// [-0.99998 0.99998 -0.99998 0.99998]
	// ln/gamma (2)
	// ln/beta (2)
}
