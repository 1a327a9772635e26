#!/usr/bin/env python3
"""Writes layernorm_keras.json: the numbers of tf.keras 2.x's and Keras 3's
LayerNormalization, transcribed in numpy (float64), for
TestLayerNormalizationKeras (graph/layers/layernorm_test.go).

Sources transcribed:
  keras-team/keras v2.15.0 (tf.keras) keras/layers/normalization/
  layer_normalization.py, LayerNormalization.build and call:
    self.axis = tf_utils.validate_axis(self.axis, input_shape)
    param_shape = [input_shape[dim] for dim in self.axis]
    gamma (scale), then beta (center), of param_shape
    non-fused path:
      mean, variance = tf.nn.moments(inputs, self.axis, keepdims=True)
      outputs = tf.nn.batch_normalization(inputs, mean, variance,
          offset=_broadcast(beta), scale=_broadcast(gamma),
          variance_epsilon=self.epsilon)
    fused path (float32, axes contiguous up to the last, epsilon >= 1.001e-5):
      fused_batch_norm of the (1, pre_dim, in_dim, 1) reshape (NCHW, unit
      scale, zero offset, training: batch statistics, biased variance),
      then outputs * gamma + beta
  tensorflow/python/ops/nn_impl.py:
    moments: mean = reduce_mean(x, axes); variance =
        reduce_mean(squared_difference(x, mean), axes)  (biased)
    batch_normalization: inv = rsqrt(variance + eps); inv *= scale;
        x * inv + (offset - mean * inv)
  keras-team/keras v3.8.0 keras/src/layers/normalization/
  layer_normalization.py, call with rms_scaling=True:
    variance = ops.var(inputs, axis=self.axis, keepdims=True)
    inv = ops.rsqrt(variance + self.epsilon)
    outputs = inputs * inv * ops.cast(_broadcast(self.gamma), inputs.dtype)
    (gamma is built with scale or rms_scaling; beta only with center and
    not rms_scaling; self.axis = sorted(axes))
Each case also holds the fused path's result, which must agree.
Run: python3 layernorm_keras.py > layernorm_keras.json
"""
import json

import numpy as np


def moments(x, axes):
    mean = x.mean(axis=tuple(axes), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=tuple(axes), keepdims=True)
    return mean, var


def bshape(x, axes):
    s = [1] * x.ndim
    for a in axes:
        s[a] = x.shape[a]
    return s


def tfkeras(x, axes, eps, gamma, beta):
    mean, var = moments(x, axes)
    inv = 1.0 / np.sqrt(var + eps)
    if gamma is not None:
        inv = inv * gamma.reshape(bshape(x, axes))
    off = -mean * inv
    if beta is not None:
        off = beta.reshape(bshape(x, axes)) - mean * inv
    return x * inv + off


def fused(x, axes, eps, gamma, beta):
    # Only for sorted contiguous axes ending at the last.
    pre = int(np.prod(x.shape[:axes[0]]))
    y = x.reshape(pre, -1)
    m = y.mean(axis=1, keepdims=True)
    v = ((y - m) ** 2).mean(axis=1, keepdims=True)
    out = ((y - m) / np.sqrt(v + eps)).reshape(x.shape)
    if gamma is not None:
        out = out * gamma.reshape(bshape(x, axes))
    if beta is not None:
        out = out + beta.reshape(bshape(x, axes))
    return out


def keras3_rms(x, axes, eps, gamma):
    var = x.var(axis=tuple(axes), keepdims=True)
    return x * (1.0 / np.sqrt(var + eps)) * gamma.reshape(bshape(x, axes))


rng = np.random.RandomState(42)
cases = []
for name, shape, axis, eps, center, scale, rms in [
    ("last axis", (2, 3, 4), [-1], 1e-3, True, True, False),
    ("steps and features", (2, 3, 4), [1, 2], 1e-3, False, True, False),
    ("middle axis", (2, 3, 4), [1], 1e-2, True, False, False),
    ("plain 2-D", (3, 5), [-1], 1e-5, False, False, False),
    ("unsorted negative", (2, 3, 2), [-1, -2], 0.1, True, True, False),
    ("rms scaling", (2, 3, 4), [-1], 1e-3, True, False, True),
    ("rms scaling two axes", (2, 2, 3), [1, 2], 1e-3, False, True, True),
]:
    x = rng.randn(*shape) * 2 + 0.5
    axes = sorted(a % len(shape) for a in axis)
    ws = [shape[a] for a in axes]
    gamma = rng.randn(*ws) + 1 if (scale or rms) else None
    beta = rng.randn(*ws) if (center and not rms) else None
    if rms:
        y = keras3_rms(x, axes, eps, gamma)
        yf = y
    else:
        y = tfkeras(x, axes, eps, gamma, beta)
        contiguous = axes[-1] == len(shape) - 1 and axes[-1] - axes[0] == len(axes) - 1
        yf = fused(x, axes, eps, gamma, beta) if contiguous else y
        assert np.allclose(y, yf, rtol=1e-12, atol=1e-12)
    cases.append({"name": name, "shape": list(shape), "axis": axis, "epsilon": eps, "center": center, "scale": scale,
                  "rms_scaling": rms, "gamma": None if gamma is None else gamma.ravel().tolist(),
                  "beta": None if beta is None else beta.ravel().tolist(), "weight_shape": ws,
                  "x": x.ravel().tolist(), "y": y.ravel().tolist(), "y_fused": yf.ravel().tolist()})
json.dump({"cases": cases}, __import__("sys").stdout, indent=1)
