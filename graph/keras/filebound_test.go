package keras

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph/hdf5"
)

// hostileH5 writes a whole-model .h5 of a few kilobytes whose config is
// Sequential [LSTM(units) on 3 features] and whose weights group holds
// three datasets of n values.
func hostileH5(t *testing.T, units, n int) string {
	t.Helper()
	w := hdf5.NewWriter()
	root := w.Root()
	cfg := fmt.Sprintf(`{"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": {"name": "lstm_1", "units": %d, "batch_input_shape": [null, 5, 3]}}]}`, units)
	for k, v := range map[string]any{"model_config": cfg, "keras_version": "2.2.4", "backend": "tensorflow"} {
		if err := root.SetAttr(k, v); err != nil {
			t.Fatal(err)
		}
	}
	mw, err := root.CreateGroup("model_weights")
	if err != nil {
		t.Fatal(err)
	}
	if err := mw.SetAttr("layer_names", []string{"lstm_1"}); err != nil {
		t.Fatal(err)
	}
	lg, err := mw.CreateGroup("lstm_1")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"lstm_1/kernel:0", "lstm_1/recurrent_kernel:0", "lstm_1/bias:0"}
	if err := lg.SetAttr("weight_names", names); err != nil {
		t.Fatal(err)
	}
	sub, err := lg.CreateGroup("lstm_1")
	if err != nil {
		t.Fatal(err)
	}
	values := n
	for _, n := range []string{"kernel:0", "recurrent_kernel:0", "bias:0"} {
		if _, err := sub.CreateDataset(n, []int{values}, make([]float32, values)); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "hostile.h5")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadBoundedByFile: a file of a few kilobytes whose config describes
// an LSTM of 4096 units (67 million weight values, below
// DefaultMaxWeights) is refused before the model is built, because its
// weights hold 6 values: nothing near the model's size is allocated and
// no initializer runs. The same config with a file that holds the weights
// loads (TestKerasModelFiles).
func TestLoadBoundedByFile(t *testing.T) {
	path := hostileH5(t, 4096, 2)
	st, _ := os.Stat(path)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Load(path)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), `"lstm_1"`) || !strings.Contains(err.Error(), "the file's weights hold") {
		t.Fatalf("LSTM(4096) in a %d-byte file: error %v, want one naming the layer and the file's weights", st.Size(), err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("refusing a %d-byte file allocated %d bytes: want under 4 MiB", st.Size(), got)
	}
	// A bound set by the caller still applies when it is the smaller one.
	if _, err := LoadWith(hostileH5(t, 1, 40), Options{MaxWeights: 10}); err == nil || !strings.Contains(err.Error(), "Options.MaxWeights") {
		t.Errorf("LSTM(1) (28 weights) with MaxWeights 10: error %v, want one naming Options.MaxWeights", err)
	}
}
