package graph

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// This file holds the Spec parsing shared by NewInitializer and
// NewConstraint: the name lookup and the argument parsing.

// lookup returns the factory that name (a canonical name, or an alias that
// aliases maps to one) has in factories, or an error that names the object
// kind ("initializer", "constraint") and lists the canonical names.
func lookup[F any](kind, name string, factories map[string]F, aliases map[string]string) (F, error) {
	canon := name
	if c, ok := aliases[name]; ok {
		canon = c
	}
	f, ok := factories[canon]
	if !ok {
		return f, fmt.Errorf("graph: unknown %s %q: want one of %s",
			kind, name, strings.Join(slices.Sorted(maps.Keys(factories)), ", "))
	}
	return f, nil
}

// noArgs adapts a constructor without arguments to a factory of a Spec of
// the object kind name: any argument is an error.
func noArgs[T any](kind, name string, f func() T) func(args map[string]float64) (T, error) {
	return func(args map[string]float64) (T, error) {
		if _, err := parseArgs(kind, name, args); err != nil {
			var zero T
			return zero, err
		}
		return f(), nil
	}
}

// argDef is one numeric argument of a Spec with its Keras default.
type argDef struct {
	name string
	def  float64
}

// parseArgs returns the values of the arguments defs, in order, from args;
// an argument left out takes its default. kind ("initializer",
// "constraint") and name identify the object in errors. An argument not in
// defs or a value that is NaN or infinite is an error.
func parseArgs(kind, name string, args map[string]float64, defs ...argDef) ([]float64, error) {
	vals := make([]float64, len(defs))
	known := make([]string, len(defs))
	for i, d := range defs {
		vals[i] = d.def
		known[i] = d.name
	}
	for _, k := range slices.Sorted(maps.Keys(args)) {
		i := slices.Index(known, k)
		if i < 0 {
			want := "no arguments"
			if len(known) > 0 {
				want = "one of " + strings.Join(known, ", ")
			}
			return nil, fmt.Errorf("graph: %s %q: unknown argument %q: want %s", kind, name, k, want)
		}
		v := args[k]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("graph: %s %q: %s = %v, want a finite number", kind, name, k, v)
		}
		vals[i] = v
	}
	return vals, nil
}

// intArg returns v as an int, or an error naming argument arg of the object
// kind name if v is not a whole number.
func intArg(kind, name, arg string, v float64) (int, error) {
	if v != math.Trunc(v) || math.Abs(v) > 1<<31 {
		return 0, fmt.Errorf("graph: %s %q: %s = %v, want an integer", kind, name, arg, v)
	}
	return int(v), nil
}
