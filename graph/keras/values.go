package keras

import (
	"encoding/json"
	"fmt"
	"math"
)

// This file holds the accessors of decoded JSON values (decodeJSON keeps
// numbers as json.Number), each returning an error that says what was
// found instead of what was wanted.

// describe names the JSON kind of v for errors, with a short excerpt.
func describe(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// asObject returns v as a JSON object.
func asObject(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

// asString returns v as a string.
func asString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// asList returns v as a JSON array.
func asList(v any) ([]any, bool) {
	l, ok := v.([]any)
	return l, ok
}

// asFloat returns v, a json.Number (or a float64 or int, as values this
// package builds hold), as a finite number.
func asFloat(v any) (float64, bool) {
	var f float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			return 0, false
		}
	case float64:
		f = n
	case int:
		f = float64(n)
	default:
		return 0, false
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// asInt returns v as a whole number in [-2^31, 2^31].
func asInt(v any) (int, bool) {
	f, ok := asFloat(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, false
	}
	return int(f), true
}

// asBool returns v as a boolean.
func asBool(v any) (bool, bool) {
	b, ok := v.(bool)
	return b, ok
}

// shapeOf reads a Keras shape, a list of whole numbers and nulls, as ints
// with null as -1 (graph.None).
func shapeOf(v any) ([]int, error) {
	l, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("shape %s: want a list of sizes and nulls", describe(v))
	}
	out := make([]int, len(l))
	for i, d := range l {
		if d == nil {
			out[i] = -1
			continue
		}
		n, ok := asInt(d)
		if !ok || n < 0 {
			return nil, fmt.Errorf("shape %s: want a list of sizes and nulls", describe(v))
		}
		out[i] = n
	}
	return out, nil
}
