package forecast

import (
	"context"
	"fmt"
	"io"

	"github.com/golstm/golstm/datasets"
	"github.com/golstm/golstm/graph/model"
)

// Result is what Run computed: the series in original units, split into
// history (steps [0, TestStart)) and the held-out test part, the forecasts
// of the test steps and the metrics.
type Result struct {
	Config Config
	// Source describes the data.
	Source string
	// Series is the whole series; History = Series[:TestStart] at steps
	// HistoryIndex; TrainEnd ends the training part (validation is
	// [TrainEnd, TestStart)).
	Series       []float64
	TrainEnd     int
	TestStart    int
	HistoryIndex []int
	History      []float64
	// TestIndex are the test steps; Truth the true values there; OneStep
	// the one-step forecasts (from true inputs) and MultiStep the
	// recursive forecasts of the segments starting at Origins.
	TestIndex []int
	Truth     []float64
	OneStep   []float64
	MultiStep []float64
	Origins   []int
	// Loss and ValLoss are the per-epoch training and validation losses
	// (scaled units; ValLoss empty without validation).
	Loss, ValLoss []float64
	// Training is the History of the Fit: every logged curve, and how
	// training ended (Status, StopReason).
	Training *model.History
	Metrics  Metrics
	// Model is the trained, compiled model: LSTM(Units) → Dense(1) on
	// windows of Lookback steps of the transformed series (log, differenced
	// and scaled as the Config says), shape (Lookback, 1).
	Model *model.Model
}

// Run loads the data of cfg, trains LSTM(Units) → Dense(1) on the training
// part (with the validation part for early stopping), and forecasts the
// test part one step ahead and recursively in segments of Horizon steps.
// Progress goes to progress (nil: quiet): a bar per epoch on a terminal,
// one line per epoch elsewhere. Errors caused by the settings or the data
// are *InputError.
func Run(cfg Config, progress io.Writer) (*Result, error) {
	return RunContext(context.Background(), cfg, progress)
}

// RunContext is Run with a Context that ends training early (the demo
// cancels it on Ctrl-C): training stops after the batch in progress, the
// best weights so far are kept (with Patience > 0, EarlyStopping restores
// them), and the forecasts and metrics are computed as for a complete run,
// with Metrics.Training "cancelled". It is an error when no epoch had
// ended.
func RunContext(ctx context.Context, cfg Config, progress io.Writer) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, inputErr(err)
	}
	x, period, column, err := load(cfg)
	if err != nil {
		return nil, inputErr(err)
	}
	n := len(x)
	trR, vaR, teR, err := datasets.Split(n, cfg.Train, cfg.Val)
	if err != nil {
		return nil, inputErr(fmt.Errorf("forecast: %w", err))
	}
	first := cfg.Lookback + cfg.Diff
	if teR.Len() < 1 || teR.Start < first || trR.End <= first {
		return nil, inputErr(fmt.Errorf("forecast: %d steps split %v/%v leave train [0, %d) and test [%d, %d): want lookback+diff = %d below the training end and a non-empty test part",
			n, cfg.Train, cfg.Val, trR.End, teR.Start, teR.End, first))
	}
	tf, err := newTransform(cfg, x, trR.End)
	if err != nil {
		return nil, inputErr(err)
	}
	_, s := tf.forward(x)
	tr, err := newTrainer(cfg)
	if err != nil {
		return nil, err
	}
	xt, yt := samples(s, cfg.Lookback, first, trR.End)
	xv, yv := samples(s, cfg.Lookback, max(first, vaR.Start), vaR.End)
	var m Metrics
	if err := tr.fit(ctx, xt, yt, xv, yv, progress, &m); err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Source: cfg.source(column), Series: x, TrainEnd: trR.End, TestStart: teR.Start,
		History: x[:teR.Start], Truth: x[teR.Start:], Training: tr.hist, Model: tr.model}
	res.Loss, res.ValLoss = tr.hist.History["loss"], tr.hist.History["val_loss"]
	res.HistoryIndex = steps(0, teR.Start)
	res.TestIndex = steps(teR.Start, n)
	if res.OneStep, err = recursive(tr.predict, tf, x, cfg.Lookback, res.TestIndex, 1, n); err != nil {
		return nil, err
	}
	res.Origins = segments(teR.Start, n, cfg.Horizon)
	if res.MultiStep, err = recursive(tr.predict, tf, x, cfg.Lookback, res.Origins, cfg.Horizon, n); err != nil {
		return nil, err
	}
	fm, err := assemble(x, teR.Start, n, period, cfg.Horizon, res.OneStep, res.MultiStep)
	if err != nil {
		return nil, err
	}
	fm.Epochs, fm.BestEpoch, fm.TrainSeconds, fm.FinalTrainLoss, fm.FinalValLoss = m.Epochs, m.BestEpoch, m.TrainSeconds, m.FinalTrainLoss, m.FinalValLoss
	fm.Training, fm.StopReason = m.Training, m.StopReason
	res.Metrics = fm
	return res, nil
}

// steps returns from, …, to−1.
func steps(from, to int) []int {
	s := make([]int, 0, to-from)
	for t := from; t < to; t++ {
		s = append(s, t)
	}
	return s
}
