package graph

import "gorgonia.org/tensor"

// Callback is called by Model.Fit at the start of training, after every
// epoch (with that epoch's logs: "loss", metrics, "val_..."), and at the
// end of training.
type Callback interface {
	OnTrainBegin(m *Model) error
	// OnEpochEnd returns stop true to end training after this epoch.
	// Epochs count from 0.
	OnEpochEnd(m *Model, epoch int, logs map[string]float64) (stop bool, err error)
	OnTrainEnd(m *Model) error
}

// weights returns copies of all weight values, in Params order.
func (m *Model) weights() []*Param {
	ps := m.Params()
	out := make([]*Param, len(ps))
	for i, p := range ps {
		out[i] = &Param{Name: p.Name, Value: p.Value.Clone().(*tensor.Dense)}
	}
	return out
}

// setWeights copies saved values (from weights) back into the weights.
func (m *Model) setWeights(saved []*Param) {
	for i, p := range m.Params() {
		copyInto(p.Value, saved[i].Value)
	}
}
