#!/usr/bin/env python3
"""Writes k2.2.4_batchnorm_h5py.h5, a model file in Keras 2.2.4's layout
(keras/engine/saving.py save_model: root attributes keras_version, backend,
model_config; model_weights with layer_names and, per layer, weight_names
and datasets <layer>/<weight name>), made with h5py because Keras is not
installed here, and k2.2.4_batchnorm_h5py.json, the predictions that Keras
2.2.4's inference computes for it (BatchNormalization.call with training 0:
K.batch_normalization -> tf.nn.batch_normalization, y = x·inv + (beta −
mean·inv), inv = gamma/sqrt(var + epsilon); Flatten; Dense), in numpy.

Model: Sequential [BatchNormalization (axis -1, momentum 0.95, epsilon 0.01)
on (4, 3), Flatten, BatchNormalization (center False), Dense(2)]. The config
is what Keras 2.2.4's get_config writes for these layers.
It also writes k3_batchnorm_h5py.keras, the same model and weights as a
Keras 3 .keras archive (a zip of metadata.json, config.json in Keras 3's
form with BatchNormalization's Keras 3 keys synchronized, renorm,
renorm_clipping, renorm_momentum, and model.weights.h5 with the weights at
layers/<snake_case class name>[_n]/vars/<i>, gamma, beta, moving_mean,
moving_variance: keras/src/layers/normalization/batch_normalization.py
build), whose predictions are the same.
Run: python3 k2.2.4_batchnorm_h5py.py (in this directory). Not a file Keras
wrote: it lives apart from the real Keras files of ../ (README there).
"""
import io
import json
import zipfile

import h5py
import numpy as np

rs = np.random.RandomState(11)
f32 = lambda a: np.asarray(a, dtype=np.float32)
bn1 = {"gamma": f32(rs.uniform(0.5, 1.5, 3)), "beta": f32(rs.uniform(-1, 1, 3)),
       "moving_mean": f32(rs.uniform(-1, 1, 3)), "moving_variance": f32(rs.uniform(0.2, 2, 3))}
bn2 = {"gamma": f32(rs.uniform(0.5, 1.5, 12)),
       "moving_mean": f32(rs.uniform(-1, 1, 12)), "moving_variance": f32(rs.uniform(0.2, 2, 12))}
dense = {"kernel": f32(rs.uniform(-1, 1, (12, 2))), "bias": f32(rs.uniform(-1, 1, 2))}


