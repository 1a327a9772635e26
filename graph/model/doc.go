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
// of each output, which the layers it feeds receive.
//
// Shapes are per sample, the batch dimension left out, with graph.None for
// a dimension of any size: a model built for (None, 8) trains and predicts
// on sequences of any length; each new batch size or length compiles the
// layers' programs for it (see graph.ProgramCache and
// Model.SetProgramCacheSize).
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
