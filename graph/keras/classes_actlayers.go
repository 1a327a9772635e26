package keras

import (
	"github.com/golstm/golstm/graph"
)

// This file holds the config rules and size rules of Keras' advanced
// activation layers (LeakyReLU, ReLU, ELU, ThresholdedReLU, Softmax,
// PReLU), its noise layers (GaussianNoise, GaussianDropout, AlphaDropout)
// and ActivityRegularization, as graph/layers defines them.

func init() {
	// Every class here has supports_masking and passes the mask unchanged.
	for _, c := range []string{"LeakyReLU", "ReLU", "ELU", "ThresholdedReLU", "Softmax", "PReLU",
		"GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"} {
		passesMask[c] = true
	}
	// Keras 2.2.4 has no seed argument for GaussianNoise and
	// GaussianDropout (its constructors refuse one): tf.keras' and Keras
	// 3's seed is read, and not written.
	noiseSeed := rule{kind: seed, read: true}
	for class, rules := range map[string]classRules{
		// Keras 3 names alpha negative_slope; the layer's config takes
		// either.
		"LeakyReLU": {"alpha": {kind: keep}, "negative_slope": {kind: keep, read: true}},
		"ReLU": {
			"max_value":      {kind: keep},
			"negative_slope": {kind: keep},
			"threshold":      {kind: keep},
		},
		"ELU":             {"alpha": {kind: keep}},
		"ThresholdedReLU": {"theta": {kind: keep}},
		"Softmax":         {"axis": {kind: keep}},
		"PReLU": {
			"alpha_initializer": {kind: initializer, missing: graph.Spec{Name: "zeros"}},
			"alpha_regularizer": {kind: regularizer},
			"alpha_constraint":  {kind: constraint},
			"shared_axes":       {kind: keep},
		},
		"GaussianNoise":   {"stddev": {kind: keep}, "seed": noiseSeed},
		"GaussianDropout": {"rate": {kind: keep}, "seed": noiseSeed},
		"AlphaDropout":    dropoutRules,
		"ActivityRegularization": {
			"l1": {kind: keep},
			"l2": {kind: keep},
			// Some versions write the regularizer the layer makes of l1
			// and l2 itself.
			"activity_regularizer": {kind: ignored},
		},
	} {
		layerClasses[class] = rules
	}
	goOnlyKeys["PReLU"] = []string{"seed"}

	same := func(cfg map[string]any, in [][]int) ([][]int, int64, error) { return [][]int{in[0]}, 0, nil }
	for _, class := range []string{"LeakyReLU", "ReLU", "ELU", "ThresholdedReLU", "Softmax",
		"GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"} {
		sizeRules[class] = same
	}
	// PReLU: alpha has the input's shape with the shared axes set to 1.
	sizeRules["PReLU"] = func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		x := in[0]
		shape := append([]int(nil), x...)
		if axes, ok := asList(cfg["shared_axes"]); ok {
			for _, a := range axes {
				if i, ok := asInt(a); ok && i >= 1 && i <= len(shape) {
					shape[i-1] = 1
				}
			}
		}
		n := int64(1)
		for _, d := range shape {
			n = mul(n, int64(max(d, 1)))
		}
		return [][]int{x}, n, nil
	}
}
