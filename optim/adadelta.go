package optim

import (
	"math"

	"github.com/golstm/golstm/graph"
)

// Adadelta is Keras 2.2.4's Adadelta. With lr the decayed learning rate,
// for each element:
//
//	a  ← Rho·a + (1 − Rho)·g²
//	u  = g·√(d + Epsilon) / √(a + Epsilon)    (new a, old d)
//	p  ← p − lr·u
//	d  ← Rho·d + (1 − Rho)·u²
//
// The accumulators a and d start at zero (state slots "a" and "d_a").
type Adadelta struct {
	LR      float64 `json:"lr"`
	Rho     float64 `json:"rho"`
	Decay   float64 `json:"decay"`
	Epsilon float64 `json:"epsilon"`
	Clip
	st state
}

// NewAdadelta returns Adadelta with the Keras defaults: lr 1, rho 0.95,
// epsilon 1e-7, decay 0.
func NewAdadelta() *Adadelta { return &Adadelta{LR: 1, Rho: 0.95, Epsilon: Epsilon} }

// Name returns "adadelta".
func (o *Adadelta) Name() string { return "adadelta" }

// Validate checks lr, decay, epsilon >= 0, 0 <= rho < 1 and the clip options.
func (o *Adadelta) Validate() error {
	return all(nonNeg("adadelta", "lr", o.LR), unit("adadelta", "rho", o.Rho),
		nonNeg("adadelta", "decay", o.Decay), nonNeg("adadelta", "epsilon", o.Epsilon),
		o.Clip.validate("adadelta"))
}

// State returns a copy of the state.
func (o *Adadelta) State() State { return o.st.get() }

// SetState replaces the state (slots "a" and "d_a").
func (o *Adadelta) SetState(s State) error {
	return o.st.set("adadelta", s, []string{"a", "d_a"}, nil)
}

// Step applies one Adadelta update to params (see the package doc).
func (o *Adadelta) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	es, err := o.st.prepare("adadelta", params, o.Clip, []string{"a", "d_a"}, 0)
	if err != nil {
		return err
	}
	lr := decayed(o.LR, o.Decay, o.st.s.Iterations)
	for _, e := range es {
		a, d := e.slots[0], e.slots[1]
		for i, g := range e.grad {
			a[i] = ema(o.Rho, a[i], g*g)
			u := g * math.Sqrt(d[i]+o.Epsilon) / math.Sqrt(a[i]+o.Epsilon)
			e.val[i] -= lr * u
			d[i] = ema(o.Rho, d[i], u*u)
		}
	}
	return o.st.finish("adadelta", es)
}
