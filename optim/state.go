package optim

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/golstm/golstm/graph"
)

// State is an optimizer's state, for saving and restoring training.
type State struct {
	// Iterations is the number of Steps taken.
	Iterations int64 `json:"iterations"`
	// Scalars holds per-optimizer scalars (Nadam: "m_schedule").
	Scalars map[string]float64 `json:"scalars,omitempty"`
	// Slots maps a slot name (for example Adam's "m" and "v") to the
	// row-major values of that slot for each param name.
	Slots map[string]map[string][]float64 `json:"slots,omitempty"`
}

// clone returns a deep copy of s.
func (s State) clone() State {
	c := State{Iterations: s.Iterations}
	if s.Scalars != nil {
		c.Scalars = make(map[string]float64, len(s.Scalars))
		for k, v := range s.Scalars {
			c.Scalars[k] = v
		}
	}
	if s.Slots != nil {
		c.Slots = make(map[string]map[string][]float64, len(s.Slots))
		for k, m := range s.Slots {
			cm := make(map[string][]float64, len(m))
			for n, v := range m {
				cm[n] = slices.Clone(v)
			}
			c.Slots[k] = cm
		}
	}
	return c
}

// state is the state an optimizer embeds, with the Step machinery shared by
// all optimizers.
type state struct {
	s State
}

// get returns a deep copy of the state.
func (st *state) get() State { return st.s.clone() }

// set checks s against the slot and scalar names opt accepts and stores a
// deep copy.
func (st *state) set(opt string, s State, slotNames, scalarNames []string) error {
	if s.Iterations < 0 {
		return fmt.Errorf("optim: %s: state iterations = %d: want >= 0", opt, s.Iterations)
	}
	for k := range s.Scalars {
		if !slices.Contains(scalarNames, k) {
			return fmt.Errorf("optim: %s: unknown state scalar %q: want one of [%s]", opt, k, strings.Join(scalarNames, " "))
		}
	}
	for k := range s.Slots {
		if !slices.Contains(slotNames, k) {
			return fmt.Errorf("optim: %s: unknown state slot %q: want one of [%s]", opt, k, strings.Join(slotNames, " "))
		}
	}
	st.s = s.clone()
	return nil
}

// scalar returns the named scalar, or def when it is not set.
func (st *state) scalar(name string, def float64) float64 {
	if v, ok := st.s.Scalars[name]; ok {
		return v
	}
	return def
}

// setScalar sets the named scalar.
func (st *state) setScalar(name string, v float64) {
	if st.s.Scalars == nil {
		st.s.Scalars = map[string]float64{}
	}
	st.s.Scalars[name] = v
}

// entry is one param during a Step: float64 copies of its value and
// (clipped) gradient, and its slots in the order asked for.
type entry struct {
	p     *graph.Param
	val   []float64
	grad  []float64
	slots [][]float64
}

