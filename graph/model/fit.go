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
	// ValidationX, ValidationY, when set, are the validation data of a
	// model of one input and one output (they take precedence over
	// ValidationSplit).
	ValidationX, ValidationY *tensor.Dense
	// ValidationXs, ValidationYs are the validation data of a model of
	// several inputs or outputs: one tensor per input and per output.
	ValidationXs, ValidationYs []*tensor.Dense
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

// Fit trains a model of one input and one output on x, y and returns the
// per-epoch History. Each batch: forward (training), loss and its
// gradient, backward through the layers, weight-penalty gradients added,
// optimizer step. With a stateful layer, shuffling is refused, every data
// set must divide into full batches, states carry across batches and are
// reset after each epoch unless KeepStates. With several outputs the logs
// hold "loss" (the weighted sum), "<output layer>_loss" for each output and
// the metrics as "<output layer>_<metric>".
func (m *Model) Fit(x, y *tensor.Dense, cfg FitConfig) (*History, error) {
	if err := m.one("Fit"); err != nil {
		return nil, err
	}
	return m.FitMulti([]*tensor.Dense{x}, []*tensor.Dense{y}, cfg)
}

// FitMulti is Fit for a model of several inputs or outputs: xs holds one
// tensor per input node, ys one per output node, the same number of
// samples each. Fit, FitMulti and TrainOnBatch share one training step for
// every kind of model.
func (m *Model) FitMulti(xs, ys []*tensor.Dense, cfg FitConfig) (*History, error) {
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
	if err := m.readyData(xs, ys); err != nil {
		return nil, err
	}
	stateful := m.stateful()
	if stateful && cfg.Shuffle {
		return nil, fmt.Errorf("model: Fit: Shuffle with a stateful layer would mix the carried states: set Shuffle false")
	}
	if (cfg.ValidationX == nil) != (cfg.ValidationY == nil) || (cfg.ValidationXs == nil) != (cfg.ValidationYs == nil) {
		return nil, fmt.Errorf("model: Fit: ValidationX and ValidationY (or ValidationXs and ValidationYs) must be set together")
	}
	if cfg.ValidationX != nil && cfg.ValidationXs != nil {
		return nil, fmt.Errorf("model: Fit: ValidationX and ValidationXs both set: use one")
	}
	vxs, vys := cfg.ValidationXs, cfg.ValidationYs
	if cfg.ValidationX != nil {
		vxs, vys = []*tensor.Dense{cfg.ValidationX}, []*tensor.Dense{cfg.ValidationY}
	}
	n := xs[0].Shape()[0]
	if vxs == nil && cfg.ValidationSplit > 0 {
		at := int(float64(n) * (1 - cfg.ValidationSplit))
		if at < 1 || at >= n {
			return nil, fmt.Errorf("model: Fit: validation split %v of %d samples leaves %d for training and %d for validation: want both non-empty", cfg.ValidationSplit, n, at, n-at)
		}
		vxs, vys = rowsAll(xs, span(at, n)), rowsAll(ys, span(at, n))
		xs, ys, n = rowsAll(xs, span(0, at)), rowsAll(ys, span(0, at)), at
	}
	if vxs != nil {
		if err := m.readyData(vxs, vys); err != nil {
			return nil, fmt.Errorf("model: validation data: %w", err)
		}
		if err := checkBatch(cfg.BatchSize, vxs[0].Shape()[0], stateful, "validation x"); err != nil {
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
			vals, err := m.trainBatch(rowsAll(xs, b), rowsAll(ys, b))
			if err != nil {
				return hist, fmt.Errorf("model: Fit epoch %d, batch at sample %d: %w", epoch+1, from, err)
			}
			acc.add(len(b), vals)
			if bar != nil {
				bar.step(acc.means()[0])
			}
		}
		names, vals := acc.names, acc.means()
		if vxs != nil {
			vn, vv, err := m.evaluate(vxs, vys, cfg.BatchSize)
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

// trainBatch runs one update and returns the batch's logged values (the
// loss with every penalty first).
func (m *Model) trainBatch(xs, ys []*tensor.Dense) ([]float64, error) {
	r, err := m.forward(xs, true)
	if err != nil {
		return nil, err
	}
	vals, dOuts, err := m.lossValues(r, ys, true)
	if err != nil {
		return nil, err
	}
	if err := m.backward(r, dOuts); err != nil {
		return nil, err
	}
	pg, err := m.penalties()
	if err != nil {
		return nil, err
	}
	wpen, err := pg.run(true)
	if err != nil {
		return nil, err
	}
	if err := m.opt.Step(m.TrainableParams()); err != nil {
		return nil, fmt.Errorf("model: optimizer: %w", err)
	}
	vals[0] += wpen + r.activity
	return vals, nil
}

// TrainOnBatch runs one training update on the batch x, y of a model of one
// input and one output (Keras train_on_batch): forward in training mode,
// loss, backward, optimizer step. It returns the batch's loss (with every
// penalty) and metrics by name.
func (m *Model) TrainOnBatch(x, y *tensor.Dense) (map[string]float64, error) {
	if err := m.one("TrainOnBatch"); err != nil {
		return nil, err
	}
	return m.TrainOnBatchMulti([]*tensor.Dense{x}, []*tensor.Dense{y})
}

// TrainOnBatchMulti is TrainOnBatch for a model of several inputs or
// outputs.
func (m *Model) TrainOnBatchMulti(xs, ys []*tensor.Dense) (map[string]float64, error) {
	if err := m.readyData(xs, ys); err != nil {
		return nil, err
	}
	vals, err := m.trainBatch(xs, ys)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for i, n := range m.logNames() {
		out[n] = vals[i]
	}
	return out, nil
}
