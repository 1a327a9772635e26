// Package model holds the Keras model of this library: layers (graph.Layer)
// wired from inputs to outputs, compiled with a loss (package loss), an
// optimizer (package optim) and metrics, trained with Fit and used with
// Evaluate and Predict.
//
// Two ways build a model, as in Keras. NewSequential stacks layers, each
// applied to the previous one's output:
//
//	m, _ := model.NewSequential(graph.Float32, lstmLayer, denseLayer)
//
// The functional API wires any directed acyclic graph: Input makes a model
// input, Apply applies a layer to nodes (a layer applied twice shares its
// weights), Node.Output picks a layer's other outputs (an LSTM's h and c
// with return_state), and New makes the model:
//
//	x := model.Input("x", graph.None, 8)
//	seq := model.Apply(encoder, x)           // encoder: LSTM with return_state
//	y := model.Apply(decoder, x, seq.Output(1), seq.Output(2))
//	m, err := model.New(graph.Float32, []*model.Node{x}, []*model.Node{y})
//
// A Sequential model is the special case of a chain, and both kinds are
// trained by the same code: a forward pass over the layer applications in
// topological order, the loss of each output, and a backward pass in
// reverse order that chains each layer's gradients (from Gorgonia's
// autodiff of that layer's graph), summing them where a node feeds several
// layers. Fit, Evaluate, Predict and TrainOnBatch take one input and one
// target tensor; FitMulti, EvaluateMulti, PredictMulti and
// TrainOnBatchMulti one per input and per output.
//
// Masks flow along the graph as in Keras: a layer's Pass carries the mask
// of each output, which the layers it feeds receive. Embedding with
// mask_zero and Masking create one (which steps are real); Dense and
// Dropout pass it through; the LSTM and Bidirectional skip the masked steps
// and, with return_sequences, pass the mask on, while returning only their
// last output they drop it. An output that still carries a mask has the loss
// and metrics of Keras 2.2.4's weighted_masked_objective: per-step losses
// s, mask m, mean(s ⊙ m / mean(m)), so padded steps count for nothing and
// a batch's loss is the mean over its real steps (0 for a batch of padding
// only, where Keras 2.2.4 gives NaN).
//
// Shapes are per sample, the batch dimension left out, with graph.None for
// a dimension of any size: a model built for (None, 8) trains and predicts
// on sequences of any length, and one Fit may see different lengths in
// different calls; a stateful layer keeps its fixed batch size. Gorgonia
// compiles a graph for fixed shapes, so each layer keeps compiled programs
// per shape: Dense per number of rows (batch·timesteps), Embedding per
// number of ids, Dropout and Masking per input shape, the LSTM per batch
// size (and, for its input projection and with unroll=true, per length),
// the losses per output shape, each for inference and for training. A batch
// of a new size or length costs one compilation of each of these programs
// (the graph of an unrolled LSTM grows with the length, and so does its
// compilation); later batches of that shape reuse them. Every layer (the
// LSTM and Bidirectional too) and every loss keeps its programs in a
// graph.ProgramCache of at most graph.DefaultProgramCacheSize (32) idle
// programs, releasing the least recently used beyond that, so a
// long-running program that sees many lengths holds a bounded number;
// Model.SetProgramCacheSize changes the number for all of them (0: keep
// none, compile every batch). Padding sequences to a few lengths (buckets,
// with a mask) keeps compilation rare.
//
// Fit runs Keras' training loop: callbacks (Callback; Keras' own are in
// package callbacks) called at the start and end of training, epochs and
// batches, a Context that stops training cleanly (FitConfig.Context), an
// error on a NaN or infinite loss, Keras' verbose levels, and a History
// that says how training ended (History.Status); package historyplot draws
// the History.
//
// Save writes a model, wiring, weights and training state (loss, metrics,
// optimizer with its moments, Fit's shuffling stream), to one checksummed
// file, atomically; Load reads it back, rebuilding each layer through
// graph's layer registry, after checking that the file holds the weights
// each layer's configuration asks for.
//
// A built model that is not stateful serves predictions from many
// goroutines at once (see Model).
package model
