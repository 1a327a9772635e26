package optim

import (
	"encoding/json"
	"fmt"
)

// snapshot is an optimizer as a model file keeps it: Marshal's configuration
// and the state (iterations, moments).
type snapshot struct {
	Optimizer json.RawMessage `json:"optimizer"`
	State     State           `json:"state"`
}

// Snapshot returns o's configuration (as Marshal) and its state (as
// State) in one JSON document, the form in which a model file keeps a
// compiled model's optimizer so that a loaded model resumes training
// exactly where it stopped. It is an error for an optimizer that is not one
// of this package's.
func Snapshot(o Optimizer) (json.RawMessage, error) {
	cfg, err := Marshal(o)
	if err != nil {
		return nil, err
	}
	return json.Marshal(snapshot{Optimizer: cfg, State: o.State()})
}

// Restore rebuilds the optimizer, configuration and state, that Snapshot
// wrote.
func Restore(data json.RawMessage) (Optimizer, error) {
	var s snapshot
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
