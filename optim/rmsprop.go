package optim

import "github.com/golstm/golstm/graph"

// RMSprop is Keras 2.2.4's RMSProp. With lr the decayed learning rate, for
// each element:
//
//	a ← Rho·a + (1 − Rho)·g²
//	p ← p − lr·g / (√a + Epsilon)
//
// The accumulator a starts at zero (state slot "a").
type RMSprop struct {
	LR      float64 `json:"lr"`
	Rho     float64 `json:"rho"`
	Decay   float64 `json:"decay"`
	Epsilon float64 `json:"epsilon"`
	Clip
	st state
}

// NewRMSprop returns RMSprop with the Keras defaults: lr 0.001, rho 0.9,
// epsilon 1e-7, decay 0.
func NewRMSprop() *RMSprop { return &RMSprop{LR: 0.001, Rho: 0.9, Epsilon: Epsilon} }

// Name returns "rmsprop".
func (o *RMSprop) Name() string { return "rmsprop" }

// Validate checks lr, decay, epsilon >= 0, 0 <= rho < 1 and the clip options.
func (o *RMSprop) Validate() error {
	return all(nonNeg("rmsprop", "lr", o.LR), unit("rmsprop", "rho", o.Rho),
		nonNeg("rmsprop", "decay", o.Decay), nonNeg("rmsprop", "epsilon", o.Epsilon),
		o.Clip.validate("rmsprop"))
}

// State returns a copy of the state.
func (o *RMSprop) State() State { return o.st.get() }

// SetState replaces the state (slot "a").
func (o *RMSprop) SetState(s State) error { return o.st.set("rmsprop", s, []string{"a"}, nil) }

// Step applies one RMSprop update to params (see the package doc).
func (o *RMSprop) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	es, err := o.st.prepare("rmsprop", params, o.Clip, []string{"a"}, 0)
	if err != nil {
		return err
	}
	lr := decayed(o.LR, o.Decay, o.st.s.Iterations)
	accumulate(es, lr, o.Rho, 1-o.Rho, o.Epsilon)
	return o.st.finish("rmsprop", es)
}
