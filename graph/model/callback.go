package model

import (
	"fmt"
	"io"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// Callback is Keras' callback: Fit calls its hooks at the start and end of
// training, of every epoch and of every batch, in the order the callbacks
// are given in FitConfig.Callbacks. Package callbacks holds Keras' own
// (EarlyStopping, ModelCheckpoint, CSVLogger, ReduceLROnPlateau,
// LearningRateScheduler, TerminateOnNaN, LambdaCallback); a callback of the
// user's own embeds CallbackBase and defines only the hooks it needs.
//
// Logs are as in Keras 2.2.4. OnBatchBegin gets "batch" (its index in the
// epoch, from 0) and "size" (its number of samples); OnBatchEnd gets them
// with the batch's "loss" and metrics; OnEpochEnd gets the epoch's
// sample-weighted means of those ("loss", metrics) and, with validation
// data, "val_loss" and "val_<metric>". A callback may add entries to an
// epoch's logs (ReduceLROnPlateau adds "lr"); the callbacks after it see
// them and the History records them.
//
// Epochs and batches count from 0. A hook's error ends Fit, which returns
// it; OnTrainEnd is called on every callback whose OnTrainBegin ran, however
// training ended. To stop training, a hook calls Model.StopTraining.
type Callback interface {
	// OnTrainBegin is called once before the first epoch, with the
	// settings of the Fit (Keras' set_params and on_train_begin).
	OnTrainBegin(m *Model, p FitParams) error
	// OnEpochBegin is called at the start of every epoch.
	OnEpochBegin(m *Model, epoch int) error
	// OnBatchBegin is called before every training batch.
	OnBatchBegin(m *Model, batch int, logs map[string]float64) error
	// OnBatchEnd is called after every training batch (after its update;
	// for a batch whose loss is NaN or infinite, which Fit does not apply,
	// just before Fit ends with an error).
	OnBatchEnd(m *Model, batch int, logs map[string]float64) error
	// OnEpochEnd is called after every epoch's validation.
	OnEpochEnd(m *Model, epoch int, logs map[string]float64) error
	// OnTrainEnd is called once at the end of training, with the History
	// so far: h.Status says how training ended.
	OnTrainEnd(m *Model, h *History) error
}

// FitParams are the settings of a Fit as callbacks see them (Keras'
// callback.params).
type FitParams struct {
	// Epochs is the index after the last epoch (FitConfig.Epochs);
	// InitialEpoch the first epoch run.
	Epochs, InitialEpoch int
	// BatchSize, Samples (of training data) and Steps (batches per epoch).
	BatchSize, Samples, Steps int
	// Verbose is FitConfig.Verbose.
	Verbose int
	// Metrics are the names of an epoch's logs in order: "loss", the
	// metrics, then, with validation data, "val_loss" and the others with
	// "val_".
	Metrics []string
	// Validation reports whether the epochs are validated.
	Validation bool
	// Output is where Fit writes its progress (FitConfig.Progress) and
	// where callbacks with a Verbose setting write their messages.
	Output io.Writer
}

// CallbackBase implements every Callback hook as doing nothing: a callback
// embeds it and defines the hooks it needs.
type CallbackBase struct{}

// OnTrainBegin does nothing.
func (CallbackBase) OnTrainBegin(*Model, FitParams) error { return nil }

// OnEpochBegin does nothing.
func (CallbackBase) OnEpochBegin(*Model, int) error { return nil }

// OnBatchBegin does nothing.
func (CallbackBase) OnBatchBegin(*Model, int, map[string]float64) error { return nil }

// OnBatchEnd does nothing.
func (CallbackBase) OnBatchEnd(*Model, int, map[string]float64) error { return nil }

// OnEpochEnd does nothing.
func (CallbackBase) OnEpochEnd(*Model, int, map[string]float64) error { return nil }

// OnTrainEnd does nothing.
func (CallbackBase) OnTrainEnd(*Model, *History) error { return nil }

// StopTraining asks a running Fit to stop, as Keras' model.stop_training =
// True: called from OnBatchBegin or OnBatchEnd, Fit ends the epoch after
// the current batch (without validating it; its logs hold the means of the
// batches run); from OnEpochBegin or OnEpochEnd, after the current epoch.
// The History's Status is then FitStopped and its StopReason is reason
// (EarlyStopping says what did not improve). Each Fit starts with the
// request cleared.
func (m *Model) StopTraining(reason string) {
	m.stop = true
	if reason == "" {
		reason = "a callback called StopTraining"
	}
	m.stopReason = reason
}

// StopRequested reports whether StopTraining was called during the Fit in
// progress, and with which reason.
func (m *Model) StopRequested() (bool, string) { return m.stop, m.stopReason }

// Weights returns copies of every weight value, in Params order (Keras'
// get_weights).
func (m *Model) Weights() []*tensor.Dense {
	ps := m.Params()
	out := make([]*tensor.Dense, len(ps))
	for i, p := range ps {
		out[i] = p.Value.Clone().(*tensor.Dense)
	}
	return out
}

// SetWeights sets every weight from ws, given in Weights order (Keras'
// set_weights); float32 and float64 values are converted to the model's
// dtype. A wrong count or shape is an error and changes nothing.
func (m *Model) SetWeights(ws ...*tensor.Dense) error {
	ps := m.Params()
	if len(ws) != len(ps) {
		return fmt.Errorf("model: SetWeights: %d arrays for %d weights", len(ws), len(ps))
	}
	for i, p := range ps {
		if ws[i] == nil || !ws[i].Shape().Eq(p.Value.Shape()) {
			return fmt.Errorf("model: SetWeights: array %d for %s: want shape %v", i, p.Name, p.Value.Shape())
		}
		if err := graph.CheckDtype(ws[i].Dtype()); err != nil {
			return fmt.Errorf("model: SetWeights: array %d for %s: %w", i, p.Name, err)
		}
	}
	for i, p := range ps {
		graph.CopyInto(p.Value, ws[i])
	}
	return nil
}
