package model

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// Callback is called by Model.Fit at the start of training, after every
// epoch (with that epoch's logs: "loss", metrics, "val_..."), and at the
// end of training. Package callbacks holds Keras' callbacks.
type Callback interface {
	OnTrainBegin(m *Model) error
	// OnEpochEnd returns stop true to end training after this epoch.
	// Epochs count from 0.
	OnEpochEnd(m *Model, epoch int, logs map[string]float64) (stop bool, err error)
	OnTrainEnd(m *Model) error
}

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
