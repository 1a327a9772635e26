package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
)

// ExampleAttention is tf.keras' Attention()([query, value]): the query
// (1, 0) scores the two value steps (1, 0) and (0, 1) by their dot
// products 1 and 0, softmax gives the weights e/(e+1) and 1/(e+1), and the
// output is the weighted sum of the value steps. ReturnAttentionScores
// adds the weights as a second output.
func ExampleAttention() {
	att, err := layers.NewAttention(layers.AttentionConfig{Name: "att", ReturnAttentionScores: true})
	if err != nil {
		panic(err)
	}
	if err := att.Build([][]int{{1, 2}, {2, 2}}, graph.Float64); err != nil {
		panic(err)
	}
	query := graph.NewTensor(graph.Float64, []int{1, 1, 2}, []float64{1, 0})
	value := graph.NewTensor(graph.Float64, []int{1, 2, 2}, []float64{1, 0, 0, 1})
	p, err := att.Forward([]*graph.Tensor{query, value}, nil, false)
	if err != nil {
		panic(err)
	}
	fmt.Printf("output %v %.5f\n", p.Outputs[0].Shape(), graph.Float64s(p.Outputs[0]))
	fmt.Printf("weights %v %.5f\n", p.Outputs[1].Shape(), graph.Float64s(p.Outputs[1]))
	// Output:
	// output (1, 1, 2) [0.73106 0.26894]
	// weights (1, 1, 2) [0.73106 0.26894]
}
