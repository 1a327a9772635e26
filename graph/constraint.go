package graph

import (
	"fmt"

	"gorgonia.org/tensor"
)

// constraintFactory builds a constraint from the arguments of a Spec.
type constraintFactory func(args map[string]float64) (Constraint, error)

// constraints maps each canonical Keras 2.2 constraint name to its factory.
var constraints = map[string]constraintFactory{
	"max_norm":     newMaxNorm,
	"non_neg":      noArgs("constraint", "non_neg", NonNeg),
	"unit_norm":    newUnitNorm,
	"min_max_norm": newMinMaxNorm,
}

// constraintAliases maps the other names Keras 2.2 accepts (the Keras 1
// legacy names and the class names) to the canonical names.
var constraintAliases = map[string]string{
	"maxnorm":    "max_norm",
	"nonneg":     "non_neg",
	"unitnorm":   "unit_norm",
	"MaxNorm":    "max_norm",
	"NonNeg":     "non_neg",
	"UnitNorm":   "unit_norm",
	"MinMaxNorm": "min_max_norm",
}

// GetConstraint returns the constraint Keras 2.2 names name, with the Keras
// default arguments: max_norm (max_value 2, axis 0), non_neg, unit_norm
// (axis 0) and min_max_norm (min_value 0, max_value 1, rate 1, axis 0).
// The legacy names maxnorm, nonneg, unitnorm and the class names (MaxNorm,
// NonNeg, UnitNorm, MinMaxNorm) are accepted too.
func GetConstraint(name string) (Constraint, error) {
	return NewConstraint(Spec{Name: name})
}

// NewConstraint builds the constraint that s describes; it is the inverse
// of Constraint.Spec. Arguments left out of s.Args take the Keras defaults
// (see GetConstraint). The argument names are those of Keras:
//
//	max_norm:      max_value, axis
//	unit_norm:     axis
//	min_max_norm:  min_value, max_value, rate, axis
//
// non_neg takes no arguments; axis must be a whole number.
func NewConstraint(s Spec) (Constraint, error) {
	f, err := lookup("constraint", s.Name, constraints, constraintAliases)
	if err != nil {
		return nil, err
	}
	return f(s.Args)
}

// constraintData returns w's backing values for an in-place projection by
// constraint name, or an error if w is nil, a view, not row-major, or not
// float32 or float64.
func constraintData(name string, w *tensor.Dense) (any, error) {
	if w == nil {
		return nil, fmt.Errorf("graph: constraint %q: weight is nil", name)
	}
	if err := CheckDtype(w.Dtype()); err != nil {
		return nil, fmt.Errorf("graph: constraint %q: %w", name, err)
	}
	if w.IsMaterializable() || !w.DataOrder().IsRowMajor() {
		return nil, fmt.Errorf("graph: constraint %q: weight is a view or not row-major: want a contiguous row-major tensor", name)
	}
	return w.Data(), nil
}

// nonNeg is Keras NonNeg.
type nonNeg struct{}

// NonNeg returns the Keras "non_neg" constraint: w ← w·1[w ≥ 0], that is
// negative values become 0.
func NonNeg() Constraint { return nonNeg{} }

// Apply sets the negative values of w to 0, in place.
func (nonNeg) Apply(w *tensor.Dense) error {
	d, err := constraintData("non_neg", w)
	if err != nil {
		return err
	}
	switch d := d.(type) {
	case []float64:
		clampNeg(d)
	case []float32:
		clampNeg(d)
	}
	return nil
}

func clampNeg[T float32 | float64](d []T) {
	for i, v := range d {
		if v < 0 {
			d[i] = 0
		}
	}
}

// Spec returns {non_neg}.
func (nonNeg) Spec() Spec { return Spec{Name: "non_neg"} }
