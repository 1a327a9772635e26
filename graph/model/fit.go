package model

import (
	"fmt"
	"io"
	"os"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// FitConfig configures Model.Fit. The zero value, with Epochs and BatchSize
// defaulted, trains one epoch in batches of 32, without shuffling, quietly.
type FitConfig struct {
	// BatchSize is the number of samples per update (default 32). A last,
	// smaller batch is trained too.
	BatchSize int
	// Epochs is the number of passes over the data (default 1).
	Epochs int
	// Shuffle shuffles the training samples every epoch from NewRNG(Seed).
	// Unlike Keras the default is false (time series); it is an error with
	// a stateful layer.
	Shuffle bool
	Seed    uint64
	// ValidationSplit in [0, 1) holds out the LAST fraction of x and y (taken
	// before shuffling, as Keras): split at int(n·(1-ValidationSplit)).
	ValidationSplit float64
	// ValidationX, ValidationY, when set, are the validation data (they take
	// precedence over ValidationSplit).
	ValidationX, ValidationY *tensor.Dense
	// Callbacks, for example an *EarlyStopping, run in order.
	Callbacks []Callback
	// Verbose 0 is quiet; 1 shows a progress bar per epoch on Progress.
	Verbose int
	// Progress receives the progress output (default os.Stderr).
	Progress io.Writer
	// KeepStates leaves stateful layers' states alone at the end of each
	// epoch; by default Fit calls ResetStates after every epoch (after its
	// validation).
	KeepStates bool
}

// Fit trains the model on x, y and returns the per-epoch History.
// Each batch: forward (training), loss and its gradient, backward through
// the layers, weight-penalty gradients added, Optimizer.Step. With a
// stateful layer, shuffling is refused, every data set must divide into
// full batches, states carry across batches and are reset after each
// epoch unless KeepStates.
func (m *Model) Fit(x, y *tensor.Dense, cfg FitConfig) (*History, error) {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	if cfg.Epochs < 0 {
		return nil, fmt.Errorf("model: Fit epochs %d: want at least 1", cfg.Epochs)
	}
	if !(cfg.ValidationSplit >= 0 && cfg.ValidationSplit < 1) {
		return nil, fmt.Errorf("model: Fit validation split %v: want a value in [0, 1)", cfg.ValidationSplit)
	}
	if cfg.Progress == nil {
		cfg.Progress = os.Stderr
	}
	if err := m.ready(x, true); err != nil {
		return nil, err
	}
	if err := m.checkTargets(x, y); err != nil {
		return nil, err
	}
	stateful := m.stateful()
	if stateful && cfg.Shuffle {
		return nil, fmt.Errorf("model: Fit: Shuffle with a stateful layer would mix the carried states: set Shuffle false")
	}
	vx, vy := cfg.ValidationX, cfg.ValidationY
	if (vx == nil) != (vy == nil) {
		return nil, fmt.Errorf("model: Fit: ValidationX and ValidationY must be set together")
	}
	n := x.Shape()[0]
	if vx == nil && cfg.ValidationSplit > 0 {
		at := int(float64(n) * (1 - cfg.ValidationSplit))
		if at < 1 || at >= n {
			return nil, fmt.Errorf("model: Fit: validation split %v of %d samples leaves %d for training and %d for validation: want both non-empty", cfg.ValidationSplit, n, at, n-at)
		}
		vx, vy = gatherRows(x, span(at, n)), gatherRows(y, span(at, n))
		x, y, n = gatherRows(x, span(0, at)), gatherRows(y, span(0, at)), at
	}
	if vx != nil {
		if err := m.ready(vx, true); err != nil {
			return nil, fmt.Errorf("model: validation data: %w", err)
		}
		if err := m.checkTargets(vx, vy); err != nil {
			return nil, fmt.Errorf("model: validation data: %w", err)
		}
		if err := checkBatch(cfg.BatchSize, vx.Shape()[0], stateful, "validation x"); err != nil {
			return nil, err
		}
	}
	if err := checkBatch(cfg.BatchSize, n, stateful, "x"); err != nil {
		return nil, err
	}
	for _, cb := range cfg.Callbacks {
		if err := cb.OnTrainBegin(m); err != nil {
			return nil, err
		}
	}
	rng := graph.NewRNG(cfg.Seed)
	hist := newHistory()
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		idx := span(0, n)
		if cfg.Shuffle {
			rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		}
		var bar *progress
		if cfg.Verbose > 0 {
			bar = newProgress(cfg.Progress, epoch, cfg.Epochs, (n+cfg.BatchSize-1)/cfg.BatchSize)
		}
		acc := newAccumulator(m.logNames())
		for from := 0; from < n; from += cfg.BatchSize {
			b := idx[from:min(from+cfg.BatchSize, n)]
			vals, err := m.trainBatch(gatherRows(x, b), gatherRows(y, b))
			if err != nil {
				return hist, fmt.Errorf("model: Fit epoch %d, batch at sample %d: %w", epoch+1, from, err)
			}
			acc.add(len(b), vals)
			if bar != nil {
				bar.step(acc.means()[0])
			}
		}
		names, vals := acc.names, acc.means()
		if vx != nil {
			vn, vv, err := m.evaluate(vx, vy, cfg.BatchSize)
			if err != nil {
				return hist, fmt.Errorf("model: Fit epoch %d validation: %w", epoch+1, err)
			}
			for i := range vn {
				names = append(names, "val_"+vn[i])
				vals = append(vals, vv[i])
			}
		}
		hist.append(epoch, names, vals)
		if bar != nil {
			bar.done(names, vals)
		}
		if stateful && !cfg.KeepStates {
			if err := m.ResetStates(); err != nil {
				return hist, err
			}
		}
		logs := map[string]float64{}
		for i, n := range names {
			logs[n] = vals[i]
		}
		stop := false
		for _, cb := range cfg.Callbacks {
			s, err := cb.OnEpochEnd(m, epoch, logs)
			if err != nil {
				return hist, err
			}
			stop = stop || s
		}
		if stop {
			break
		}
	}
	for _, cb := range cfg.Callbacks {
		if err := cb.OnTrainEnd(m); err != nil {
			return hist, err
		}
	}
	return hist, nil
}

