package graph_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func ExampleL2() {
	r := graph.L2(0.01) // penalty 0.01·Σw², no factor ½ (Keras 2)
	g := G.NewGraph()
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(2, 2), G.WithName("kernel"),
		G.WithValue(graph.NewTensor(tensor.Float64, []int{2, 2}, []float64{1, -2, 3, 0})))
	p, err := r.Penalty(w)
	if err != nil {
		fmt.Println(err)
		return
	}
	grads, err := G.Grad(p, w)
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
	fmt.Printf("penalty = %.2f\n", p.Value().Data())
	fmt.Printf("d/dw    = %.2f\n", graph.Float64s(grads[0].Value().(tensor.Tensor)))
	fmt.Printf("spec    = %v\n", r.Spec())

	_, err = graph.NewRegularizer(graph.Spec{Name: "l2", Args: map[string]float64{"l2": -1}})
	fmt.Println(err)
	// Output:
	// penalty = 0.14
	// d/dw    = [0.02 -0.04 0.06 0.00]
	// spec    = {l2 map[l2:0.01]}
	// graph: regularizer l2: argument l2 = -1: want a finite number >= 0
}
