package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"gorgonia.org/tensor"
)

// Embedding maps ids to vectors; with MaskZero, id 0 is padding and the
// output carries the mask of the real steps.
func ExampleEmbedding() {
	cfg := layers.EmbeddingDefaults(10, 4) // a vocabulary of 10 ids, vectors of 4
	cfg.Name, cfg.MaskZero = "tokens", true
	emb, err := layers.NewEmbedding(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := emb.Build([][]int{{graph.None}}, graph.Float32); err != nil { // any length
		fmt.Println(err)
		return
	}
	// Two sequences of ids, post-padded with 0 to 4 steps.
	ids := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]int32{3, 7, 7, 0, 5, 0, 0, 0}))
	p, err := emb.Forward([]*tensor.Dense{ids}, nil, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	mask, _ := graph.MaskValues(p.Masks[0])
	fmt.Println("output", p.Outputs[0].Shape(), "mask", mask)
	_, err = emb.Forward([]*tensor.Dense{tensor.New(tensor.WithShape(1, 2), tensor.WithBacking([]int32{4, 12}))}, nil, false)
	fmt.Println(err)
	// Output:
	// output (2, 4, 4) mask [true true true false true false false false]
	// layers: Embedding tokens: id 12 at [0 1] out of range: want ids in [0, 10) (input_dim 10)
}

// Masking masks the steps whose features all equal mask_value and zeroes
// them in its output.
func ExampleMasking() {
	m, err := layers.NewMasking(layers.MaskingConfig{MaskValue: 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := m.Build([][]int{{graph.None, 2}}, graph.Float64); err != nil {
		fmt.Println(err)
		return
	}
	// One sequence of 3 steps of 2 features; the last step is padding.
	x := graph.NewTensor(graph.Float64, []int{1, 3, 2}, []float64{0.5, 0, 0, -1, 0, 0})
	p, err := m.Forward([]*tensor.Dense{x}, nil, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	mask, _ := graph.MaskValues(p.Masks[0])
	fmt.Println(mask, graph.Float64s(p.Outputs[0]))
	// Output: [true true false] [0.5 0 0 -1 0 0]
}
