package callbacks

import "github.com/golstm/golstm/graph/model"

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
