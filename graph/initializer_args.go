package graph

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// This file holds the name lookup and argument parsing shared by
// NewInitializer and NewConstraint.

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

// lookup returns the entry of table for name or for the canonical name that
// aliases gives it, or an error naming kind and listing table's names.
func lookup[F any](kind, name string, table map[string]F, aliases map[string]string) (F, error) {
	if c, ok := aliases[name]; ok {
		name = c
	}
	f, ok := table[name]
	if !ok {
		return f, fmt.Errorf("graph: unknown %s %q: want one of %s",
			kind, name, strings.Join(slices.Sorted(maps.Keys(table)), ", "))
	}
	return f, nil
}
