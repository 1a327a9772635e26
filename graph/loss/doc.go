// Package loss holds the losses a model is trained with and the metrics it
// is measured with, by their Keras 2.2 names and formulas (mse, mae, mape,
// huber, binary_crossentropy, categorical_crossentropy,
// sparse_categorical_crossentropy; accuracy in its Keras kinds).
//
// A Loss is a Gorgonia expression of the targets and the predictions that
// gives, as a Keras loss function, the loss of each sample or of each step
// of a sequence output; an Evaluator compiles it once per prediction shape
// and returns the batch loss, their mean, and its gradient with respect to
// the predictions, from Gorgonia's autodiff. When the output carries a mask
// (padded sequences), the batch loss is Keras 2.2.4's
// weighted_masked_objective, mean(s ⊙ m / mean(m)) for step losses s and
// mask m, and so are the metrics (Metric.Scores reduced by MaskedMean). A
// batch with no real step has loss 0 (Keras 2.2.4 gives NaN).
package loss
