package graph

import (
	"fmt"
	"math"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
)

// l1l2 is the Keras 2 L1L2 regularizer: penalty l1·Σ|w| + l2·Σw².
type l1l2 struct {
	name   string   // Spec name: "l1", "l2", "l1_l2" or a Keras class name
	keys   []string // Spec argument names
	l1, l2 float64
}

// L1 returns the regularizer with penalty l·Σ|w| (Keras 2 regularizers.l1).
// The gradient of |w| at w = 0 is 0, as in TensorFlow. A negative, infinite
// or NaN l makes Penalty return an error.
func L1(l float64) Regularizer { return &l1l2{name: "l1", keys: []string{"l1"}, l1: l} }

// L2 returns the regularizer with penalty l·Σw² (Keras 2 regularizers.l2;
// no factor ½). A negative, infinite or NaN l makes Penalty return an
// error.
func L2(l float64) Regularizer { return &l1l2{name: "l2", keys: []string{"l2"}, l2: l} }

// L1L2 returns the regularizer with penalty l1·Σ|w| + l2·Σw² (Keras 2
// regularizers.l1_l2). A negative, infinite or NaN factor makes Penalty
// return an error.
func L1L2(l1, l2 float64) Regularizer {
	return &l1l2{name: "l1_l2", keys: []string{"l1", "l2"}, l1: l1, l2: l2}
}

// regularizerDefaults maps each accepted Spec name to its arguments and
// their Keras defaults: the Keras 2 functions l1, l2 and l1_l2 (0.01), the
// Keras 2 class L1L2 that Keras 2 saves them as (0), and the tf.keras
// classes L1 and L2 (0.01).
var regularizerDefaults = map[string]map[string]float64{
	"l1":    {"l1": 0.01},
	"l2":    {"l2": 0.01},
	"l1_l2": {"l1": 0.01, "l2": 0.01},
	"L1L2":  {"l1": 0, "l2": 0},
	"L1":    {"l1": 0.01},
	"L2":    {"l2": 0.01},
}

// GetRegularizer returns the regularizer with the given Keras name and the
// Keras 2 defaults: "l1" (l1 = 0.01), "l2" (l2 = 0.01) or "l1_l2" (l1 = l2 =
// 0.01). The class names "L1L2" (both 0), "L1" and "L2" (0.01) are accepted
// too.
func GetRegularizer(name string) (Regularizer, error) {
	return NewRegularizer(Spec{Name: name})
}

// NewRegularizer builds a regularizer from its Spec: Name as in
// GetRegularizer, Args "l1" and/or "l2" (those the name takes; missing ones
// take the defaults). An unknown name or argument, or a negative, infinite
// or NaN factor, is an error that names it.
func NewRegularizer(s Spec) (Regularizer, error) {
	defs, ok := regularizerDefaults[s.Name]
	if !ok {
		return nil, fmt.Errorf("graph: unknown regularizer %q: want one of l1, l2, l1_l2 (or the classes L1, L2, L1L2)", s.Name)
	}
	r := &l1l2{name: s.Name, keys: sortedKeys(defs), l1: defs["l1"], l2: defs["l2"]}
	for k, v := range s.Args {
		switch _, ok := defs[k]; {
		case !ok:
			return nil, fmt.Errorf("graph: regularizer %s: unknown argument %q: want %s", s.Name, k, strings.Join(r.keys, " or "))
		case k == "l1":
			r.l1 = v
		default:
			r.l2 = v
		}
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}

// check returns an error naming a negative, infinite or NaN factor.
func (r *l1l2) check() error {
	for _, a := range []struct {
		key string
		v   float64
	}{{"l1", r.l1}, {"l2", r.l2}} {
		if !(a.v >= 0) || math.IsInf(a.v, 1) {
			return fmt.Errorf("graph: regularizer %s: argument %s = %v: want a finite number >= 0", r.name, a.key, a.v)
		}
	}
	return nil
}

// Penalty returns the scalar node l1·Σ|w| + l2·Σw², one graph node whose
// gradient l1·sign(w) + 2·l2·w (sign(0) = 0) is one node too.
func (r *l1l2) Penalty(w *G.Node) (*G.Node, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if err := CheckDtype(w.Dtype()); err != nil {
		return nil, fmt.Errorf("graph: regularizer %s: %w", r.name, err)
	}
	return G.ApplyOp(penaltyOp{l1: r.l1, l2: r.l2, d: w.Dims()}, w)
}

// Spec returns the name and the factors, as Keras' get_config.
func (r *l1l2) Spec() Spec {
	args := make(map[string]float64, len(r.keys))
	for _, k := range r.keys {
		if k == "l1" {
			args[k] = r.l1
		} else {
			args[k] = r.l2
		}
	}
	return Spec{Name: r.name, Args: args}
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
