package forecast

import (
	"fmt"
	"math"
	"strings"

	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// Sine describes the synthetic series of Data "sine":
//
//	x_t = Amplitude·sin(2π·t/Period) + Noise·ε_t,  ε_t ~ N(0, 1) seeded by Seed.
type Sine struct {
	Length    int     `json:"length"`
	Period    float64 `json:"period"`
	Amplitude float64 `json:"amplitude"`
	Noise     float64 `json:"noise"`
	Seed      uint64  `json:"seed"`
}

// Config holds every setting of a forecasting run. Start from
// DefaultConfig (or AirlineConfig) and change fields.
type Config struct {
	// Data is "sine", "airline" or the path of a CSV file with a header.
	Data string `json:"data"`
	// Column selects the CSV column by header name or 0-based index; ""
	// picks the last numeric column (a date or label column first, as in
	// "month,passengers", is skipped). Ignored for sine and airline.
	Column string `json:"column"`
	// Sine describes the series of Data "sine".
	Sine Sine `json:"sine"`
	// Period is the seasonal period m of the seasonal naive baseline;
	// 0 takes it from the data: the sine period when it is a whole number,
	// 12 for airline, unknown (no seasonal baseline) for a CSV file.
	Period int `json:"period"`

	// Log models log(x) instead of x (all values must be positive).
	Log bool `json:"log"`
	// Diff d > 0 models the differences z_t = y_t − y_{t−d} of y = x or
	// log(x); forecasts are integrated back. 0: no differencing.
	Diff int `json:"diff"`
	// Scaler is "minmax" ([0, 1]), "standard" or "none"; it is fitted on
	// the training part only.
	Scaler string `json:"scaler"`

	// Lookback is the number of past steps the LSTM reads (timesteps).
	Lookback int `json:"lookback"`
	// Horizon is the length of the multi-step (recursive) forecasts: the
	// test part is cut into consecutive segments of Horizon steps, each
	// forecast from the true values before it by feeding predictions back.
	Horizon int `json:"horizon"`
	// Train and Val are the chronological fractions of the time steps
	// used for training and validation; the test part is the rest.
	Train float64 `json:"train"`
	Val   float64 `json:"val"`

	// LSTM arguments (see lstm.Config); the model is LSTM(Units) → Dense(1).
	Units               int     `json:"units"`
	Activation          string  `json:"activation"`
	RecurrentActivation string  `json:"recurrent_activation"`
	Implementation      int     `json:"implementation"`
	Unroll              bool    `json:"unroll"`
	Dropout             float64 `json:"dropout"`
	RecurrentDropout    float64 `json:"recurrent_dropout"`
	Stateful            bool    `json:"stateful"`
	GoBackwards         bool    `json:"go_backwards"`

	// Dtype is "float32" or "float64".
	Dtype string `json:"dtype"`
	// Training: Epochs (maximum), BatchSize, Optimizer (optim.New name),
	// LR (0: the optimizer's Keras default), Seed (weights, dropout,
	// shuffling), Patience (early stopping on val_loss — on loss when Val
	// is 0 — restoring the best weights; 0 turns it off).
	Epochs    int     `json:"epochs"`
	BatchSize int     `json:"batch_size"`
	Optimizer string  `json:"optimizer"`
	LR        float64 `json:"lr"`
	Seed      uint64  `json:"seed"`
	Patience  int     `json:"patience"`
}

// DefaultConfig returns the settings of `go run ./cmd/demo`: a sine of
// period 25 with noise 0.02, lookback 25, LSTM(32) in the loop mode with
// implementation 2, float32, Adam(0.01), batch 32, up to 40 epochs with
// early stopping (patience 8).
func DefaultConfig() Config {
	return Config{
		Data:                "sine",
		Sine:                Sine{Length: 1200, Period: 25, Amplitude: 1, Noise: 0.02, Seed: 42},
		Scaler:              "minmax",
		Lookback:            25,
		Horizon:             25,
		Train:               0.7,
		Val:                 0.15,
		Units:               32,
		Activation:          "tanh",
		RecurrentActivation: "hard_sigmoid",
		Implementation:      2,
		Dtype:               "float32",
		Epochs:              40,
		BatchSize:           32,
		Optimizer:           "adam",
		LR:                  0.01,
		Seed:                1,
		Patience:            8,
	}
}

// AirlineConfig returns the documented settings for Data "airline" (see
// the package documentation for the results they give).
func AirlineConfig() Config {
	c := DefaultConfig()
	c.Data = "airline"
	c.Log, c.Diff, c.Scaler = true, 1, "standard"
	c.Lookback, c.Horizon = 12, 12
	c.Train, c.Val = 0.67, 0
	c.Units = 8
	c.Epochs, c.BatchSize, c.Patience = 100, 8, 0
	return c
}

// Validate returns an error naming the first bad setting and the accepted
// values.
func (c Config) Validate() error {
	bad := func(name string, v any, want string) error {
		return fmt.Errorf("forecast: %s = %v: %s", name, v, want)
	}
	switch {
	case c.Data == "":
		return bad("data", `""`, "want sine, airline or the path of a CSV file")
	case c.Data == "sine" && c.Sine.Length < 2:
		return bad("sine length", c.Sine.Length, "want at least 2")
	case c.Period < 0:
		return bad("period", c.Period, "want 0 (from the data) or a positive number of steps")
	case c.Diff < 0:
		return bad("diff", c.Diff, "want 0 (none) or a positive lag")
	case c.Scaler != "minmax" && c.Scaler != "standard" && c.Scaler != "none":
		return bad("scaler", fmt.Sprintf("%q", c.Scaler), "want minmax, standard or none")
	case c.Lookback < 1:
		return bad("lookback", c.Lookback, "want at least 1")
	case c.Horizon < 1:
		return bad("horizon", c.Horizon, "want at least 1")
	case !(c.Train > 0 && c.Train < 1):
		return bad("train", c.Train, "want a fraction in (0, 1)")
	case !(c.Val >= 0 && c.Train+c.Val < 1):
		return bad("val", c.Val, "want a fraction >= 0 with train+val < 1")
	case c.Dtype != "float32" && c.Dtype != "float64":
		return bad("dtype", fmt.Sprintf("%q", c.Dtype), "want float32 or float64")
	case c.Epochs < 1:
		return bad("epochs", c.Epochs, "want at least 1")
	case c.BatchSize < 1:
		return bad("batch size", c.BatchSize, "want at least 1")
	case !(c.LR >= 0) || math.IsInf(c.LR, 0):
		return bad("lr", c.LR, "want a finite number >= 0 (0: the optimizer's default)")
	case c.Patience < 0:
		return bad("patience", c.Patience, "want 0 (off) or a positive number of epochs")
	}
	if _, err := lstm.New(c.lstmConfig()); err != nil {
		return fmt.Errorf("forecast: %w", err)
	}
	if _, err := optim.New(c.Optimizer, c.LR); err != nil {
		return fmt.Errorf("forecast: %w", err)
	}
	return nil
}

// lstmConfig returns the LSTM layer's configuration.
func (c Config) lstmConfig() lstm.Config {
	l := lstm.Default(c.Units)
	l.Activation, l.RecurrentActivation = c.Activation, c.RecurrentActivation
	l.Implementation, l.Unroll = c.Implementation, c.Unroll
	l.Dropout, l.RecurrentDropout = c.Dropout, c.RecurrentDropout
	l.Stateful, l.GoBackwards = c.Stateful, c.GoBackwards
	l.Seed = c.Seed
	if c.Stateful {
		l.BatchSize = c.BatchSize
	}
	return l
}

// source describes the data for reports; column is the CSV column read.
func (c Config) source(column string) string {
	switch c.Data {
	case "sine":
		return fmt.Sprintf("sine (period %g, amplitude %g, noise %g, %d steps, seed %d)",
			c.Sine.Period, c.Sine.Amplitude, c.Sine.Noise, c.Sine.Length, c.Sine.Seed)
	case "airline":
		return "airline passengers (monthly, 1949-1960, thousands)"
	}
	if strings.TrimSpace(c.Column) == "" {
		return fmt.Sprintf("%s column %q (the last numeric column; -column picks another)", c.Data, column)
	}
	return fmt.Sprintf("%s column %q", c.Data, column)
}
