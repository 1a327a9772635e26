package lstm_test

import (
	"fmt"

	"github.com/golstm/golstm/datasets"
	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// addingData returns a data set of the adding problem with lengths from 10
// to 50, padded with zeros to 50 steps, as tensors.
func addingData(samples int, seed uint64) (x, y *graph.Tensor) {
	a, err := datasets.AddingProblem(datasets.AddingConfig{Samples: samples, MinLen: 10, MaxLen: 50, Seed: seed})
	if err != nil {
		panic(err)
	}
	return graph.NewTensor(graph.Float32, a.XShape(), a.X), graph.NewTensor(graph.Float32, a.YShape(), a.Y)
}

// trainAdding puts rnn between Masking and Dense(1), trains it with Adam on
// 2000 sequences of the adding problem for the given epochs and returns
// the test MSE on 1000 others, and the MSE of always predicting 1.
func trainAdding(rnn graph.Layer, epochs int) (mse, always1 float64) {
	mask, err := layers.NewMasking(layers.MaskingConfig{MaskValue: 0})
	if err != nil {
		panic(err)
	}
	dc := layers.DenseDefaults(1)
	dc.Seed = 4
	head, err := layers.NewDense(dc)
	if err != nil {
		panic(err)
	}
	m, err := model.NewSequential(graph.Float32, mask, rnn, head)
	if err != nil {
		panic(err)
	}
	adam, err := optim.New("adam", 0.01)
	if err != nil {
		panic(err)
	}
	if err := m.Compile("mse", adam); err != nil {
		panic(err)
	}
	x, y := addingData(2000, 1)
	xTest, yTest := addingData(1000, 6)
	if _, err := m.Fit(x, y, model.FitConfig{BatchSize: 32, Epochs: epochs, Shuffle: true, Seed: 5}); err != nil {
		panic(err)
	}
	ev, err := m.Evaluate(xTest, yTest, 500)
	if err != nil {
		panic(err)
	}
	for _, v := range graph.Float64s(yTest) {
		always1 += (v - 1) * (v - 1) / 1000
	}
	return ev["loss"], always1
}

// The adding problem (Hochreiter & Schmidhuber, 1997): sequences of 10 to
// 50 steps of (value, marker) pairs, padded with zeros to 50; the target is
// the sum of the two marked values. A Masking layer marks the padding, so
// the LSTM skips it and its last output is that of each sequence's last
// real step. Always predicting 1 scores a test MSE of about 0.167; the
// masked LSTM learns the task.
func Example_addingProblem() {
	cfg := lstm.Default(8) // Keras defaults: tanh, hard_sigmoid, ...
	cfg.Seed = 3
	rnn, err := lstm.New(cfg)
	if err != nil {
		panic(err)
	}
	mse, always1 := trainAdding(rnn, 8)
	fmt.Printf("always 1: test MSE %.2f\n", always1)
	fmt.Printf("masked LSTM, 8 epochs: test MSE below 0.01: %v\n", mse < 0.01)
	// Output:
	// always 1: test MSE 0.17
	// masked LSTM, 8 epochs: test MSE below 0.01: true
}

// A Bidirectional LSTM on the adding problem, behind a Masking layer: the
// backward layer reads each sequence from its last real step, skipping the
// padding too.
func ExampleBidirectional_addingProblem() {
	cfg := lstm.Default(8)
	cfg.Seed = 2
	rnn, err := lstm.NewBidirectional(lstm.DefaultBidirectional(cfg)) // merge_mode "concat"
	if err != nil {
		panic(err)
	}
	mse, always1 := trainAdding(rnn, 8)
	fmt.Printf("always 1: test MSE %.2f\n", always1)
	fmt.Printf("masked Bidirectional LSTM, 8 epochs: test MSE below 0.01: %v\n", mse < 0.01)
	// Output:
	// always 1: test MSE 0.17
	// masked Bidirectional LSTM, 8 epochs: test MSE below 0.01: true
}
