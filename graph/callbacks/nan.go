package callbacks

import (
	"fmt"
	"math"

	"github.com/golstm/golstm/graph/model"
)

// TerminateOnNaN stops training at the first batch whose loss is NaN or
// infinite, as Keras 2.2.4's TerminateOnNaN. Fit itself already ends with
// an error at such a batch, whatever the callbacks, without applying it;
// TerminateOnNaN lets Keras code keep its callback list and records where
// the loss went bad.
type TerminateOnNaN struct {
	model.CallbackBase
	epoch, batch int
	found        bool
}

// OnEpochBegin notes the epoch.
func (t *TerminateOnNaN) OnEpochBegin(m *model.Model, epoch int) error {
	t.epoch = epoch
	return nil
}

// OnBatchEnd stops training on a NaN or infinite loss.
func (t *TerminateOnNaN) OnBatchEnd(m *model.Model, batch int, logs map[string]float64) error {
	if l, ok := logs["loss"]; ok && (math.IsNaN(l) || math.IsInf(l, 0)) {
		t.batch, t.found = batch, true
		m.StopTraining(fmt.Sprintf("TerminateOnNaN: batch %d: invalid loss %v, terminating training", batch, l))
	}
	return nil
}

// Found returns the epoch and the batch (from 0) of the first invalid loss,
// and whether there was one.
func (t *TerminateOnNaN) Found() (epoch, batch int, ok bool) { return t.epoch, t.batch, t.found }

// LambdaCallback is a callback made of functions, as Keras'
// LambdaCallback: each field, when not nil, is called for its hook.
type LambdaCallback struct {
	// Each function is called by the hook of its name (see
	// model.Callback); a nil one does nothing.
	OnTrainBeginFunc func(m *model.Model, p model.FitParams) error
	OnEpochBeginFunc func(m *model.Model, epoch int) error
	OnBatchBeginFunc func(m *model.Model, batch int, logs map[string]float64) error
	OnBatchEndFunc   func(m *model.Model, batch int, logs map[string]float64) error
	OnEpochEndFunc   func(m *model.Model, epoch int, logs map[string]float64) error
	OnTrainEndFunc   func(m *model.Model, h *model.History) error
}

// OnTrainBegin calls OnTrainBeginFunc.
func (l *LambdaCallback) OnTrainBegin(m *model.Model, p model.FitParams) error {
	if l.OnTrainBeginFunc == nil {
		return nil
	}
	return l.OnTrainBeginFunc(m, p)
}

// OnEpochBegin calls OnEpochBeginFunc.
func (l *LambdaCallback) OnEpochBegin(m *model.Model, epoch int) error {
	if l.OnEpochBeginFunc == nil {
		return nil
	}
	return l.OnEpochBeginFunc(m, epoch)
}

// OnBatchBegin calls OnBatchBeginFunc.
func (l *LambdaCallback) OnBatchBegin(m *model.Model, batch int, logs map[string]float64) error {
	if l.OnBatchBeginFunc == nil {
		return nil
	}
	return l.OnBatchBeginFunc(m, batch, logs)
}

// OnBatchEnd calls OnBatchEndFunc.
func (l *LambdaCallback) OnBatchEnd(m *model.Model, batch int, logs map[string]float64) error {
	if l.OnBatchEndFunc == nil {
		return nil
	}
	return l.OnBatchEndFunc(m, batch, logs)
}

// OnEpochEnd calls OnEpochEndFunc.
func (l *LambdaCallback) OnEpochEnd(m *model.Model, epoch int, logs map[string]float64) error {
	if l.OnEpochEndFunc == nil {
		return nil
	}
	return l.OnEpochEndFunc(m, epoch, logs)
}

// OnTrainEnd calls OnTrainEndFunc.
func (l *LambdaCallback) OnTrainEnd(m *model.Model, h *model.History) error {
	if l.OnTrainEndFunc == nil {
		return nil
	}
	return l.OnTrainEndFunc(m, h)
}
