"""Writes keras224_actlayers.json: values and derivatives of Keras 2.2.4's
advanced activation layers, transcribed in numpy from Keras 2.2.4's
sources with the TensorFlow backend, for TestKeras224Transcription.

Sources followed (keras-team/keras at tag 2.2.4):
- keras/layers/advanced_activations.py: LeakyReLU.call = K.relu(x, alpha),
  ReLU.call = K.relu(x, negative_slope, max_value, threshold),
  ELU.call = K.elu(x, alpha), ThresholdedReLU.call = x * K.cast(x > theta),
  PReLU.call = K.relu(x) - alpha * K.relu(-x), Softmax.call =
  activations.softmax(x, axis);
- keras/backend/tensorflow_backend.py: relu, elu;
- keras/activations.py: softmax (ndim > 2: exp(x - max) / sum);
- keras/layers/noise.py: AlphaDropout's a and b.
Derivatives compose TensorFlow's registered gradients of the ops those
functions use: Relu (features > 0), Relu6 (0 < features < 6), LeakyRelu
(features > 0 ? 1 : alpha), Elu (y > 0 ? 1 : y + 1), Minimum (x <= y),
Maximum (x >= y), Mul by a cast mask (the mask), Select (where).

Run: /usr/bin/python3 keras224_actlayers.py > keras224_actlayers.json
"""
import json

import numpy as np


def relu(x):
    return np.maximum(x, 0.0), (x > 0).astype(float)


def relu6(x):
    return np.minimum(np.maximum(x, 0.0), 6.0), ((x > 0) & (x < 6)).astype(float)


def leaky_relu(x, alpha):
    return np.where(x > 0, x, alpha * x), np.where(x > 0, 1.0, alpha)


def minimum(y, dy, m):
    return np.minimum(y, m), np.where(y <= m, dy, 0.0)


def maximum(y, dy, m):
    return np.maximum(y, m), np.where(y >= m, dy, 0.0)


def k_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """keras.backend.tensorflow_backend.relu at 2.2.4, with d/dx."""
    if alpha != 0.0:
        if max_value is None and threshold == 0.0:
            return leaky_relu(x, alpha)
        if threshold != 0.0:
            neg, dneg = relu(-x + threshold)
        else:
            neg, dneg = relu(-x)
        dneg = -dneg
    clip_max = max_value is not None
    if threshold != 0:
        m = (x > threshold).astype(float)
        y, dy = x * m, m
    elif max_value == 6:
        y, dy = relu6(x)
        clip_max = False
    else:
        y, dy = relu(x)
    if clip_max:  # tf.clip_by_value(x, 0, max_value): maximum(minimum(x, max), 0)
        y, dy = minimum(y, dy, max_value)
        y, dy = maximum(y, dy, 0.0)
    if alpha != 0:
        y, dy = y - alpha * neg, dy - alpha * dneg
    return y, dy


def k_elu(x, alpha=1.0):
    """keras.backend.tensorflow_backend.elu at 2.2.4, with d/dx."""
    res = np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
    dres = np.where(res > 0, 1.0, res + 1)
    if alpha == 1:
        return res, dres
    return np.where(x > 0, res, alpha * res), np.where(x > 0, dres, alpha * dres)


X = np.array([-8, -3, -2, -1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5.5, 6, 6.5, 8], dtype=np.float64)
cases = []


def add(cls, config, y, d):
    cases.append({"class": cls, "config": config, "x": X.tolist(), "y": y.tolist(), "dydx": d.tolist()})


for max_value in (None, 0.0, 2.0, 6.0):
    for slope in (0.0, 0.1, 1.5):
        for threshold in (0.0, 1.0, -1.0, 0.5, 6.0):
            y, d = k_relu(X, slope, max_value, threshold)
            add("ReLU", {"max_value": max_value, "negative_slope": slope, "threshold": threshold}, y, d)
for alpha in (0.0, 0.3, 1.0, -0.5):
    y, d = k_relu(X, alpha)
    add("LeakyReLU", {"alpha": alpha}, y, d)
for alpha in (1.0, 0.5, 2.0, 0.0):
    y, d = k_elu(X, alpha)
    add("ELU", {"alpha": alpha}, y, d)
for theta in (0.0, 1.0, 0.5, 6.0):
    m = (X > theta).astype(float)
    add("ThresholdedReLU", {"theta": theta}, X * m, m)

# Softmax of a (2, 3, 4) batch along each axis (activations.softmax, ndim > 2).
rng = np.random.RandomState(0)
xs = rng.uniform(-3, 3, size=(2, 3, 4))
softmax = []
for axis in (1, 2, -1, -2):
    e = np.exp(xs - np.max(xs, axis=axis, keepdims=True))
    softmax.append({"axis": axis, "x": xs.ravel().tolist(), "y": (e / np.sum(e, axis=axis, keepdims=True)).ravel().tolist()})

# PReLU on (2, 3, 4) with shared_axes [1]: alpha (1, 4).
alpha = rng.uniform(-1, 1, size=(1, 4))
xp = rng.uniform(-2, 2, size=(2, 3, 4))
xp[0, 0, :] = 0.0
pos, dpos = relu(xp)
negr, dnegr = relu(-xp)
prelu = {"alpha": alpha.ravel().tolist(), "x": xp.ravel().tolist(), "y": (pos - alpha * negr).ravel().tolist(),
         "dydx": (dpos + alpha * dnegr).ravel().tolist(), "dalpha": (-negr).sum(axis=(0, 1)).ravel().tolist()}

# AlphaDropout's affine correction (noise.py).
alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
alpha_dropout = []
for rate in (0.05, 0.1, 0.3, 0.5, 0.9):
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    alpha_dropout.append({"rate": rate, "a": a, "b": -a * alpha_p * rate, "dropped": a * alpha_p - a * alpha_p * rate})

json.dump({"elementwise": cases, "softmax": softmax, "prelu": prelu, "alpha_dropout": alpha_dropout}, __import__("sys").stdout)
