package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// checkStatefulBatch refuses a batch size other than a stateful layer's
// fixed one (fixBatch sets it on the first successful call).
func (l *LSTM) checkStatefulBatch(batch int) error {
	if !l.cfg.Stateful || l.cfg.BatchSize == 0 {
		return nil
	}
	if batch != l.cfg.BatchSize {
		return fmt.Errorf("lstm: stateful layer %q has batch size %d; got a batch of %d (a stateful layer needs the same batch size on every call)", l.cfg.Name, l.cfg.BatchSize, batch)
	}
	return nil
}

// initialState picks the state before the first step: the given one, else
// the carried one of a stateful layer, else zeros.
func (l *LSTM) initialState(batch int, given *State) (h, c *tensor.Dense, err error) {
	u := l.cfg.Units
	if given != nil {
		for _, s := range []struct {
			name string
			t    *tensor.Dense
		}{{"h", given.H}, {"c", given.C}} {
			if s.t == nil {
				return nil, nil, fmt.Errorf("lstm: initial state %s is nil", s.name)
			}
			if !sameShape(s.t.Shape(), batch, u) {
				return nil, nil, fmt.Errorf("lstm: initial state %s has shape %v, want (%d, %d) (batch, units)", s.name, s.t.Shape(), batch, u)
			}
			if s.t.Dtype() != l.dt {
				return nil, nil, fmt.Errorf("lstm: initial state %s has dtype %v, want %v", s.name, s.t.Dtype(), l.dt)
			}
		}
		return graph.Contiguous(given.H), graph.Contiguous(given.C), nil
	}
	if l.cfg.Stateful && l.states != nil {
		return l.states.H, l.states.C, nil
	}
	return zeros(l.dt, batch, u), zeros(l.dt, batch, u), nil
}

// ResetStates sets a stateful layer's carried states to zeros (they start
// as zeros). It is an error on a layer that is not stateful.
func (l *LSTM) ResetStates() error {
	if !l.cfg.Stateful {
		return fmt.Errorf("lstm: ResetStates: layer %q is not stateful", l.cfg.Name)
	}
	l.states = nil
	return nil
}

// ResetStatesTo sets a stateful layer's carried states to copies of s (each
// (batch_size, units), in the layer's dtype), as Keras reset_states(states).
func (l *LSTM) ResetStatesTo(s State) error {
	if !l.cfg.Stateful {
		return fmt.Errorf("lstm: ResetStatesTo: layer %q is not stateful", l.cfg.Name)
	}
	if !l.built {
		return fmt.Errorf("lstm: ResetStatesTo: layer %q is not built", l.cfg.Name)
	}
	if s.H == nil {
		return fmt.Errorf("lstm: ResetStatesTo: h is nil")
	}
	batch := s.H.Shape()[0]
	if err := l.checkStatefulBatch(batch); err != nil {
		return err
	}
	h, c, err := l.initialState(batch, &s)
	if err != nil {
		return err
	}
	l.cfg.BatchSize = batch
	l.states = &State{H: h.Clone().(*tensor.Dense), C: c.Clone().(*tensor.Dense)}
	return nil
}

// States returns copies of a stateful layer's carried states (nil before
// the first call or after ResetStates: zeros).
func (l *LSTM) States() *State {
	if l.states == nil {
		return nil
	}
	return &State{H: l.states.H.Clone().(*tensor.Dense), C: l.states.C.Clone().(*tensor.Dense)}
}

// IsStateful reports whether the layer carries its states across calls
// (Config.Stateful).
func (l *LSTM) IsStateful() bool { return l.cfg.Stateful }
