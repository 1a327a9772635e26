package optim

import "github.com/golstm/golstm/graph"

// Adagrad is Keras 2.2.4's Adagrad. With lr the decayed learning rate, for
// each element:
//
//	a ← a + g²
//	p ← p − lr·g / (√a + Epsilon)
//
// The accumulator a starts at zero (state slot "a").
type Adagrad struct {
	LR      float64 `json:"lr"`
	Decay   float64 `json:"decay"`
	Epsilon float64 `json:"epsilon"`
	Clip
	st state
}

// NewAdagrad returns Adagrad with the Keras defaults: lr 0.01,
// epsilon 1e-7, decay 0.
func NewAdagrad() *Adagrad { return &Adagrad{LR: 0.01, Epsilon: Epsilon} }

// Name returns "adagrad".
func (o *Adagrad) Name() string { return "adagrad" }

// Validate checks lr, decay, epsilon >= 0 and the clip options.
func (o *Adagrad) Validate() error {
	return all(nonNeg("adagrad", "lr", o.LR), nonNeg("adagrad", "decay", o.Decay),
		nonNeg("adagrad", "epsilon", o.Epsilon), o.Clip.validate("adagrad"))
}

// State returns a copy of the state.
func (o *Adagrad) State() State { return o.st.get() }

// SetState replaces the state (slot "a").
func (o *Adagrad) SetState(s State) error { return o.st.set("adagrad", s, []string{"a"}, nil) }

// Step applies one Adagrad update to params (see the package doc).
func (o *Adagrad) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	es, err := o.st.prepare("adagrad", params, o.Clip, []string{"a"}, 0)
	if err != nil {
		return err
	}
	lr := decayed(o.LR, o.Decay, o.st.s.Iterations)
	accumulate(es, lr, 1, 1, o.Epsilon)
	return o.st.finish("adagrad", es)
}
