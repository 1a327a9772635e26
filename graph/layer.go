package graph

import (
	"encoding/json"

	"gorgonia.org/tensor"
)

// Param is one trainable weight of a layer, with what a model needs to train
// it: its gradient, its regularizer and its constraint.
type Param struct {
	// Name is unique within a model: "<layer name>/<weight name>",
	// for example "lstm_1/kernel".
	Name string
	// Value is the weight. Optimizers update it in place.
	Value *tensor.Dense
	// Grad has Value's shape and dtype. Layer.Backward overwrites it with
	// the gradient of the loss (without regularizer terms: the model adds
	// those through Regularizer).
	Grad *tensor.Dense
	// Regularizer, when not nil, adds Regularizer.Penalty(Value) to the loss.
	Regularizer Regularizer
	// Constraint, when not nil, is applied to Value after each update.
	Constraint Constraint
}

// Layer is one block of a Model. A layer keeps what its last training
// Forward needs for Backward, so calls alternate Forward(x, true),
// Backward(dy). Shapes include the batch dimension first.
type Layer interface {
	// Name is the layer's name, unique in a model.
	Name() string
	// Type is the name the layer is registered under (see RegisterLayer).
	Type() string
	// Build creates the weights for per-sample input shape inShape (without
	// the batch dimension) in dtype dt. Build is called once, before the
	// first Forward.
	Build(inShape []int, dt tensor.Dtype) error
	// OutputShape is the per-sample output shape (without the batch
	// dimension); valid after Build.
	OutputShape() []int
	// Forward computes the output for the batch x. With training true the
	// layer applies dropout and keeps what Backward needs.
	Forward(x *tensor.Dense, training bool) (*tensor.Dense, error)
	// Backward takes the gradient of the loss with respect to the last
	// training Forward's output, writes each Param's Grad and returns the
	// gradient with respect to that Forward's input.
	Backward(dy *tensor.Dense) (*tensor.Dense, error)
	// Params lists the trainable weights (empty before Build).
	Params() []*Param
	// ActivityPenalty is the activity-regularizer penalty of the last
	// Forward (0 without one); Backward includes its gradient.
	ActivityPenalty() float64
	// Config returns the layer's configuration as JSON, from which the
	// factory registered for Type rebuilds an identical, unbuilt layer.
	Config() (json.RawMessage, error)
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

// ParamBackward is implemented by layers that can write their weight
// gradients without computing the gradient of their input. A Model calls it
// on its first layer instead of Backward, since nothing uses that layer's
// input gradient (Keras does not compute it either).
type ParamBackward interface {
	// BackwardParams is Backward without the input gradient.
	BackwardParams(dy *tensor.Dense) error
}
