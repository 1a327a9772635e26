package layers_test

import (
	"fmt"
	"log"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
)

// ExampleConcatenate joins two branches of a functional model, an LSTM
// over a sequence and a Dense over a vector of features, as Keras'
// concatenate([lstm_out, aux]) in its multi-input example.
func ExampleConcatenate() {
	seq := model.Input("sequence", graph.None, 3)
	aux := model.Input("aux", 5)
	lc := lstm.Default(4)
	lc.Name = "lstm"
	l, err := lstm.New(lc)
	if err != nil {
		log.Fatal(err)
	}
	dc := layers.DenseDefaults(2)
	dc.Name = "aux_dense"
	d, err := layers.NewDense(dc)
	if err != nil {
		log.Fatal(err)
	}
	cat, err := layers.NewConcatenate(layers.ConcatenateConfig{Name: "joined", Axis: -1})
	if err != nil {
		log.Fatal(err)
	}
	hc := layers.DenseDefaults(1)
	hc.Name = "head"
	head, err := layers.NewDense(hc)
	if err != nil {
		log.Fatal(err)
	}
	joined := model.Apply(cat, model.Apply(l, seq), model.Apply(d, aux))
	m, err := model.New(graph.Float32, []*model.Node{seq, aux}, []*model.Node{model.Apply(head, joined)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("joined:", graph.FormatShape(joined.Shape()))
	fmt.Print(m.Summary())
	// Output:
	// joined: (None, 6)
	// __________________________________________________________________________________________________
	// Layer (type)                   Output Shape              Param #   Connected to
	// ==================================================================================================
	// sequence (InputLayer)          (None, None, 3)                 0
	// aux (InputLayer)               (None, 5)                       0
	// lstm (LSTM)                    (None, 4)                     128   sequence
	// aux_dense (Dense)              (None, 2)                      12   aux
	// joined (Concatenate)           (None, 6)                       0   lstm:0, aux_dense:0
	// head (Dense)                   (None, 1)                       7   joined:0
	// ==================================================================================================
	// Total params: 147
	// __________________________________________________________________________________________________
}

// ExampleNewAdd adds two tensors of which the second broadcasts along the
// timesteps, as Keras' Add: per-sample shapes (3, 2) and (1, 2).
func ExampleNewAdd() {
	add := layers.NewAdd(layers.MergeConfig{Name: "add"})
	if err := add.Build([][]int{{3, 2}, {1, 2}}, graph.Float64); err != nil {
		log.Fatal(err)
	}
	x := graph.NewTensor(graph.Float64, []int{1, 3, 2}, []float64{1, 2, 3, 4, 5, 6})
	b := graph.NewTensor(graph.Float64, []int{1, 1, 2}, []float64{10, 20})
	p, err := add.Forward([]*graph.Tensor{x, b}, nil, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(graph.FormatShape(add.OutputShapes()[0]), graph.Float64s(p.Outputs[0]))
	// Output:
	// (None, 3, 2) [11 22 13 24 15 26]
}
