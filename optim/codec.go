package optim

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
)

// saved is an optimizer as a model file keeps it: Marshal's configuration
// and the state (iterations, moments).
type saved struct {
	Optimizer json.RawMessage `json:"optimizer"`
	State     State           `json:"state"`
}

// The optimizers of this package are stored with the models that graph's
// Save writes, configuration and state, and restored by graph.Load.
func init() {
	graph.RegisterOptimizerCodec(graph.OptimizerCodec{Encode: encodeSaved, Decode: decodeSaved})
}

func encodeSaved(g graph.Optimizer) (json.RawMessage, error) {
	o, ok := g.(Optimizer)
	if !ok {
		return nil, fmt.Errorf("optim: %T is not an optimizer of this package", g)
	}
	cfg, err := Marshal(o)
	if err != nil {
		return nil, err
	}
	return json.Marshal(saved{Optimizer: cfg, State: o.State()})
}

func decodeSaved(data json.RawMessage) (graph.Optimizer, error) {
	var s saved
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("optim: saved optimizer: %w", err)
	}
	o, err := Unmarshal(s.Optimizer)
	if err != nil {
		return nil, err
	}
	if err := o.SetState(s.State); err != nil {
		return nil, err
	}
	return o, nil
}
