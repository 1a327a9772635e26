package optim

import (
	"math"

	"github.com/golstm/golstm/graph"
)

// Adamax is Keras 2.2.4's Adamax (Adam with the infinity norm). With lr the
// decayed learning rate and t the 1-based step number:
//
//	lr_t = lr / (1 − Beta1^t)
//	m ← Beta1·m + (1 − Beta1)·g
//	u ← max(Beta2·u, |g|)
//	p ← p − lr_t·m / (u + Epsilon)
//
// m and u start at zero (state slots "m" and "u").
type Adamax struct {
	LR      float64 `json:"lr"`
	Beta1   float64 `json:"beta_1"`
	Beta2   float64 `json:"beta_2"`
	Decay   float64 `json:"decay"`
	Epsilon float64 `json:"epsilon"`
	Clip
	st state
}

// NewAdamax returns Adamax with the Keras defaults: lr 0.002, beta_1 0.9,
// beta_2 0.999, epsilon 1e-7, decay 0.
func NewAdamax() *Adamax { return &Adamax{LR: 0.002, Beta1: 0.9, Beta2: 0.999, Epsilon: Epsilon} }

// Name returns "adamax".
func (o *Adamax) Name() string { return "adamax" }

// Validate checks lr, decay, epsilon >= 0, 0 <= beta_1, beta_2 < 1 and the
// clip options.
func (o *Adamax) Validate() error {
	return all(nonNeg("adamax", "lr", o.LR), unit("adamax", "beta_1", o.Beta1),
		unit("adamax", "beta_2", o.Beta2), nonNeg("adamax", "decay", o.Decay),
		nonNeg("adamax", "epsilon", o.Epsilon), o.Clip.validate("adamax"))
}

// State returns a copy of the state.
func (o *Adamax) State() State { return o.st.get() }

// SetState replaces the state (slots "m" and "u").
func (o *Adamax) SetState(s State) error {
	return o.st.set("adamax", s, []string{"m", "u"}, nil)
}

// Step applies one Adamax update to params (see the package doc).
func (o *Adamax) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	es, err := o.st.prepare("adamax", params, o.Clip, []string{"m", "u"}, 0)
	if err != nil {
		return err
	}
	lr := decayed(o.LR, o.Decay, o.st.s.Iterations)
	t := float64(o.st.s.Iterations + 1)
	lrT := lr / (1 - math.Pow(o.Beta1, t))
	for _, e := range es {
		m, u := e.slots[0], e.slots[1]
		for i, g := range e.grad {
			m[i] = ema(o.Beta1, m[i], g)
			u[i] = math.Max(o.Beta2*u[i], math.Abs(g))
			e.val[i] -= lrT * m[i] / (u[i] + o.Epsilon)
		}
	}
	return o.st.finish("adamax", es)
}
