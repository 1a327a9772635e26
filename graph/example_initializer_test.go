package graph_test

import (
	"fmt"
	"math"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// An LSTM kernel (input_dim 3, 4·units 8) drawn with Keras' default
// glorot_uniform: every value lies in ±sqrt(6/(3+8)).
func ExampleGetInitializer() {
	init, err := graph.GetInitializer("glorot_uniform")
	if err != nil {
		fmt.Println(err)
		return
	}
	w, err := graph.InitTensor(init, []int{3, 8}, tensor.Float32, graph.NewRNG(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	limit := math.Sqrt(6.0 / (3 + 8))
	inside := true
	for _, v := range graph.Float64s(w) {
		inside = inside && math.Abs(v) <= limit
	}
	fmt.Println(init.Spec().Name, w.Shape(), w.Dtype(), inside)

	_, err = graph.GetInitializer("xavier")
	fmt.Println(err)
	// Output:
	// glorot_uniform (3, 8) float32 true
	// graph: unknown initializer "xavier": want one of constant, glorot_normal, glorot_uniform, he_normal, he_uniform, identity, lecun_normal, lecun_uniform, ones, orthogonal, random_normal, random_uniform, truncated_normal, variance_scaling, zeros
}

// The recurrent kernel of an LSTM with 2 units, (2, 8), has orthonormal
// rows.
func ExampleOrthogonal() {
	init, err := graph.Orthogonal(1)
	if err != nil {
		fmt.Println(err)
		return
	}
	u, err := init.Sample([]int{2, 8}, graph.NewRNG(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	// U·Uᵀ, rounded to 6 decimals (+0 turns -0 into 0).
	for i := 0; i < 2; i++ {
		var row [2]float64
		for j := range row {
			for k := 0; k < 8; k++ {
				row[j] += u[i*8+k] * u[j*8+k]
			}
			row[j] = math.Round(row[j]*1e6)/1e6 + 0
		}
		fmt.Println(row)
	}
	// Output:
	// [1 0]
	// [0 1]
}
