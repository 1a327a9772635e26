package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/golstm/golstm/cmd/demo/forecast"
)

// options are the parsed command line: the forecasting settings, the
// output folder and whether to hide the progress bars.
type options struct {
	cfg       forecast.Config
	out       string
	quiet     bool
	saveKeras string
}

const header = `Usage: go run ./cmd/demo [flags]

Trains an LSTM to forecast a time series and reports, on the held-out test
part, the RMSE and MAE of one-step and multi-step (recursive) forecasts
beside the persistence and seasonal naive baselines. Writes forecast.png,
history.png (the training curves), forecast.csv and metrics.json into -out,
and with -save-keras the trained model as a Keras .h5 file.

With no flags: a noisy sine wave. -data airline uses the documented airline
settings (log, diff 1, standard scaler, lookback 12, LSTM(8), 67/33 split,
100 epochs of batch 8); flags given explicitly override them. -data FILE.csv
reads the last numeric column of a CSV file with a header row (a date
column first is skipped), or the one -column names.

Ctrl-C stops training after the batch in progress: the run keeps the best
weights so far (with -patience), forecasts with them, writes its files and
exits with status 0; a second Ctrl-C kills it.

Flags:
`

// newFlagSet binds every flag to c and o, with their current values as
// defaults.
func newFlagSet(c *forecast.Config, o *options, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), header)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.out, "out", o.out, "output `folder` for forecast.png, history.png, forecast.csv and metrics.json")
	fs.BoolVar(&o.quiet, "quiet", o.quiet, "no progress output")
	fs.StringVar(&o.saveKeras, "save-keras", o.saveKeras, "also write the trained model to `path` as a Keras .h5 (keras.models.load_model reads it; its inputs are windows of the transformed series, (lookback, 1))")
	// data
	fs.StringVar(&c.Data, "data", c.Data, "data: sine, airline or the `path` of a CSV file with a header row")
	fs.StringVar(&c.Column, "column", c.Column, "CSV column: header `name` or 0-based index (default the last numeric column)")
	fs.IntVar(&c.Period, "period", c.Period, "seasonal period of the seasonal naive baseline (0: sine period, 12 for airline, unknown for CSV)")
	fs.IntVar(&c.Sine.Length, "sine-length", c.Sine.Length, "sine: number of time steps")
	fs.Float64Var(&c.Sine.Period, "sine-period", c.Sine.Period, "sine: period in time steps")
	fs.Float64Var(&c.Sine.Amplitude, "sine-amplitude", c.Sine.Amplitude, "sine: amplitude")
	fs.Float64Var(&c.Sine.Noise, "sine-noise", c.Sine.Noise, "sine: standard deviation of the Gaussian noise")
	fs.Uint64Var(&c.Sine.Seed, "sine-seed", c.Sine.Seed, "sine: seed of the noise")
	// inputs
	fs.BoolVar(&c.Log, "log", c.Log, "model log(x) (positive data only)")
	fs.IntVar(&c.Diff, "diff", c.Diff, "model differences y_t - y_{t-diff} (0: none)")
	fs.StringVar(&c.Scaler, "scaler", c.Scaler, "scaler fitted on the training part: minmax, standard or none")
	fs.IntVar(&c.Lookback, "lookback", c.Lookback, "time steps the LSTM reads per forecast")
	fs.IntVar(&c.Horizon, "horizon", c.Horizon, "steps of each multi-step (recursive) forecast")
	fs.Float64Var(&c.Train, "train", c.Train, "fraction of the steps used for training")
	fs.Float64Var(&c.Val, "val", c.Val, "fraction used for validation (the rest is the test part)")
	// LSTM
	fs.IntVar(&c.Units, "units", c.Units, "LSTM units")
	fs.StringVar(&c.Activation, "activation", c.Activation, "LSTM activation (tanh, relu, linear, ...)")
	fs.StringVar(&c.RecurrentActivation, "recurrent-activation", c.RecurrentActivation, "LSTM recurrent activation (hard_sigmoid, sigmoid, ...)")
	fs.IntVar(&c.Implementation, "implementation", c.Implementation, "LSTM implementation: 1 (per-gate products) or 2 (one fused product)")
	fs.BoolVar(&c.Unroll, "unroll", c.Unroll, "unroll the LSTM into one static graph (slower to build)")
	fs.Float64Var(&c.Dropout, "dropout", c.Dropout, "LSTM input dropout in [0, 1)")
	fs.Float64Var(&c.RecurrentDropout, "recurrent-dropout", c.RecurrentDropout, "LSTM recurrent dropout in [0, 1)")
	fs.BoolVar(&c.Stateful, "stateful", c.Stateful, "stateful LSTM (no shuffling; samples trimmed to whole batches)")
	fs.BoolVar(&c.GoBackwards, "go-backwards", c.GoBackwards, "LSTM reads the window backwards")
	// training
	fs.StringVar(&c.Dtype, "dtype", c.Dtype, "float32 or float64")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "maximum training epochs")
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "samples per update")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer: sgd, rmsprop, adagrad, adadelta, adam, adamax or nadam")
	fs.Float64Var(&c.LR, "lr", c.LR, "learning rate (0: the optimizer's Keras default)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the weights, dropout masks and shuffling")
	fs.IntVar(&c.Patience, "patience", c.Patience, "early stopping patience on val_loss, restoring the best weights (0: off)")
	return fs
}

// parseArgs parses the command line. With -data airline the flags are
// parsed again over forecast.AirlineConfig, so only explicit flags
// override the airline settings. Errors are printed to stderr by the flag
// package; -h gives flag.ErrHelp.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	o := options{cfg: forecast.DefaultConfig(), out: "demo-out"}
	fs := newFlagSet(&o.cfg, &o, stderr)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q: every setting is a flag (see -h)", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		return o, err
	}
	if o.cfg.Data == "airline" {
		a := options{cfg: forecast.AirlineConfig(), out: "demo-out"}
		if err := newFlagSet(&a.cfg, &a, stderr).Parse(args); err != nil {
			return o, err
		}
		o = a
	}
	if err := o.cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, err)
		return o, err
	}
	return o, nil
}
