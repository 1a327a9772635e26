package keras

// The Keras rules and size rule of BatchNormalization (graph/layers).

func init() {
	passesMask["BatchNormalization"] = true // supports_masking, the mask unchanged
	layerClasses["BatchNormalization"] = classRules{
		// Keras 2.2.4 writes a number; tf.keras a list of one axis after
		// building ([2]), which the layer's config reads too.
		"axis":                        {kind: keep},
		"momentum":                    {kind: keep},
		"epsilon":                     {kind: keep},
		"center":                      {kind: keep},
		"scale":                       {kind: keep},
		"beta_initializer":            {kind: initializer},
		"gamma_initializer":           {kind: initializer},
		"moving_mean_initializer":     {kind: initializer},
		"moving_variance_initializer": {kind: initializer},
		"beta_regularizer":            {kind: regularizer},
		"gamma_regularizer":           {kind: regularizer},
		"beta_constraint":             {kind: constraint},
		"gamma_constraint":            {kind: constraint},
		// tf.keras and Keras 3: batch renormalization and ghost batches
		// compute other statistics; renorm's clipping and momentum do
		// nothing without it.
		"renorm":             {kind: onlyDefault, def: false},
		"renorm_clipping":    {kind: ignored},
		"renorm_momentum":    {kind: ignored},
		"virtual_batch_size": {kind: onlyDefault, def: nil},
		// tf.keras: the fused kernel computes the same numbers.
		"fused": {kind: ignored},
		// Keras 3 and tf.keras: statistics across devices; on one device
		// the same numbers.
		"synchronized": {kind: ignored},
	}
	// seed: the initializers' seed; moving_updates: the zero-debiased
	// average's count, which Keras keeps out of its files.
	goOnlyKeys["BatchNormalization"] = []string{"seed", "moving_updates"}
	sizeRules["BatchNormalization"] = func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		x := in[0]
		axis := int(cfgInt(cfg, "axis", -1))
		if l, ok := asList(cfg["axis"]); ok && len(l) == 1 {
			if n, ok := asInt(l[0]); ok {
				axis = n
			}
		}
		if axis < 0 {
			axis += len(x) + 1
		}
		dim := int64(1)
		if axis >= 1 && axis <= len(x) {
			dim = int64(max(x[axis-1], 1))
		}
		n := int64(2)
		for _, k := range []string{"center", "scale"} {
			if b, ok := cfg[k].(bool); !ok || b {
				n++
			}
		}
		return [][]int{x}, mul(n, dim), nil
	}
}
