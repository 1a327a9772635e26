package callbacks

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
)

// epochs drives a callback's OnEpochEnd with the given monitored values,
// marking each epoch's weights with a bias equal to the epoch.
func epochs(t *testing.T, cb model.Callback, m *model.Model, name string, vals ...float64) {
	t.Helper()
	for e, v := range vals {
		setBias(t, m, float64(e))
		if err := cb.OnEpochEnd(m, e, map[string]float64{"loss": v, name: v}); err != nil {
			t.Fatal(err)
		}
	}
}

// loadedBias returns the bias of the model saved at path.
func loadedBias(t *testing.T, path string) (float64, *model.Model) {
	t.Helper()
	l, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return graph.Float64s(l.Params()[1].Value)[0], l
}

// TestModelCheckpointBestOnly: with SaveBestOnly, a checkpoint is written
// only when val_loss is strictly below the best saved (0.5, 0.4, 0.4,
// 0.45, 0.3, 0.35: epochs 0, 1 and 4); in mode max, when it is above. The
// file holds the best epoch's weights and, as in Keras 2.2.4, the best
// carries over to the next Fit with the same callback.
func TestModelCheckpointBestOnly(t *testing.T) {
	dir := t.TempDir()
	m := tinyModel(t, 0.1)
	path := filepath.Join(dir, "best.golstm")
	c := &ModelCheckpoint{Filepath: path, SaveBestOnly: true}
	if err := c.OnTrainBegin(m, params("loss", "val_loss")); err != nil {
		t.Fatal(err)
	}
	epochs(t, c, m, "val_loss", 0.5, 0.4, 0.4, 0.45, 0.3, 0.35)
	if got := len(c.Saved()); got != 3 || c.Best() != 0.3 {
		t.Errorf("%d checkpoints, best %v: want 3, 0.3", got, c.Best())
	}
	if b, l := loadedBias(t, path); b != 4 || l.Optimizer() == nil {
		t.Errorf("checkpoint holds epoch %v's weights (compiled %v): want epoch 4's, compiled", b, l.Optimizer() != nil)
	}
	c.OnTrainBegin(m, params("loss", "val_loss"))
	epochs(t, c, m, "val_loss", 0.35)
	if len(c.Saved()) != 3 {
		t.Error("a second Fit forgot the best value")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want the checkpoint only", len(entries))
	}

	m = tinyModel(t, 0.1)
	c = &ModelCheckpoint{Filepath: filepath.Join(dir, "acc.golstm"), Monitor: "val_acc", SaveBestOnly: true, Mode: "max", SaveWeightsOnly: true}
	c.OnTrainBegin(m, params("loss", "val_acc"))
	epochs(t, c, m, "val_acc", 0.5, 0.7, 0.6)
	if b, l := loadedBias(t, c.Filepath); b != 1 || l.Optimizer() != nil {
		t.Errorf("max mode: epoch %v's weights (compiled %v): want epoch 1's, weights only", b, l.Optimizer() != nil)
	}
}

// TestModelCheckpointPeriod: every Period epochs, at a path filled from
// the epoch (from 1) and the logs.
func TestModelCheckpointPeriod(t *testing.T) {
	dir := t.TempDir()
	m := tinyModel(t, 0.1)
	c := &ModelCheckpoint{Filepath: filepath.Join(dir, "w.{epoch:02d}-{loss:.2f}.golstm"), Period: 2}
	if err := c.OnTrainBegin(m, params("loss")); err != nil {
		t.Fatal(err)
	}
	epochs(t, c, m, "loss", 0.5, 0.4, 0.45, 0.3, 0.35)
	want := []string{filepath.Join(dir, "w.02-0.40.golstm"), filepath.Join(dir, "w.04-0.30.golstm")}
	if !slices.Equal(c.Saved(), want) {
		t.Errorf("saved %v, want %v", c.Saved(), want)
	}
	if b, _ := loadedBias(t, want[1]); b != 3 {
		t.Errorf("w.04 holds epoch %v's weights, want index 3", b)
	}
}

// TestModelCheckpointWriters: Save and SaveWeights hooks write the
// checkpoints (an HDF5 writer from package graph/keras plugs in there),
// through a temporary file with the same extension renamed into place; a
// failing write leaves the previous checkpoint and no temporary file; an
// HDF5 name without a writer, a bad field and a bad period are refused
// before training.
func TestModelCheckpointWriters(t *testing.T) {
	dir := t.TempDir()
	m := tinyModel(t, 0.1)
	path := filepath.Join(dir, "model.h5")
	var got []string
	fail := false
	c := &ModelCheckpoint{Filepath: path, Save: func(m *model.Model, p string) error {
		got = append(got, p)
		if fail {
			os.WriteFile(p, []byte("partial"), 0o644)
			return errors.New("disk full")
		}
		return os.WriteFile(p, []byte("hdf5 bytes"), 0o644)
	}}
	if err := c.OnTrainBegin(m, params("loss")); err != nil {
		t.Fatal(err)
	}
	epochs(t, c, m, "val_loss", 1)
	if len(got) != 1 || filepath.Dir(got[0]) != dir || filepath.Ext(got[0]) != ".h5" || got[0] == path {
		t.Errorf("writer called with %v: want a temporary .h5 path in %s", got, dir)
	}
	fail = true
	if err := c.OnEpochEnd(m, 1, map[string]float64{"loss": 1}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("failing writer: error %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "hdf5 bytes" {
		t.Errorf("after a failed write the checkpoint holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the folder, want 1", len(entries))
	}
	for _, c := range []struct {
		c    ModelCheckpoint
		want string
	}{
		{ModelCheckpoint{Filepath: "x.h5"}, ".h5 names a Keras file"},
		{ModelCheckpoint{Filepath: "x.hdf5", SaveWeightsOnly: true, Save: (*model.Model).Save}, ".hdf5 names a Keras file"},
		{ModelCheckpoint{Filepath: "x.keras"}, ".keras names a Keras file"},
		{ModelCheckpoint{Filepath: "x-{val_acc}.golstm"}, `"val_acc" is not logged`},
		{ModelCheckpoint{Filepath: "x.golstm", Period: -1}, "period -1"},
		{ModelCheckpoint{Filepath: "x.golstm", SaveBestOnly: true}, `monitors "val_loss"`},
		{ModelCheckpoint{}, "Filepath is empty"},
		{ModelCheckpoint{Filepath: filepath.Join(dir, "none", "x.golstm")}, "none does not exist"},
	} {
		if err := c.c.OnTrainBegin(m, params("loss")); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.c.Filepath, err, c.want)
		}
	}
}
