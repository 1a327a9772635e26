package optim

import "github.com/golstm/golstm/graph"

// SGD is Keras' stochastic gradient descent with momentum and Nesterov
// momentum. With lr the decayed learning rate, for each element:
//
//	v ← Momentum·v − lr·g
//	p ← p + v                      (Nesterov false)
//	p ← p + Momentum·v − lr·g      (Nesterov true)
//
// The velocity v starts at zero (state slot "moment").
type SGD struct {
	LR       float64 `json:"lr"`
	Momentum float64 `json:"momentum"`
	Decay    float64 `json:"decay"`
	Nesterov bool    `json:"nesterov"`
	Clip
	st state
}

// NewSGD returns SGD with the Keras defaults: lr 0.01, momentum 0,
// decay 0, nesterov false.
func NewSGD() *SGD { return &SGD{LR: 0.01} }

// Name returns "sgd".
func (o *SGD) Name() string { return "sgd" }

// Validate checks lr, momentum, decay >= 0 and the clip options.
func (o *SGD) Validate() error {
	return all(nonNeg("sgd", "lr", o.LR), nonNeg("sgd", "momentum", o.Momentum),
		nonNeg("sgd", "decay", o.Decay), o.Clip.validate("sgd"))
}

// State returns a copy of the state.
func (o *SGD) State() State { return o.st.get() }

// SetState replaces the state (slot "moment").
func (o *SGD) SetState(s State) error { return o.st.set("sgd", s, []string{"moment"}, nil) }

// Step applies one SGD update to params (see the package doc).
func (o *SGD) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	es, err := o.st.prepare("sgd", params, o.Clip, []string{"moment"}, 0)
	if err != nil {
		return err
	}
	lr := decayed(o.LR, o.Decay, o.st.s.Iterations)
	for _, e := range es {
		m := e.slots[0]
		for i, g := range e.grad {
			v := o.Momentum*m[i] - lr*g
			m[i] = v
			if o.Nesterov {
				e.val[i] = e.val[i] + o.Momentum*v - lr*g
			} else {
				e.val[i] = e.val[i] + v
			}
		}
	}
	return o.st.finish("sgd", es)
}
