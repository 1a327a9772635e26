package lstm

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// toyTask is a learnable sequence task: the target is the mean of the
// last two inputs of a (n, steps, 1) sequence of seeded noise.
func toyTask(dt tensor.Dtype, n, steps int) (x, y *tensor.Dense) {
	rng := graph.NewRNG(7)
	xs := make([]float64, n*steps)
	ys := make([]float64, n)
	for i := range xs {
		xs[i] = rng.Float64()*2 - 1
	}
	for i := range ys {
		ys[i] = (xs[i*steps+steps-1] + xs[i*steps+steps-2]) / 2
	}
	return graph.NewTensor(dt, []int{n, steps, 1}, xs), graph.NewTensor(dt, []int{n, 1}, ys)
}

// stackedModel is LSTM(8, return_sequences) → LSTM(6) → Dense(1).
func stackedModel(t *testing.T, dt tensor.Dtype, unroll bool) *model.Model {
	t.Helper()
	c1 := Default(8)
	c1.Name, c1.ReturnSequences, c1.Unroll, c1.Seed = "lstm_1", true, unroll, 1
	c2 := Default(6)
	c2.Name, c2.Unroll, c2.Seed = "lstm_2", unroll, 2
	l1, err := New(c1)
	if err != nil {
		t.Fatal(err)
	}
	l2, err := New(c2)
	if err != nil {
		t.Fatal(err)
	}
	dc := layers.DenseDefaults(1)
	dc.Name, dc.Seed = "dense", 3
	d, err := layers.NewDense(dc)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewSequential(dt, l1, l2, d)
	if err != nil {
		t.Fatal(err)
	}
	adam, err := optim.New("adam", 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("mse", adam); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestStackedModelTrains trains LSTM → LSTM → Dense on the toy task in both
// unroll modes and dtypes: the loss falls by half, the same seed gives the
// same history twice, and both unroll modes give the same history.
func TestStackedModelTrains(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		histories := map[bool][]float64{}
		for _, unroll := range []bool{false, true} {
			run := func() []float64 {
				m := stackedModel(t, dt, unroll)
				x, y := toyTask(dt, 64, 5)
				h, err := m.Fit(x, y, model.FitConfig{BatchSize: 16, Epochs: 12, Shuffle: true, Seed: 4})
				if err != nil {
					t.Fatal(err)
				}
				return h.History["loss"]
			}
			a, b := run(), run()
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("%v unroll=%t: epoch %d loss %v then %v with the same seed", dt, unroll, i, a[i], b[i])
				}
			}
			if last := a[len(a)-1]; !(last < a[0]/2) {
				t.Errorf("%v unroll=%t: loss %v → %v, want at least halved", dt, unroll, a[0], last)
			}
			histories[unroll] = a
		}
		tol := map[tensor.Dtype]float64{tensor.Float64: 1e-9, tensor.Float32: 1e-4}[dt]
		for i, v := range histories[true] {
			if w := histories[false][i]; math.Abs(v-w) > tol*math.Max(1, math.Abs(w)) {
				t.Errorf("%v: epoch %d loss unrolled %v, loop %v", dt, i, v, w)
			}
		}
	}
}

// TestSaveLoadStackedModel saves a trained stacked model and loads it back:
// predictions are identical, and so is the configuration of every layer.
func TestSaveLoadStackedModel(t *testing.T) {
	m := stackedModel(t, tensor.Float64, false)
	x, y := toyTask(tensor.Float64, 20, 5)
	if _, err := m.Fit(x, y, model.FitConfig{BatchSize: 8, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	want, err := m.Predict(x, 7)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m2.Predict(x, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Eq(want) {
		t.Errorf("loaded model predicts %v, saved one %v", got, want)
	}
	for i, l := range m.Layers() {
		a, _ := l.Config()
		b, _ := m2.Layers()[i].Config()
		if string(a) != string(b) {
			t.Errorf("layer %d config %s, loaded %s", i, a, b)
		}
	}
}

// TestStatefulFit trains a stateful model: the sample count must divide by
// the batch size, and the states are reset after each epoch.
func TestStatefulFit(t *testing.T) {
	c := Default(4)
	c.Stateful, c.Seed = true, 5
	l, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := layers.NewDense(layers.DenseDefaults(1))
	m, err := model.NewSequential(tensor.Float64, l, d)
	if err != nil {
		t.Fatal(err)
	}
	sgd, _ := optim.New("sgd", 0.1)
	if err := m.Compile("mse", sgd); err != nil {
		t.Fatal(err)
	}
	x, y := toyTask(tensor.Float64, 12, 3)
	if _, err := m.Fit(x, y, model.FitConfig{BatchSize: 5}); err == nil {
		t.Error("stateful fit with 12 samples in batches of 5 succeeded")
	}
	if _, err := m.Fit(x, y, model.FitConfig{BatchSize: 4, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	if s := l.States(); s != nil {
		t.Errorf("states after fit = %v, want reset (nil)", s)
	}
}

// TestBackwardParams: Backward without the input gradient (a model's first
// layer) writes the same weight gradients as with it, in both modes and with
// dropout.
func TestBackwardParams(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		for _, impl := range []int{1, 2} {
			cfg := Default(3)
			cfg.Unroll, cfg.Implementation, cfg.Seed = unroll, impl, 9
			cfg.Dropout, cfg.RecurrentDropout, cfg.ReturnSequences = 0.2, 0.3, true
			x, _ := toyTask(tensor.Float64, 4, 5)
			dy := graph.NewTensor(tensor.Float64, []int{4, 5, 3}, nil)
			for i := range dy.Data().([]float64) {
				dy.Data().([]float64)[i] = float64(i%7) - 3
			}
			var grads [2][]*tensor.Dense
			for r := range grads {
				l, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				p, err := l.Forward([]*tensor.Dense{x}, nil, true)
				if err != nil {
					t.Fatal(err)
				}
				dx, err := p.Backward([]*tensor.Dense{dy}, []bool{r == 0})
				if err != nil {
					t.Fatal(err)
				}
				if (dx[0] == nil) != (r == 1) {
					t.Errorf("needIn %v: input gradient %v", r == 0, dx[0] != nil)
				}
				for _, p := range l.Params() {
					grads[r] = append(grads[r], p.Grad)
				}
			}
			for i := range grads[0] {
				if !grads[0][i].Eq(grads[1][i]) {
					t.Errorf("unroll=%t impl%d: param %d gradient differs without the input gradient", unroll, impl, i)
				}
			}
		}
	}
}
