package callbacks

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/golstm/golstm/graph/model"
	"gorgonia.org/tensor"
)

// EarlyStopping stops training when a monitored quantity stops improving,
// as Keras 2.2.4's EarlyStopping: an epoch improves when it beats the best
// value by more than MinDelta, current + MinDelta < best (mode min) or
// current - MinDelta > best (mode max); after Patience epochs without improvement, training stops, and with
// RestoreBestWeights the weights of the best epoch are restored (Keras
// 2.2.4 restores only when it stops training early).
type EarlyStopping struct {
	// Monitor is a log name: "val_loss" (the default when empty), "loss",
	// "val_mae", ...
	Monitor string
	// MinDelta is the least change that counts as an improvement (>= 0).
	MinDelta float64
	// Patience is the number of epochs without improvement before stopping.
	Patience int
	// Mode is "min", "max" or "auto" (the default: max when Monitor contains
	// "acc", else min).
	Mode string
	// RestoreBestWeights restores the best epoch's weights on stopping.
	RestoreBestWeights bool

	best      float64
	bestEpoch int
	wait      int
	stopped   int
	maximize  bool
	saved     []*tensor.Dense
}

// OnTrainBegin checks the settings and resets the state.
func (e *EarlyStopping) OnTrainBegin(m *model.Model) error {
	if e.Monitor == "" {
		e.Monitor = "val_loss"
	}
	switch e.Mode {
	case "", "auto":
		e.maximize = strings.Contains(e.Monitor, "acc")
	case "min":
		e.maximize = false
	case "max":
		e.maximize = true
	default:
		return fmt.Errorf("callbacks: EarlyStopping mode %q: want min, max or auto", e.Mode)
	}
	if e.MinDelta < 0 || math.IsNaN(e.MinDelta) {
		return fmt.Errorf("callbacks: EarlyStopping min_delta %v: want >= 0", e.MinDelta)
	}
	if e.Patience < 0 {
		return fmt.Errorf("callbacks: EarlyStopping patience %d: want >= 0", e.Patience)
	}
	e.best, e.bestEpoch, e.wait, e.stopped, e.saved = math.Inf(1), -1, 0, -1, nil
	if e.maximize {
		e.best = math.Inf(-1)
	}
	return nil
}

// OnEpochEnd records the monitored value and says whether to stop.
func (e *EarlyStopping) OnEpochEnd(m *model.Model, epoch int, logs map[string]float64) (bool, error) {
	cur, ok := logs[e.Monitor]
	if !ok {
		names := make([]string, 0, len(logs))
		for n := range logs {
			names = append(names, n)
		}
		sort.Strings(names)
		return false, fmt.Errorf("callbacks: EarlyStopping monitors %q, which is not logged: available are %s", e.Monitor, strings.Join(names, ", "))
	}
	better := cur+e.MinDelta < e.best
	if e.maximize {
		better = cur-e.MinDelta > e.best
	}
	if better {
		e.best, e.bestEpoch, e.wait = cur, epoch, 0
		if e.RestoreBestWeights {
			e.saved = m.Weights()
		}
		return false, nil
	}
	e.wait++
	if e.wait >= e.Patience {
		e.stopped = epoch
		if e.RestoreBestWeights && e.saved != nil {
			if err := m.SetWeights(e.saved...); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	return false, nil
}

// OnTrainEnd does nothing.
func (e *EarlyStopping) OnTrainEnd(m *model.Model) error { return nil }

// StoppedEpoch returns the epoch (from 0) after which training stopped, or
// -1 if it ran all epochs.
func (e *EarlyStopping) StoppedEpoch() int { return e.stopped }

// BestEpoch returns the epoch (from 0) with the best monitored value and
// that value.
func (e *EarlyStopping) BestEpoch() (int, float64) { return e.bestEpoch, e.best }
