"""Reads a Keras .h5 file written by graph/keras.Save with h5py and checks it
as Keras 2.2.4's legacy loader (keras.models.load_model) would.

Usage: python3 h5py_check.py FILE [ARCHITECTURE_JSON]

FILE is a whole model (model.save) or, with ARCHITECTURE_JSON (to_json()
output), a weights file (save_weights: the weights at the file's root).

Prints one JSON document on stdout: what h5py reads (root attributes,
model_config and training_config parsed, layer_names, and per layer its
weight_names with each weight's shape, dtype and values), for the Go test
to compare with the model it saved. Exits with status 1 and a message on
stderr when the file breaks a rule of Keras' loader:

- model_config is JSON with a Sequential or Model config whose layers are
  Keras 2.2.4 classes called with arguments their constructors take, and
  whose initializers, regularizers, constraints and activations exist;
- training_config names a Keras 2.2.4 optimizer with its arguments and
  Keras losses and metrics;
- model_weights has layer_names, and for each layer with weights (the
  layers Keras' load_weights_from_hdf5_group keeps), weight_names whose
  datasets have the shapes that Keras gives those weights when it builds
  the layer from the config (computed here by following the layers'
  output shapes through the model, as Keras' build does).

Keras itself is not needed: this emulates the steps of
keras/engine/saving.py (load_model, load_weights_from_hdf5_group) and the
constructors of keras/layers (Keras 2.2.4).
"""
import json
import sys

import h5py
import numpy as np

BASE_KWARGS = {"name", "trainable", "dtype", "batch_input_shape", "input_shape", "batch_size", "weights", "input_dtype"}

# Keras 2.2.4 constructor arguments (besides BASE_KWARGS) of the layers
# graph/keras writes.
LAYER_ARGS = {
    "Dense": {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer", "kernel_regularizer",
              "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"},
    "LSTM": {"units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
             "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
             "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
             "recurrent_dropout", "implementation", "return_sequences", "return_state", "go_backwards", "stateful",
             "unroll"},
    "Conv1D": {"filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
               "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
               "activity_regularizer", "kernel_constraint", "bias_constraint"},
    "MaxPooling1D": {"pool_size", "strides", "padding", "data_format"},
    "AveragePooling1D": {"pool_size", "strides", "padding", "data_format"},
    "GlobalMaxPooling1D": {"data_format"},
    "GlobalAveragePooling1D": {"data_format"},
    "Reshape": {"target_shape"},
    "Permute": {"dims"},
    "Dropout": {"rate", "noise_shape", "seed"},
    "SpatialDropout1D": {"rate", "noise_shape", "seed"},
    "Activation": {"activation"},
    "RepeatVector": {"n"},
    "Flatten": {"data_format"},
    "TimeDistributed": {"layer"},
    "Bidirectional": {"layer", "merge_mode", "weights"},
    "Embedding": {"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
                  "activity_regularizer", "embeddings_constraint", "mask_zero", "input_length"},
    "Masking": {"mask_value"},
    "BatchNormalization": {"axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                           "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
                           "gamma_regularizer", "beta_constraint", "gamma_constraint"},
    "Concatenate": {"axis"},
    "Dot": {"axes", "normalize"},
    "Add": set(),
    "Subtract": set(),
    "Multiply": set(),
    "Average": set(),
    "Maximum": set(),
    "Minimum": set(),
}
REQUIRED = {"Dense": {"units"}, "LSTM": {"units"}, "Conv1D": {"filters", "kernel_size"}, "Dropout": {"rate"},
            "SpatialDropout1D": {"rate"}, "Activation": {"activation"}, "RepeatVector": {"n"},
            "TimeDistributed": {"layer"}, "Bidirectional": {"layer"}, "Embedding": {"input_dim", "output_dim"},
            "Dot": {"axes"}, "Reshape": {"target_shape"}, "Permute": {"dims"}}
