package callbacks

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
	"gorgonia.org/tensor"
)

// TestReduceLROnPlateauRule feeds val_loss values as Keras 2.2.4's
// ReduceLROnPlateau sees them and checks the "lr" logged each epoch (the
// rate the epoch trained with). Factor 0.5, patience 2, min_delta 0.1,
// cooldown 2, min_lr 0.2, from lr 1:
//
//	epoch  0    1    2    3    4    5    6    7    8    9    10   11
//	value  1.0  .95  .97  .8   .85  .9   .9   .9   .9   .9   .9   .9
//	lr     1    1    1    .5   .5   .5   .25  .25  .25  .2   .2   .2
//
// Epochs 1 and 2 do not beat 1.0 by 0.1: the rate halves after epoch 2 and
// the cooldown starts (2: the epoch that counts it down to 0 counts as an
// epoch without improvement, as in Keras); epoch 3 improves; 4 and 5 do not
// (halved after 5); 6 is in the cooldown; 7 and 8 do not improve: 0.125 is
// raised to min_lr 0.2; at 0.2 = min_lr nothing more happens.
func TestReduceLROnPlateauRule(t *testing.T) {
	m := tinyModel(t, 1)
	r := &ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.5, Patience: 2, MinDelta: 0.1, Cooldown: 2, MinLR: 0.2}
	if err := r.OnTrainBegin(m, params("loss", "val_loss")); err != nil {
		t.Fatal(err)
	}
	var lrs []float64
	for e, v := range []float64{1, 0.95, 0.97, 0.8, 0.85, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9} {
		logs := map[string]float64{"loss": 0, "val_loss": v}
		if err := r.OnEpochEnd(m, e, logs); err != nil {
			t.Fatal(err)
		}
		lrs = append(lrs, logs["lr"])
	}
	if want := []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2}; !slices.Equal(lrs, want) {
		t.Errorf("lr per epoch %v, want %v", lrs, want)
	}
	if lr := m.Optimizer().LearningRate(); lr != 0.2 {
		t.Errorf("final lr %v, want 0.2", lr)
	}

	// Mode auto maximizes accuracies: 0.6, 0.6, 0.6 after 0.5 is a plateau.
	m = tinyModel(t, 1)
	r = NewReduceLROnPlateau()
	r.Monitor, r.Patience = "val_acc", 1
	if err := r.OnTrainBegin(m, params("val_acc")); err != nil {
		t.Fatal(err)
	}
	for e, v := range []float64{0.5, 0.6, 0.6} {
		r.OnEpochEnd(m, e, map[string]float64{"val_acc": v})
	}
	if lr := m.Optimizer().LearningRate(); lr != 0.1 {
		t.Errorf("val_acc plateau: lr %v, want 1 × 0.1", lr)
	}

	for _, c := range []struct {
		r    ReduceLROnPlateau
		want string
	}{
		{ReduceLROnPlateau{Monitor: "loss"}, "factor 0: want 0 < factor < 1"},
		{ReduceLROnPlateau{Monitor: "loss", Factor: 1}, "factor 1"},
		{ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, MinLR: -1}, "min_lr -1"},
		{ReduceLROnPlateau{Monitor: "loss", Factor: 0.5, Cooldown: -1}, "cooldown -1"},
		{ReduceLROnPlateau{Monitor: "val_mse", Factor: 0.5}, `monitors "val_mse"`},
	} {
		if err := c.r.OnTrainBegin(m, params("loss")); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.r, err, c.want)
		}
	}
}

// TestLearningRateScheduler: each epoch trains with Schedule(epoch, lr) of
// the current lr (read by a LambdaCallback at every batch); a schedule
// returning NaN ends Fit naming the epoch and the value.
func TestLearningRateScheduler(t *testing.T) {
	m := tinyModel(t, 0.1)
	x := graph.NewTensor(tensor.Float64, []int{4, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	y := graph.NewTensor(tensor.Float64, []int{4, 1}, []float64{1, 2, 3, 4})
	var seen []float64
	probe := &LambdaCallback{OnBatchBeginFunc: func(m *model.Model, _ int, _ map[string]float64) error {
		seen = append(seen, m.Optimizer().LearningRate())
		return nil
	}}
	halve := &LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 {
		if epoch == 0 {
			return lr
		}
		return lr / 2
	}}
	if _, err := m.Fit(x, y, model.FitConfig{BatchSize: 2, Epochs: 4, Callbacks: []model.Callback{halve, probe}}); err != nil {
		t.Fatal(err)
	}
	if want := []float64{0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125}; !slices.Equal(seen, want) {
		t.Errorf("lr per batch %v, want %v", seen, want)
	}
	bad := &LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 { return lr / float64(2-epoch) }}
	_, err := m.Fit(x, y, model.FitConfig{BatchSize: 2, Epochs: 4, Callbacks: []model.Callback{bad}})
	if err == nil || !strings.Contains(err.Error(), "schedule(2) = +Inf") {
		t.Errorf("infinite rate: error %v", err)
	}
	if err := (&LearningRateScheduler{}).OnTrainBegin(m, params("loss")); err == nil {
		t.Error("nil Schedule: no error")
	}
}

// TestTerminateOnNaN: at a NaN loss (sample 5 is NaN: epoch 0, batch 2),
// TerminateOnNaN records where and asks to stop; Fit ends with its error.
func TestTerminateOnNaN(t *testing.T) {
	m := tinyModel(t, 0.1)
	x := graph.NewTensor(tensor.Float64, []int{8, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5})
	xs := graph.Float64s(x)
	xs[2*5] = math.NaN()
	x = graph.NewTensor(tensor.Float64, []int{8, 2}, xs)
	y := graph.NewTensor(tensor.Float64, []int{8, 1}, nil)
	tn := &TerminateOnNaN{}
	h, err := m.Fit(x, y, model.FitConfig{BatchSize: 2, Epochs: 2, Callbacks: []model.Callback{tn}})
	if e, b, ok := tn.Found(); !ok || e != 0 || b != 2 {
		t.Errorf("Found %d, %d, %v: want epoch 0, batch 2", e, b, ok)
	}
	if err == nil || h.Status != model.FitNonFinite || !strings.Contains(err.Error(), "epoch 1/2, batch 3/4") {
		t.Errorf("status %v, error %v", h.Status, err)
	}
}
