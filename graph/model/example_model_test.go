package model_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/callbacks"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// exampleData returns y = 2·x0 - x1 on 32 samples.
func exampleData() (*tensor.Dense, *tensor.Dense) {
	rng := graph.NewRNG(1)
	xv, yv := make([]float64, 64), make([]float64, 32)
	for i := range yv {
		xv[2*i], xv[2*i+1] = rng.Float64(), rng.Float64()
		yv[i] = 2*xv[2*i] - xv[2*i+1]
	}
	return graph.NewTensor(tensor.Float64, []int{32, 2}, xv), graph.NewTensor(tensor.Float64, []int{32, 1}, yv)
}

func ExampleModel_Fit() {
	cfg := layers.DenseDefaults(1)
	cfg.Name, cfg.Seed = "out", 42
	dense, err := layers.NewDense(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := model.NewSequential(tensor.Float64, dense)
	opt := optim.NewSGD()
	opt.LR = 0.3
	if err := m.Compile("mse", opt, "mae"); err != nil {
		fmt.Println(err)
		return
	}
	x, y := exampleData()
	// 24 samples train, the last 8 validate; batches of 10 (the last has 4).
	h, err := m.Fit(x, y, model.FitConfig{BatchSize: 10, Epochs: 200, ValidationSplit: 0.25})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Keys())
	fmt.Printf("val_mae after %d epochs < 0.01: %v\n", len(h.Epoch), h.History["val_mae"][199] < 0.01)
	p, _ := m.Predict(graph.NewTensor(tensor.Float64, []int{1, 2}, []float64{1, 1}), 1)
	fmt.Printf("f(1, 1) = %.2f\n", graph.Float64s(p)[0])
	// Output:
	// [loss mae val_loss val_mae]
	// val_mae after 200 epochs < 0.01: true
	// f(1, 1) = 1.00
}

func ExampleModel_Save() {
	cfg := layers.DenseDefaults(3)
	cfg.Name, cfg.Activation = "hidden", "tanh"
	hidden, _ := layers.NewDense(cfg)
	m, _ := model.NewSequential(tensor.Float32, hidden)
	if err := m.Build(2); err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "golstm")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.golstm")
	if err := m.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := model.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := graph.NewTensor(tensor.Float32, []int{1, 2}, []float64{0.5, -1})
	a, _ := m.Predict(x, 1)
	b, _ := loaded.Predict(x, 1)
	fmt.Println(loaded.Layers()[0].Name(), loaded.OutputShape(), graph.Float64s(a)[2] == graph.Float64s(b)[2])
	// Output: hidden [3] true
}

func ExampleEarlyStopping() {
	dense, _ := layers.NewDense(layers.DenseDefaults(1))
	m, _ := model.NewSequential(tensor.Float64, dense)
	m.Compile("mse", optim.NewAdam())
	x, y := exampleData()
	es := &callbacks.EarlyStopping{Monitor: "val_loss", Patience: 3, MinDelta: 1, RestoreBestWeights: true}
	h, _ := m.Fit(x, y, model.FitConfig{Epochs: 100, ValidationSplit: 0.25, Callbacks: []model.Callback{es}})
	// No epoch lowers val_loss by min_delta 1 after the first, so training
	// stops 3 epochs later and restores epoch 0's weights.
	fmt.Println(len(h.Epoch), es.StoppedEpoch())
	// Output: 4 3
}
