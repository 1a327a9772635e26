package model

import (
	"encoding/json"

	"github.com/golstm/golstm/graph/loss"
	"github.com/golstm/golstm/optim"
)

// trainingEntry is the compile state of a saved model: loss, metrics and
// the optimizer with its state (optim.Snapshot).
type trainingEntry struct {
	Loss      string          `json:"loss"`
	Metrics   []string        `json:"metrics,omitempty"`
	Optimizer json.RawMessage `json:"optimizer"`
}

// trainingState returns m's compile state for Save, or nil when m is not
// compiled or its loss or optimizer cannot be stored (a custom loss, an
// optimizer of the user's own).
func (m *Model) trainingState() *trainingEntry {
	if m.loss == nil || m.opt == nil {
		return nil
	}
	if _, err := loss.Get(m.loss.Name()); err != nil {
		return nil
	}
	o, err := optim.Snapshot(m.opt)
	if err != nil {
		return nil
	}
	return &trainingEntry{Loss: m.loss.Name(), Metrics: append([]string(nil), m.metricNames...), Optimizer: o}
}

// restoreTraining compiles m from a saved compile state.
func (m *Model) restoreTraining(t *trainingEntry) error {
	if t == nil {
		return nil
	}
	opt, err := optim.Restore(t.Optimizer)
	if err != nil {
		return badFile("optimizer: %v", err)
	}
	return m.Compile(t.Loss, opt, t.Metrics...)
}
