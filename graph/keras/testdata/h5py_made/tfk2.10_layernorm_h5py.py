#!/usr/bin/env python3
"""Writes tfk2.10_layernorm_h5py.h5, a model file in tf.keras 2.10's layout
(keras/saving/legacy/hdf5_format.py save_model_to_hdf5: root attributes
keras_version, backend, model_config; model_weights with layer_names and,
per layer, weight_names and datasets <layer>/<weight name>), made with h5py
because TensorFlow is not installed here; k3_layernorm_h5py.keras, the same
model and weights as a Keras 3 .keras archive (metadata.json, config.json
in Keras 3's form with dtype policies and rms_scaling, model.weights.h5 with
the weights at layers/<snake_case class name>[_n]/vars/<i>: gamma then
beta, keras/src/layers/normalization/layer_normalization.py build); and
tfk2.10_layernorm_h5py.json, the predictions both compute, in numpy:
LayerNormalization.call's tf.nn.moments + tf.nn.batch_normalization
(y = x·inv + (beta − mean·inv), inv = gamma/sqrt(var + epsilon), mean and
biased variance over the axes), K.temporal_padding, repeat_elements,
inputs[:, c0:-c1], Flatten, Dense.

Model: Sequential on (4, 3): ZeroPadding1D((1, 2)) (7, 3) →
LayerNormalization(axis [2], epsilon 1e-3) → UpSampling1D(2) (14, 3) →
Cropping1D((3, 4)) (7, 3) → LayerNormalization(axis [1, 2], epsilon 0.01,
center False) → Flatten (21) → Dense(2). The configs are what tf.keras
2.10's get_config writes after building (axis as a list of positive axes).
Run: python3 tfk2.10_layernorm_h5py.py (in this directory). Not a file
Keras wrote: it lives apart from the real Keras files of ../ (README there).
"""
import io
import json
import zipfile

import h5py
import numpy as np

rs = np.random.RandomState(12)
f32 = lambda a: np.asarray(a, dtype=np.float32)
ln1 = {"gamma": f32(rs.uniform(0.5, 1.5, 3)), "beta": f32(rs.uniform(-1, 1, 3))}
ln2 = {"gamma": f32(rs.uniform(0.5, 1.5, (7, 3)))}
dense = {"kernel": f32(rs.uniform(-1, 1, (21, 2))), "bias": f32(rs.uniform(-1, 1, 2))}


def init(name):
    return {"class_name": name, "config": {}}


def ln_config(name, axis, epsilon, center, k3=False):
    c = {"name": name, "trainable": True, "dtype": "float32", "axis": axis, "epsilon": epsilon, "center": center,
         "scale": True, "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
         "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}
    if k3:
        c["rms_scaling"] = False
    return {"class_name": "LayerNormalization", "config": c}


dense_config = {"class_name": "Dense", "config": {
    "name": "dense", "trainable": True, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": True,
    "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
    "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
    "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}
config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4, 3], "dtype": "float32", "sparse": False,
                                            "ragged": False, "name": "input_1"}},
    {"class_name": "ZeroPadding1D", "config": {"name": "zero_padding1d", "trainable": True, "dtype": "float32",
                                               "padding": [1, 2]}},
    ln_config("layer_normalization", [2], 0.001, True),
    {"class_name": "UpSampling1D", "config": {"name": "up_sampling1d", "trainable": True, "dtype": "float32",
                                              "size": 2}},
    {"class_name": "Cropping1D", "config": {"name": "cropping1d", "trainable": True, "dtype": "float32",
                                            "cropping": [3, 4]}},
    ln_config("layer_normalization_1", [1, 2], 0.01, False),
    {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "dtype": "float32",
                                         "data_format": "channels_last"}},
    dense_config]}}
weights = [("zero_padding1d", [], {}), ("layer_normalization", ["gamma", "beta"], ln1), ("up_sampling1d", [], {}),
           ("cropping1d", [], {}), ("layer_normalization_1", ["gamma"], ln2), ("flatten", [], {}),
           ("dense", ["kernel", "bias"], dense)]