// trainBatch runs one update and returns the batch's loss (with penalties)
// and metrics.
func (m *Model) trainBatch(x, y *tensor.Dense) ([]float64, error) {
	out, err := m.forward(x, true)
	if err != nil {
		return nil, err
	}
	lv, dy, err := m.lossC.Eval(y, out)
	if err != nil {
		return nil, err
	}
	metrics, err := m.metricValues(y, out)
	if err != nil {
		return nil, err
	}
	act := m.activityPenalty()
	for i := len(m.layers) - 1; i >= 0; i-- {
		if pb, ok := m.layers[i].(graph.ParamBackward); ok && i == 0 {
			if err := pb.BackwardParams(dy); err != nil {
				return nil, fmt.Errorf("model: layer %s backward: %w", m.layers[i].Name(), err)
			}
			break
		}
		if dy, err = m.layers[i].Backward(dy); err != nil {
			return nil, fmt.Errorf("model: layer %s backward: %w", m.layers[i].Name(), err)
		}
	}
	pg, err := m.penalties()
	if err != nil {
		return nil, err
	}
	wpen, err := pg.run(true)
	if err != nil {
		return nil, err
	}
	if err := m.opt.Step(m.Params()); err != nil {
		return nil, fmt.Errorf("model: optimizer: %w", err)
	}
	return append([]float64{lv + wpen + act}, metrics...), nil
}

// TrainOnBatch runs one training update on the batch x, y (Keras
// train_on_batch): forward in training mode, loss, backward, optimizer step.
// It returns the batch's loss (with every penalty) and metrics by name.
func (m *Model) TrainOnBatch(x, y *tensor.Dense) (map[string]float64, error) {
	if err := m.ready(x, true); err != nil {
		return nil, err
	}
	if err := m.checkTargets(x, y); err != nil {
		return nil, err
	}
	vals, err := m.trainBatch(x, y)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for i, n := range m.logNames() {
		out[n] = vals[i]
	}
	return out, nil
}
