// Package layers holds the Keras layers of this library other than the LSTM
// (package lstm): Dense (applied per timestep to 3-D inputs), Activation,
// Dropout (with noise_shape) and SpatialDropout1D, Embedding and Masking,
// Conv1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D,
// GlobalAveragePooling1D, RepeatVector, Flatten, Reshape, Permute and the
// TimeDistributed wrapper, each with Keras 2.2.4's arguments, defaults,
// weight layout and get_config names, and each registered with
// graph.RegisterLayer under its Keras class name so that model files can
// rebuild it.
//
// Embedding(mask_zero) and Masking start a mask, the (batch, timesteps)
// record of which steps are real, as Keras does; Dense, Activation,
// Dropout and TimeDistributed pass it on, GlobalAveragePooling1D consumes
// it (the mean over the real steps only), and a model's loss leaves the
// masked steps out.
//
// A layer's computation is a compiled Gorgonia graph; its gradients come
// from Gorgonia's autodiff of that graph (Conv1D's through an im2col op
// whose derivative is its adjoint). Layers that only move values
// (RepeatVector, Flatten, Reshape, Permute, MaxPooling1D,
// GlobalMaxPooling1D) are plain Go index copies, their gradients the
// scatter of those copies; the average poolings are plain Go sums.
//
// Layers that Keras 2.2.4 does not let take a mask (Conv1D, MaxPooling1D,
// AveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten, Reshape,
// Permute) return an error naming the layer for a masked input; the others
// pass the mask on.
//
// The merge layers join the branches of a functional model (package
// model): Add, Subtract, Multiply, Average, Maximum and Minimum (type
// Merge, element-wise with Keras 2.2.4's broadcasting) and Concatenate.
package layers
