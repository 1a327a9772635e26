"""Writes the CuDNNLSTM test files of graph/keras (cudnn_test.go).

Usage: /usr/bin/python3 make_cudnn.py   (in this directory; numpy and h5py)

Keras is not needed: this writes the files Keras 2.2.4's model.save and
save_weights write for models of CuDNNLSTM layers (a GPU-only layer), in
their layout, and computes what those models predict, two ways:

1. as cuDNN computes it: keras/layers/cudnn_recurrent.py (Keras 2.2.4)
   CuDNNLSTM.build slices the kernel (input_dim, 4*units), the recurrent
   kernel (units, 4*units) and the bias (8*units) per gate i, f, c, o
   (lines 459-479), _canonical_to_params (line 56) flattens each slice
   row-major, and cuDNN reads the flattened input weights of a gate as its
   (units, input_dim) matrix W_g and the recurrent ones as (units, units)
   R_g: z_g = W_g x_t + b_Wg + R_g h_{t-1} + b_Rg, with sigmoid gates and
   tanh (the cuDNN LSTM); _CuDNNRNN.call reverses the input for
   go_backwards (line 87), _process_batch returns every h_t or the last
   (line 525);
2. as Keras loads those weights into an LSTM: keras/engine/saving.py
   (Keras 2.2.4) preprocess_weights_for_loading -> _convert_rnn_weights
   (line 811): the source is CuDNNLSTM when the bias has 2*units*4 values
   (line 887); convert_weights(from_cudnn=True) (line 894) applies
   transform_kernels (line 837) with transpose_input (line 849,
   kernel.T.reshape(kernel.shape, order='F'), line 871) to the kernel and
   the per-gate transpose to the recurrent kernel, and sums the two bias
   halves (line 902); convert_nested_bidirectional (line 678) converts the
   forward and the backward halves of a Bidirectional. Then the Keras
   2.2.4 LSTM (keras/layers/recurrent.py, LSTMCell.call, activation tanh,
   recurrent_activation sigmoid) runs on the converted weights.

The script checks that the two agree (to 1e-12) and writes the second as
the expected predictions, with the predictions of a naive load (the CuDNN
kernels used as they are, the two biases summed) that the Go test checks
it does not reproduce.

Files written: cudnn_seq.h5 (Sequential: CuDNNLSTM(5, return_sequences)
on (4 steps, 3 features), Dense(2)), cudnn_bidir.h5 (Sequential:
Bidirectional(CuDNNLSTM(4), concat) on (5, 3), Dense(1)), cudnn_weights.h5
(save_weights of cudnn_seq.h5's model) with
cudnn_weights_architecture.json (its to_json()), and cases.json (inputs, expected
and naive predictions, and the converted LSTM weights of cudnn_seq.h5).
"""
import json

import h5py
import numpy as np

rng = np.random.RandomState(20181003)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --- 1. cuDNN's LSTM on the CuDNNLSTM weights ---------------------------

def cudnn_forward(x, kernel, rkernel, bias, return_sequences, go_backwards):
    """cuDNN's LSTM as CuDNNLSTM._process_batch calls it (zero states)."""
    units = rkernel.shape[0]
    n_in = kernel.shape[0]
    W = [kernel[:, g * units:(g + 1) * units].reshape(-1).reshape(units, n_in) for g in range(4)]
    R = [rkernel[:, g * units:(g + 1) * units].reshape(-1).reshape(units, units) for g in range(4)]
    bW = [bias[g * units:(g + 1) * units] for g in range(4)]
    bR = [bias[(4 + g) * units:(5 + g) * units] for g in range(4)]
    if go_backwards:
        x = x[:, ::-1]
    batch, steps = x.shape[0], x.shape[1]
    h = np.zeros((batch, units))
    c = np.zeros((batch, units))
    outs = []
    for t in range(steps):
        z = [x[:, t] @ W[g].T + bW[g] + h @ R[g].T + bR[g] for g in range(4)]
        i, f, o = sigmoid(z[0]), sigmoid(z[1]), sigmoid(z[3])
        c = f * c + i * np.tanh(z[2])
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


