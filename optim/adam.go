package optim

import (
	"math"

	"github.com/golstm/golstm/graph"
)

// Adam is Keras 2.2.4's Adam, with the AMSGrad variant. With lr the decayed
// learning rate and t the 1-based step number:
//
//	lr_t = lr·√(1 − Beta2^t) / (1 − Beta1^t)
//	m ← Beta1·m + (1 − Beta1)·g
//	v ← Beta2·v + (1 − Beta2)·g²
//	p ← p − lr_t·m / (√v + Epsilon)              (AMSGrad false)
//	v̂ ← max(v̂, v);  p ← p − lr_t·m / (√v̂ + Epsilon) (AMSGrad true)
//
// The moments start at zero (state slots "m", "v" and, with AMSGrad, "vhat").
type Adam struct {
	LR      float64 `json:"lr"`
	Beta1   float64 `json:"beta_1"`
	Beta2   float64 `json:"beta_2"`
	Decay   float64 `json:"decay"`
	Epsilon float64 `json:"epsilon"`
	AMSGrad bool    `json:"amsgrad"`
	Clip
	st state
}

// NewAdam returns Adam with the Keras defaults: lr 0.001, beta_1 0.9,
// beta_2 0.999, epsilon 1e-7, decay 0, amsgrad false.
func NewAdam() *Adam { return &Adam{LR: 0.001, Beta1: 0.9, Beta2: 0.999, Epsilon: Epsilon} }

// Name returns "adam".
func (o *Adam) Name() string { return "adam" }

// Validate checks lr, decay, epsilon >= 0, 0 <= beta_1, beta_2 < 1 and the
// clip options.
func (o *Adam) Validate() error {
	return all(nonNeg("adam", "lr", o.LR), unit("adam", "beta_1", o.Beta1),
		unit("adam", "beta_2", o.Beta2), nonNeg("adam", "decay", o.Decay),
		nonNeg("adam", "epsilon", o.Epsilon), o.Clip.validate("adam"))
}

// State returns a copy of the state.
func (o *Adam) State() State { return o.st.get() }

// SetState replaces the state (slots "m", "v", "vhat").
func (o *Adam) SetState(s State) error {
	return o.st.set("adam", s, []string{"m", "v", "vhat"}, nil)
}

// Step applies one Adam update to params (see the package doc).
func (o *Adam) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	slots := []string{"m", "v"}
	if o.AMSGrad {
		slots = append(slots, "vhat")
	}
	es, err := o.st.prepare("adam", params, o.Clip, slots, 0)
	if err != nil {
		return err
	}
	lr := decayed(o.LR, o.Decay, o.st.s.Iterations)
	t := float64(o.st.s.Iterations + 1)
	lrT := lr * (math.Sqrt(1-math.Pow(o.Beta2, t)) / (1 - math.Pow(o.Beta1, t)))
	for _, e := range es {
		m, v := e.slots[0], e.slots[1]
		for i, g := range e.grad {
			m[i] = ema(o.Beta1, m[i], g)
			v[i] = ema(o.Beta2, v[i], g*g)
			den := v[i]
			if o.AMSGrad {
				vh := e.slots[2]
				vh[i] = math.Max(vh[i], v[i])
				den = vh[i]
			}
			e.val[i] -= lrT * m[i] / (math.Sqrt(den) + o.Epsilon)
		}
	}
	return o.st.finish("adam", es)
}
