package graph

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// normEpsilon is Keras' K.epsilon(), added to norms before dividing.
const normEpsilon = 1e-7

// normConstraint rescales the slices of a weight along axis by
// desired(n)/(ε + n), n being each slice's Euclidean norm. It is Keras
// MaxNorm, UnitNorm or MinMaxNorm, as name says.
type normConstraint struct {
	name               string // "max_norm", "unit_norm" or "min_max_norm"
	minValue, maxValue float64
	rate               float64
	axis               int
}

// MaxNorm returns the Keras "max_norm" constraint (Keras defaults
// maxValue 2, axis 0): with n = sqrt(Σ_axis w²) (keepdims),
//
//	w ← w · clip(n, 0, maxValue) / (ε + n),  ε = 1e-7.
//
// axis 0 of a 2-D kernel gives one norm per column; for a 1-D weight (a
// bias) it gives one norm for the whole vector; a negative axis counts from
// the last (-1). Like Keras, a slice with n ≤ maxValue is still multiplied
// by n/(ε + n). maxValue must be ≥ 0.
func MaxNorm(maxValue float64, axis int) (Constraint, error) {
	if !(maxValue >= 0) || math.IsInf(maxValue, 0) {
		return nil, fmt.Errorf("graph: constraint \"max_norm\": max_value = %v, want a finite max_value >= 0", maxValue)
	}
	return normConstraint{name: "max_norm", maxValue: maxValue, axis: axis}, nil
}

// UnitNorm returns the Keras "unit_norm" constraint (Keras default axis 0):
// w ← w / (ε + n), with n and axis as in MaxNorm; a zero slice stays zero.
func UnitNorm(axis int) Constraint {
	return normConstraint{name: "unit_norm", axis: axis}
}

// MinMaxNorm returns the Keras "min_max_norm" constraint (Keras defaults
// minValue 0, maxValue 1, rate 1, axis 0): with n and axis as in MaxNorm,
//
//	d = rate·clip(n, minValue, maxValue) + (1 − rate)·n
//	w ← w · d / (ε + n).
//
// rate 1 enforces the bounds at once, a smaller rate moves the norms toward
// them. It needs 0 ≤ minValue ≤ maxValue and 0 ≤ rate ≤ 1.
func MinMaxNorm(minValue, maxValue, rate float64, axis int) (Constraint, error) {
	const name = "min_max_norm"
	if math.IsInf(maxValue, 0) || !(0 <= minValue && minValue <= maxValue) {
		return nil, fmt.Errorf("graph: constraint %q: min_value = %v, max_value = %v, want finite 0 <= min_value <= max_value",
			name, minValue, maxValue)
	}
	if !(0 <= rate && rate <= 1) {
		return nil, fmt.Errorf("graph: constraint %q: rate = %v, want 0 <= rate <= 1", name, rate)
	}
	return normConstraint{name: name, minValue: minValue, maxValue: maxValue, rate: rate, axis: axis}, nil
}

func newMaxNorm(args map[string]float64) (Constraint, error) {
	v, err := parseArgs("constraint", "max_norm", args, argDef{"max_value", 2}, argDef{"axis", 0})
	if err != nil {
		return nil, err
	}
	axis, err := intArg("constraint", "max_norm", "axis", v[1])
	if err != nil {
		return nil, err
	}
	return MaxNorm(v[0], axis)
}

func newUnitNorm(args map[string]float64) (Constraint, error) {
	v, err := parseArgs("constraint", "unit_norm", args, argDef{"axis", 0})
	if err != nil {
		return nil, err
	}
	axis, err := intArg("constraint", "unit_norm", "axis", v[0])
	if err != nil {
		return nil, err
	}
	return UnitNorm(axis), nil
}

func newMinMaxNorm(args map[string]float64) (Constraint, error) {
	v, err := parseArgs("constraint", "min_max_norm", args,
		argDef{"min_value", 0}, argDef{"max_value", 1}, argDef{"rate", 1}, argDef{"axis", 0})
	if err != nil {
		return nil, err
	}
	axis, err := intArg("constraint", "min_max_norm", "axis", v[3])
	if err != nil {
		return nil, err
	}
	return MinMaxNorm(v[0], v[1], v[2], axis)
}

// desired returns the norm a slice of norm n is rescaled to (before the
// division by ε + n).
func (c normConstraint) desired(n float64) float64 {
	switch c.name {
	case "unit_norm":
		return 1
	case "max_norm":
		return math.Min(n, c.maxValue)
	}
	return c.rate*math.Min(math.Max(n, c.minValue), c.maxValue) + (1-c.rate)*n
}

// Apply rescales w in place.
func (c normConstraint) Apply(w *tensor.Dense) error {
	d, err := constraintData(c.name, w)
	if err != nil {
		return err
	}
	shape := w.Shape()
	k := len(shape)
	axis := c.axis
	if axis < 0 {
		axis += k
	}
	if axis < 0 || axis >= k {
		return fmt.Errorf("graph: constraint %q: axis %d out of range for a weight of shape %v: want %d <= axis < %d",
			c.name, c.axis, shape, -k, k)
	}
	outer, inner := 1, 1
	for _, s := range shape[:axis] {
		outer *= s
	}
	for _, s := range shape[axis+1:] {
		inner *= s
	}
	switch d := d.(type) {
	case []float64:
		rescaleNorms(d, outer, shape[axis], inner, c.desired)
	case []float32:
		rescaleNorms(d, outer, shape[axis], inner, c.desired)
	}
	return nil
}

// rescaleNorms views d as (outer, size, inner), computes the norm n of each
// of the outer·inner slices along the middle axis in float64, and
// multiplies each slice by desired(n)/(ε + n).
func rescaleNorms[T float32 | float64](d []T, outer, size, inner int, desired func(float64) float64) {
	f := make([]float64, outer*inner)
	for o := 0; o < outer; o++ {
		fo := f[o*inner : (o+1)*inner]
		for k := 0; k < size; k++ {
			for i, v := range d[(o*size+k)*inner : (o*size+k+1)*inner] {
				fo[i] += float64(v) * float64(v)
			}
		}
	}
	for i, s := range f {
		n := math.Sqrt(s)
		f[i] = desired(n) / (normEpsilon + n)
	}
	for o := 0; o < outer; o++ {
		fo := f[o*inner : (o+1)*inner]
		for k := 0; k < size; k++ {
			row := d[(o*size+k)*inner : (o*size+k+1)*inner]
			for i, v := range row {
				row[i] = T(float64(v) * fo[i])
			}
		}
	}
}

// Spec returns the name with all arguments, as Keras get_config.
func (c normConstraint) Spec() Spec {
	args := map[string]float64{"axis": float64(c.axis)}
	switch c.name {
	case "max_norm":
		args["max_value"] = c.maxValue
	case "min_max_norm":
		args["min_value"] = c.minValue
		args["max_value"] = c.maxValue
		args["rate"] = c.rate
	}
	return Spec{Name: c.name, Args: args}
}
