package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
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
	// Epochs is the index after the last epoch (default 1): Fit runs
	// epochs InitialEpoch, …, Epochs−1.
	Epochs int
	// InitialEpoch is the first epoch (Keras' initial_epoch), for a
	// resumed training whose epochs keep counting in the History, the logs
	// and checkpoint names. At or after Epochs, nothing is trained.
	InitialEpoch int
	// Shuffle shuffles the training samples every epoch. The order is
	// drawn from the model's shuffling stream, started from NewRNG(Seed)
	// by the first Fit that shuffles and continued by the next ones with
	// the same Seed, also across Save and Load: 3 epochs, Save, Load and 2
	// more shuffle as 5 epochs in one Fit. A Fit with another Seed starts
	// the stream anew from it. Unlike Keras the default is false (time
	// series); it is an error with a stateful layer.
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
	// Callbacks, Keras' (package callbacks) or the user's own, are called
	// in order (see Callback).
	Callbacks []Callback
	// Context, when not nil, ends training once it is done (cancelled or
	// past its deadline): Fit finishes the batch in progress, leaves that
	// epoch out of the History, calls OnTrainEnd and returns the History
	// with Status FitCancelled and a nil error. The demo cancels it on
	// Ctrl-C (signal.NotifyContext).
	Context context.Context
	// Verbose is Keras' verbosity: 0 silent; 1 a progress bar redrawn after
	// every batch when Progress is a terminal, otherwise one line per
	// epoch; 2 one line per epoch ("Epoch 3/10 - 2s - loss: 0.1234 -
	// val_loss: 0.2345").
	Verbose int
	// Progress receives the progress output and the callbacks' messages
	// (default os.Stderr).
	Progress io.Writer
	// KeepStates leaves stateful layers' states alone at the end of each
	// epoch; by default Fit calls ResetStates after every epoch (after its
	// validation).
	KeepStates bool
}

// Fit trains a model of one input and one output on x, y and returns the
// per-epoch History. Each batch: forward (training), loss and its
// gradient, backward through the layers, weight-penalty gradients added,
// optimizer step. A batch whose loss (with penalties) is NaN or infinite
// is not applied: Fit ends with an error naming the epoch and the batch,
// whatever the callbacks, and the History's Status is FitNonFinite. With
// a stateful layer, shuffling is refused, every data set must divide into
// full batches, states carry across batches and are reset after each epoch
// unless KeepStates. With several outputs the logs hold "loss" (the
// weighted sum), "<output layer>_loss" for each output and the metrics as
// "<output layer>_<metric>". The History is returned with an error too:
// it holds the epochs that completed.
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
	if cfg.InitialEpoch < 0 {
		return nil, fmt.Errorf("model: Fit initial epoch %d: want 0 or more", cfg.InitialEpoch)
	}
	if cfg.Verbose < 0 || cfg.Verbose > 2 {
		return nil, fmt.Errorf("model: Fit verbose %d: want 0 (silent), 1 (progress bar) or 2 (one line per epoch)", cfg.Verbose)
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
	f := &fitRun{m: m, cfg: cfg, ctx: cfg.Context, xs: xs, ys: ys, vxs: vxs, vys: vys, n: n,
		stateful: stateful, names: m.logNames(), hist: newHistory()}
	if f.ctx == nil {
		f.ctx = context.Background()
	}
	steps := (n + cfg.BatchSize - 1) / cfg.BatchSize
	f.params = FitParams{Epochs: cfg.Epochs, InitialEpoch: cfg.InitialEpoch, BatchSize: cfg.BatchSize,
		Samples: n, Steps: steps, Verbose: cfg.Verbose, Validation: vxs != nil, Output: cfg.Progress,
		Metrics: append([]string(nil), f.names...)}
	if vxs != nil {
		for _, name := range f.names {
			f.params.Metrics = append(f.params.Metrics, "val_"+name)
		}
	}
	f.prog = newProgress(cfg.Progress, cfg.Verbose, cfg.Epochs, steps)
	return f.run()
}

// fitRun is one Fit in progress.
type fitRun struct {
	m                *Model
	cfg              FitConfig
	ctx              context.Context
	xs, ys, vxs, vys []*tensor.Dense
	n                int
	stateful         bool
	names            []string // a batch's log names
	params           FitParams
	prog             *progress // nil when quiet
	hist             *History
	begun            []Callback // the callbacks whose OnTrainBegin ran
}

