package callbacks

import (
	"fmt"

	"github.com/golstm/golstm/graph/model"
	"gorgonia.org/tensor"
)

// EarlyStopping stops training when a monitored quantity stops improving,
// as Keras 2.2.4's EarlyStopping. An epoch improves when its value beats
// the best so far by more than MinDelta (current + MinDelta < best when
// minimizing, current − MinDelta > best when maximizing); the best starts
// at Baseline when set, else at ±Inf. After Patience epochs in a row
// without improvement it calls Model.StopTraining, and with
// RestoreBestWeights sets the weights of the best epoch back.
//
// Keras 2.2.4 restores the best weights only when EarlyStopping stops
// training; here they are also restored when training ends early for
// another reason (a cancelled FitConfig.Context, another callback, a NaN
// loss), so that an interrupted run keeps its best weights. A run that
// completes every epoch keeps its last weights, as in Keras 2.2.4. When no
// epoch beat Baseline, nothing is restored.
//
// The zero value has Keras' defaults: monitor "val_loss", min_delta 0,
// patience 0, mode auto, no baseline.
type EarlyStopping struct {
	model.CallbackBase
	// Monitor is a log name: "val_loss" (the default when empty), "loss",
	// "val_mae", ...
	Monitor string
	// MinDelta is the least change that counts as an improvement (>= 0).
	MinDelta float64
	// Patience is the number of epochs without improvement before stopping.
	Patience int
	// Verbose 1 writes a line to FitParams.Output when training stops and
	// when weights are restored.
	Verbose int
	// Mode is "min", "max" or "auto" (the default: max when Monitor contains
	// "acc", else min).
	Mode string
	// Baseline, when not nil, is the value to beat: training stops after
	// Patience epochs that do not improve on it.
	Baseline *float64
	// RestoreBestWeights restores the best epoch's weights on stopping.
	RestoreBestWeights bool

	mon       monitor
	out       fitOutput
	best      float64
	bestEpoch int
	wait      int
	stopped   int
	saved     []*tensor.Dense
	restored  bool
}

// OnTrainBegin checks the settings and resets the state.
func (e *EarlyStopping) OnTrainBegin(m *model.Model, p model.FitParams) error {
	if e.Monitor == "" {
		e.Monitor = "val_loss"
	}
	if err := nonNegative("EarlyStopping", "min_delta", e.MinDelta); err != nil {
		return err
	}
	if e.Patience < 0 {
		return fmt.Errorf("callbacks: EarlyStopping patience %d: want >= 0", e.Patience)
	}
	mon, err := newMonitor("EarlyStopping", e.Monitor, e.Mode, p.Metrics)
	if err != nil {
		return err
	}
	e.mon, e.out = mon, fitOutput{p, e.Verbose}
	e.best, e.bestEpoch, e.wait, e.stopped, e.saved, e.restored = mon.worst(), -1, 0, -1, nil, false
	if e.Baseline != nil {
		e.best = *e.Baseline
	}
	return nil
}

// OnEpochEnd records the monitored value and stops training after
// Patience epochs without improvement.
func (e *EarlyStopping) OnEpochEnd(m *model.Model, epoch int, logs map[string]float64) error {
	cur, ok := logs[e.Monitor]
	if !ok {
		return nil // an epoch stopped part way, without validation
	}
	if e.mon.improves(cur, e.best, e.MinDelta) {
		e.best, e.bestEpoch, e.wait = cur, epoch, 0
		if e.RestoreBestWeights {
			e.saved = m.Weights()
		}
		return nil
	}
	e.wait++
	if e.wait < e.Patience {
		return nil
	}
	e.stopped = epoch
	reason := fmt.Sprintf("EarlyStopping: %s did not improve for %d epochs", e.Monitor, e.wait)
	if e.bestEpoch >= 0 {
		reason += fmt.Sprintf(" (best %.6g in epoch %d)", e.best, e.bestEpoch+1)
	} else if e.Baseline != nil {
		reason += fmt.Sprintf(" (baseline %.6g never beaten)", *e.Baseline)
	}
	m.StopTraining(reason)
	e.out.printf("Epoch %05d: early stopping", epoch+1)
	return e.restore(m)
}

// OnTrainEnd restores the best weights when training ended before its
// last epoch for another reason (see the type's documentation).
func (e *EarlyStopping) OnTrainEnd(m *model.Model, h *model.History) error {
	if h.Status == model.FitCompleted {
		return nil
	}
	return e.restore(m)
}

// restore sets the best weights back, once, with RestoreBestWeights.
func (e *EarlyStopping) restore(m *model.Model) error {
	if !e.RestoreBestWeights || e.saved == nil || e.restored {
		return nil
	}
	e.out.printf("Restoring model weights from the end of the best epoch (%d)", e.bestEpoch+1)
	e.restored = true
	return m.SetWeights(e.saved...)
}

// StoppedEpoch returns the epoch (from 0) after which EarlyStopping stopped
// training, or -1 if it did not.
func (e *EarlyStopping) StoppedEpoch() int { return e.stopped }

// BestEpoch returns the epoch (from 0) with the best monitored value and
// that value (-1 and the baseline or ±Inf before any improvement).
func (e *EarlyStopping) BestEpoch() (int, float64) { return e.bestEpoch, e.best }

// Restored reports whether the best weights were set back.
func (e *EarlyStopping) Restored() bool { return e.restored }