# --- 2. Keras' conversion, then the Keras LSTM ---------------------------

def transform_kernels(kernels, func, n_gates):
    # saving.py line 837
    return np.hstack([func(k) for k in np.hsplit(kernels, n_gates)])


def transpose_input(from_cudnn):
    # saving.py line 849
    order = 'F' if from_cudnn else 'C'

    def transform(kernel):
        return kernel.T.reshape(kernel.shape, order=order)
    return transform


def convert_weights(weights, from_cudnn=True):
    # saving.py line 894 (n_gates = 4)
    kernels = transform_kernels(weights[0], transpose_input(from_cudnn), 4)
    recurrent_kernels = transform_kernels(weights[1], lambda k: k.T, 4)
    biases = np.sum(np.split(weights[2], 2, axis=0), axis=0)
    return [kernels, recurrent_kernels, biases]


def lstm_forward(x, kernel, rkernel, bias, return_sequences, go_backwards):
    """Keras 2.2.4 LSTM (tanh, sigmoid), zero initial states."""
    units = rkernel.shape[0]
    if go_backwards:
        x = x[:, ::-1]
    h = np.zeros((x.shape[0], units))
    c = np.zeros((x.shape[0], units))
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ rkernel + bias
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        cc = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        c = f * c + i * cc
        h = o * np.tanh(c)
        outs.append(h)
    return np.stack(outs, 1) if return_sequences else h


