// Package layers holds the Keras layers of this library other than the LSTM
// (package lstm): Dense (applied per timestep to 3-D inputs), Dropout,
// Embedding and Masking, each with Keras 2.2.4's arguments, defaults,
// weight layout and get_config names, and each registered with
// graph.RegisterLayer so that model files can rebuild it.
//
// Embedding(mask_zero) and Masking start a mask, the (batch, timesteps)
// record of which steps are real, as Keras does; Dense and Dropout pass it
// on, and a model's loss leaves the masked steps out.
//
// A layer's computation is a compiled Gorgonia graph; its gradients come
// from Gorgonia's autodiff of that graph.
//
// The merge layers join the branches of a functional model (package
// model): Add, Subtract, Multiply, Average, Maximum and Minimum (type
// Merge, element-wise with Keras 2.2.4's broadcasting) and Concatenate.
package layers
