package model

import (
	"encoding/json"

	"github.com/golstm/golstm/graph/loss"
	"github.com/golstm/golstm/optim"
)

// trainingEntry is the compile state of a saved model: loss, metrics and
// the optimizer with its state (optim.Snapshot).
type trainingEntry struct {
	Loss        string          `json:"loss,omitempty"`
	Losses      []string        `json:"losses,omitempty"`
	LossWeights []float64       `json:"loss_weights,omitempty"`
	Metrics     []string        `json:"metrics,omitempty"`
	Optimizer   json.RawMessage `json:"optimizer"`
}

// trainingState returns m's compile state for Save, or nil when m is not
// compiled or its loss or optimizer cannot be stored (a custom loss, an
// optimizer of the user's own).
func (m *Model) trainingState() *trainingEntry {
	if m.losses == nil || m.opt == nil || m.custom != nil {
		return nil
	}
	var names []string
	for _, l := range m.losses {
		if _, err := loss.Get(l.Name()); err != nil {
			return nil // a loss of the caller's own
		}
		names = append(names, l.Name())
	}
	o, err := optim.Snapshot(m.opt)
	if err != nil {
		return nil
	}
	t := &trainingEntry{Metrics: append([]string(nil), m.metricNames...), Optimizer: o}
	if len(names) == 1 && m.lossWeights == nil {
		t.Loss = names[0]
	} else {
		t.Losses, t.LossWeights = names, append([]float64(nil), m.lossWeights...)
	}
	return t
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
	if t.Losses != nil {
		return m.CompileMulti(CompileOptions{Losses: t.Losses, LossWeights: t.LossWeights, Metrics: t.Metrics, Optimizer: opt})
	}
	return m.Compile(t.Loss, opt, t.Metrics...)
}
