// Package model holds the Keras model of this library: a Sequential stack
// of graph.Layer values, compiled with a loss (package loss), an optimizer
// (package optim) and metrics, and trained with Fit (batches, shuffling from
// a seed, validation, callbacks, stateful layers), measured with Evaluate
// and used with Predict.
//
// Save writes a model, weights, configuration and training state (loss,
// metrics, optimizer with its moments), to one checksummed file, atomically;
// Load reads it back, rebuilding each layer through graph's layer registry.
package model
