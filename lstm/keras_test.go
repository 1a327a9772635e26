package lstm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestLoadKerasWeights loads the default case's weights from the two npz
// archives (float32, written by numpy.savez from layer.get_weights()) and
// reproduces the case's output to float32 tolerance.
func TestLoadKerasWeights(t *testing.T) {
	def := readFixture(t, filepath.Join("testdata", "keras", "default.json"))
	for _, file := range []string{"default_get_weights.npz", "default_named.npz"} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			l, err := New(Default(def.Config.Units))
			if err != nil {
				t.Fatal(err)
			}
			if err := l.BuildFor(def.Input.Shape[2], dt); err != nil {
				t.Fatal(err)
			}
			if err := l.LoadKerasWeights(filepath.Join("testdata", "npz", file)); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			out, err := l.Call(def.Input.dense(dt), CallOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// float32 weights: tolerance 1e-4 relative, as the fixtures' float32 runs.
			if err := closeTo(out.Output, def.Outputs["output"], 1e-4); err != nil {
				t.Errorf("%s %v: %v", file, dt, err)
			}
		}
	}
}

// TestSaveKerasWeightsRoundTrip writes both layouts and reads them back
// exactly; a layer with other shapes refuses the archive and keeps its
// weights.
func TestSaveKerasWeightsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, err := New(Default(3))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.BuildFor(2, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	for _, named := range []bool{false, true} {
		path := filepath.Join(dir, "w.npz")
		if err := src.SaveKerasWeights(path, named); err != nil {
			t.Fatal(err)
		}
		dst, _ := New(Default(3))
		if err := dst.LoadKerasWeights(path); err != nil {
			t.Fatal(err)
		}
		for i, w := range src.Weights() {
			if !w.Eq(dst.Weights()[i]) {
				t.Errorf("named=%t: weight %d differs after round trip", named, i)
			}
		}
		other, _ := New(Default(4))
		if err := other.BuildFor(2, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		before := other.Weights()
		err := other.LoadKerasWeights(path)
		if err == nil || !strings.Contains(err.Error(), "kernel") {
			t.Errorf("loading 3-unit weights into a 4-unit layer: err = %v, want a kernel shape error", err)
		}
		for i, w := range other.Weights() {
			if !w.Eq(before[i]) {
				t.Errorf("failed load changed weight %d", i)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.npz"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, _ := New(Default(3))
	if err := l.LoadKerasWeights(filepath.Join(dir, "bad.npz")); err == nil {
		t.Error("loading a corrupt archive succeeded")
	}
}