with h5py.File("tfk2.10_layernorm_h5py.h5", "w") as f:
    f.attrs["keras_version"] = b"2.10.0"
    f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps(config).encode("utf8")
    g = f.create_group("model_weights")
    g.attrs["layer_names"] = [n.encode("utf8") for n, _, _ in weights]
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = b"2.10.0"
    for name, ws, vals in weights:
        lg = g.create_group(name)
        names = ["%s/%s:0" % (name, w) for w in ws]
        lg.attrs["weight_names"] = [n.encode("utf8") for n in names]
        for n, w in zip(names, ws):
            lg.create_dataset(n, data=vals[w])


def layer_norm(x, axes, eps, gamma, beta):
    mean = x.mean(axis=tuple(axes), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=tuple(axes), keepdims=True)
    bs = [1] * x.ndim
    for a in axes:
        bs[a] = x.shape[a]
    inv = 1.0 / np.sqrt(var + eps) * gamma.astype(np.float64).reshape(bs)
    off = -mean * inv if beta is None else beta.astype(np.float64).reshape(bs) - mean * inv
    return x * inv + off


x = rs.uniform(-2, 2, (5, 4, 3))
h = np.pad(x, [(0, 0), (1, 2), (0, 0)])
h = layer_norm(h, [2], 0.001, ln1["gamma"], ln1["beta"])
h = np.repeat(h, 2, axis=1)[:, 3:-4]
h = layer_norm(h, [1, 2], 0.01, ln2["gamma"], None).reshape(5, 21)
y = h @ dense["kernel"].astype(np.float64) + dense["bias"]
json.dump({"x": [float(v) for v in x.ravel()], "shape": [5, 4, 3], "y": [float(v) for v in y.ravel()]},
          open("tfk2.10_layernorm_h5py.json", "w"))

policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def k3(obj, input_shape):
    c = dict(obj["config"], dtype=policy)
    for k, v in c.items():
        if k.endswith("_initializer"):
            c[k] = {"module": "keras.initializers", "class_name": v["class_name"], "config": v["config"],
                    "registered_name": None}
    c.pop("activity_regularizer", None)
    return {"module": "keras.layers", "class_name": obj["class_name"], "config": c, "registered_name": None,
            "build_config": {"input_shape": input_shape}}


layers = config["config"]["layers"]
zp = dict(layers[1]["config"], data_format="channels_last")
k3config = {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": policy, "layers": [
    {"module": "keras.layers", "class_name": "InputLayer",
     "config": {"batch_shape": [None, 4, 3], "dtype": "float32", "sparse": False, "name": "input_layer"}, "registered_name": None},
    k3({"class_name": "ZeroPadding1D", "config": zp}, [None, 4, 3]),
    k3(ln_config("layer_normalization", [2], 0.001, True, k3=True), [None, 7, 3]),
    k3(layers[3], [None, 7, 3]),
    k3(layers[4], [None, 14, 3]),
    k3(ln_config("layer_normalization_1", [1, 2], 0.01, False, k3=True), [None, 7, 3]),
    k3(layers[6], [None, 7, 3]),
    k3(dense_config, [None, 21])]}}
buf = io.BytesIO()
with h5py.File(buf, "w") as f:
    for group, ws, vals in [("zero_padding1d", [], {}), ("layer_normalization", ["gamma", "beta"], ln1),
                            ("up_sampling1d", [], {}), ("cropping1d", [], {}),
                            ("layer_normalization_1", ["gamma"], ln2), ("flatten", [], {}),
                            ("dense", ["kernel", "bias"], dense)]:
        g = f.create_group("layers/" + group + "/vars")
        for i, w in enumerate(ws):
            g.create_dataset(str(i), data=vals[w])
    f.create_group("vars")
with zipfile.ZipFile("k3_layernorm_h5py.keras", "w") as z:
    for name, data in [("metadata.json", json.dumps({"keras_version": "3.8.0", "date_saved": "2025-01-20@10:00:00"})),
                       ("config.json", json.dumps(k3config)), ("model.weights.h5", buf.getvalue())]:
        z.writestr(zipfile.ZipInfo(name, (2025, 1, 20, 10, 0, 0)), data)
