#!/usr/bin/env python3
"""Writes batchnorm_keras224.json: the numbers of Keras 2.2.4's
BatchNormalization with the TensorFlow backend, transcribed in numpy (float64)
for TestBatchNormalizationKeras224 (graph/layers/batchnorm_test.go).

Sources transcribed (keras-team/keras at tag 2.2.4):
  keras/layers/normalization.py, BatchNormalization.call:
    inference: K.batch_normalization(inputs, moving_mean, moving_variance,
               beta, gamma, axis, epsilon)
    training:  normed, mean, variance = K.normalize_batch_in_training(
                   inputs, gamma, beta, reduction_axes, epsilon)
               sample_size = prod(shape[axis] for axis in reduction_axes)
               variance *= sample_size / (sample_size - (1.0 + epsilon))
               K.moving_average_update(moving_mean, mean, momentum)
               K.moving_average_update(moving_variance, variance, momentum)
  keras/backend/tensorflow_backend.py:
    normalize_batch_in_training -> tf.nn.moments(x, reduction_axes) (biased
        variance) and tf.nn.batch_normalization(x, mean, var, beta, gamma, eps)
    batch_normalization -> tf.nn.batch_normalization for inputs not 4-D
    moving_average_update(x, value, momentum) ->
        moving_averages.assign_moving_average(x, value, momentum,
                                              zero_debias=True)
  tensorflow/python/ops/nn_impl.py batch_normalization:
        inv = rsqrt(variance + eps); inv *= scale; x * inv + (offset - mean * inv)
  tensorflow/python/training/moving_averages.py _zero_debias:
        biased -= (biased - value) * (1 - momentum)   (biased starts at 0)
        local_step += 1
        variable = biased / (1 - momentum ** local_step)
Run: python3 batchnorm_keras224.py > batchnorm_keras224.json
"""
import json

import numpy as np


def tf_batch_normalization(x, mean, var, beta, gamma, eps):
    inv = 1.0 / np.sqrt(var + eps)
    if gamma is not None:
        inv = inv * gamma
    off = (beta - mean * inv) if beta is not None else -mean * inv
    return x * inv + off


class KerasBN:
    """Keras 2.2.4 BatchNormalization (TensorFlow backend) with its hidden
    zero-debias variables."""

    def __init__(self, axis, momentum, epsilon, gamma, beta, mm, mv):
        self.axis, self.momentum, self.epsilon = axis, momentum, epsilon
        self.gamma, self.beta = gamma, beta
        self.moving_mean, self.moving_variance = mm.copy(), mv.copy()
        self.biased = {"mean": np.zeros_like(mm), "var": np.zeros_like(mv)}
        self.local_step = {"mean": 0, "var": 0}

    def bshape(self, x):
        s = [1] * x.ndim
        s[self.axis] = x.shape[self.axis]
        return s

    def inference(self, x):
        b = lambda v: None if v is None else v.reshape(self.bshape(x))
        return tf_batch_normalization(x, b(self.moving_mean), b(self.moving_variance),
                                      b(self.beta), b(self.gamma), self.epsilon)

    def assign_moving_average(self, key, variable, value):
        decay = 1.0 - self.momentum
        self.biased[key] = self.biased[key] - (self.biased[key] - value) * decay
        self.local_step[key] += 1
        return self.biased[key] / (1 - (1.0 - decay) ** self.local_step[key])

    def training(self, x):
        axes = [a for a in range(x.ndim) if a != self.axis % x.ndim]
        mean = x.mean(axis=tuple(axes))
        var = ((x - mean.reshape(self.bshape(x))) ** 2).mean(axis=tuple(axes))
        b = lambda v: None if v is None else v.reshape(self.bshape(x))
        y = tf_batch_normalization(x, b(mean), b(var), b(self.beta), b(self.gamma), self.epsilon)
        n = float(np.prod([x.shape[a] for a in axes]))
        var = var * (n / (n - (1.0 + self.epsilon)))
        self.moving_mean = self.assign_moving_average("mean", self.moving_mean, mean)
        self.moving_variance = self.assign_moving_average("var", self.moving_variance, var)
        return y


def vals(n, seed):
    return np.random.RandomState(seed).uniform(-2, 2, n).round(3)


cases = []
for name, shape, axis, center, scale, momentum, eps in [
    ("2-D", (4, 3), -1, True, True, 0.9, 1e-3),
    ("3-D", (2, 3, 2), -1, True, True, 0.99, 1e-3),
    ("3-D axis 1", (2, 3, 2), 1, True, True, 0.8, 1e-2),
    ("3-D axis -2", (3, 2, 4), -2, True, True, 0.5, 1e-3),
    ("no center", (5, 2), -1, False, True, 0.9, 1e-3),
    ("no scale", (5, 2), -1, True, False, 0.9, 1e-3),
    ("neither", (2, 2, 3), -1, False, False, 0.7, 1e-3),
]:
    c = shape[axis]
    gamma = 1 + 0.5 * vals(c, 1) if scale else None
    beta = vals(c, 2) if center else None
    mm, mv = vals(c, 3), 0.5 + np.abs(vals(c, 4))
    x1 = vals(int(np.prod(shape)), 5).reshape(shape) * 1.5 + 0.3
    x2 = vals(int(np.prod(shape)), 6).reshape(shape) - 0.4
    bn = KerasBN(axis, momentum, eps, gamma, beta, mm, mv)
    inf = bn.inference(x1)
    y1 = bn.training(x1)
    m1, v1 = bn.moving_mean.copy(), bn.moving_variance.copy()
    y2 = bn.training(x2)
    m2, v2 = bn.moving_mean.copy(), bn.moving_variance.copy()
    inf2 = bn.inference(x1)
    lst = lambda a: None if a is None else [float(v) for v in np.ravel(a)]
    cases.append({
        "name": name, "shape": list(shape), "axis": axis, "center": center, "scale": scale,
        "momentum": momentum, "epsilon": eps,
        "gamma": lst(gamma), "beta": lst(beta), "moving_mean": lst(mm), "moving_variance": lst(mv),
        "x1": lst(x1), "x2": lst(x2),
        "inference": lst(inf), "training1": lst(y1), "training2": lst(y2),
        "moving_mean1": lst(m1), "moving_variance1": lst(v1),
        "moving_mean2": lst(m2), "moving_variance2": lst(v2),
        "inference_after": lst(inf2),
    })

# Fit: Sequential [BatchNormalization(momentum 0.9), Dense(1)], x of shape
# (6, 4, 2) in two batches of 3 without shuffling: the BatchNormalization sees
# the data itself, so its moving statistics after each batch follow from the
# batches alone.
x = vals(48, 7).reshape(6, 4, 2) * 2 + 1
bn = KerasBN(-1, 0.9, 1e-3, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2))
bn.training(x[:3])
fit1 = (lst(bn.moving_mean), lst(bn.moving_variance))
bn.training(x[3:])
fit2 = (lst(bn.moving_mean), lst(bn.moving_variance))
json.dump({"source": "keras 2.2.4 BatchNormalization, TensorFlow backend (see batchnorm_keras224.py)",
           "cases": cases,
           "fit": {"x": lst(x), "shape": [6, 4, 2], "momentum": 0.9, "epsilon": 1e-3,
                   "moving_mean1": fit1[0], "moving_variance1": fit1[1],
                   "moving_mean2": fit2[0], "moving_variance2": fit2[1]}},
          __import__("sys").stdout, indent=1)
print()