# Keras 2.2.4's advanced activation and noise layers (advanced_activations.py,
# noise.py, core.py's ActivityRegularization).
LAYER_ARGS.update({
    "LeakyReLU": {"alpha"}, "ReLU": {"max_value", "negative_slope", "threshold"}, "ELU": {"alpha"},
    "ThresholdedReLU": {"theta"}, "Softmax": {"axis"},
    "PReLU": {"alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"},
    "GaussianNoise": {"stddev"}, "GaussianDropout": {"rate"}, "AlphaDropout": {"rate", "noise_shape", "seed"},
    "ActivityRegularization": {"l1", "l2"},
})
REQUIRED.update({"GaussianNoise": {"stddev"}, "GaussianDropout": {"rate"}, "AlphaDropout": {"rate"}})
# tf.keras 2.x's LayerNormalization (keras/layers/normalization/
# layer_normalization.py; Keras 2.2.4 has none) and Keras 2.2.4's
# ZeroPadding1D, Cropping1D, UpSampling1D (keras/layers/convolutional.py).
LAYER_ARGS.update({
    "LayerNormalization": {"axis", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                           "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint"},
    "ZeroPadding1D": {"padding"}, "Cropping1D": {"cropping"}, "UpSampling1D": {"size"},
})
# tf.keras 2.x's attention layers (Keras 2.2.4 has none): graph/keras writes
# tf.keras >= 2.10's constructor arguments (keras/layers/attention), and
# use_causal_mask / return_attention_scores as call kwargs in the inbound
# nodes; this check emulates tf.keras' build for them.
LAYER_ARGS.update({"Attention": {"use_scale", "score_mode", "dropout"}, "AdditiveAttention": {"use_scale", "dropout"}})
ACTIVATIONS = {"softmax", "elu", "selu", "softplus", "softsign", "relu", "tanh", "sigmoid", "hard_sigmoid",
               "exponential", "linear"}
OBJECTS = {
    "initializer": {"Zeros": set(), "Ones": set(), "Constant": {"value"}, "RandomNormal": {"mean", "stddev", "seed"},
                    "RandomUniform": {"minval", "maxval", "seed"}, "TruncatedNormal": {"mean", "stddev", "seed"},
                    "VarianceScaling": {"scale", "mode", "distribution", "seed"}, "Orthogonal": {"gain", "seed"},
                    "Identity": {"gain"}},
    "regularizer": {"L1L2": {"l1", "l2"}},
    "constraint": {"MaxNorm": {"max_value", "axis"}, "NonNeg": set(), "UnitNorm": {"axis"},
                   "MinMaxNorm": {"min_value", "max_value", "rate", "axis"}},
}
OPTIMIZERS = {"SGD": {"lr", "momentum", "decay", "nesterov"}, "RMSprop": {"lr", "rho", "epsilon", "decay"},
              "Adagrad": {"lr", "epsilon", "decay"}, "Adadelta": {"lr", "rho", "epsilon", "decay"},
              "Adam": {"lr", "beta_1", "beta_2", "epsilon", "decay", "amsgrad"},
              "Adamax": {"lr", "beta_1", "beta_2", "epsilon", "decay"},
              "Nadam": {"lr", "beta_1", "beta_2", "epsilon", "schedule_decay"}}
LOSSES = {"mean_squared_error", "mse", "mean_absolute_error", "mae", "mean_absolute_percentage_error", "mape",
          "mean_squared_logarithmic_error", "msle", "squared_hinge", "hinge", "categorical_hinge", "logcosh",
          "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
          "kullback_leibler_divergence", "poisson", "cosine_proximity"}
METRICS = LOSSES | {"accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"}


def fail(msg):
    sys.stderr.write("keras loader check: " + msg + "\n")
    sys.exit(1)


def text(v):
    return v.decode("utf8") if isinstance(v, bytes) else str(v)


def check_object(kind, where, obj):
    if obj is None:
        return
    if not isinstance(obj, dict) or set(obj) != {"class_name", "config"}:
        fail("%s: %s %r is not {class_name, config}" % (where, kind, obj))
    allowed = OBJECTS[kind].get(obj["class_name"])
    if allowed is None:
        fail("%s: %s class %s is not one of Keras 2.2.4" % (where, kind, obj["class_name"]))
    extra = set(obj["config"]) - allowed
    if extra:
        fail("%s: %s %s does not take %s" % (where, kind, obj["class_name"], sorted(extra)))


def check_layer(obj, where):
    cls, cfg = obj["class_name"], obj["config"]
    if cls not in LAYER_ARGS:
        fail("%s: class %s is not one this check knows" % (where, cls))
    extra = set(cfg) - LAYER_ARGS[cls] - BASE_KWARGS
    if extra:
        fail("%s: %s(...) does not take %s (TypeError in Keras)" % (where, cls, sorted(extra)))
    missing = REQUIRED.get(cls, set()) - set(cfg)
    if missing:
        fail("%s: %s needs %s" % (where, cls, sorted(missing)))
    for k, v in cfg.items():
        if k.endswith("_initializer"):
            check_object("initializer", where + "." + k, v)
        elif k.endswith("_regularizer"):
            check_object("regularizer", where + "." + k, v)
        elif k.endswith("_constraint"):
            check_object("constraint", where + "." + k, v)
        elif k in ("activation", "recurrent_activation") and v not in ACTIVATIONS:
            fail("%s: activation %r is not one of Keras 2.2.4" % (where, v))
    if cls in ("TimeDistributed", "Bidirectional"):
        check_layer(cfg["layer"], where + ".layer")


