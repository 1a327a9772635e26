package model

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	_ "github.com/golstm/golstm/graph/layers" // Embedding, Masking, Dense
	_ "github.com/golstm/golstm/lstm"         // LSTM, Bidirectional

	"gorgonia.org/tensor"
)

// seqTensor is a fixture tensor: shape and row-major float64 values.
type seqTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (s *seqTensor) dense(dt tensor.Dtype) *tensor.Dense { return graph.NewTensor(dt, s.Shape, s.Data) }

// modelFixture is one golden Keras 2.2.4 model case (format:
// testdata/seqfixtures/models/README.md).
type modelFixture struct {
	Name        string `json:"name"`
	ModelConfig struct {
		ClassName string `json:"class_name"`
		Config    struct {
			Layers []struct {
				ClassName string          `json:"class_name"`
				Config    json.RawMessage `json:"config"`
			} `json:"layers"`
		} `json:"config"`
	} `json:"model_config"`
	Input      seqTensor            `json:"input"`
	InputIsIDs bool                 `json:"input_is_ids"`
	Weights    map[string]seqTensor `json:"weights"`
	Target     seqTensor            `json:"target"`
	Loss       string               `json:"loss"`
	LossValue  float64              `json:"loss_value"`
	Outputs    struct {
		Prediction seqTensor `json:"prediction"`
	} `json:"outputs"`
	OutputMask *seqTensor           `json:"output_mask"`
	Gradients  map[string]seqTensor `json:"gradients"`
}

// seqFixtureDir is the directory of the model cases: testdata/seqfixtures/models,
// or <SEQ_FIXTURES>/models when the environment variable SEQ_FIXTURES
// names a directory (as the lstm package reads its masking and
// bidirectional groups).
func seqFixtureDir() string {
	if d := os.Getenv("SEQ_FIXTURES"); d != "" {
		return filepath.Join(d, "models")
	}
	return filepath.Join("testdata", "seqfixtures", "models")
}

// TestSeqFixtures runs every golden Keras 2.2.4 model case (Sequential
// models of Embedding, Masking, LSTM, Bidirectional and Dense on
// variable-length sequences) in both unroll modes of the recurrent layers
// and both dtypes, as subtests models/<case>/unroll=<mode>/<dtype>: the
// model is built from its Keras JSON through the layer registry, the
// weights set, and the prediction, the mask that reaches the loss, the
// loss value (the masked loss of Keras 2.2.4's weighted_masked_objective)
// and every weight gradient compared with |got - want| <= tol·max(1,
// |want|), tol 1e-9 in float64 and 1e-4 in float32.
func TestSeqFixtures(t *testing.T) {
	t.Run("models", func(t *testing.T) {
		paths, err := filepath.Glob(filepath.Join(seqFixtureDir(), "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) == 0 {
			t.Fatalf("no model cases in %s", seqFixtureDir())
		}
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var f modelFixture
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if f.Name == "" {
				f.Name = filepath.Base(p)
			}
			for _, unroll := range []bool{true, false} {
				for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
					unroll, dt := unroll, dt
					t.Run(fmt.Sprintf("%s/unroll=%t/%v", f.Name, unroll, dt), func(t *testing.T) {
						t.Parallel()
						f.check(t, unroll, dt)
					})
				}
			}
		}
	})
}

// withUnroll returns a recurrent layer's Keras config with "unroll" set
// (for a Bidirectional, in its inner layer's config).
func withUnroll(class string, config json.RawMessage, unroll bool) (json.RawMessage, error) {
	var c map[string]any
	if err := json.Unmarshal(config, &c); err != nil {
		return nil, err
	}
	switch class {
	case "LSTM":
		c["unroll"] = unroll
	case "Bidirectional":
		inner, ok := c["layer"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Bidirectional config without a layer")
		}
		ic, ok := inner["config"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Bidirectional layer without a config")
		}
		ic["unroll"] = unroll
	}
	return json.Marshal(c)
}

// weightNames lists the fixture names of a layer's weights in Keras'
// get_weights order (the order of the layer's Params).
func weightNames(class, name string) []string {
	rnn := []string{"kernel", "recurrent_kernel", "bias"}
	var out []string
	add := func(prefix string, ws ...string) {
		for _, w := range ws {
			out = append(out, prefix+"/"+w)
		}
	}
	switch class {
	case "Embedding":
		add(name, "embeddings")
	case "LSTM":
		add(name, rnn...)
	case "Bidirectional":
		add(name+"/forward", rnn...)
		add(name+"/backward", rnn...)
	case "Dense":
		add(name, "kernel", "bias")
	}
	return out
}

