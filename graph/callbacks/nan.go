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
