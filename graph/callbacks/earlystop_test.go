package callbacks

import (
	"strings"
	"testing"

	"github.com/golstm/golstm/graph/model"
)

// TestEarlyStoppingRule feeds monitored values to the hooks, as Keras
// 2.2.4's EarlyStopping sees them: an epoch improves when it beats the best
// by more than MinDelta in the mode's direction (the best starting at the
// baseline); Patience epochs in a row without improvement stop training,
// and RestoreBestWeights sets back the weights of the best epoch (each
// epoch's weights are marked by a bias equal to the epoch).
func TestEarlyStoppingRule(t *testing.T) {
	b := func(v float64) *float64 { return &v }
	cases := []struct {
		name string
		es   EarlyStopping
		vals []float64
		stop int // epoch after which it stops, -1 for none
		best int // -1: nothing beat the baseline
	}{
		{"patience 1", EarlyStopping{Monitor: "loss", Patience: 1}, []float64{3, 2, 2.5, 1}, 2, 1},
		{"patience 0 stops at the first epoch without improvement", EarlyStopping{Monitor: "loss"}, []float64{3, 3}, 1, 0},
		{"min_delta: 0.4 less is not enough", EarlyStopping{Monitor: "loss", Patience: 2, MinDelta: 0.5}, []float64{3, 2.6, 2.8, 1}, 2, 0},
		{"min_delta: improvements reset the wait", EarlyStopping{Monitor: "loss", Patience: 2, MinDelta: 0.5}, []float64{3, 2.4, 2.2, 1.8}, -1, 3},
		{"auto maximizes acc", EarlyStopping{Monitor: "acc", Patience: 1}, []float64{0.5, 0.7, 0.6}, 2, 1},
		{"max mode on a loss", EarlyStopping{Monitor: "loss", Mode: "max", Patience: 0}, []float64{1, 0.5}, 1, 0},
		{"equal is no improvement", EarlyStopping{Monitor: "val_loss", Patience: 2}, []float64{1, 1, 1}, 2, 0},
		{"baseline never beaten", EarlyStopping{Monitor: "val_loss", Patience: 2, Baseline: b(0.5)}, []float64{0.9, 0.8, 0.7}, 1, -1},
		{"baseline beaten", EarlyStopping{Monitor: "val_loss", Patience: 2, Baseline: b(0.5)}, []float64{0.9, 0.4, 0.45, 0.6}, 3, 1},
	}
	for _, c := range cases {
		m := tinyModel(t, 0.1)
		es := c.es
		es.RestoreBestWeights = true
		if err := es.OnTrainBegin(m, params("loss", "acc", "val_loss")); err != nil {
			t.Fatal(err)
		}
		stopped := -1
		for e, v := range c.vals {
			setBias(t, m, float64(e))
			if err := es.OnEpochEnd(m, e, map[string]float64{es.Monitor: v}); err != nil {
				t.Fatal(err)
			}
			if stop, _ := m.StopRequested(); stop {
				stopped = e
				break
			}
		}
		be, _ := es.BestEpoch()
		if stopped != c.stop || es.StoppedEpoch() != c.stop || be != c.best {
			t.Errorf("%s: stopped after %d (StoppedEpoch %d), best %d; want %d, best %d", c.name, stopped, es.StoppedEpoch(), be, c.stop, c.best)
		}
		if want := float64(c.best); stopped >= 0 && c.best >= 0 && (bias(m) != want || !es.Restored()) {
			t.Errorf("%s: bias %v after stopping: want epoch %d's weights", c.name, bias(m), c.best)
		}
		if c.best < 0 && es.Restored() {
			t.Errorf("%s: restored weights although no epoch beat the baseline", c.name)
		}
	}
}

// TestEarlyStoppingRestoresOnInterruption: with RestoreBestWeights, a run
// cancelled (or stopped by something else) before EarlyStopping stops it
// gets the best weights back at OnTrainEnd; a completed run keeps its last
// weights, as Keras 2.2.4.
func TestEarlyStoppingRestoresOnInterruption(t *testing.T) {
	for _, c := range []struct {
		status model.FitStatus
		want   float64
	}{{model.FitCancelled, 1}, {model.FitStopped, 1}, {model.FitNonFinite, 1}, {model.FitCompleted, 2}} {
		m := tinyModel(t, 0.1)
		es := &EarlyStopping{Monitor: "loss", Patience: 5, RestoreBestWeights: true}
		if err := es.OnTrainBegin(m, params("loss")); err != nil {
			t.Fatal(err)
		}
		for e, v := range []float64{3, 1, 2} {
			setBias(t, m, float64(e))
			es.OnEpochEnd(m, e, map[string]float64{"loss": v})
		}
		if err := es.OnTrainEnd(m, &model.History{Status: c.status}); err != nil {
			t.Fatal(err)
		}
		if bias(m) != c.want {
			t.Errorf("%v: weights of epoch %v, want %v", c.status, bias(m), c.want)
		}
	}
}

// TestEarlyStoppingErrors: bad settings and a monitored name Fit does not
// log are refused before training, naming what is accepted.
func TestEarlyStoppingErrors(t *testing.T) {
	m := tinyModel(t, 0.1)
	for _, c := range []struct {
		es   EarlyStopping
		want string
	}{
		{EarlyStopping{Mode: "up"}, "mode \"up\": want min, max or auto"},
		{EarlyStopping{MinDelta: -1}, "min_delta -1"},
		{EarlyStopping{Patience: -1}, "patience -1"},
		{EarlyStopping{}, `monitors "val_loss", which Fit does not log (val_ names need validation data`},
	} {
		err := c.es.OnTrainBegin(m, params("loss", "mae"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.es, err, c.want)
		}
	}
}
