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
//   - the Layer interface that composes layers into a Model, the Dense and
//     Dropout layers, losses and metrics.
//
// Every object that Keras looks up by a string is looked up here by the same
// string (GetActivation, GetInitializer, GetRegularizer, GetConstraint) or
// built from a Spec (name plus numeric arguments), which is also how it is
// saved. An unknown name or an argument out of range is an error that names
// it and lists what is accepted.
//
// All blocks work in float32 and float64 (tensor.Float32, tensor.Float64).
package graph