// run trains, then calls OnTrainEnd on every callback whose OnTrainBegin
// ran, whatever happened.
func (f *fitRun) run() (*History, error) {
	f.m.stop, f.m.stopReason = false, ""
	err := f.train()
	if err != nil && f.hist.Status != FitNonFinite {
		f.hist.end(FitFailed, err.Error())
	}
	for _, cb := range f.begun {
		if e := cb.OnTrainEnd(f.m, f.hist); e != nil {
			e = hookErr(cb, "OnTrainEnd", e)
			if err == nil {
				f.hist.end(FitFailed, e.Error())
			}
			err = errors.Join(err, e)
		}
	}
	f.m.stop, f.m.stopReason = false, ""
	return f.hist, err
}

// train runs the epochs.
func (f *fitRun) train() error {
	for _, cb := range f.cfg.Callbacks {
		if err := cb.OnTrainBegin(f.m, f.params); err != nil {
			return hookErr(cb, "OnTrainBegin", err)
		}
		f.begun = append(f.begun, cb)
	}
	var rng *rand.Rand
	if f.cfg.Shuffle {
		rng = f.m.shuffleStream(f.cfg.Seed)
	}
	for epoch := f.cfg.InitialEpoch; epoch < f.cfg.Epochs; epoch++ {
		if f.ctx.Err() != nil {
			f.cancel(epoch, -1)
			return nil
		}
		if done, err := f.epoch(epoch, rng); done || err != nil {
			return err
		}
	}
	return nil
}

