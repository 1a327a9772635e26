package callbacks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golstm/golstm/graph/model"
)

// ModelCheckpoint saves the model after every Period epochs, as Keras
// 2.2.4's ModelCheckpoint. Filepath may hold Python format fields filled
// from the epoch (counted from 1, as Keras names checkpoints) and the
// epoch's logs: "weights.{epoch:02d}-{val_loss:.2f}.golstm" (see
// formatPath for the specifications accepted). With SaveBestOnly, a
// checkpoint is written only when the monitored value is strictly better
// than the best one saved (Mode as EarlyStopping's), so a fixed Filepath
// always holds the best model.
//
// Each checkpoint is written atomically: to a temporary file in the same
// folder, renamed over Filepath once complete, so an interrupted run never
// leaves a truncated checkpoint nor loses the previous one.
//
// The default writers are Model.Save and, with SaveWeightsOnly,
// Model.SaveWeights (the golstm model file format). Keras' files come from
// the Save and SaveWeights hooks: set them to a Keras HDF5 writer (package
// graph/keras) to write .h5 checkpoints; a Filepath ending in .h5, .hdf5 or
// .keras without them is an error rather than a golstm file with a Keras
// name.
//
// As in Keras 2.2.4, the best value and the count of epochs since the last
// checkpoint carry over to the next Fit with the same ModelCheckpoint.
type ModelCheckpoint struct {
	model.CallbackBase
	// Filepath is the path of the checkpoints, with format fields.
	Filepath string
	// Monitor is the log name compared with SaveBestOnly ("val_loss" when
	// empty).
	Monitor string
	// Verbose 1 writes a line to FitParams.Output at every checkpoint
	// decision.
	Verbose int
	// SaveBestOnly saves only epochs that improve on the best saved.
	SaveBestOnly bool
	// SaveWeightsOnly saves the weights only (SaveWeights).
	SaveWeightsOnly bool
	// Mode is "min", "max" or "auto" (the default: max when Monitor
	// contains "acc", else min).
	Mode string
	// Period is the number of epochs between checkpoints (0 means 1).
	Period int
	// Save and SaveWeights write a model, or its weights only, to path;
	// nil means (*model.Model).Save and (*model.Model).SaveWeights.
	Save, SaveWeights func(m *model.Model, path string) error

	started bool
	mon     monitor
	out     fitOutput
	best    float64
	since   int
	saved   []string
}

// OnTrainBegin checks the settings (the Filepath fields against the logged
// names, its folder, and the monitored name with SaveBestOnly), so that a
// mistake shows before the first epoch rather than after it.
func (c *ModelCheckpoint) OnTrainBegin(m *model.Model, p model.FitParams) error {
	if c.Filepath == "" {
		return fmt.Errorf("callbacks: ModelCheckpoint: Filepath is empty")
	}
	if c.Monitor == "" {
		c.Monitor = "val_loss"
	}
	if c.Period < 0 {
		return fmt.Errorf("callbacks: ModelCheckpoint period %d: want 1 or more (0 means 1)", c.Period)
	}
	switch ext := strings.ToLower(filepath.Ext(c.Filepath)); ext {
	case ".h5", ".hdf5", ".keras":
		if (c.SaveWeightsOnly && c.SaveWeights == nil) || (!c.SaveWeightsOnly && c.Save == nil) {
			return fmt.Errorf("callbacks: ModelCheckpoint filepath %q: %s names a Keras file, which the default writer (the golstm model format) does not write: set Save and SaveWeights to a Keras writer (package graph/keras), or name the file .golstm", c.Filepath, ext)
		}
	}
	logs := map[string]float64{}
	for _, n := range p.Metrics {
		logs[n] = 0
	}
	if _, err := formatPath(c.Filepath, 1, logs); err != nil {
		return fmt.Errorf("callbacks: ModelCheckpoint filepath %q: %w", c.Filepath, err)
	}
	if dir := filepath.Dir(c.Filepath); !strings.ContainsAny(dir, "{}") {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("callbacks: ModelCheckpoint filepath %q: folder %s does not exist", c.Filepath, dir)
		}
	}
	mon, err := newMonitor("ModelCheckpoint", c.Monitor, c.Mode, p.Metrics)
	if err != nil && c.SaveBestOnly {
		return err
	}
	c.mon, c.out = mon, fitOutput{p, c.Verbose}
	if !c.started {
		c.best, c.started = mon.worst(), true
	}
	return nil
}

// OnEpochEnd writes a checkpoint every Period epochs (with SaveBestOnly,
// only when the monitored value improved).
func (c *ModelCheckpoint) OnEpochEnd(m *model.Model, epoch int, logs map[string]float64) error {
	c.since++
	if c.since < max(c.Period, 1) {
		return nil
	}
	c.since = 0
	path, err := formatPath(c.Filepath, epoch+1, logs)
	if err != nil {
		return fmt.Errorf("callbacks: ModelCheckpoint filepath %q: %w", c.Filepath, err)
	}
	if c.SaveBestOnly {
		cur, ok := logs[c.Monitor]
		switch {
		case !ok:
			return nil // an epoch stopped part way, without validation
		case !c.mon.improves(cur, c.best, 0):
			c.out.printf("Epoch %05d: %s did not improve from %s", epoch+1, c.Monitor, pyFixed5(c.best))
			return nil
		}
		c.out.printf("Epoch %05d: %s improved from %s to %s, saving model to %s", epoch+1, c.Monitor, pyFixed5(c.best), pyFixed5(cur), path)
		c.best = cur
	} else {
		c.out.printf("Epoch %05d: saving model to %s", epoch+1, path)
	}
	return c.write(m, path)
}

// write saves m to path through a temporary file in the same folder.
func (c *ModelCheckpoint) write(m *model.Model, path string) error {
	save := c.Save
	if c.SaveWeightsOnly {
		save = c.SaveWeights
	}
	if save == nil {
		save = (*model.Model).Save
		if c.SaveWeightsOnly {
			save = (*model.Model).SaveWeights
		}
	}
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	f, err := os.CreateTemp(filepath.Clean(dir+"."), "."+strings.TrimSuffix(base, ext)+".tmp-*"+ext)
	if err != nil {
		return fmt.Errorf("callbacks: ModelCheckpoint: %w", err)
	}
	tmp := f.Name()
	f.Close()
	if err := save(m, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("callbacks: ModelCheckpoint: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("callbacks: ModelCheckpoint: %w", err)
	}
	c.saved = append(c.saved, path)
	return nil
}

// Saved returns the paths written so far, in order.
func (c *ModelCheckpoint) Saved() []string { return append([]string(nil), c.saved...) }

// Best returns the best monitored value saved (±Inf before the first
// checkpoint with SaveBestOnly).
func (c *ModelCheckpoint) Best() float64 { return c.best }

// pyFixed5 formats v as Python's '%0.5f' does (inf, -inf, nan).
func pyFixed5(v float64) string {
	s, _ := formatSpec{precision: 5, typ: 'f', fill: ' '}.formatFloat(v)
	return s
}
