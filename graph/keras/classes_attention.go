package keras

// The Keras rules and size rules of Attention and AdditiveAttention
// (graph/layers), tf.keras 2.x and Keras 3 classes (Keras 2.2.4 has
// neither).
//
// Read: tf.keras 2.x's config keys (dropout, use_scale, score_mode from
// 2.9; causal up to 2.9, still accepted by 2.10–2.15), Keras 3's (seed
// too), and the call arguments use_causal_mask and return_attention_scores
// from the inbound nodes' kwargs (tf.keras ≥ 2.10 and Keras 3).
//
// Written by Save: tf.keras ≥ 2.10's form, which tf.keras 2.10–2.15 and
// Keras 3 read: the config keys name, trainable, dtype, dropout,
// use_scale and (Attention) score_mode; use_causal_mask (also for a layer
// read with tf.keras ≤ 2.9's causal) and return_attention_scores, when
// true, in the kwargs of each inbound-node entry. The seed is not written
// (tf.keras ≤ 2.9 refuses one).

func init() {
	// compute_mask returns mask[0], the query's: the first output carries
	// it (the scores output none).
	passesMask["Attention"] = true
	passesMask["AdditiveAttention"] = true
	base := classRules{
		"use_scale": {kind: keep},
		"dropout":   {kind: keep},
		// tf.keras ≤ 2.9's constructor argument, written as the call's
		// use_causal_mask.
		"causal": {kind: keep, read: true},
		// Keras 3: the dropout's seed.
		"seed": {kind: seed, read: true},
	}
	layerClasses["Attention"] = with(base, classRules{"score_mode": {kind: keep}})
	layerClasses["AdditiveAttention"] = base
	for _, class := range []string{"Attention", "AdditiveAttention"} {
		goOnlyKeys[class] = []string{"use_causal_mask", "return_attention_scores"}
		layerCallArgs[class] = []string{"use_causal_mask", "return_attention_scores"}
		writeCallArgs[class] = attentionCallArgs
		sizeRules[class] = attentionSize(class)
	}
	scalarWeights["Attention"] = []string{"scale", "concat_score_weight"}
}

// attentionCallArgs returns the call arguments written for an attention
// layer's calls: use_causal_mask (from causal too) and
// return_attention_scores, when true.
func attentionCallArgs(cfg map[string]any) map[string]any {
	out := map[string]any{}
	c1, _ := asBool(cfg["causal"])
	c2, _ := asBool(cfg["use_causal_mask"])
	if c1 || c2 {
		out["use_causal_mask"] = true
	}
	if r, _ := asBool(cfg["return_attention_scores"]); r {
		out["return_attention_scores"] = true
	}
	return out
}

// attentionSize is the size rule of an attention class: the output
// (Tq, dv), with return_attention_scores the scores (Tq, Tv); the weights
// are Attention's scalars (scale with use_scale, concat_score_weight with
// score_mode concat) or AdditiveAttention's scale of the query's feature
// size (use_scale, the default).
func attentionSize(class string) sizeRule {
	return func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		if len(in) < 2 {
			return [][]int{in[0]}, 0, nil // the layer's Build names the error
		}
		q, v := in[0], in[1]
		if len(q) != 2 || len(v) != 2 {
			return [][]int{q}, 0, nil
		}
		out := [][]int{{q[0], v[1]}}
		if r, _ := asBool(cfg["return_attention_scores"]); r {
			out = append(out, []int{q[0], v[0]})
		}
		scale, has := asBool(cfg["use_scale"])
		var n int64
		if class == "AdditiveAttention" {
			if scale || !has {
				n = int64(max(q[1], 1))
			}
		} else {
			if scale {
				n++
			}
			if m, _ := asString(cfg["score_mode"]); m == "concat" {
				n++
			}
		}
		return out, n, nil
	}
}
