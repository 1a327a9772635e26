#!/usr/bin/env python3
"""Writes attention_tfkeras.json: the numbers of tf.keras 2.x's Attention and
AdditiveAttention layers, transcribed in numpy (float64), for
TestAttentionTranscription (graph/layers/attention_test.go).

Sources transcribed (keras-team/keras at tag v2.15.0, the same code from
v2.10.0 on; Keras 3's keras/src/layers/attention/attention.py computes the
same numbers with ops.where(padding_mask, scores - 1e9, scores)):
  keras/layers/attention/base_dense_attention.py, BaseDenseAttention.call:
      q, v = inputs[0], inputs[1]; k = inputs[2] if len(inputs) > 2 else v
      q_mask = mask[0] if mask else None; v_mask = mask[1] if mask else None
      scores = self._calculate_scores(query=q, key=k)
      v_mask = tf.expand_dims(v_mask, axis=-2)               # [batch, 1, Tv]
      causal_mask = _lower_triangular_mask([1, Tq, Tv])      # row >= col
      scores_mask = _merge_masks(v_mask, causal_mask)        # logical_and
      _apply_scores: scores -= 1.e9 * tf.cast(logical_not(scores_mask))
                     weights = tf.nn.softmax(scores)
                     return tf.matmul(weights, value), weights
      result *= tf.cast(tf.expand_dims(q_mask, axis=-1))
      return result, attention_scores (with return_attention_scores)
  keras/layers/attention/attention.py, Attention._calculate_scores:
      "dot":    scores = tf.matmul(query, key, transpose_b=True); scores *= scale
      "concat": scores = concat_score_weight * tf.reduce_sum(
                    tf.tanh(scale * (q[..., :, None, :] + k[..., None, :, :])), -1)
      build: scale shape (), initializer "ones"; concat_score_weight (), "ones"
  keras/layers/attention/additive_attention.py, AdditiveAttention:
      scores = tf.reduce_sum(scale * tf.tanh(q[..., :, None, :] + k[..., None, :, :]), -1)
      build: scale shape [dim], initializer "glorot_uniform"
Run: /usr/bin/python3 attention_tfkeras.py > attention_tfkeras.json
"""
import json

import numpy as np


def calculate_scores(cls, cfg, q, k, scale, concat_w):
    qr = q[:, :, None, :]
    kr = k[:, None, :, :]
    if cls == "AdditiveAttention":
        s = scale if cfg.get("use_scale", True) else 1.0
        return np.sum(s * np.tanh(qr + kr), axis=-1)
    if cfg.get("score_mode", "dot") == "dot":
        scores = np.matmul(q, np.swapaxes(k, -1, -2))
        if cfg.get("use_scale"):
            scores = scores * scale
        return scores
    if cfg.get("use_scale"):
        return concat_w * np.sum(np.tanh(scale * (qr + kr)), axis=-1)
    return concat_w * np.sum(np.tanh(qr + kr), axis=-1)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def call(cls, cfg, inputs, mask, causal, scale, concat_w):
    q, v = inputs[0], inputs[1]
    k = inputs[2] if len(inputs) > 2 else v
    q_mask = mask[0] if mask else None
    v_mask = mask[1] if mask else None
    scores = calculate_scores(cls, cfg, q, k, scale, concat_w)
    if v_mask is not None:
        v_mask = v_mask[:, None, :]
    causal_mask = None
    if causal:
        tq, tv = scores.shape[-2:]
        row = np.cumsum(np.ones((1, tq, tv), dtype=np.int32), axis=-2)
        col = np.cumsum(np.ones((1, tq, tv), dtype=np.int32), axis=-1)
        causal_mask = row >= col
    if v_mask is None:
        scores_mask = causal_mask
    elif causal_mask is None:
        scores_mask = v_mask
    else:
        scores_mask = np.logical_and(v_mask, causal_mask)
    if scores_mask is not None:
        scores = scores - 1.0e9 * np.logical_not(scores_mask).astype(np.float64)
    weights = softmax(scores)
    result = np.matmul(weights, v)
    if q_mask is not None:
        result = result * q_mask[:, :, None].astype(np.float64)
    return result, weights


def main():
    rng = np.random.RandomState(7)
    B, Tq, Tv, D, Dv = 2, 3, 4, 3, 2
    cases = []
    q_mask = np.array([[1, 1, 0], [1, 0, 1]], dtype=bool)
    v_mask = np.array([[1, 1, 1, 0], [0, 1, 1, 0]], dtype=bool)
    configs = [
        ("Attention", {"use_scale": False, "score_mode": "dot"}),
        ("Attention", {"use_scale": True, "score_mode": "dot"}),
        ("Attention", {"use_scale": False, "score_mode": "concat"}),
        ("Attention", {"use_scale": True, "score_mode": "concat"}),
        ("AdditiveAttention", {"use_scale": True}),
        ("AdditiveAttention", {"use_scale": False}),
    ]
    for cls, cfg in configs:
        for nin in (2, 3):
            for masked in (False, True):
                for causal in (False, True):
                    q = rng.uniform(-1, 1, (B, Tq, D))
                    if nin == 3:
                        v = rng.uniform(-1, 1, (B, Tv, Dv))
                        k = rng.uniform(-1, 1, (B, Tv, D))
                        inputs = [q, v, k]
                    else:
                        v = rng.uniform(-1, 1, (B, Tv, D))
                        inputs = [q, v]
                    scale = rng.uniform(0.5, 2.0, (D,)) if cls == "AdditiveAttention" else rng.uniform(0.5, 2.0)
                    concat_w = rng.uniform(0.5, 2.0)
                    mask = [q_mask, v_mask] if masked else None
                    out, w = call(cls, cfg, inputs, mask, causal, scale, concat_w)
                    weights = []
                    if cfg.get("use_scale"):
                        weights.append(np.ravel(scale).tolist())
                    if cfg.get("score_mode") == "concat":
                        weights.append([concat_w])
                    c = dict(cfg)
                    if causal:
                        c["use_causal_mask"] = True
                    cases.append({
                        "class": cls, "config": c,
                        "inputs": [x.ravel().tolist() for x in inputs],
                        "shapes": [list(x.shape) for x in inputs],
                        "masks": [m.ravel().astype(int).tolist() for m in mask] if mask else None,
                        "weights": weights,
                        "output": out.ravel().tolist(), "scores": w.ravel().tolist(),
                    })
    json.dump({"cases": cases}, __import__("sys").stdout, indent=None)


if __name__ == "__main__":
    main()
