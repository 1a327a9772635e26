package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
)

// Config holds every argument of the Keras 2.2 LSTM layer. Default returns
// the Keras defaults; change fields from there. Field names follow the
// Keras arguments (Units is `units`, RecurrentActivation is
// `recurrent_activation`, and so on).
type Config struct {
	// Name is the layer's name in a model; empty gives "lstm_<n>", n
	// counting the layers made in this process, as Keras does.
	Name string
	// Units is the size of h, c and the output; at least 1.
	Units int
	// Activation φ is applied to the cell candidate and to c_t before the
	// output gate (default "tanh"; "linear" is Keras' None).
	Activation string
	// RecurrentActivation σ is applied to the i, f and o gates (default
	// "hard_sigmoid", Keras 2: clip(0.2x+0.5, 0, 1); "sigmoid" is the
	// tf.keras / Keras 3 default; "hard_sigmoid_keras3" is Keras 3's
	// clip(x/6+0.5, 0, 1)).
	RecurrentActivation string
	// UseBias adds the bias b of shape (4·units) (default true).
	UseBias bool
	// KernelInitializer draws W (input_dim, 4·units) (nil: glorot_uniform).
	KernelInitializer graph.Initializer
	// RecurrentInitializer draws U (units, 4·units) (nil: orthogonal).
	RecurrentInitializer graph.Initializer
	// BiasInitializer draws b (nil: zeros).
	BiasInitializer graph.Initializer
	// UnitForgetBias sets the forget-gate slice b[units:2·units] to exactly
	// 1 at initialization, replacing what BiasInitializer drew (default
	// true; as the Keras 2.2 code, not its docstring).
	UnitForgetBias bool
	// Weight regularizers (nil: none): penalties on W, U and b added to the
	// training loss once per step.
	KernelRegularizer, RecurrentRegularizer, BiasRegularizer graph.Regularizer
	// ActivityRegularizer (nil: none) penalizes every returned tensor: the
	// output and, with ReturnState, h_T and c_T (Keras 2: summed over the
	// batch, not divided by its size).
	ActivityRegularizer graph.Regularizer
	// Weight constraints (nil: none), applied after each optimizer update.
	KernelConstraint, RecurrentConstraint, BiasConstraint graph.Constraint
	// Dropout is the fraction of the inputs x_t dropped in training, in
	// [0, 1). Masks are drawn once per batch and shared by all timesteps.
	Dropout float64
	// RecurrentDropout is the fraction of h_{t-1} dropped before the
	// recurrent kernel in training, in [0, 1).
	RecurrentDropout float64
	// Implementation 1 computes four per-gate products (with four dropout
	// masks); 2 computes one fused product (with mask 0 only). Default 1.
	Implementation int
	// ReturnSequences returns the whole output sequence (batch, T, units)
	// instead of the last output (batch, units).
	ReturnSequences bool
	// ReturnState also returns the final states h_T and c_T.
	ReturnState bool
	// GoBackwards processes the sequence in reverse; a returned sequence
	// stays in processing (reversed) order, as in Keras.
	GoBackwards bool
	// Stateful carries the final states of a batch to the next call, sample
	// by sample; the batch size is then fixed (BatchSize, or the first
	// call's batch size when BatchSize is 0).
	Stateful bool
	// BatchSize fixes the batch size of a stateful layer (Keras
	// batch_input_shape[0]); 0 takes it from the first call.
	BatchSize int
	// Unroll builds the whole sequence as one static Gorgonia graph; false
	// runs one compiled cell graph step by step. Both give the same numbers.
	Unroll bool
	// Seed seeds every random draw of the layer: initializers and dropout
	// masks. The same seed gives the same weights and masks.
	Seed uint64
}

// Default returns the Keras 2.2 defaults for an LSTM with the given units:
// tanh, hard_sigmoid, use_bias, glorot_uniform, orthogonal, zeros,
// unit_forget_bias, implementation 1, no dropout, regularizers or
// constraints.
func Default(units int) Config {
	return Config{
		Units:               units,
		Activation:          "tanh",
		RecurrentActivation: "hard_sigmoid",
		UseBias:             true,
		UnitForgetBias:      true,
		Implementation:      1,
	}
}

// Validate checks every argument and returns an error that names the first
// bad one and the accepted values.
func (c Config) Validate() error {
	if c.Units < 1 {
		return fmt.Errorf("lstm: units = %d: must be at least 1", c.Units)
	}
	if _, err := graph.GetActivation(c.Activation); err != nil {
		return fmt.Errorf("lstm: activation: %w", err)
	}
	if _, err := graph.GetActivation(c.RecurrentActivation); err != nil {
		return fmt.Errorf("lstm: recurrent_activation: %w", err)
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return fmt.Errorf("lstm: dropout = %v: must be in [0, 1)", c.Dropout)
	}
	if !(c.RecurrentDropout >= 0 && c.RecurrentDropout < 1) {
		return fmt.Errorf("lstm: recurrent_dropout = %v: must be in [0, 1)", c.RecurrentDropout)
	}
	if c.Implementation != 1 && c.Implementation != 2 {
		return fmt.Errorf("lstm: implementation = %d: must be 1 or 2", c.Implementation)
	}
	if c.BatchSize < 0 {
		return fmt.Errorf("lstm: batch_size = %d: must be 0 (unknown) or positive", c.BatchSize)
	}
	return nil
}