def bn_config(name, momentum, epsilon, center, batch_input_shape=None):
    c = {"name": name, "trainable": True, "axis": -1, "momentum": momentum, "epsilon": epsilon,
         "center": center, "scale": True,
         "beta_initializer": {"class_name": "Zeros", "config": {}},
         "gamma_initializer": {"class_name": "Ones", "config": {}},
         "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
         "moving_variance_initializer": {"class_name": "Ones", "config": {}},
         "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}
    if batch_input_shape:
        c["batch_input_shape"], c["dtype"] = batch_input_shape, "float32"
    return {"class_name": "BatchNormalization", "config": c}


config = {"class_name": "Sequential", "config": [
    bn_config("batch_normalization_1", 0.95, 0.01, True, [None, 4, 3]),
    {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": True, "data_format": "channels_last"}},
    bn_config("batch_normalization_2", 0.99, 0.001, False),
    {"class_name": "Dense", "config": {"name": "dense_1", "trainable": True, "units": 2, "activation": "linear",
                                       "use_bias": True,
                                       "kernel_initializer": {"class_name": "VarianceScaling", "config": {
                                           "scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
                                           "seed": None}},
                                       "bias_initializer": {"class_name": "Zeros", "config": {}},
                                       "kernel_regularizer": None, "bias_regularizer": None,
                                       "activity_regularizer": None, "kernel_constraint": None,
                                       "bias_constraint": None}}]}
weights = [("batch_normalization_1", ["gamma", "beta", "moving_mean", "moving_variance"], bn1),
           ("flatten_1", [], {}),
           ("batch_normalization_2", ["gamma", "moving_mean", "moving_variance"], bn2),
           ("dense_1", ["kernel", "bias"], dense)]

with h5py.File("k2.2.4_batchnorm_h5py.h5", "w") as f:
    f.attrs["keras_version"] = b"2.2.4"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps(config).encode("utf8")
    g = f.create_group("model_weights")
    g.attrs["layer_names"] = [n.encode("utf8") for n, _, _ in weights]
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = b"2.2.4"
    for name, ws, vals in weights:
        lg = g.create_group(name)
        names = ["%s/%s:0" % (name, w) for w in ws]
        lg.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for n, w in zip(names, ws):
            lg.create_dataset(n, data=vals[w])


def bn(x, w, eps):
    inv = 1.0 / np.sqrt(w["moving_variance"].astype(np.float64) + eps) * w["gamma"]
    return x * inv + (w.get("beta", 0.0) - w["moving_mean"] * inv)


x = rs.uniform(-2, 2, (5, 4, 3))
h = bn(x, bn1, 0.01).reshape(5, 12)
y = bn(h, bn2, 0.001) @ dense["kernel"].astype(np.float64) + dense["bias"]
json.dump({"x": [float(v) for v in x.ravel()], "shape": [5, 4, 3], "y": [float(v) for v in y.ravel()]},
          open("k2.2.4_batchnorm_h5py.json", "w"))


def k3_init(name):
    return {"module": "keras.initializers", "class_name": name, "config": {}, "registered_name": None}


policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def k3_bn(name, momentum, epsilon, center, input_shape):
    return {"module": "keras.layers", "class_name": "BatchNormalization", "config": {
        "name": name, "trainable": True, "dtype": policy, "axis": -1, "momentum": momentum, "epsilon": epsilon,
        "center": center, "scale": True, "beta_initializer": k3_init("Zeros"), "gamma_initializer": k3_init("Ones"),
        "moving_mean_initializer": k3_init("Zeros"), "moving_variance_initializer": k3_init("Ones"),
        "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
        "synchronized": False, "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99},
        "registered_name": None, "build_config": {"input_shape": input_shape}}


k3config = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": policy, "layers": [
    {"module": "keras.layers", "class_name": "InputLayer",
     "config": {"batch_shape": [None, 4, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}, "registered_name": None},
    k3_bn("batch_normalization", 0.95, 0.01, True, [None, 4, 3]),
    {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "dtype": policy,
                                                                   "data_format": "channels_last"},
     "registered_name": None, "build_config": {"input_shape": [None, 4, 3]}},
    k3_bn("batch_normalization_1", 0.99, 0.001, False, [None, 12]),
    {"module": "keras.layers", "class_name": "Dense", "config": {
        "name": "dense", "trainable": True, "dtype": policy, "units": 2, "activation": "linear", "use_bias": True,
        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None},
                               "registered_name": None},
        "bias_initializer": k3_init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None},
     "registered_name": None, "build_config": {"input_shape": [None, 12]}}]}}
buf = io.BytesIO()
with h5py.File(buf, "w") as f:
    for group, ws, vals in [("batch_normalization", ["gamma", "beta", "moving_mean", "moving_variance"], bn1),
                            ("flatten", [], {}),
                            ("batch_normalization_1", ["gamma", "moving_mean", "moving_variance"], bn2),
                            ("dense", ["kernel", "bias"], dense)]:
        g = f.create_group("layers/" + group + "/vars")
        for i, w in enumerate(ws):
            g.create_dataset(str(i), data=vals[w])
    f.create_group("vars")
with zipfile.ZipFile("k3_batchnorm_h5py.keras", "w") as z:
    for name, data in [("metadata.json", json.dumps({"keras_version": "3.4.1", "date_saved": "2024-07-23@17:34:40"})),
                       ("config.json", json.dumps(k3config)), ("model.weights.h5", buf.getvalue())]:
        z.writestr(zipfile.ZipInfo(name, (2024, 7, 23, 17, 34, 40)), data)
