package model_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// resumeModel is Dense(4, tanh) → Dense(1) on a fixed regression task.
func resumeModel(t *testing.T) (*model.Model, *tensor.Dense, *tensor.Dense) {
	t.Helper()
	c1 := layers.DenseDefaults(4)
	c1.Name, c1.Activation, c1.Seed = "hidden", "tanh", 1
	c2 := layers.DenseDefaults(1)
	c2.Name, c2.Seed = "out", 2
	d1, err := layers.NewDense(c1)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := layers.NewDense(c2)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewSequential(tensor.Float64, d1, d2)
	if err != nil {
		t.Fatal(err)
	}
	adam := optim.NewAdam()
	adam.LR, adam.AMSGrad = 0.05, true
	if err := m.Compile("mse", adam, "mae"); err != nil {
		t.Fatal(err)
	}
	xs, ys := make([]float64, 40), make([]float64, 20)
	for i := range ys {
		xs[2*i], xs[2*i+1] = float64(i%5)/5, float64(i%3)/3
		ys[i] = xs[2*i] - 2*xs[2*i+1]
	}
	return m, graph.NewTensor(tensor.Float64, []int{20, 2}, xs), graph.NewTensor(tensor.Float64, []int{20, 1}, ys)
}

// TestSaveResumesTraining: 3 epochs, Save, Load, 2 more epochs give exactly
// the weights and losses of 5 epochs in one go, with the samples shuffled
// every epoch, because the file keeps the loss, the metrics, the optimizer
// with its moments and iteration count, and Fit's shuffling stream.
func TestSaveResumesTraining(t *testing.T) {
	fit := func(m *model.Model, x, y *tensor.Dense, epochs int) []float64 {
		h, err := m.Fit(x, y, model.FitConfig{BatchSize: 6, Epochs: epochs, Shuffle: true, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return h.History["loss"]
	}
	straight, x, y := resumeModel(t)
	want := fit(straight, x, y, 5)

	m, x, y := resumeModel(t)
	got := fit(m, x, y, 3)
	path := filepath.Join(t.TempDir(), "checkpoint.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, fit(loaded, x, y, 2)...)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("epoch %d loss %v after resuming, %v straight", i+1, got[i], want[i])
		}
	}
	for i, p := range straight.Params() {
		if !p.Value.Eq(loaded.Params()[i].Value) {
			t.Errorf("weight %s differs after resuming", p.Name)
		}
	}
	ev, err := loaded.Evaluate(x, y, 20)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ev["mae"]; !ok {
		t.Errorf("loaded model evaluates %v: want the saved metric mae", ev)
	}
}

// TestSaveResumesDropout: with dropout everywhere it can be (a
// Bidirectional LSTM's input and recurrent dropout, an LSTM's, a Dropout
// layer), 2 epochs, Save, Load and 2 more epochs give exactly the losses
// and weights of 4 epochs in one go, because the file keeps each layer's
// random stream (graph.RandomStream) beside the shuffling stream. Without
// the streams the resumed run draws its masks from the start again and
// differs.
func TestSaveResumesDropout(t *testing.T) {
	build := func() *model.Model {
		t.Helper()
		bc := lstm.Default(3)
		bc.Name, bc.ReturnSequences, bc.Dropout, bc.RecurrentDropout, bc.Seed = "inner", true, 0.2, 0.3, 5
		bi, err := lstm.NewBidirectional(lstm.BidirectionalConfig{Name: "bi", Layer: bc})
		if err != nil {
			t.Fatal(err)
		}
		lc := lstm.Default(4)
		lc.Name, lc.Dropout, lc.RecurrentDropout, lc.Seed = "lstm", 0.25, 0.25, 6
		l, err := lstm.New(lc)
		if err != nil {
			t.Fatal(err)
		}
		dr, err := layers.NewDropout(layers.DropoutConfig{Name: "drop", Rate: 0.3, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		dc := layers.DenseDefaults(1)
		dc.Name, dc.Seed = "out", 8
		d, err := layers.NewDense(dc)
		if err != nil {
			t.Fatal(err)
		}
		m, err := model.NewSequential(tensor.Float64, bi, l, dr, d)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(5, 2); err != nil {
			t.Fatal(err)
		}
		if err := m.Compile("mse", optim.NewAdam()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	rng := graph.NewRNG(11)
	xs, ys := make([]float64, 12*5*2), make([]float64, 12)
	for i := range xs {
		xs[i] = rng.Float64()
	}
	for i := range ys {
		ys[i] = xs[i*10] - xs[i*10+9]
	}
	x := graph.NewTensor(tensor.Float64, []int{12, 5, 2}, xs)
	y := graph.NewTensor(tensor.Float64, []int{12, 1}, ys)
	fit := func(m *model.Model, epochs int) []float64 {
		h, err := m.Fit(x, y, model.FitConfig{BatchSize: 4, Epochs: epochs, Shuffle: true, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return h.History["loss"]
	}
	straight := build()
	want := fit(straight, 4)

	m := build()
	got := fit(m, 2)
	path := filepath.Join(t.TempDir(), "checkpoint.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, fit(loaded, 2)...)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("epoch %d loss %v after resuming, %v straight", i+1, got[i], want[i])
		}
	}
	for i, p := range straight.Params() {
		if !p.Value.Eq(loaded.Params()[i].Value) {
			t.Errorf("weight %s differs after resuming", p.Name)
		}
	}
}

// TestRandomStateErrors: a state of the wrong length, or for a layer the
// model lacks, is an error naming it, and the stream is left unchanged.
func TestRandomStateErrors(t *testing.T) {
	dr, err := layers.NewDropout(layers.DropoutConfig{Name: "drop", Rate: 0.5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	before, err := dr.RandomState()
	if err != nil {
		t.Fatal(err)
	}
	if err := dr.SetRandomState(before[:5]); err == nil || !strings.Contains(err.Error(), "drop") {
		t.Errorf("short state: error %v, want one naming the layer", err)
	}
	after, _ := dr.RandomState()
	if string(after) != string(before) {
		t.Error("a refused state changed the stream")
	}
	l, err := lstm.New(lstm.Default(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.RandomState(); err == nil {
		t.Error("RandomState of an LSTM that is not built: no error")
	}
}
