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

// Compiled returns the model's compile arguments in the form CompileMulti
// takes (one loss name per output, or one for all; the loss weights, nil
// for all 1; the metric names; the optimizer) and true, when the model is
// compiled with losses of package loss and metrics by name; otherwise (not
// compiled, a loss of the caller's own, CompileWith's metrics) false.
func (m *Model) Compiled() (CompileOptions, bool) {
	if m.losses == nil || m.opt == nil || m.custom != nil {
		return CompileOptions{}, false
	}
	var names []string
	for _, l := range m.losses {
		if _, err := loss.Get(l.Name()); err != nil {
			return CompileOptions{}, false // a loss of the caller's own
		}
		names = append(names, l.Name())
	}
	return CompileOptions{Losses: names, LossWeights: append([]float64(nil), m.lossWeights...),
		Metrics: append([]string(nil), m.metricNames...), Optimizer: m.opt}, true
}

// trainingState returns m's compile state for Save, or nil when m is not
// compiled or its loss or optimizer cannot be stored (a custom loss, an
// optimizer of the user's own).
func (m *Model) trainingState() *trainingEntry {
	c, ok := m.Compiled()
	if !ok {
		return nil
	}
	o, err := optim.Snapshot(c.Optimizer)
	if err != nil {
		return nil
	}
	t := &trainingEntry{Metrics: c.Metrics, Optimizer: o}
	if len(c.Losses) == 1 && m.lossWeights == nil {
		t.Loss = c.Losses[0]
	} else {
		t.Losses, t.LossWeights = c.Losses, c.LossWeights
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
