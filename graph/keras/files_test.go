package keras

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
)

// kerasCase is one case of real Keras files (the format of the shared
// fixtures' keras-files, README there): the model file, or the weights
// file and the to_json architecture beside it, inputs and the predictions
// of the stored model.
type kerasCase struct {
	Model           string  `json:"model"`
	Architecture    string  `json:"architecture"`
	KerasVersion    string  `json:"keras_version"`
	Input           any     `json:"input"`
	InputShape      []int   `json:"input_shape"`
	Expected        any     `json:"expected"`
	ExpectedShape   []int   `json:"expected_shape"`
	Inputs          []any   `json:"inputs"`
	InputShapes     [][]int `json:"input_shapes"`
	ExpectedOutputs []any   `json:"expected_outputs"`
	ExpectedShapes  [][]int `json:"expected_shapes"`
}

// flat returns the numbers of nested lists, row-major.
func flat(v any) []float64 {
	switch x := v.(type) {
	case float64:
		return []float64{x}
	case []any:
		var out []float64
		for _, e := range x {
			out = append(out, flat(e)...)
		}
		return out
	}
	return nil
}

// kerasFilesDir returns the directory of cases: $KERAS_FILES, or the
// shipped copies in testdata.
func kerasFilesDir() string {
	if d := os.Getenv("KERAS_FILES"); d != "" {
		return d
	}
	return "testdata"
}

// loadCase loads the model of a case: the model file, or the architecture
// and its weights.
func loadCase(dir string, c *kerasCase) (*model.Model, error) {
	if c.Architecture == "" {
		return Load(filepath.Join(dir, c.Model))
	}
	arch, err := os.ReadFile(filepath.Join(dir, c.Architecture))
	if err != nil {
		return nil, err
	}
	m, err := ModelFromJSON(arch, Options{})
	if err != nil {
		return nil, err
	}
	if err := LoadWeights(m, filepath.Join(dir, c.Model), false); err != nil {
		return nil, err
	}
	return m, nil
}

// TestKerasModelFiles loads every case of real Keras files (KERAS_FILES, or
// the shipped copies) and compares the model's prediction with the stored
// one: |got - want| <= 1e-4·max(1, |want|), in float32 as Keras computes.
func TestKerasModelFiles(t *testing.T) {
	dir := kerasFilesDir()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c kerasCase
		if err := json.Unmarshal(data, &c); err != nil || c.Model == "" {
			continue // not a case (an architecture file)
		}
		ran++
		t.Run(strings.TrimSuffix(filepath.Base(p), ".json"), func(t *testing.T) {
			m, err := loadCase(dir, &c)
			if err != nil {
				t.Fatal(err)
			}
			xs, wants, shapes := []any{c.Input}, []any{c.Expected}, [][]int{c.ExpectedShape}
			inShapes := [][]int{c.InputShape}
			if c.Inputs != nil {
				xs, wants, shapes, inShapes = c.Inputs, c.ExpectedOutputs, c.ExpectedShapes, c.InputShapes
			}
			ins := make([]*graph.Tensor, len(xs))
			for i, x := range xs {
				ins[i] = graph.NewTensor(m.Dtype(), inShapes[i], flat(x))
			}
			outs, err := m.PredictMulti(ins, inShapes[0][0])
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != len(wants) {
				t.Fatalf("%d outputs, want %d", len(outs), len(wants))
			}
			for k, out := range outs {
				want := flat(wants[k])
				if got := []int(out.Shape()); !slices.Equal(got, shapes[k]) {
					t.Fatalf("output %d of shape %v, want %v", k, got, shapes[k])
				}
				maxDiff, bad := 0.0, 0
				for i, g := range graph.Float64s(out) {
					d := math.Abs(g - want[i])
					maxDiff = math.Max(maxDiff, d)
					if d > 1e-4*math.Max(1, math.Abs(want[i])) {
						if bad++; bad <= 3 {
							t.Errorf("output %d value %d: %v, want %v", k, i, g, want[i])
						}
					}
				}
				t.Logf("output %d: %d values, max |got-want| = %.3g", k, len(want), maxDiff)
			}
		})
	}
	if ran == 0 {
		t.Fatalf("no cases in %s", dir)
	}
}
