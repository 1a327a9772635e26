// Package loss holds the losses a model is trained with and the metrics it
// is measured with, by their Keras 2.2 names and formulas (mse, mae, mape,
// huber, binary_crossentropy, categorical_crossentropy,
// sparse_categorical_crossentropy; accuracy in its Keras kinds).
//
// A Loss is a Gorgonia expression of the targets and the predictions; an
// Evaluator compiles it once per prediction shape and returns the loss value
// and its gradient with respect to the predictions, from Gorgonia's
// autodiff.
package loss