// prepare checks params, copies values and gradients to float64 in name
// order, applies clipping, and returns each param's slots, created with
// value init (Keras: zeros) on first use. Nothing is changed when it
// returns an error.
func (st *state) prepare(opt string, params []*graph.Param, c Clip, slotNames []string, init float64) ([]entry, error) {
	sorted := make([]*graph.Param, len(params))
	copy(sorted, params)
	for i, p := range sorted {
		if err := checkParam(opt, i, p); err != nil {
			return nil, err
		}
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	es := make([]entry, len(sorted))
	for i, p := range sorted {
		if i > 0 && p.Name == sorted[i-1].Name {
			return nil, fmt.Errorf("optim: %s: two params named %q", opt, p.Name)
		}
		es[i] = entry{p: p, val: graph.Float64s(p.Value), grad: graph.Float64s(p.Grad)}
		for _, sn := range slotNames {
			if v, ok := st.s.Slots[sn][p.Name]; ok && len(v) != len(es[i].val) {
				return nil, fmt.Errorf("optim: %s: state slot %q of param %q has %d values, param has %d",
					opt, sn, p.Name, len(v), len(es[i].val))
			}
		}
	}
	for i := range es {
		for _, sn := range slotNames {
			es[i].slots = append(es[i].slots, st.slot(sn, es[i].p.Name, len(es[i].val), init))
		}
	}
	clip(es, c)
	return es, nil
}

// slot returns the named slot of param name, creating it filled with init.
func (st *state) slot(slot, name string, n int, init float64) []float64 {
	if st.s.Slots == nil {
		st.s.Slots = map[string]map[string][]float64{}
	}
	m := st.s.Slots[slot]
	if m == nil {
		m = map[string][]float64{}
		st.s.Slots[slot] = m
	}
	v, ok := m[name]
	if !ok {
		v = make([]float64, n)
		for i := range v {
			v[i] = init
		}
		m[name] = v
	}
	return v
}

// finish writes each value back into its param's dtype, applies the
// constraints and counts the iteration. A constraint error is returned after
// every param has been updated.
func (st *state) finish(opt string, es []entry) error {
	st.s.Iterations++
	var first error
	for _, e := range es {
		switch d := e.p.Value.Data().(type) {
		case []float64:
			copy(d, e.val)
		case []float32:
			for i, v := range e.val {
				d[i] = float32(v)
			}
		}
		if e.p.Constraint != nil {
			if err := e.p.Constraint.Apply(e.p.Value); err != nil && first == nil {
				first = fmt.Errorf("optim: %s: constraint of param %q: %w", opt, e.p.Name, err)
			}
		}
	}
	return first
}

// checkParam returns an error unless p has a name, a float32 or float64
// Value and a Grad of the same dtype and shape, both contiguous.
func checkParam(opt string, i int, p *graph.Param) error {
	switch {
	case p == nil:
		return fmt.Errorf("optim: %s: params[%d] is nil", opt, i)
	case p.Name == "":
		return fmt.Errorf("optim: %s: params[%d] has an empty Name", opt, i)
	case p.Value == nil:
		return fmt.Errorf("optim: %s: param %q has a nil Value", opt, p.Name)
	case p.Grad == nil:
		return fmt.Errorf("optim: %s: param %q has a nil Grad", opt, p.Name)
	}
	if err := graph.CheckDtype(p.Value.Dtype()); err != nil {
		return fmt.Errorf("optim: %s: param %q: %w", opt, p.Name, err)
	}
	if p.Grad.Dtype() != p.Value.Dtype() || !p.Grad.Shape().Eq(p.Value.Shape()) {
		return fmt.Errorf("optim: %s: param %q: Grad is %v %v, Value is %v %v: want the same dtype and shape",
			opt, p.Name, p.Grad.Dtype(), p.Grad.Shape(), p.Value.Dtype(), p.Value.Shape())
	}
	if p.Value.IsMaterializable() || p.Grad.IsMaterializable() || p.Value.IsScalar() {
		return fmt.Errorf("optim: %s: param %q: Value and Grad must be contiguous, non-scalar tensors (not views)", opt, p.Name)
	}
	return nil
}

// clip applies Keras' clipnorm (one global norm n over all gradients,
// g ← (c/n)·g when n >= c) and then clipvalue (g ← clip(g, -v, v)).
func clip(es []entry, c Clip) {
	if c.ClipNorm > 0 {
		var ss float64
		for _, e := range es {
			for _, g := range e.grad {
				ss += g * g
			}
		}
		if n := math.Sqrt(ss); n >= c.ClipNorm {
			r := c.ClipNorm / n // TensorFlow backend: tf.scalar_mul(c/n, g)
			for _, e := range es {
				for i, g := range e.grad {
					e.grad[i] = r * g
				}
			}
		}
	}
	if c.ClipValue > 0 {
		for _, e := range es {
			for i, g := range e.grad {
				e.grad[i] = math.Max(-c.ClipValue, math.Min(c.ClipValue, g))
			}
		}
	}
}
