package keras

import (
	"math"

	"github.com/golstm/golstm/graph"
)

// The rules and size rules of LayerNormalization (tf.keras 2.x and Keras
// 3; Keras 2.2.4 has none) and of Keras 2.2.4's ZeroPadding1D, Cropping1D
// and UpSampling1D (graph/layers).

func init() {
	passesMask["LayerNormalization"] = true // supports_masking, the mask unchanged
	layerClasses["LayerNormalization"] = classRules{
		// A number, or a list of axes (tf.keras and Keras 3 write the list
		// after building), which the layer's config reads.
		"axis":              {kind: keep},
		"epsilon":           {kind: keep},
		"center":            {kind: keep},
		"scale":             {kind: keep},
		"beta_initializer":  {kind: initializer},
		"gamma_initializer": {kind: initializer},
		"beta_regularizer":  {kind: regularizer},
		"gamma_regularizer": {kind: regularizer},
		"beta_constraint":   {kind: constraint},
		"gamma_constraint":  {kind: constraint},
		// Keras 3: x·γ/√(σ² + ε), computed by the layer. tf.keras has not
		// the argument: Save leaves it out and refuses rms_scaling true.
		"rms_scaling": {kind: keep, read: true, def: false},
	}
	goOnlyKeys["LayerNormalization"] = []string{"seed"}
	sizeRules["LayerNormalization"] = func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		x := in[0]
		axes, ok := intList(cfg["axis"])
		if !ok {
			axes = []int{int(cfgInt(cfg, "axis", -1))}
		}
		n := int64(1)
		for _, a := range axes {
			if a < 0 {
				a += len(x) + 1
			}
			if a >= 1 && a <= len(x) {
				n = mul(n, int64(max(x[a-1], 1)))
			}
		}
		flag := func(k string, def bool) bool {
			if b, ok := cfg[k].(bool); ok {
				return b
			}
			return def
		}
		rms := flag("rms_scaling", false)
		w := int64(0)
		if flag("scale", true) || rms {
			w += n
		}
		if flag("center", true) && !rms {
			w += n
		}
		return [][]int{x}, w, nil
	}

	// Keras 2.2.4 writes padding and cropping as lists of two, size as a
	// number; the layers' configs also read a number for the pair.
	layerClasses["ZeroPadding1D"] = classRules{
		"padding": {kind: keep},
		// Keras 3.x: channels_first pads the last axis instead.
		"data_format": {kind: onlyDefault, def: "channels_last"},
	}
	layerClasses["Cropping1D"] = classRules{"cropping": {kind: keep}}
	layerClasses["UpSampling1D"] = classRules{"size": {kind: keep}}
	// The output's steps, from int64 arithmetic clamped to [1, 2³¹ − 1]
	// (an untrusted config's sizes may be huge).
	steps := func(f func(cfg map[string]any, n int64) int64) func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		return func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
			x := in[0]
			if len(x) != 2 || x[0] == graph.None {
				return [][]int{x}, 0, nil // the layer's Build names a wrong shape
			}
			return [][]int{{int(min(max(f(cfg, int64(x[0])), 1), math.MaxInt32)), x[1]}}, 0, nil
		}
	}
	pair := func(cfg map[string]any, key string) (int64, int64) {
		if l, ok := intList(cfg[key]); ok && len(l) == 2 {
			return int64(l[0]), int64(l[1])
		}
		n := cfgInt(cfg, key, 1)
		return n, n
	}
	sizeRules["ZeroPadding1D"] = steps(func(cfg map[string]any, n int64) int64 {
		a, b := pair(cfg, "padding")
		return min(a, math.MaxInt32) + n + min(b, math.MaxInt32)
	})
	sizeRules["Cropping1D"] = steps(func(cfg map[string]any, n int64) int64 {
		a, b := pair(cfg, "cropping")
		return n - max(a, 0) - max(b, 0)
	})
	sizeRules["UpSampling1D"] = steps(func(cfg map[string]any, n int64) int64 {
		return mul(n, min(max(cfgInt(cfg, "size", 2), 1), 1<<20))
	})
}