// epoch runs one epoch and reports whether training ends with it.
func (f *fitRun) epoch(epoch int, rng *rand.Rand) (bool, error) {
	m, cfg := f.m, f.cfg
	for _, cb := range cfg.Callbacks {
		if err := cb.OnEpochBegin(m, epoch); err != nil {
			return true, hookErr(cb, "OnEpochBegin", err)
		}
	}
	idx := span(0, f.n)
	if rng != nil {
		rng.Shuffle(f.n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	if f.prog != nil {
		f.prog.beginEpoch(epoch)
	}
	acc := newAccumulator(f.names)
	batch := 0
	for from := 0; from < f.n && !m.stop; from += cfg.BatchSize {
		if f.ctx.Err() != nil {
			f.cancel(epoch, batch)
			return true, nil
		}
		b := idx[from:min(from+cfg.BatchSize, f.n)]
		logs := map[string]float64{"batch": float64(batch), "size": float64(len(b))}
		for _, cb := range cfg.Callbacks {
			if err := cb.OnBatchBegin(m, batch, logs); err != nil {
				return true, hookErr(cb, "OnBatchBegin", err)
			}
		}
		vals, err := m.trainBatch(rowsAll(f.xs, b), rowsAll(f.ys, b))
		if err != nil {
			return true, fmt.Errorf("model: Fit epoch %d/%d, batch %d/%d: %w", epoch+1, cfg.Epochs, batch+1, f.params.Steps, err)
		}
		for i, name := range f.names {
			logs[name] = vals[i]
		}
		if l := vals[0]; math.IsNaN(l) || math.IsInf(l, 0) {
			return true, f.nonFinite(epoch, batch, logs)
		}
		acc.add(len(b), vals)
		if f.prog != nil {
			f.prog.batch(acc.means()[0])
		}
		for _, cb := range cfg.Callbacks {
			if err := cb.OnBatchEnd(m, batch, logs); err != nil {
				return true, hookErr(cb, "OnBatchEnd", err)
			}
		}
		batch++
	}
	logs := map[string]float64{}
	for i, v := range acc.means() {
		logs[f.names[i]] = v
	}
	if f.vxs != nil && !m.stop {
		if f.ctx.Err() != nil {
			f.cancel(epoch, batch)
			return true, nil
		}
		vn, vv, err := m.evaluate(f.vxs, f.vys, cfg.BatchSize)
		if err != nil {
			return true, fmt.Errorf("model: Fit epoch %d/%d validation: %w", epoch+1, cfg.Epochs, err)
		}
		for i := range vn {
			logs["val_"+vn[i]] = vv[i]
		}
	}
	if f.prog != nil {
		f.prog.endEpoch(f.params.Metrics, logs)
	}
	if f.stateful && !cfg.KeepStates {
		if err := m.ResetStates(); err != nil {
			return true, err
		}
	}
	for _, cb := range cfg.Callbacks {
		if err := cb.OnEpochEnd(m, epoch, logs); err != nil {
			return true, hookErr(cb, "OnEpochEnd", err)
		}
	}
	f.hist.append(epoch, f.params.Metrics, logs)
	if m.stop {
		f.hist.end(FitStopped, m.stopReason)
		if f.prog != nil {
			f.prog.stopped(epoch, m.stopReason)
		}
		return true, nil
	}
	return false, nil
}

// cancel ends training on a done Context during epoch, after batches of
// its batches (-1: before it began).
func (f *fitRun) cancel(epoch, batches int) {
	cause := context.Cause(f.ctx)
	where := fmt.Sprintf("before epoch %d/%d", epoch+1, f.cfg.Epochs)
	if batches >= 0 {
		where = fmt.Sprintf("in epoch %d/%d after %d of %d batches (that epoch is left out of the history)", epoch+1, f.cfg.Epochs, batches, f.params.Steps)
		if f.prog != nil {
			f.prog.interrupt(batches, fmt.Sprintf("cancelled (%v)", cause))
		}
	}
	f.hist.end(FitCancelled, fmt.Sprintf("%v %s", cause, where))
}

// nonFinite ends training on a NaN or infinite loss: the batch was not
// applied; the callbacks' OnBatchEnd still see its logs.
func (f *fitRun) nonFinite(epoch, batch int, logs map[string]float64) error {
	why := fmt.Sprintf("loss is %v in epoch %d/%d, batch %d/%d; that batch was not applied", logs["loss"], epoch+1, f.cfg.Epochs, batch+1, f.params.Steps)
	f.hist.end(FitNonFinite, why)
	if f.prog != nil {
		f.prog.interrupt(batch, why)
	}
	err := fmt.Errorf("model: Fit: %s: training stopped (lower the learning rate, clip the gradients or check the data)", why)
	for _, cb := range f.cfg.Callbacks {
		if e := cb.OnBatchEnd(f.m, batch, logs); e != nil {
			err = errors.Join(err, hookErr(cb, "OnBatchEnd", e))
		}
	}
	return err
}

// hookErr names the callback and the hook of an error.
func hookErr(cb Callback, hook string, err error) error {
	return fmt.Errorf("model: Fit: %T.%s: %w", cb, hook, err)
}

// trainBatch runs one update and returns the batch's logged values (the
// loss with every penalty first). A batch whose loss is NaN or infinite is
// not applied (its values are returned, without an error).
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
	vals[0] += wpen + r.activity
	if math.IsNaN(vals[0]) || math.IsInf(vals[0], 0) {
		return vals, nil
	}
	if err := m.opt.Step(m.TrainableParams()); err != nil {
		return nil, fmt.Errorf("model: optimizer: %w", err)
	}
	return vals, nil
}

// shuffleStream returns the model's shuffling stream for seed (see
// FitConfig.Shuffle).
func (m *Model) shuffleStream(seed uint64) *rand.Rand {
	if m.shuffle == nil || m.shuffle.seed != seed {
		src := graph.NewPCG(seed)
		m.shuffle = &shuffler{seed: seed, src: src, rng: rand.New(src)}
	}
	return m.shuffle.rng
}

// shuffler is a model's shuffling stream: its seed and its source, whose
// state a model file keeps.
type shuffler struct {
	seed uint64
	src  *rand.PCG
	rng  *rand.Rand
}

// TrainOnBatch runs one training update on the batch x, y of a model of one
// input and one output (Keras train_on_batch): forward in training mode,
// loss, backward, optimizer step. It returns the batch's loss (with every
// penalty) and metrics by name. A batch whose loss is NaN or infinite is
// not applied: its values come with an error.
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
	if l := vals[0]; math.IsNaN(l) || math.IsInf(l, 0) {
		return out, fmt.Errorf("model: TrainOnBatch: loss is %v: the update was not applied", l)
	}
	return out, nil
}
