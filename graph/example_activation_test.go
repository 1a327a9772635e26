package graph_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func ExampleGetActivation() {
	act, err := graph.GetActivation("hard_sigmoid") // Keras 2: clip(0.2x+0.5, 0, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	g := G.NewGraph()
	x := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("x"),
		G.WithValue(graph.NewTensor(tensor.Float64, []int{4}, []float64{-3, -1, 1, 2.5})))
	y, err := act(x)
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := G.Grad(G.Must(G.Sum(y)), x)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("y     = %.1f\n", graph.Float64s(y.Value().(tensor.Tensor)))
	fmt.Printf("dy/dx = %.1f\n", graph.Float64s(grads[0].Value().(tensor.Tensor)))

	_, err = graph.GetActivation("hardsigmoid")
	fmt.Println(err)
	// Output:
	// y     = [0.0 0.3 0.7 1.0]
	// dy/dx = [0.0 0.2 0.2 0.2]
	// graph: unknown activation "hardsigmoid": want one of linear, tanh, sigmoid, hard_sigmoid, hard_sigmoid_keras3, relu, elu, selu, softplus, softsign, exponential, softmax (or "" or "None" for linear)
}