def naive(weights):
    """A load that skips the kernel transforms (only sums the biases)."""
    return [weights[0], weights[1], weights[2][:len(weights[2]) // 2] + weights[2][len(weights[2]) // 2:]]


def f32(*shape):
    return rng.uniform(-0.8, 0.8, shape).astype(np.float32)


def cudnn_weights(n_in, units):
    return [f32(n_in, 4 * units), f32(units, 4 * units), f32(8 * units)]


# --- Keras 2.2.4 configs (get_config of each layer) ----------------------

def init(cls, cfg):
    return {"class_name": cls, "config": cfg}


def cudnn_config(name, units, return_sequences, extra):
    cfg = dict(extra)
    cfg.update({"name": name, "trainable": True})
    cfg.update({
        "return_sequences": return_sequences, "return_state": False, "go_backwards": False, "stateful": False,
        "units": units,
        "kernel_initializer": init("VarianceScaling", {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}),
        "recurrent_initializer": init("Orthogonal", {"gain": 1.0, "seed": None}),
        "bias_initializer": init("Zeros", {}), "unit_forget_bias": True,
        "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None})
    return cfg


def dense_config(name, units):
    return {"name": name, "trainable": True, "units": units, "activation": "linear", "use_bias": True,
            "kernel_initializer": init("VarianceScaling", {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}),
            "bias_initializer": init("Zeros", {}), "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}


def write_weights(g, layers):
    """keras/engine/saving.py save_weights_to_hdf5_group (Keras 2.2.4)."""
    g.attrs["layer_names"] = np.array([name.encode("utf8") for name, _ in layers])
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = b"2.2.4"
    for name, weights in layers:
        lg = g.create_group(name)
        lg.attrs["weight_names"] = np.array([wn.encode("utf8") for wn, _ in weights])
        for wn, v in weights:
            lg.create_dataset(wn, data=v)


def write_model(path, config, layers):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        write_weights(f.create_group("model_weights"), layers)


def check(a, b, what):
    d = np.max(np.abs(a - b))
    assert d < 1e-12, "%s: the two forwards differ by %g" % (what, d)


cases = {}

# Sequential: CuDNNLSTM(5, return_sequences) on (4, 3), Dense(2).
n_in, units, steps = 3, 5, 4
cw = cudnn_weights(n_in, units)
dk, db = f32(units, 2), f32(2)
x = rng.uniform(-1, 1, (3, steps, n_in)).astype(np.float32).astype(np.float64)
w64 = [w.astype(np.float64) for w in cw]
lw = convert_weights(w64)
y = lstm_forward(x, *lw, True, False) @ dk + db
check(y, cudnn_forward(x, *w64, True, False) @ dk + db, "cudnn_seq")
y_naive = lstm_forward(x, *naive(w64), True, False) @ dk + db
config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
    init("CuDNNLSTM", cudnn_config("cu_dnnlstm_1", units, True, {"batch_input_shape": [None, steps, n_in], "dtype": "float32"})),
    init("Dense", dense_config("dense_1", 2))]}}
layers = [("cu_dnnlstm_1", [("cu_dnnlstm_1/kernel:0", cw[0]), ("cu_dnnlstm_1/recurrent_kernel:0", cw[1]), ("cu_dnnlstm_1/bias:0", cw[2])]),
          ("dense_1", [("dense_1/kernel:0", dk), ("dense_1/bias:0", db)])]
write_model("cudnn_seq.h5", config, layers)
with h5py.File("cudnn_weights.h5", "w") as f:
    write_weights(f, layers)
with open("cudnn_weights_architecture.json", "w") as f:
    # model.to_json() (keras/engine/network.py, Keras 2.2.4)
    json.dump(dict(config, keras_version="2.2.4", backend="tensorflow"), f)
    f.write("\n")
cases["cudnn_seq"] = {"input": x.tolist(), "input_shape": list(x.shape), "expected": y.tolist(),
                      "expected_shape": list(y.shape), "naive": y_naive.tolist(),
                      "lstm_weights": [w.reshape(-1).tolist() for w in lw]}

# Sequential: Bidirectional(CuDNNLSTM(4), concat) on (5, 3), Dense(1).
n_in, units, steps = 3, 4, 5
fw, bw = cudnn_weights(n_in, units), cudnn_weights(n_in, units)
dk, db = f32(2 * units, 1), f32(1)
x = rng.uniform(-1, 1, (2, steps, n_in)).astype(np.float32).astype(np.float64)
f64 = [w.astype(np.float64) for w in fw]
b64 = [w.astype(np.float64) for w in bw]
h = np.concatenate([lstm_forward(x, *convert_weights(f64), False, False),
                    lstm_forward(x, *convert_weights(b64), False, True)], -1)
check(h, np.concatenate([cudnn_forward(x, *f64, False, False), cudnn_forward(x, *b64, False, True)], -1), "cudnn_bidir")
y = h @ dk + db
h_naive = np.concatenate([lstm_forward(x, *naive(f64), False, False), lstm_forward(x, *naive(b64), False, True)], -1)
y_naive = h_naive @ dk + db
config = {"class_name": "Sequential", "config": {"name": "sequential_2", "layers": [
    init("Bidirectional", {"name": "bidirectional_1", "trainable": True, "batch_input_shape": [None, steps, n_in], "dtype": "float32",
                           "layer": init("CuDNNLSTM", cudnn_config("cu_dnnlstm_2", units, False, {})), "merge_mode": "concat"}),
    init("Dense", dense_config("dense_2", 1))]}}
pre = "bidirectional_1/"
layers = [("bidirectional_1", [(pre + d + "_cu_dnnlstm_2/" + n + ":0", w[i]) for d, w in (("forward", fw), ("backward", bw))
                               for i, n in enumerate(["kernel", "recurrent_kernel", "bias"])]),
          ("dense_2", [("dense_2/kernel:0", dk), ("dense_2/bias:0", db)])]
write_model("cudnn_bidir.h5", config, layers)
cases["cudnn_bidir"] = {"input": x.tolist(), "input_shape": list(x.shape), "expected": y.tolist(),
                        "expected_shape": list(y.shape), "naive": y_naive.tolist()}

with open("cases.json", "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")
