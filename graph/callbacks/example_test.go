package callbacks_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/callbacks"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// regression returns y = 2·x0 − x1² on n samples of 2 features.
func regression(n int) (*tensor.Dense, *tensor.Dense) {
	rng := graph.NewRNG(7)
	xv, yv := make([]float64, 2*n), make([]float64, n)
	for i := range yv {
		xv[2*i], xv[2*i+1] = rng.Float64()*2-1, rng.Float64()*2-1
		yv[i] = xv[2*i]*2 - xv[2*i+1]*xv[2*i+1]
	}
	return graph.NewTensor(tensor.Float64, []int{n, 2}, xv), graph.NewTensor(tensor.Float64, []int{n, 1}, yv)
}

// A training left to run: the best model is checkpointed, the curves go to
// a CSV file, the learning rate follows a schedule and drops on plateaus,
// training stops when val_loss stops improving (keeping the best weights)
// or on a NaN loss, and Ctrl-C (here a Context) would end it cleanly.
func Example() {
	dir, _ := os.MkdirTemp("", "golstm-callbacks")
	defer os.RemoveAll(dir)

	hc := layers.DenseDefaults(16)
	hc.Name, hc.Activation, hc.Seed = "hidden", "tanh", 1
	oc := layers.DenseDefaults(1)
	oc.Name, oc.Seed = "out", 2
	hidden, _ := layers.NewDense(hc)
	out, _ := layers.NewDense(oc)
	m, _ := model.NewSequential(tensor.Float64, hidden, out)
	m.Compile("mse", optim.NewAdam(), "mae")
	x, y := regression(200)

	ctx, stop := context.WithCancel(context.Background()) // signal.NotifyContext(ctx, os.Interrupt) in a command
	defer stop()
	plateau := callbacks.NewReduceLROnPlateau()
	plateau.Factor, plateau.Patience = 0.5, 5
	early := &callbacks.EarlyStopping{Patience: 10, RestoreBestWeights: true}
	best := &callbacks.ModelCheckpoint{Filepath: filepath.Join(dir, "best.golstm"), SaveBestOnly: true}
	h, err := m.Fit(x, y, model.FitConfig{
		BatchSize: 16, Epochs: 500, Shuffle: true, Seed: 1, ValidationSplit: 0.2, Context: ctx,
		Callbacks: []model.Callback{
			&callbacks.LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 {
				if epoch == 0 {
					return 0.01 // a warm start; ReduceLROnPlateau takes over
				}
				return lr
			}},
			plateau, early, best,
			&callbacks.CSVLogger{Filename: filepath.Join(dir, "history.csv")},
			&callbacks.TerminateOnNaN{},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, bestVal := early.BestEpoch()
	fmt.Println("status:", h.Status, "-", strings.HasPrefix(h.StopReason, "EarlyStopping: val_loss did not improve for 10 epochs"))
	lrs := h.History["lr"]
	fmt.Println("lr 0.01, then reduced:", lrs[0] == 0.01, lrs[len(lrs)-1] < 0.01)
	fmt.Println("checkpoint holds the best epoch:", best.Best() == bestVal, bestVal < 0.01)

	saved, _ := model.Load(best.Filepath)
	ev, _ := saved.Evaluate(x, y, 200)
	cur, _ := m.Evaluate(x, y, 200)
	fmt.Println("restored weights = checkpoint:", ev["loss"] == cur["loss"])

	csv, _ := os.ReadFile(filepath.Join(dir, "history.csv"))
	rows := strings.Split(strings.TrimSpace(string(csv)), "\r\n")
	fmt.Println(rows[0], "- one row per epoch:", len(rows)-1 == len(h.Epoch))
	// Output:
	// status: stopped - true
	// lr 0.01, then reduced: true true
	// checkpoint holds the best epoch: true true
	// restored weights = checkpoint: true
	// epoch,loss,lr,mae,val_loss,val_mae - one row per epoch: true
}
