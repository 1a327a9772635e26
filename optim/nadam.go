package optim

import (
	"math"

	"github.com/golstm/golstm/graph"
)

// Nadam is Keras 2.2.4's Nesterov Adam. It has no decay argument (as in
// Keras 2.2.4). With t the 1-based step number and S the running product of
// the momentum schedule (state scalar "m_schedule", starting at 1):
//
//	μ_t   = Beta1·(1 − 0.5·0.96^(t·ScheduleDecay))
//	μ_t+1 = Beta1·(1 − 0.5·0.96^((t+1)·ScheduleDecay))
//	S ← S·μ_t;  S_next = S·μ_t+1
//	m ← Beta1·m + (1 − Beta1)·g
//	v ← Beta2·v + (1 − Beta2)·g²
//	m̄ = (1 − μ_t)·g/(1 − S) + μ_t+1·m/(1 − S_next)
//	p ← p − LR·m̄ / (√(v/(1 − Beta2^t)) + Epsilon)
//
// m and v start at zero (state slots "m" and "v").
type Nadam struct {
	LR            float64 `json:"lr"`
	Beta1         float64 `json:"beta_1"`
	Beta2         float64 `json:"beta_2"`
	Epsilon       float64 `json:"epsilon"`
	ScheduleDecay float64 `json:"schedule_decay"`
	Clip
	st state
}

// NewNadam returns Nadam with the Keras defaults: lr 0.002, beta_1 0.9,
// beta_2 0.999, epsilon 1e-7, schedule_decay 0.004.
func NewNadam() *Nadam {
	return &Nadam{LR: 0.002, Beta1: 0.9, Beta2: 0.999, Epsilon: Epsilon, ScheduleDecay: 0.004}
}

// Name returns "nadam".
func (o *Nadam) Name() string { return "nadam" }

// Validate checks lr, epsilon, schedule_decay >= 0, 0 <= beta_1, beta_2 < 1
// and the clip options.
func (o *Nadam) Validate() error {
	return all(nonNeg("nadam", "lr", o.LR), unit("nadam", "beta_1", o.Beta1),
		unit("nadam", "beta_2", o.Beta2), nonNeg("nadam", "epsilon", o.Epsilon),
		nonNeg("nadam", "schedule_decay", o.ScheduleDecay), o.Clip.validate("nadam"))
}

// State returns a copy of the state.
func (o *Nadam) State() State { return o.st.get() }

// SetState replaces the state (slots "m" and "v", scalar "m_schedule").
func (o *Nadam) SetState(s State) error {
	return o.st.set("nadam", s, []string{"m", "v"}, []string{"m_schedule"})
}

// Step applies one Nadam update to params (see the package doc).
func (o *Nadam) Step(params []*graph.Param) error {
	if err := o.Validate(); err != nil {
		return err
	}
	es, err := o.st.prepare("nadam", params, o.Clip, []string{"m", "v"}, 0)
	if err != nil {
		return err
	}
	t := float64(o.st.s.Iterations + 1)
	mu := o.Beta1 * (1 - 0.5*math.Pow(0.96, t*o.ScheduleDecay))
	mu1 := o.Beta1 * (1 - 0.5*math.Pow(0.96, (t+1)*o.ScheduleDecay))
	sched := o.st.scalar("m_schedule", 1)
	schedNew := sched * mu
	schedNext := sched * mu * mu1
	o.st.setScalar("m_schedule", schedNew)
	b2t := 1 - math.Pow(o.Beta2, t)
	for _, e := range es {
		m, v := e.slots[0], e.slots[1]
		for i, g := range e.grad {
			gp := g / (1 - schedNew)
			m[i] = ema(o.Beta1, m[i], g)
			mp := m[i] / (1 - schedNext)
			v[i] = ema(o.Beta2, v[i], g*g)
			vp := v[i] / b2t
			mbar := (1-mu)*gp + mu1*mp
			e.val[i] -= o.LR * mbar / (math.Sqrt(vp) + o.Epsilon)
		}
	}
	return o.st.finish("nadam", es)
}
