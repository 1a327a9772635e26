package forecast

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/callbacks"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// predictBatch is the batch size of predictions without a stateful layer.
const predictBatch = 256

// samples returns the windows of s whose targets lie in [from, to): inputs
// (n, lookback, 1) flat and targets (n).
func samples(s []float64, lookback, from, to int) (x, y []float64) {
	for t := from; t < to; t++ {
		x = append(x, s[t-lookback:t]...)
		y = append(y, s[t])
	}
	return x, y
}

// trainer holds a compiled model and how to call it.
type trainer struct {
	cfg   Config
	dt    tensor.Dtype
	model *model.Model
	hist  *model.History
}

func newTrainer(c Config) (*trainer, error) {
	dt := tensor.Float32
	if c.Dtype == "float64" {
		dt = tensor.Float64
	}
	l, err := lstm.New(c.lstmConfig())
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	dc := layers.DenseDefaults(1)
	dc.Name, dc.Seed = "dense", c.Seed+1
	d, err := layers.NewDense(dc)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	m, err := model.NewSequential(dt, l, d)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	opt, err := optim.New(c.Optimizer, c.LR)
	if err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	if err := m.Compile("mse", opt); err != nil {
		return nil, fmt.Errorf("forecast: %w", err)
	}
	return &trainer{cfg: c, dt: dt, model: m}, nil
}

// full trims a stateful model's samples to whole batches, dropping the
// oldest.
func (tr *trainer) full(x, y []float64) ([]float64, []float64) {
	if !tr.cfg.Stateful {
		return x, y
	}
	drop := len(y) % tr.cfg.BatchSize
	return x[drop*tr.cfg.Lookback:], y[drop:]
}

// fit trains on the samples and fills the training part of m. Training
// ends early when ctx is done; the best weights so far are kept.
func (tr *trainer) fit(ctx context.Context, xt, yt, xv, yv []float64, progress io.Writer, m *Metrics) error {
	c := tr.cfg
	xt, yt = tr.full(xt, yt)
	xv, yv = tr.full(xv, yv)
	if len(yt) == 0 {
		return inputErr(fmt.Errorf("forecast: no training samples: lengthen the series, raise train or lower lookback/diff (or batch size when stateful)"))
	}
	L := c.Lookback
	fc := model.FitConfig{BatchSize: c.BatchSize, Epochs: c.Epochs, Shuffle: !c.Stateful, Seed: c.Seed + 2, Context: ctx}
	if progress != nil {
		fc.Verbose, fc.Progress = 1, progress
	}
	if len(yv) > 0 {
		fc.ValidationX = graph.NewTensor(tr.dt, []int{len(yv), L, 1}, xv)
		fc.ValidationY = graph.NewTensor(tr.dt, []int{len(yv), 1}, yv)
	}
	var es *callbacks.EarlyStopping
	if c.Patience > 0 {
		es = &callbacks.EarlyStopping{Monitor: "val_loss", Patience: c.Patience, RestoreBestWeights: true}
		if len(yv) == 0 {
			es.Monitor = "loss"
		}
		fc.Callbacks = []model.Callback{es}
	}
	start := time.Now()
	h, err := tr.model.Fit(graph.NewTensor(tr.dt, []int{len(yt), L, 1}, xt), graph.NewTensor(tr.dt, []int{len(yt), 1}, yt), fc)
	if err != nil {
		if h != nil && h.Status == model.FitNonFinite {
			return fmt.Errorf("forecast: training diverged: %w", err)
		}
		return fmt.Errorf("forecast: training: %w", err)
	}
	m.TrainSeconds = time.Since(start).Seconds()
	tr.hist = h
	m.Epochs = len(h.Epoch)
	m.Training, m.StopReason = h.Status.String(), h.StopReason
	if m.Epochs == 0 {
		return fmt.Errorf("forecast: training %s before the first epoch ended: nothing to forecast with", h.Status)
	}
	last := m.Epochs - 1
	if es != nil && es.Restored() {
		last, _ = es.BestEpoch()
		last -= h.Epoch[0]
	}
	m.BestEpoch = h.Epoch[last] + 1
	m.FinalTrainLoss = h.History["loss"][last]
	if v, ok := h.History["val_loss"]; ok {
		m.FinalValLoss = &v[last]
	}
	return nil
}

// predict is the trained model as a predictor. A stateful model's states
// are reset first and the batch is padded to whole batches.
func (tr *trainer) predict(wins [][]float64) ([]float64, error) {
	n := len(wins)
	b := predictBatch
	if tr.cfg.Stateful {
		b = tr.cfg.BatchSize
		if err := tr.model.ResetStates(); err != nil {
			return nil, err
		}
	}
	rows := (n + b - 1) / b * b
	x := make([]float64, 0, rows*tr.cfg.Lookback)
	for i := 0; i < rows; i++ {
		x = append(x, wins[min(i, n-1)]...)
	}
	out, err := tr.model.Predict(graph.NewTensor(tr.dt, []int{rows, tr.cfg.Lookback, 1}, x), b)
	if err != nil {
		return nil, fmt.Errorf("forecast: predict: %w", err)
	}
	return graph.Float64s(out)[:n], nil
}
