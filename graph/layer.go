package graph

import (
	"encoding/json"

	"gorgonia.org/tensor"
)

// None marks a dimension of a per-sample shape that is not fixed when a
// layer is built, as Keras' None: the timesteps of a model built for
// sequences of any length, for example (None, 8).
const None = -1

// Param is one weight of a layer, with what a model needs to train it: its
// gradient, its regularizer and its constraint.
type Param struct {
	// Name is unique within a model: "<layer name>/<weight name>",
	// for example "lstm_1/kernel".
	Name string
	// Value is the weight. Optimizers update it in place.
	Value *tensor.Dense
	// Grad has Value's shape and dtype. Pass.Backward adds the gradient of
	// the loss into it (without regularizer terms: the model adds those
	// through Regularizer), so that a layer applied twice in one model gets
	// the sum; a model zeroes every Grad before a batch.
	Grad *tensor.Dense
	// Regularizer, when not nil, adds Regularizer.Penalty(Value) to the loss.
	Regularizer Regularizer
	// Constraint, when not nil, is applied to Value after each update.
	Constraint Constraint
	// Frozen, when true, keeps the weight out of training: a model's
	// optimizer step leaves it (and its optimizer state) alone, as Keras
	// leaves the weights of a layer with trainable=False. Its gradient is
	// still computed and its regularizer still adds to the loss, as in
	// Keras. The zero value, false, is a trainable weight.
	Frozen bool
	// Statistic marks a weight that its layer updates itself in a training
	// Forward instead of the optimizer: BatchNormalization's moving mean
	// and variance, Keras' non-trainable weights with updates. It takes no
	// gradient (its Grad stays zero), the optimizer leaves it alone whether
	// Frozen or not, and a model's Summary counts it as non-trainable.
	// Frozen on a Statistic stops the layer's updates too, as Keras 2.2.4
	// runs no updates of a layer with trainable=False.
	Statistic bool
}

// Layer is one block of a model: it maps one or more input tensors, each
// with an optional mask, to one or more output tensors, as a Keras layer's
// call does. A layer may be applied more than once in a model (its weights
// are then shared, as in Keras): every Forward returns its own Pass, which
// holds what that application's Backward needs.
//
// Shapes given to Build and returned by OutputShapes are per sample (the
// batch dimension left out), with None for a dimension not fixed at build
// time (the timesteps of variable-length sequences). Tensors given to
// Forward have the batch dimension first.
//
// Forward with training false may be called from several goroutines at
// once (a model serving predictions); training calls and Build are not
// concurrent with anything else.
type Layer interface {
	// Name is the layer's name, unique in a model.
	Name() string
	// Type is the name the layer is registered under (see RegisterLayer),
	// its Keras class name: "LSTM", "Dense".
	Type() string
	// Build creates the weights for inputs of the given per-sample shapes,
	// one per input, in dtype dt. It is called once, before the first
	// Forward; it returns an error that names the layer when the number of
	// inputs or a shape does not fit.
	Build(in [][]int, dt tensor.Dtype) error
	// OutputShapes are the per-sample shapes of the outputs, one per
	// output, with None where a dimension is not fixed; valid after Build.
	OutputShapes() [][]int
	// Forward runs the layer on one batch: in[i] is input i with the batch
	// first, masks[i] its mask (see Pass.Masks) or nil. A layer that does
	// not support masking returns an error for a non-nil mask, as Keras
	// does. With training true it applies dropout and the returned Pass
	// can run Backward.
	Forward(in, masks []*tensor.Dense, training bool) (*Pass, error)
	// Params lists the weights (empty before Build): the trainable ones
	// and any Statistic ones, in Keras' weights order.
	Params() []*Param
	// Config returns the layer's configuration as JSON, from which the
	// factory registered for Type rebuilds an identical, unbuilt layer.
	Config() (json.RawMessage, error)
}

// Pass is the result of one Layer.Forward.
type Pass struct {
	// Outputs are the layer's outputs, one per OutputShapes entry, the batch
	// dimension first.
	Outputs []*tensor.Dense
	// Masks holds the mask of each output, or nil when an output has none
	// (Keras' compute_mask): a (batch, timesteps) tensor of tensor.Bool, true
	// at the real steps. Nil when no output has a mask.
	Masks []*tensor.Dense
	// ActivityPenalty is the activity regularizers' penalty on Outputs (0
	// without one), which the model adds to the loss.
	ActivityPenalty float64
	// Backward, set by a training Forward, takes the gradient of the loss
	// with respect to each output (a nil entry counts as zeros) and returns
	// the gradient with respect to each input, nil for an input that takes
	// none (integer ids) and for input i when needIn[i] is false (a layer
	// may then skip that product: nothing upstream wants it; a nil needIn
	// wants every input's). It adds each
	// weight's gradient, with that of the activity penalty, into the
	// Param's Grad. It may be called once.
	Backward func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error)
}

// RandomStream is implemented by layers that draw random numbers while
// training (dropout masks, noise). RandomState returns the state of the
// layer's seeded random stream, and SetRandomState puts back a state that
// RandomState returned, so that training saved and loaded part-way
// (model.Save and model.Load keep the states with the training state)
// draws what it would have drawn without the break. The state is the
// stream's rand.PCG MarshalBinary form (one after another for a layer with
// several streams); a state of another length or form is an error.
type RandomStream interface {
	RandomState() ([]byte, error)
	SetRandomState(state []byte) error
}

// ParamShaper is implemented by layers with weights: ParamShapes returns,
// without allocating them, the weights Build would create for inputs of the
// given per-sample shapes, by Param.Name. model.Load checks them against a
// file's weights before building each layer, so that a file (untrusted
// input) cannot make it allocate more than the file holds; it returns the
// same errors as Build for shapes the layer does not take.
type ParamShaper interface {
	ParamShapes(in [][]int) (map[string][]int, error)
}

// Stateful is implemented by layers that can carry state between batches
// (an LSTM built with Stateful true).
type Stateful interface {
	// IsStateful reports whether the layer carries its states across
	// batches now.
	IsStateful() bool
	// ResetStates sets the carried states to zeros.
	ResetStates() error
}

// LengthFree is implemented by layers that take sequences of any length.
// A model built from data (Fit or Predict on an unbuilt Sequential model)
// builds its first layer for FreeShape of the data's per-sample shape, so
// that it takes other lengths too, as a Keras model built with
// input_shape=(None, features).
type LengthFree interface {
	// FreeShape returns example, the per-sample shape of an input, with the
	// time axis set to None, unless the layer's configuration fixes the
	// length (Embedding's input_length).
	FreeShape(example []int) []int
}
