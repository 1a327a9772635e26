package layers_test

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
)

// A causal Conv1D sees only the current and earlier steps: with kernel
// (2, 1) on one channel, y_t = 2·x_{t-1} + x_t.
func ExampleConv1D() {
	cfg := layers.Conv1DDefaults(1, 2)
	cfg.Padding = "causal"
	conv, _ := layers.NewConv1D(cfg)
	m, _ := model.NewSequential(graph.Float64, conv)
	_ = m.Build(graph.None, 1)
	_ = m.SetWeights(graph.NewTensor(graph.Float64, []int{2, 1, 1}, []float64{2, 1}), graph.NewTensor(graph.Float64, []int{1}, nil))
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 4, 1}, []float64{1, 2, 3, 4}), 1)
	fmt.Println(y.Shape(), graph.Float64s(y))
	// Output: (1, 4, 1) [1 4 7 10]
}

// MaxPooling1D keeps the largest value of each window; strides default to
// the pool size.
func ExampleMaxPooling1D() {
	pool, _ := layers.NewMaxPooling1D(layers.MaxPooling1DConfig{PoolSize: 2})
	m, _ := model.NewSequential(graph.Float64, pool)
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 6, 1}, []float64{1, 3, 2, 5, 4, 0}), 1)
	fmt.Println(graph.Float64s(y))
	// Output: [3 5 4]
}

// TimeDistributed applies one Dense to every step; its weights take the
// wrapper's name, as in Keras model files.
func ExampleTimeDistributed() {
	dense, _ := layers.NewDense(layers.DenseDefaults(1))
	td, _ := layers.NewTimeDistributed("time_distributed_1", dense)
	m, _ := model.NewSequential(graph.Float64, td)
	_ = m.Build(graph.None, 2)
	for _, p := range m.Params() {
		fmt.Println(p.Name, p.Value.Shape())
	}
	_ = m.SetWeights(graph.NewTensor(graph.Float64, []int{2, 1}, []float64{1, 10}), graph.NewTensor(graph.Float64, []int{1}, []float64{0.5}))
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 3, 2}, []float64{1, 2, 3, 4, 5, 6}), 1)
	fmt.Println(y.Shape(), graph.Float64s(y))
	// Output:
	// time_distributed_1/kernel (2, 1)
	// time_distributed_1/bias (1)
	// (1, 3, 1) [21.5 43.5 65.5]
}

// RepeatVector turns a vector into a sequence, as the bridge of an LSTM
// autoencoder.
func ExampleRepeatVector() {
	rv, _ := layers.NewRepeatVector(layers.RepeatVectorConfig{N: 3})
	m, _ := model.NewSequential(graph.Float64, rv)
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 2}, []float64{7, 8}), 1)
	fmt.Println(y.Shape(), graph.Float64s(y))
	// Output: (1, 3, 2) [7 8 7 8 7 8]
}

// Flatten makes each sample one vector.
func ExampleFlatten() {
	fl, _ := layers.NewFlatten(layers.FlattenConfig{})
	m, _ := model.NewSequential(graph.Float64, fl)
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 2, 3}, []float64{1, 2, 3, 4, 5, 6}), 1)
	fmt.Println(y.Shape(), graph.Float64s(y))
	// Output: (1, 6) [1 2 3 4 5 6]
}

// Activation applies any activation by its Keras name.
func ExampleActivation() {
	act, _ := layers.NewActivation(layers.ActivationConfig{Activation: "relu"})
	m, _ := model.NewSequential(graph.Float64, act)
	y, _ := m.Predict(graph.NewTensor(graph.Float64, []int{1, 3}, []float64{-1, 0, 2}), 1)
	fmt.Println(graph.Float64s(y))
	// Output: [0 0 2]
}

// SpatialDropout1D drops whole feature channels in training: every step of
// a dropped channel is 0, the kept ones are scaled by 1/(1-rate).
func ExampleSpatialDropout1D() {
	sd, _ := layers.NewSpatialDropout1D(layers.DropoutConfig{Rate: 0.5, Seed: 1})
	_ = sd.Build([][]int{{3, 4}}, graph.Float64)
	x := graph.NewTensor(graph.Float64, []int{1, 3, 4}, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	p, _ := sd.Forward([]*graph.Tensor{x}, nil, true)
	fmt.Println(graph.Float64s(p.Outputs[0]))
	// Output: [2 2 2 0 2 2 2 0 2 2 2 0]
}
