package keras

import (
	"fmt"

	"github.com/golstm/golstm/graph"
)

// The rules and size rules of GlobalMaxPooling1D, GlobalAveragePooling1D,
// AveragePooling1D, Reshape and Permute (graph/layers), with the keys of
// Keras 2.2.4, tf.keras 2.x and Keras 3.

func init() {
	global := classRules{
		"data_format": {kind: keep},
		// tf.keras 2.6+ and Keras 3: keep the steps axis (size 1). Keras
		// 2.2.4 has not the argument: Save leaves it out, and refuses a
		// layer with keepdims true (no Keras 2.2.4 form).
		"keepdims": {kind: keep, read: true, def: false},
	}
	layerClasses["GlobalMaxPooling1D"] = global
	layerClasses["GlobalAveragePooling1D"] = global
	layerClasses["AveragePooling1D"] = classRules{
		"pool_size":   {kind: tuple1},
		"strides":     {kind: tuple1},
		"padding":     {kind: keep},
		"data_format": {kind: keep},
	}
	layerClasses["Reshape"] = classRules{"target_shape": {kind: keep}}
	layerClasses["Permute"] = classRules{"dims": {kind: keep}}

	globalSize := func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		x := in[0]
		ch := x[len(x)-1]
		if k, _ := asBool(cfg["keepdims"]); k {
			return [][]int{{1, ch}}, 0, nil
		}
		return [][]int{{ch}}, 0, nil
	}
	sizeRules["GlobalMaxPooling1D"] = globalSize
	sizeRules["GlobalAveragePooling1D"] = globalSize
	sizeRules["AveragePooling1D"] = func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		return estimate("MaxPooling1D", cfg, in) // the same window geometry
	}
	sizeRules["Reshape"] = reshapeSize
	sizeRules["Permute"] = func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		dims, ok := intList(cfg["dims"])
		x := in[0]
		if !ok || len(dims) != len(x) {
			return nil, 0, fmt.Errorf("dims %s for an input of %d axes: want a permutation of 1, ..., %d", describe(cfg["dims"]), len(x), len(x))
		}
		out := make([]int, len(dims))
		for i, d := range dims {
			if d < 1 || d > len(x) {
				return nil, 0, fmt.Errorf("dims %s: want a permutation of 1, ..., %d", describe(cfg["dims"]), len(x))
			}
			out[i] = x[d-1]
		}
		return [][]int{out}, 0, nil
	}
}

// reshapeSize is Reshape's size rule: the target shape, its -1 resolved
// from the input's size, or None when the input has a None.
func reshapeSize(cfg map[string]any, in [][]int) ([][]int, int64, error) {
	target, ok := intList(cfg["target_shape"])
	if !ok || len(target) == 0 {
		return nil, 0, fmt.Errorf("target_shape %s: want a list of sizes", describe(cfg["target_shape"]))
	}
	n, free := int64(1), false
	for _, d := range in[0] {
		if d == graph.None {
			free = true
		}
		n = mul(n, int64(max(d, 1)))
	}
	known, unknown := int64(1), -1
	for i, d := range target {
		switch {
		case d == -1 && unknown < 0:
			unknown = i
		case d < 1:
			return nil, 0, fmt.Errorf("target_shape %s: want sizes of at least 1, and at most one -1", describe(cfg["target_shape"]))
		default:
			known = mul(known, int64(d))
		}
	}
	switch {
	case unknown >= 0 && free:
		target[unknown] = graph.None
	case unknown >= 0 && n%known == 0:
		target[unknown] = int(n / known)
	case free || (unknown < 0 && n == known):
	default:
		return nil, 0, fmt.Errorf("target_shape %s does not fit an input of shape %s", describe(cfg["target_shape"]), graph.FormatShape(in[0]))
	}
	return [][]int{target}, 0, nil
}

// intList returns v, a JSON list of whole numbers, as ints.
func intList(v any) ([]int, bool) {
	var l []any
	switch x := v.(type) {
	case []any:
		l = x
	case []int: // a config built in Go
		return append([]int(nil), x...), true
	default:
		return nil, false
	}
	out := make([]int, len(l))
	for i, d := range l {
		n, ok := asInt(d)
		if !ok {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}
