// Package graph holds the Gorgonia building blocks that every layer of this
// library uses, each with Keras 2.2 semantics and names:
//
//   - activations (linear, tanh, sigmoid, hard_sigmoid, relu, ...) as graph
//     operations whose gradients come from Gorgonia's autodiff;
//   - initializers (glorot_uniform, orthogonal, ...) drawing from a seeded
//     source, so the same seed gives the same weights;
//   - regularizers (l1, l2, l1_l2) as graph terms a model adds to its loss;
//   - constraints (max_norm, non_neg, unit_norm, min_max_norm) applied to a
//     weight's value after each optimizer update;
//   - the Layer interface (with Param, a trainable weight) that every layer
//     implements and that composes layers into a model, and the registry
//     that rebuilds a layer from its type name and configuration;
//   - tensor helpers (NewTensor, Float64s, CopyInto, AddInto, NewRNG).
//
// The rest of the library is split by job into subpackages:
//
//   - graph/layers: Keras layers other than the LSTM (Dense, Dropout, ...);
//   - graph/loss: losses and metrics;
//   - graph/model: the model (Sequential), its training (Fit, Evaluate,
//     Predict) and its file format (Save, Load);
//   - graph/callbacks: Keras' training callbacks (EarlyStopping);
//   - graph/npz: NumPy .npz archives, the form in which Keras users export
//     weights by hand.
//
// The LSTM layer is package lstm; the optimizers are package optim.
//
// Every object that Keras looks up by a string is looked up here by the same
// string (GetActivation, GetInitializer, GetRegularizer, GetConstraint) or
// built from a Spec (name plus numeric arguments), which is also how it is
// saved. An unknown name or an argument out of range is an error that names
// it and lists what is accepted.
//
// All blocks work in float32 and float64 (tensor.Float32, tensor.Float64).
package graph
