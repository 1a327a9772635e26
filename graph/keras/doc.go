// Package keras reads and writes Keras model files: train in Keras and
// serve (or go on training) in Go, or train in Go and hand the model to a
// Keras user.
//
// # Reading
//
// Load reads the files Keras users have:
//
//   - model.save("m.h5") of Keras 2.0 to 2.3 and tf.keras 2.x, and of
//     Keras 3 (its legacy .h5 format);
//   - model.save("m.keras") of Keras 3: a zip of config.json,
//     metadata.json and model.weights.h5.
//
// It rebuilds the model from the file's config (graph/model's Sequential
// or functional Model), sets the weights, and, when the file holds a
// training configuration, compiles the model with its loss, metrics and
// optimizer configuration (lr or learning_rate and the other arguments),
// so that Fit can go on. Keras' optimizer state (moments, iteration
// count) is not restored: training resumes with a fresh optimizer.
// Options{SkipCompile: true} loads the model uncompiled.
//
// A to_json() architecture and a save_weights file are read with
// ModelFromJSON and LoadWeights; LoadWeights also loads weights into any
// built model, by layer order or by name, as Keras' load_weights(by_name).
//
// Configs are read as each Keras version writes them: a Sequential config
// as a bare list of layers (Keras 2.0, 2.1) or {"name", "layers"}, with the
// input shape of an InputLayer, of the first layer's batch_input_shape
// (Keras 2) or batch_shape (Keras 3), of build_input_shape or of Keras 3's
// build_config; functional models ("Model", "Functional") with Keras 2 and
// tf.keras inbound nodes ([[layer, node_index, tensor_index, kwargs],
// ...]) and Keras 3's ({"args", "kwargs"} with __keras_tensor__
// histories), input_layers and output_layers as lists or one triple, a
// layer called several times (shared weights), and an LSTM's initial
// state given as extra inbound tensors or as the initial_state argument.
// Keras 3's module, registered_name and dtype-policy objects are read;
// initializers, regularizers and constraints are read by class name
// (GlorotUniform, VarianceScaling, Orthogonal and OrthogonalInitializer,
// L1L2, L1, L2, MaxNorm, ...). Weights follow each layer group's
// weight_names in order (lstm_1/kernel:0, lstm/lstm_cell/kernel:0,
// sequential/lstm/lstm_cell/kernel, Theano files without ":0", whose
// convolution kernels are flipped as Keras does); a .keras archive keeps
// them under the snake_case class name with a counter per class
// (layers/lstm_1/cell/vars/0), which the loader follows.
//
// The layer classes read are those whose rules this package has and whose
// layer is registered with graph (import graph/layers and lstm, as a
// program that uses the model does): InputLayer, Dense, LSTM, CuDNNLSTM,
// Bidirectional, Embedding, Masking, Dropout, SpatialDropout1D,
// Activation, RepeatVector, TimeDistributed, Conv1D, MaxPooling1D,
// AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D, Reshape,
// Permute, BatchNormalization, LayerNormalization, ZeroPadding1D,
// Cropping1D, UpSampling1D, Flatten and the merge layers Add, Subtract,
// Multiply, Average, Maximum, Minimum, Concatenate and Dot, and tf.keras'
// and Keras 3's Attention and AdditiveAttention. Every argument of their configs
// in Keras 2.0 to 3 is mapped. Arguments that newer Keras versions add and
// that change nothing here are accepted: name, trainable (read into
// graph.Param.Frozen), dtype (the model computes in Options.Dtype),
// batch_input_shape and batch_shape, an LSTM's use_cudnn, time_major false,
// zero_output_for_mask (refused only in a model that makes masks, where
// the outputs at masked steps would differ), seed. Arguments that would
// change the numbers in a way this library does not compute are refused
// with an error naming the layer and the argument: time_major true, Conv1D
// groups other than 1, LoRA (lora_rank) and quantized layers, a
// Bidirectional's backward_layer other than the forward layer reversed,
// activations and objects of other classes, data_format channels_first.
// The global poolings' keepdims (tf.keras 2.6+, Keras 3) is read.
// Keras 3's hard_sigmoid (clip(x/6+0.5, 0, 1)) is read as graph's
// hard_sigmoid_keras3; Keras 2's (clip(0.2·x+0.5, 0, 1)) as hard_sigmoid.
// A stateful LSTM keeps the batch size of the model's batch_input_shape.
// An unsupported layer is an error that names the layer, its class and
// the classes supported.
//
// The advanced activations LeakyReLU (Keras 3's negative_slope read as
// alpha), ReLU, ELU, ThresholdedReLU, Softmax and PReLU, the noise layers
// GaussianNoise, GaussianDropout and AlphaDropout (tf.keras' and Keras 3's
// seed read), and ActivityRegularization are read and written the same
// way, with Keras 2.2.4's arguments.
//
// A CuDNNLSTM (Keras 2.1 to 2.3, tf.keras 1.x, tf.keras 2.x's
// tf.compat.v1.keras.layers.CuDNNLSTM; GPU-only in Keras) is read as the
// LSTM that computes its numbers, under its own name: activation tanh,
// recurrent_activation sigmoid, use_bias, implementation 2 (tf.keras'
// default; the same numbers as 1 without dropout), and its arguments
// (units, initializers, unit_forget_bias, regularizers, constraints,
// return_sequences, return_state, go_backwards, stateful); inside a
// Bidirectional too. Its weights, and any weights with a bias of 8·units
// loaded into an LSTM (Load, LoadWeights by order or by name), are
// converted as Keras 2.2.4's loader does (_convert_rnn_weights, which
// recognizes them by that bias): per gate g, the kernel's
// K_g.T.reshape(K_g.shape, order='F'), the recurrent kernel's U_g.T, and
// the bias b[:4·units] + b[4·units:] (cuDNN adds one bias to x_t W, one to
// h_{t-1} U). Save writes the LSTM, which every Keras version loads. As
// Keras' CuDNNLSTM refuses masks ("Masking is not supported for CuDNN
// RNNs."), a model in which a mask reaches one is refused (followed from
// Masking or Embedding(mask_zero) through the layers that pass masks on).
// Initial weights drawn for training from scratch follow the LSTM's
// initializers: with unit_forget_bias and a bias_initializer other than
// zeros, the bias is one draw where CuDNNLSTM sums two. CuDNNGRU, GRU and
// SimpleRNN are not supported.
//
// Attention and AdditiveAttention (tf.keras 2.x and Keras 3; Keras 2.2.4
// has neither) read dropout, use_scale, score_mode ("dot" and "concat"),
// tf.keras ≤ 2.9's causal and Keras 3's seed, and the call arguments
// use_causal_mask and return_attention_scores from the inbound nodes'
// kwargs (all calls of a layer must agree; Keras 3's mask argument is
// accepted when it holds only nulls: the masks come from the inputs).
// Save writes them in tf.keras ≥ 2.10's form, which tf.keras 2.10–2.15 and
// Keras 3 read: config keys dropout, use_scale and score_mode, and
// use_causal_mask (also for causal) and return_attention_scores, when
// true, in the kwargs of each inbound-node entry; Attention's scalar
// weights scale and concat_score_weight are datasets of shape (), shape
// (1) in graph/layers.
//
// BatchNormalization reads tf.keras's axis list ([2]) and accepts fused,
// synchronized, renorm_clipping and renorm_momentum, which change no
// number here; renorm true and virtual_batch_size are refused. Its
// training follows Keras 2.2.4 whatever Keras wrote the file (see
// graph/layers.BatchNormalization: tf.keras and Keras 3 update the moving
// statistics without 2.2.4's zero-debiasing, and Keras 3 leaves masked
// steps out of them).
//
// LayerNormalization (tf.keras 2.x and Keras 3; Keras 2.2.4 has none)
// reads axis as a number or a list and Keras 3's rms_scaling; Save writes
// tf.keras' keys and refuses rms_scaling true, which tf.keras lacks. Its
// weights' axes follow the input's order, as Keras 3's: a tf.keras file
// whose axis list is not in increasing order (weights shaped in the list's
// order) is refused by the weights' shape check when the sizes differ
// (with equal shapes the numbers agree: tf.keras reshapes the weights to
// the input's order without transposing them).
//
// # Writing
//
// Save writes any model of those layers as Keras 2.2.4's model.save
// writes an .h5: attributes model_config, training_config (for a model
// compiled with losses of graph/loss and an optimizer of optim; the
// optimizer's state is not written), keras_version "2.2.4" and backend
// "tensorflow", and the group model_weights with layer_names and, per
// layer, weight_names and the weights, in the model's dtype. Keras 2.x,
// tf.keras and Keras 3 read it with keras.models.load_model; Go → .h5 → Go
// gives the same model bit for bit. A setting Keras 2.2.4 cannot express
// (Keras 3's hard_sigmoid, a global pooling's keepdims true, a layer of
// the caller's own) is an error naming it. ToJSON and SaveWeights write
// the architecture (to_json) and the weights (save_weights) apart; Save
// and SaveWeights fit callbacks.ModelCheckpoint's Save and SaveWeights
// hooks, for Keras checkpoints.
//
// # Untrusted files
//
// A model file is untrusted input. No path in it is opened (weight names
// are paths inside the file only); the HDF5 reader (graph/hdf5) checks
// every size against the file's before reading, a .keras member is read no
// further than its declared size and at most MaxWeightsBytes, JSON
// documents are bounded by MaxConfigBytes and MaxConfigDepth before they
// are decoded, and the weights a config declares are counted from its
// shapes and refused above Options.MaxWeights before any layer allocates
// them; Load also refuses a config that declares more weight values than
// the file's weight datasets hold, so a file of a few kilobytes cannot
// make it build (allocate and initialize) a model of millions of weights.
// The fuzzers FuzzModelConfig and FuzzLoadFile check that no input
// makes the loader panic.
package keras
