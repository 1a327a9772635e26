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
// program that uses the model does): InputLayer, Dense, LSTM,
// Bidirectional, Embedding, Masking, Dropout, SpatialDropout1D,
// Activation, RepeatVector, TimeDistributed, Conv1D, MaxPooling1D,
// AveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling1D, Reshape,
// Permute, Flatten and the merge layers Add, Subtract, Multiply, Average,
// Maximum, Minimum and Concatenate. Every argument of their configs
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
// them. The fuzzers FuzzModelConfig and FuzzLoadFile check that no input
// makes the loader panic.
package keras
