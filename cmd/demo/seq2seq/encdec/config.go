package encdec

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/optim"
)

// Config holds every setting of a run: the data, the network and its
// training. Start from DefaultConfig and change fields.
type Config struct {
	// Data: Examples unique questions of operands of at most Digits
	// digits (datasets.GenerateAddition), the last HeldOut fraction held
	// out for the final figures, questions reversed when Reverse (as
	// Keras' addition_rnn), drawn from DataSeed.
	Examples int     `json:"examples"`
	Digits   int     `json:"digits"`
	HeldOut  float64 `json:"held_out"`
	Reverse  bool    `json:"reverse"`
	DataSeed uint64  `json:"data_seed"`
	// LowFirst makes the decoder emit the digits of an answer least
	// significant first ("596 " is learnt as "695 "; Decode turns it back),
	// the order in which carries are worked out. The answers, and every
	// accuracy, are unchanged.
	LowFirst bool `json:"low_first"`

	// Units of both LSTMs; their Keras implementation (1 or 2) and unroll
	// mode (same numbers, other speed).
	Units          int  `json:"units"`
	Implementation int  `json:"implementation"`
	Unroll         bool `json:"unroll"`
	// Dtype is "float32" or "float64".
	Dtype string `json:"dtype"`

	// Training: Epochs, BatchSize, Optimizer (optim.New name), LR (0: the
	// optimizer's Keras default), Seed (weights and shuffling).
	Epochs    int     `json:"epochs"`
	BatchSize int     `json:"batch_size"`
	Optimizer string  `json:"optimizer"`
	LR        float64 `json:"lr"`
	Seed      uint64  `json:"seed"`
	// EvalEvery decodes the held-out questions every EvalEvery epochs and
	// reports their accuracy in the progress (0: only after the last
	// epoch). It only reports: the held-out accuracy never steers
	// training.
	EvalEvery int `json:"eval_every"`
}

// DefaultConfig returns the settings of the full run (README, "Functional
// models and seq2seq"): Keras' addition_rnn data (50000 questions of three
// digits, reversed, a tenth held out) and an encoder–decoder of LSTM(128),
// its decoder emitting the digits least significant first, trained with
// Adam in batches of 64 for 15 epochs.
func DefaultConfig() Config {
	return Config{
		Examples: 50000, Digits: 3, HeldOut: 0.1, Reverse: true, DataSeed: 1, LowFirst: true,
		Units: 128, Implementation: 1, Dtype: "float32",
		Epochs: 15, BatchSize: 64, Optimizer: "adam", Seed: 1, EvalEvery: 1,
	}
}

// Validate returns an error naming the first setting out of range and the
// accepted values.
func (c Config) Validate() error {
	switch {
	case c.Examples < 2:
		return fmt.Errorf("encdec: examples %d: want at least 2", c.Examples)
	case c.Digits < 1 || c.Digits > 9:
		return fmt.Errorf("encdec: digits %d: want 1 to 9", c.Digits)
	case !(c.HeldOut > 0 && c.HeldOut < 1):
		return fmt.Errorf("encdec: held-out fraction %v: want a value in (0, 1)", c.HeldOut)
	case int(float64(c.Examples)*c.HeldOut) < 1 || c.Examples-int(float64(c.Examples)*c.HeldOut) < 1:
		return fmt.Errorf("encdec: held-out fraction %v of %d examples leaves a part empty", c.HeldOut, c.Examples)
	case c.Units < 1:
		return fmt.Errorf("encdec: units %d: want at least 1", c.Units)
	case c.Implementation != 1 && c.Implementation != 2:
		return fmt.Errorf("encdec: implementation %d: want 1 or 2", c.Implementation)
	case c.Dtype != "float32" && c.Dtype != "float64":
		return fmt.Errorf("encdec: dtype %q: want float32 or float64", c.Dtype)
	case c.Epochs < 1:
		return fmt.Errorf("encdec: epochs %d: want at least 1", c.Epochs)
	case c.BatchSize < 1:
		return fmt.Errorf("encdec: batch size %d: want at least 1", c.BatchSize)
	case c.EvalEvery < 0:
		return fmt.Errorf("encdec: eval every %d epochs: want 0 (at the end only) or more", c.EvalEvery)
	}
	if _, err := c.optimizer(); err != nil {
		return err
	}
	return nil
}

func (c Config) dtype() graph.Dtype {
	if c.Dtype == "float64" {
		return graph.Float64
	}
	return graph.Float32
}

func (c Config) optimizer() (optim.Optimizer, error) {
	o, err := optim.New(c.Optimizer, c.LR)
	if err != nil {
		return nil, fmt.Errorf("encdec: %w", err)
	}
	return o, nil
}
