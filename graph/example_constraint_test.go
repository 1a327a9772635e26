package graph_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// max_norm with axis 0 bounds the norm of each column of a kernel: the
// first column (3, 4) has norm 5 and is scaled to norm 2; the second,
// (0.6, 0.8), has norm 1 and is kept (up to the factor 1/(1+1e-7)).
func ExampleMaxNorm() {
	c, err := graph.MaxNorm(2, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	w := graph.NewTensor(tensor.Float64, []int{2, 2}, []float64{
		3, 0.6,
		4, 0.8,
	})
	if err := c.Apply(w); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.6f\n", graph.Float64s(w))
	fmt.Println(c.Spec())
	// Output:
	// [1.200000 0.600000 1.600000 0.800000]
	// {max_norm map[axis:0 max_value:2]}
}