def conv_len(n, size, stride, dilation, padding):
    if n is None:
        return None
    span = (size - 1) * dilation + 1
    if padding == "valid":
        return (n - span) // stride + 1
    return (n + stride - 1) // stride


def build(obj, shapes):
    """Returns (output shapes, weight shapes) of a layer called on inputs of
    the given shapes (batch first), as Keras builds it."""
    cls, c = obj["class_name"], obj["config"]
    x = shapes[0]
    if cls == "Dense":
        w = [(x[-1], c["units"])] + ([(c["units"],)] if c.get("use_bias", True) else [])
        return [x[:-1] + [c["units"]]], w
    if cls == "LSTM":
        u = c["units"]
        w = [(x[-1], 4 * u), (u, 4 * u)] + ([(4 * u,)] if c.get("use_bias", True) else [])
        out = [x[0], x[1], u] if c.get("return_sequences") else [x[0], u]
        outs = [out] + ([[x[0], u], [x[0], u]] if c.get("return_state") else [])
        return outs, w
    if cls == "Conv1D":
        k, f = c["kernel_size"][0], c["filters"]
        n = conv_len(x[1], k, c["strides"][0], c["dilation_rate"][0], c["padding"])
        return [[x[0], n, f]], [(k, x[2], f)] + ([(f,)] if c.get("use_bias", True) else [])
    if cls in ("MaxPooling1D", "AveragePooling1D"):
        p = c["pool_size"][0]
        s = c["strides"][0] if c.get("strides") else p
        return [[x[0], conv_len(x[1], p, s, 1, c["padding"]), x[2]]], []
    if cls in ("GlobalMaxPooling1D", "GlobalAveragePooling1D"):
        return [[x[0], x[2]]], []
    if cls == "Reshape":
        # keras/layers/core.py Reshape.compute_output_shape (Keras 2.2.4).
        t = list(c["target_shape"])
        if None in x[1:]:
            return [[x[0]] + [d if d != -1 else None for d in t]], []
        n, known = 1, 1
        for d in x[1:]:
            n *= d
        for d in t:
            known *= d if d != -1 else 1
        if -1 in t:
            if n % known:
                fail("Reshape: target_shape %r does not fit %r" % (t, x))
            t[t.index(-1)] = n // known
        elif n != known:
            fail("Reshape: target_shape %r does not fit %r" % (t, x))
        return [[x[0]] + t], []
    if cls == "Permute":
        if sorted(c["dims"]) != list(range(1, len(x))):
            fail("Permute: dims %r for an input of shape %r" % (c["dims"], x))
        return [[x[0]] + [x[d] for d in c["dims"]]], []
    if cls == "Flatten":
        n = 1
        for d in x[1:]:
            n *= d
        return [[x[0], n]], []
    if cls == "RepeatVector":
        return [[x[0], c["n"], x[1]]], []
    if cls == "TimeDistributed":
        outs, w = build(c["layer"], [[x[0]] + x[2:]])
        return [[x[0], x[1]] + outs[0][1:]], w
    if cls in ("Dropout", "SpatialDropout1D", "Activation", "Masking"):
        return [x], []
    if cls in ("LeakyReLU", "ReLU", "ELU", "ThresholdedReLU", "Softmax", "GaussianNoise", "GaussianDropout",
               "AlphaDropout", "ActivityRegularization"):
        return [x], []
    if cls == "PReLU":  # alpha: the input's shape, shared axes set to 1
        w = list(x[1:])
        for i in c.get("shared_axes") or []:
            w[i - 1] = 1
        return [x], [tuple(w)]
    if cls == "Embedding":
        return [x + [c["output_dim"]]], [(c["input_dim"], c["output_dim"])]
    if cls == "Bidirectional":
        outs, w = build(c["layer"], shapes[:1])
        y = outs[0]
        mode = c.get("merge_mode", "concat")
        if mode == "concat":
            y = y[:-1] + [2 * y[-1]]
        return [y], w + w
    if cls in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        return [x], []
    if cls == "BatchNormalization":
        ax = c.get("axis", -1)
        if not isinstance(ax, int) or x[ax] is None:
            fail("BatchNormalization axis %r of input %r: Keras 2.2.4 needs an int axis of fixed size" % (ax, x))
        n = 2 + int(c.get("center", True)) + int(c.get("scale", True))
        return [x], [(x[ax],)] * n
    if cls == "Concatenate":
        ax = c.get("axis", -1)
        y = list(x)
        y[ax] = sum(s[ax] for s in shapes)
        return [y], []
    if cls == "Dot":  # Dot.build and compute_output_shape
        s1, s2 = list(shapes[0]), list(shapes[1])
        a = c["axes"]
        if isinstance(a, int):
            a = [a % len(s1), a % len(s2)] if a < 0 else [a, a]
        if s1[a[0]] is not None and s2[a[1]] is not None and s1[a[0]] != s2[a[1]]:
            fail("Dot %s: sizes %s and %s on axes %s differ" % (c["name"], s1[a[0]], s2[a[1]], a))
        s1.pop(a[0])
        s2.pop(a[1])
        s2.pop(0)
        y = s1 + s2
        return [y + [1] if len(y) == 1 else y], []
    if cls == "LayerNormalization":  # tf_utils.validate_axis, then gamma, beta of the axes' sizes
        ax = c.get("axis", -1)
        ax = ax if isinstance(ax, list) else [ax]
        if any(not isinstance(a, int) or not -len(x) <= a < len(x) for a in ax):
            fail("LayerNormalization axis %r of input %r" % (c.get("axis"), x))
        ax = [a % len(x) for a in ax]
        if 0 in ax or len(set(ax)) != len(ax) or any(x[a] is None for a in ax):
            fail("LayerNormalization axis %r of input %r" % (c.get("axis"), x))
        n = int(c.get("center", True)) + int(c.get("scale", True))
        return [x], [tuple(x[a] for a in ax)] * n
    if cls in ("ZeroPadding1D", "Cropping1D"):  # compute_output_shape
        p = c["padding" if cls == "ZeroPadding1D" else "cropping"]
        p = list(p) if isinstance(p, list) else [p, p]
        if len(p) != 2 or min(p) < 0:
            fail("%s %r" % (cls, p))
        n = x[1]
        if n is not None:
            n = n + sum(p) if cls == "ZeroPadding1D" else n - sum(p)
        return [[x[0], n, x[2]]], []
    if cls == "UpSampling1D":
        return [[x[0], None if x[1] is None else x[1] * c.get("size", 2), x[2]]], []
    if cls in ("Attention", "AdditiveAttention"):
        # tf.keras: the output (batch, Tq, dim of the value) and, with
        # return_attention_scores, the scores (batch, Tq, Tv); Attention's
        # weights are scalars, AdditiveAttention's scale has the value's
        # last size (additive_attention.py build), which must be the
        # query's and the key's (tanh(query + key)).
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) > 2 else v
        if len(shapes) not in (2, 3) or len(q) != 3 or len(v) != 3 or len(k) != 3:
            fail("%s %s: inputs %r: want [query, value] or [query, value, key] of rank 3" % (cls, c["name"], shapes))
        if None not in (q[2], k[2]) and q[2] != k[2]:
            fail("%s %s: query and key sizes %s and %s differ" % (cls, c["name"], q[2], k[2]))
        outs = [[q[0], q[1], v[2]], [q[0], q[1], v[1]]]
        if cls == "Attention":
            if c.get("score_mode", "dot") not in ("dot", "concat"):
                fail("Attention %s: score_mode %r" % (c["name"], c.get("score_mode")))
            w = [()] if c.get("use_scale", False) else []
            return outs, w + ([()] if c.get("score_mode") == "concat" else [])
        if c.get("use_scale", True):
            if v[2] is None or v[2] != q[2]:
                fail("AdditiveAttention %s: scale of the value's size %s for a query of size %s" % (c["name"], v[2], q[2]))
            return outs, [(v[2],)]
        return outs, []
    fail("no shape rule for %s" % cls)


