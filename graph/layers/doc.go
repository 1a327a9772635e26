// Package layers holds the Keras layers of this library other than the LSTM
// (package lstm): Dense (applied per timestep to 3-D inputs), Activation,
// Dropout (with noise_shape) and SpatialDropout1D, Embedding and Masking,
// Conv1D, MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D,
// GlobalAveragePooling1D, BatchNormalization, RepeatVector, Flatten,
// Reshape, Permute, ZeroPadding1D, Cropping1D, UpSampling1D and the
// TimeDistributed wrapper, each with Keras 2.2.4's arguments, defaults,
// weight layout and get_config names, and each registered with
// graph.RegisterLayer under its Keras class name so that model files can
// rebuild it. The advanced activations LeakyReLU, ReLU, ELU,
// ThresholdedReLU, Softmax and PReLU, the noise layers GaussianNoise,
// GaussianDropout and AlphaDropout, and ActivityRegularization are here
// too, likewise; they pass a mask on.
//
// LayerNormalization has tf.keras 2.x's and Keras 3's arguments (Keras
// 2.2.4 has none). Attention (Luong, score_mode dot or concat) and
// AdditiveAttention (Bahdanau), tf.keras 2.x's and Keras 3's classes,
// follow tf.keras' arithmetic and arguments: inputs [query, value] or
// [query, value, key], the value's mask and the causal mask on the
// scores, the query's mask on the output (and passed on), the attention
// scores as a second output, seeded dropout on the distribution.
//
// Embedding(mask_zero) and Masking start a mask, the (batch, timesteps)
// record of which steps are real, as Keras does; Dense, Activation,
// Dropout, BatchNormalization, LayerNormalization and TimeDistributed pass
// it on, GlobalAveragePooling1D consumes it (the mean over the real steps only),
// and a model's loss leaves the masked steps out.
//
// BatchNormalization's moving mean and variance are graph.Param Statistic
// weights: the layer updates them in each training Forward, as Keras
// 2.2.4's updates, and the optimizer leaves them alone.
//
// A layer's computation is a compiled Gorgonia graph; its gradients come
// from Gorgonia's autodiff of that graph (Conv1D's through an im2col op
// whose derivative is its adjoint). Layers that only move values
// (RepeatVector, Flatten, Reshape, Permute, MaxPooling1D, ZeroPadding1D, Cropping1D, UpSampling1D,
// GlobalMaxPooling1D) are plain Go index copies, their gradients the
// scatter of those copies; the average poolings are plain Go sums; the
// advanced activations and the noise layers are plain Go element-wise
// loops with their derivatives written out (TensorFlow's at the kinks);
// BatchNormalization, LayerNormalization, Dot and the attention layers are
// plain Go sums and products with their Backward in closed form; all are
// checked by finite differences.
//
// Layers that Keras 2.2.4 does not let take a mask (Conv1D, MaxPooling1D,
// AveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten, Reshape, ZeroPadding1D, Cropping1D, UpSampling1D,
// Permute) return an error naming the layer for a masked input;
// GlobalAveragePooling1D and Dot consume it (their output has none); the
// others pass the mask on.
//
// The merge layers join the branches of a functional model (package
// model): Add, Subtract, Multiply, Average, Maximum and Minimum (type
// Merge, element-wise with Keras 2.2.4's broadcasting), Concatenate and
// Dot (batch dot products along an axis of each input: attention scores
// and contexts, cosine similarity).
package layers
