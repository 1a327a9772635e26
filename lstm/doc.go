// Package lstm is the Keras 2.2 LSTM layer (keras.layers.LSTM of Keras
// 2.0.9 to 2.2.5) on Gorgonia, in float32 or float64, with the same
// arguments, defaults, weight layout and numbers as Keras, so that weights
// move between the two unchanged.
//
// # Use
//
// Create a layer with New(Default(units)), changing Config fields first.
// Call runs it on a batch x of shape (batch, timesteps, input_dim) and
// builds the weights on the first call (input_dim and dtype from x; or call
// BuildFor, or SetWeights). A Call with Training true also records what VJP
// needs: given the gradients of a scalar loss with respect to the outputs,
// VJP returns the gradients with respect to the input, the weights and the
// initial state. The layer is also a graph.Layer (Forward, Backward,
// Params) for use in a model.Model, and Config returns its configuration as
// JSON with the Keras argument names. Unrolled (UnrolledWith with a mask)
// builds the layer into a caller's own Gorgonia graph, to be differentiated
// with the rest of it. A mask (CallOptions.Mask) marks the real steps of
// padded sequences; Bidirectional wraps the layer as Keras' Bidirectional.
// Every tensor passed in may be a view (x.Slice(...), a transpose): it is
// read as its materialized copy.
//
// # Arguments
//
// Config holds every Keras argument (see its fields for the details):
// Units; Activation (default "tanh") and RecurrentActivation (default
// "hard_sigmoid"); UseBias; KernelInitializer (glorot_uniform),
// RecurrentInitializer (orthogonal), BiasInitializer (zeros) and
// UnitForgetBias; Kernel-, Recurrent-, Bias- and ActivityRegularizer;
// Kernel-, Recurrent- and BiasConstraint; Dropout and RecurrentDropout;
// Implementation (1 or 2); ReturnSequences; ReturnState; GoBackwards;
// Stateful (with BatchSize); Unroll. Seed seeds every random draw of the
// layer (initial weights and dropout masks). Call takes, per batch,
// Training, an InitialState [h0, c0], a sequence Mask and optional explicit
// dropout Masks.
//
// # Equations and weight layout
//
// With σ the recurrent activation, φ the activation, row vectors and the
// gate order i, f, c, o (input, forget, cell candidate, output), one step is
//
//	i_t = σ(x_t W_i + h_{t-1} U_i + b_i)
//	f_t = σ(x_t W_f + h_{t-1} U_f + b_f)
//	c̃_t = φ(x_t W_c + h_{t-1} U_c + b_c)
//	o_t = σ(x_t W_o + h_{t-1} U_o + b_o)
//	c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
//	h_t = o_t ⊙ φ(c_t)
//
// The weights, in Keras get_weights() order, are the kernel W of shape
// (input_dim, 4·units), the recurrent kernel U of shape (units, 4·units) and
// the bias b of shape (4·units) (only with UseBias), each split along its
// last axis into the blocks [i | f | c | o]. The states are [h, c], each
// (batch, units); the output is h_t. The initial state is zeros unless given
// (or carried, see Stateful). Implementation 1 computes the four gate
// products separately, implementation 2 one fused product x W + h U + b
// split in four; they differ only by rounding (and in dropout, below).
//
// # Unroll
//
// Both modes compute the same numbers (the tests check them to 1e-12 in
// float64, outputs and gradients), except, as in Keras 2.2.4, the output
// at padded steps before a sample's first real step (see Masks).
//
// Unroll true builds the whole sequence as one static Gorgonia graph (and
// its gradient graph), compiled once per batch size and sequence length
// (building and compiling the 100-step training graph of a 32-unit layer
// takes about 0.06 s with implementation 2 and 0.12 s with implementation
// 1, most of it in Backpropagate). The compiled training graph keeps in its
// buffers every intermediate the backward pass needs, about 11
// (implementation 1) or 15 (implementation 2) batch × units values per
// step, for as long as the program is cached (see SetProgramCacheSize); a
// training step runs the forward pass twice (the call, then the graph with
// its gradient). Pick it for short, fixed sequences of small layers.
//
// Unroll false (the default) is the loop mode. The input projection
// x_t W + b of every timestep is one large product outside the recurrence;
// then one compiled cell graph runs once per step: the gating of step t and
// the recurrent product h_t U of the next step's pre-activation. Its
// vector-Jacobian product, also compiled once, runs from the last step to
// the first (backpropagation through time), and, the cell being cut after
// the product, it needs no recomputed matrix product; the gradients of the
// kernel and of the recurrent kernel are each one large product over every
// step after the loop. Compile once per batch size, any sequence length.
// A training call keeps 6 batch × units values per step (the pre-activation
// and the states) and its VJP 4 more (the pre-activation's gradient), in
// arrays the layer reuses for its next calls; the cached cell programs
// hold a few batch-sized buffers, the projection of an inference call
// batch × timesteps × 4·units values. It is the fastest mode at every size
// of the benchmarks (README, Performance).
//
// # Execution
//
// The programs (the Gorgonia graphs above, with the gradients Gorgonia's
// Backpropagate derives from each op) run on the package's own scheduler
// rather than on G.TapeMachine: each node's op computes into a buffer
// allocated when the program is compiled, on the calling goroutine, so that
// a run allocates nothing (the tape allocates every node's value again on
// every run and hands each run to another goroutine, which dominated small
// layers). The cell's arithmetic uses ops of this package, with their
// gradients as graph nodes, that call their kernels directly; the matrix
// products of the pure-Go build use an AVX2/FMA kernel where the CPU has
// them (lstm/internal/gemm), and the openblas build tag sends every product
// to OpenBLAS (see graph.BLAS).
//
// # Outputs
//
// Output is h_T, (batch, units), or with ReturnSequences every h_t,
// (batch, timesteps, units). With ReturnState, H and C are also set to the
// final states h_T and c_T (Keras returns [output, h, c]).
//
// GoBackwards processes x_{T-1}, …, x_0. As in Keras the returned sequence
// is not reversed back: output step k belongs to input step T-1-k, and h_T
// is the state after the step on x_0.
//
// # Dropout
//
// Dropout and RecurrentDropout (in [0, 1); 0 is off) act only in training
// calls; inference ignores them. As Keras 2.2, one set of inverted-dropout
// masks (keep/(1-rate), keep with probability 1-rate) is drawn per batch
// and shared by every timestep: four masks on x_t and four on h_{t-1}
// before U, one per gate. Implementation 2 uses the first mask of each for
// all gates. The states h and c themselves are never dropped. The masks are
// drawn from the layer's seeded source (the same Seed gives the same masks,
// call after call), or given in CallOptions.Masks. The source's position
// can be saved and restored (RandomState, SetRandomState: a model file
// keeps it, so that training resumed from a file draws the masks it would
// have drawn).
//
// # Masks
//
// CallOptions.Mask is Keras' mask: a (batch, timesteps) tensor in input
// order, of dtype Bool or any integer type, where true or non-zero marks a
// real step and false or 0 a padded one (Keras casts the mask to bool; a
// float tensor is refused). As Keras 2.2.4 (tensorflow_backend.rnn), the
// cell still runs at a padded step but its result is discarded: with m_t
// the step's mask,
//
//	h_t = m_t ⊙ h'_t + (1 − m_t) ⊙ h_{t-1}    c_t = m_t ⊙ c'_t + (1 − m_t) ⊙ c_{t-1}
//
// so both states are carried unchanged past padding, and the gradient of
// the input at a padded step is zero. The output at a padded step depends
// on Unroll, as in Keras 2.2.4:
//
//   - Unroll false: the carried h_t (so the initial h while leading steps
//     are padded);
//   - Unroll true: the previous step's output, zeros before the first real
//     step.
//
// The two differ only while a sample's leading steps are padded and its
// initial state is not zero (or a fully padded sample with an initial
// state). The last output (ReturnSequences false) is the output of the
// last processed step: for post-padded samples, the output of their last
// real step. H and C are the final (carried) states in both modes. A
// padded batch gives each sample the numbers of that sample run alone at
// its true length (its states, its outputs at real steps, its gradients).
//
// GoBackwards reverses the mask with the input. Masks work with
// InitialState, ReturnState, dropout (the dropout masks are drawn and
// applied as without a mask) and Stateful (the carried states are the
// masked ones; with Unroll true each call starts without a previous
// output, so a sample padded at the start of a call outputs zeros there,
// as Keras). A mask without any padded step runs the unmasked graphs.
// UnrolledWith takes the mask as a (batch, timesteps) node of 0s and 1s in
// the layer's dtype.
//
// # Bidirectional
//
// NewBidirectional(BidirectionalConfig{Layer, MergeMode}) is Keras 2.2's
// Bidirectional(LSTM(...), merge_mode): a forward layer named
// "forward_<name>" (the layer's configuration) and a backward layer named
// "backward_<name>" with GoBackwards flipped run on the same input, and
// their outputs are merged: "concat" (the default) along the last axis,
// "sum", "ave", "mul", or "none" for Keras' None (both outputs returned).
// With ReturnSequences the backward output is reversed back to input order
// before the merge. With ReturnState the wrapper also returns the forward
// h and c, then the backward h and c; an initial state is given in the same
// order. Weights and SetWeights use Keras' order: the forward kernel,
// recurrent kernel and bias, then the backward ones. The mask applies to
// both layers (the backward one reverses it with the input). VJP returns
// the gradients of the input, both layers' weights and the four initial
// states; Unrolled builds the wrapper into a caller's graph; the
// configuration's JSON is that of Keras' get_config.
//
// # In a model
//
// Both the LSTM and Bidirectional are graph.Layers, registered as "LSTM"
// and "Bidirectional", so they stack with Masking, Embedding and Dense in a
// model.Model and load from model files. The mask a layer before them
// creates reaches their call, and they pass it on as Keras 2.2.4's
// compute_mask does: with ReturnSequences the output (both outputs, for a
// Bidirectional with merge mode "none") carries the input's mask, as given
// (also with GoBackwards, whose output is in processing order, as in
// Keras); without it no mask goes on, and the states carry none. In a
// model the Bidirectional's weights are named as in Keras' weight files,
// "<wrapper>/forward_<layer>/kernel" and so on. Each Forward keeps its own
// record for its Backward, so a layer applied twice in a model gets the
// gradients of both applications.
//
// # Stateful
//
// A Stateful layer carries the final states of each call (training or
// inference) into the next one, sample by sample: row i of the next batch
// continues from row i of this one. Splitting sequences into consecutive
// chunks and calling the layer on each gives the outputs of one call on the
// whole sequences. The batch size is fixed (Config.BatchSize, or the first
// call's); another batch size is an error. ResetStates sets the states back
// to zeros, ResetStatesTo to given values, States reads them. An explicit
// InitialState takes precedence over the carried states (as Keras 2.2).
// Gradients do not flow from one call to the previous one (truncated
// backpropagation through time); VJP still returns the gradient with
// respect to the state the call started from. With GoBackwards each chunk
// is processed reversed, as in Keras.
//
// # Keras 2.2 and Keras 3
//
// The defaults are those of Keras 2.2. Keras 2.3, tf.keras (TF2) and Keras 3
// changed three things that give different numbers for the same weights:
//
//   - recurrent_activation defaults to "sigmoid" instead of "hard_sigmoid";
//   - hard_sigmoid itself is clip(0.2·x+0.5, 0, 1) in Keras 2 and tf.keras
//     but clip(x/6+0.5, 0, 1) in Keras 3;
//   - implementation defaults to 2 instead of 1 (the same numbers without
//     dropout; with dropout, implementation 2 uses one mask per path).
//
// To reproduce a tf.keras or Keras 3 layer with default arguments, set
// RecurrentActivation to "sigmoid" and Implementation to 2; for a Keras 3
// layer created with recurrent_activation="hard_sigmoid", set
// RecurrentActivation to "hard_sigmoid_keras3". Keras 3 also draws
// initial weights differently (same distributions, other generator), so
// copy weights with SetWeights rather than relying on seeds. A CuDNNLSTM
// computes this LSTM with RecurrentActivation "sigmoid", its weights in
// cuDNN's layout: graph/keras loads it as such a layer, converting them.
package lstm