def expected_weights(config):
    """Follows the model config's layers as Keras builds them and returns
    {layer name: [weight shapes]}."""
    cls, cfg = config["class_name"], config["config"]
    out = {}
    if cls == "Sequential":
        layers = cfg["layers"] if isinstance(cfg, dict) else cfg
        x = None
        for i, obj in enumerate(layers):
            check_layer(obj, "layer %d" % i)
            if i == 0:
                if "batch_input_shape" not in obj["config"]:
                    fail("the first layer has no batch_input_shape")
                x = list(obj["config"]["batch_input_shape"])
            outs, w = build(obj, [x])
            out[obj["config"]["name"]] = w
            x = outs[0]
        return out
    if cls != "Model":
        fail("model class %s" % cls)
    tensors = {}
    done = {}  # layer name -> number of its calls processed
    for obj in cfg["layers"]:
        name = obj["name"]
        done[name] = 0
        if obj["class_name"] == "InputLayer":
            if set(obj["config"]) - {"batch_input_shape", "dtype", "sparse", "name"}:
                fail("InputLayer %s: arguments %s" % (name, sorted(obj["config"])))
            tensors[(name, 0, 0)] = list(obj["config"]["batch_input_shape"])
        else:
            check_layer(obj, "layer " + name)
    # As Keras' from_config: process each layer's calls in order, deferring
    # a call until the tensors it takes exist.
    while True:
        progress = False
        for obj in cfg["layers"]:
            name = obj["name"]
            if obj["class_name"] == "InputLayer":
                continue
            while done[name] < len(obj["inbound_nodes"]):
                k = done[name]
                node = obj["inbound_nodes"][k]
                for t in node:
                    if len(t) != 4 or not isinstance(t[3], dict):
                        fail("layer %s: inbound tensor %r is not [name, node, tensor, kwargs]" % (name, t))
                if not all(tuple(t[:3]) in tensors for t in node):
                    break
                outs, w = build(obj, [tensors[tuple(t[:3])] for t in node])
                for i, shape in enumerate(outs):
                    tensors[(name, k, i)] = shape
                out[name] = w
                done[name] += 1
                progress = True
        if not progress:
            break
    waiting = [o["name"] for o in cfg["layers"] if o["class_name"] != "InputLayer" and done[o["name"]] < len(o["inbound_nodes"])]
    if waiting:
        fail("layers %s wait for tensors no layer makes" % waiting)
    for key in ("input_layers", "output_layers"):
        for t in cfg[key]:
            if tuple(t) not in tensors:
                fail("%s names %r, which no layer makes" % (key, t))
    return out


