package graph

import (
	"encoding/json"
	"sync"
)

// OptimizerCodec stores an optimizer, its configuration and its state, in a
// model file and restores it. Package optim registers the codec of its
// optimizers, so that Save keeps a compiled model's training state and Load
// returns a model that resumes training where it stopped.
type OptimizerCodec struct {
	// Encode returns the optimizer as JSON, or an error for an optimizer
	// the codec does not know (Save then stores no training state).
	Encode func(Optimizer) (json.RawMessage, error)
	// Decode rebuilds what Encode wrote.
	Decode func(json.RawMessage) (Optimizer, error)
}

var (
	codecMu sync.RWMutex
	codec   *OptimizerCodec
)

// RegisterOptimizerCodec sets the codec Save and Load use. It panics when
// called twice or with nil functions: both are programmer errors.
func RegisterOptimizerCodec(c OptimizerCodec) {
	if c.Encode == nil || c.Decode == nil {
		panic("graph: RegisterOptimizerCodec needs Encode and Decode")
	}
	codecMu.Lock()
	defer codecMu.Unlock()
	if codec != nil {
		panic("graph: optimizer codec registered twice")
	}
	codec = &c
}

func optimizerCodec() *OptimizerCodec {
	codecMu.RLock()
	defer codecMu.RUnlock()
	return codec
}

// trainingEntry is the compile state of a saved model: loss, metrics and
// the optimizer with its state.
type trainingEntry struct {
	Loss      string          `json:"loss"`
	Metrics   []string        `json:"metrics,omitempty"`
	Optimizer json.RawMessage `json:"optimizer"`
}

// trainingState returns m's compile state for Save, or nil when m is not
// compiled or its loss or optimizer cannot be stored (a custom loss, an
// optimizer no registered codec knows).
func (m *Model) trainingState() *trainingEntry {
	c := optimizerCodec()
	if m.loss == nil || m.opt == nil || c == nil {
		return nil
	}
	if _, err := GetLoss(m.loss.Name()); err != nil {
		return nil
	}
	o, err := c.Encode(m.opt)
	if err != nil {
		return nil
	}
	return &trainingEntry{Loss: m.loss.Name(), Metrics: append([]string(nil), m.metricNames...), Optimizer: o}
}

// restoreTraining compiles m from a saved compile state; without a
// registered codec m stays uncompiled.
func (m *Model) restoreTraining(t *trainingEntry) error {
	c := optimizerCodec()
	if t == nil || c == nil {
		return nil
	}
	opt, err := c.Decode(t.Optimizer)
	if err != nil {
		return badFile("optimizer: %v", err)
	}
	return m.Compile(t.Loss, opt, t.Metrics...)
}
