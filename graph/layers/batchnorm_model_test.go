package layers_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
)

// bnFit is the "fit" entry of testdata/batchnorm_keras224.json: data and
// the moving statistics Keras 2.2.4 has after one and two training batches
// of a BatchNormalization that sees the data itself.
type bnFit struct {
	X               []float64
	Shape           []int
	Momentum        float64
	Epsilon         float64
	MovingMean1     []float64 `json:"moving_mean1"`
	MovingVariance1 []float64 `json:"moving_variance1"`
	MovingMean2     []float64 `json:"moving_mean2"`
	MovingVariance2 []float64 `json:"moving_variance2"`
}

// bnModel returns Sequential [BatchNormalization(momentum), Dense(1)] for
// inputs (4, 2), compiled with SGD and mse.
func bnModel(t *testing.T, f bnFit) *model.Model {
	t.Helper()
	cfg := layers.BatchNormalizationDefaults()
	cfg.Name, cfg.Momentum, cfg.Epsilon = "bn", f.Momentum, f.Epsilon
	bn, err := layers.NewBatchNormalization(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc := layers.DenseDefaults(1)
	dc.Name, dc.Seed = "out", 3
	d, _ := layers.NewDense(dc)
	m, err := model.NewSequential(graph.Float64, bn, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(4, 2); err != nil {
		t.Fatal(err)
	}
	sgd := optim.NewSGD()
	sgd.LR = 0.1
	if err := m.Compile("mse", sgd); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBatchNormalizationFit: Fit updates the moving statistics once per
// batch as Keras 2.2.4 does (one and two batches of 3, against the numpy
// transcription), trains gamma and beta but never the moving statistics by
// the optimizer, Summary counts them as non-trainable, and the model file
// keeps the update count: a model saved after one batch and loaded trains
// the second batch to exactly the weights of two batches in one go.
func TestBatchNormalizationFit(t *testing.T) {
	b, err := os.ReadFile("testdata/batchnorm_keras224.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Fit bnFit }
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	f := file.Fit
	x := graph.NewTensor(graph.Float64, f.Shape, f.X)
	y := graph.NewTensor(graph.Float64, []int{6, 4, 1}, nil)
	// rows returns samples a to b-1 of x and y.
	rows := func(a, b int) (*graph.Tensor, *graph.Tensor) {
		return graph.NewTensor(graph.Float64, []int{b - a, 4, 2}, f.X[a*8:b*8]), graph.NewTensor(graph.Float64, []int{b - a, 4, 1}, nil)
	}
	stats := func(m *model.Model) ([]float64, []float64) {
		ps := m.Layer("bn").Params()
		return graph.Float64s(ps[2].Value), graph.Float64s(ps[3].Value)
	}
	close := func(a, b []float64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-12*math.Max(1, math.Abs(b[i])) {
				return false
			}
		}
		return true
	}
	for _, batches := range []int{1, 2} {
		m := bnModel(t, f)
		before := m.Weights()
		n := 3 * batches
		xs, ys := rows(0, n)
		if _, err := m.Fit(xs, ys, model.FitConfig{BatchSize: 3}); err != nil {
			t.Fatal(err)
		}
		mean, variance := stats(m)
		wantM, wantV := map[int][]float64{1: f.MovingMean1, 2: f.MovingMean2}[batches], map[int][]float64{1: f.MovingVariance1, 2: f.MovingVariance2}[batches]
		if !close(mean, wantM) || !close(variance, wantV) {
			t.Errorf("%d batches: moving mean %v, variance %v; want %v, %v", batches, mean, variance, wantM, wantV)
		}
		after := m.Weights()
		for i, name := range []string{"bn/gamma", "bn/beta"} {
			if slices.Equal(graph.Float64s(before[i]), graph.Float64s(after[i])) {
				t.Errorf("%d batches: %s not trained", batches, name)
			}
		}
		if got := len(m.TrainableParams()); got != 4 {
			t.Errorf("%d trainable params, want gamma, beta, kernel, bias", got)
		}
		if s := m.Summary(); !strings.Contains(s, "Total params: 11\nTrainable params: 7\nNon-trainable params: 4\n") {
			t.Errorf("summary:\n%s", s)
		}
	}

	straight := bnModel(t, f)
	if _, err := straight.Fit(x, y, model.FitConfig{BatchSize: 3}); err != nil {
		t.Fatal(err)
	}
	m := bnModel(t, f)
	first, firstY := rows(0, 3)
	if _, err := m.Fit(first, firstY, model.FitConfig{BatchSize: 3}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bn.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range loaded.Params() {
		q := m.Params()[i]
		if p.Name != q.Name || p.Statistic != q.Statistic || p.Frozen != q.Frozen || !slices.Equal(graph.Float64s(p.Value), graph.Float64s(q.Value)) {
			t.Errorf("weight %s (statistic %v) loaded as %s (statistic %v) or with other values", q.Name, q.Statistic, p.Name, p.Statistic)
		}
	}
	p1, _ := m.Predict(x, 6)
	p2, _ := loaded.Predict(x, 6)
	if !slices.Equal(graph.Float64s(p1), graph.Float64s(p2)) {
		t.Error("predictions differ after the model file round trip")
	}
	second, secondY := rows(3, 6)
	if _, err := loaded.Fit(second, secondY, model.FitConfig{BatchSize: 3}); err != nil {
		t.Fatal(err)
	}
	for i, p := range loaded.Params() {
		if q := straight.Params()[i]; !slices.Equal(graph.Float64s(p.Value), graph.Float64s(q.Value)) {
			t.Errorf("resumed %s = %v, straight %v", p.Name, graph.Float64s(p.Value), graph.Float64s(q.Value))
		}
	}
}