def main():
    f = h5py.File(sys.argv[1], "r")
    attrs = {k: text(f.attrs[k]) for k in f.attrs if k != "layer_names"}
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as a:
            arch = json.load(a)
        attrs["model_config"] = json.dumps({"class_name": arch["class_name"], "config": arch["config"]})
    for k in ("keras_version", "backend", "model_config"):
        if k not in attrs:
            fail("no %s attribute" % k)
    config = json.loads(attrs["model_config"])
    expected = expected_weights(config)
    training = None
    if "training_config" in attrs:
        training = json.loads(attrs["training_config"])
        opt = training["optimizer_config"]
        allowed = OPTIMIZERS.get(opt["class_name"])
        if allowed is None or set(opt["config"]) - allowed - {"clipnorm", "clipvalue"}:
            fail("optimizer %r is not one of Keras 2.2.4" % opt)
        losses = training["loss"] if isinstance(training["loss"], list) else [training["loss"]]
        for l in losses:
            if l not in LOSSES:
                fail("loss %r is not one of Keras 2.2.4" % l)
        for m in training.get("metrics") or []:
            if m not in METRICS:
                fail("metric %r is not one of Keras 2.2.4" % m)
    # load_model reads model_weights; load_weights the root of a weights file.
    g = f["model_weights"] if "model_weights" in f else f
    layer_names = [text(n) for n in g.attrs["layer_names"]]
    layers = []
    for name in layer_names:
        lg = g[name]
        wn = lg.attrs["weight_names"]
        weight_names = [text(n) for n in wn] if len(wn) else []
        weights = []
        for w in weight_names:
            d = lg[w]
            weights.append({"name": w, "shape": list(d.shape), "dtype": str(d.dtype),
                            "values": np.asarray(d).astype(np.float64).ravel().tolist()})
        if weights:
            want = expected.get(name)
            got = [tuple(w["shape"]) for w in weights]
            if want is None or [tuple(s) for s in want] != got:
                fail("layer %s: weights of shapes %s in the file, Keras builds %s" % (name, got, want))
        elif expected.get(name):
            fail("layer %s: no weights in the file, Keras builds %s" % (name, expected[name]))
        layers.append({"name": name, "weight_names": weight_names, "weights": weights})
    with_weights = [n for n in layer_names if any(l["name"] == n and l["weights"] for l in layers)]
    if sorted(with_weights) != sorted(n for n, w in expected.items() if w):
        fail("layers with weights %s in the file, %s in the config" % (with_weights, sorted(expected)))
    json.dump({"attrs": {k: v for k, v in attrs.items() if k not in ("model_config", "training_config")},
               "model_config": config, "training_config": training,
               "weights_attrs": {k: text(g.attrs[k]) for k in ("backend", "keras_version")},
               "layer_names": layer_names, "layers": layers}, sys.stdout)


main()