func (f *modelFixture) check(t *testing.T, unroll bool, dt tensor.Dtype) {
	tol := 1e-9
	if dt == tensor.Float32 {
		tol = 1e-4
	}
	if f.ModelConfig.ClassName != "Sequential" {
		t.Fatalf("model class %q: want Sequential", f.ModelConfig.ClassName)
	}
	var ls []graph.Layer
	var names []string // fixture weight names, in the order of the model's Params
	for _, lc := range f.ModelConfig.Config.Layers {
		var base struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(lc.Config, &base); err != nil {
			t.Fatal(err)
		}
		cfg, err := withUnroll(lc.ClassName, lc.Config, unroll)
		if err != nil {
			t.Fatal(err)
		}
		l, err := graph.NewLayer(lc.ClassName, base.Name, cfg)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		for _, n := range weightNames(lc.ClassName, base.Name) {
			if _, ok := f.Weights[n]; ok {
				names = append(names, n)
			}
		}
	}
	m, err := NewSequential(dt, ls...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile(f.Loss, &testSGD{}); err != nil {
		t.Fatal(err)
	}
	x, y := f.Input.dense(dt), f.Target.dense(dt)
	if err := m.ready([]*tensor.Dense{x}); err != nil { // builds from the data
		t.Fatal(err)
	}
	ps := m.Params()
	if len(ps) != len(names) || len(names) != len(f.Weights) {
		t.Fatalf("%d weights in the model, %d in the case (%v)", len(ps), len(f.Weights), names)
	}
	ws := make([]*tensor.Dense, len(ps))
	for i, n := range names {
		w := f.Weights[n]
		ws[i] = w.dense(dt)
	}
	if err := m.SetWeights(ws...); err != nil {
		t.Fatal(err)
	}
	pred, err := m.Predict(x, x.Shape()[0])
	if err != nil {
		t.Fatal(err)
	}
	compareValues(t, "prediction", graph.Float64s(pred), f.Outputs.Prediction.Data, tol)
	if !slices.Equal(pred.Shape(), f.Outputs.Prediction.Shape) {
		t.Errorf("prediction of shape %v, want %v", pred.Shape(), f.Outputs.Prediction.Shape)
	}
	xs, ys := []*tensor.Dense{x}, []*tensor.Dense{y}
	if err := m.readyData(xs, ys); err != nil {
		t.Fatal(err)
	}
	r, err := m.forward(xs, true)
	if err != nil {
		t.Fatal(err)
	}
	mask := r.masks[m.outputs[0]]
	switch {
	case f.OutputMask == nil && mask != nil:
		t.Errorf("a mask reaches the loss; the case has none")
	case f.OutputMask != nil && mask == nil:
		t.Errorf("no mask reaches the loss; the case has %v", f.OutputMask.Data)
	case f.OutputMask != nil:
		keep, err := graph.MaskValues(mask)
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keep {
			if k != (f.OutputMask.Data[i] != 0) {
				t.Fatalf("output mask %v, want %v", keep, f.OutputMask.Data)
			}
		}
	}
	vals, dOuts, err := m.lossValues(r, ys, true)
	if err != nil {
		t.Fatal(err)
	}
	compareValues(t, "loss", vals[:1], []float64{f.LossValue}, tol)
	if err := m.backward(r, dOuts); err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		g, ok := f.Gradients[n]
		if !ok {
			t.Errorf("the case has no gradient of %s", n)
			continue
		}
		compareValues(t, "gradient of "+n, graph.Float64s(ps[i].Grad), g.Data, tol)
	}
}

// compareValues reports the first values of got that differ from want by
// more than tol·max(1, |want|), with the largest difference.
func compareValues(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	worst, at := 0.0, -1
	for i := range want {
		d := math.Abs(got[i] - want[i])
		if d > tol*math.Max(1, math.Abs(want[i])) && d > worst {
			worst, at = d, i
		}
	}
	if at >= 0 {
		t.Errorf("%s: [%d] = %v, want %v (difference %.3g, tol %g)", what, at, got[at], want[at], worst, tol)
	}
}
