package model

import (
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/optim"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// testSGD is plain gradient descent for tests, an optimizer of the user's
// own (package optim holds the real ones): v -= lr·g, then the constraint.
// It counts its steps.
type testSGD struct {
	lr    float64
	steps int
}

func (o *testSGD) Name() string               { return "test_sgd" }
func (o *testSGD) Validate() error            { return nil }
func (o *testSGD) State() optim.State         { return optim.State{} }
func (o *testSGD) SetState(optim.State) error { return nil }
func (o *testSGD) LearningRate() float64      { return o.lr }
func (o *testSGD) SetLearningRate(lr float64) error {
	o.lr = lr
	return nil
}

// randValues returns n values uniform in [-1, 1) drawn from seed.
func randValues(n int, seed uint64) []float64 {
	rng := graph.NewRNG(seed)
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()*2 - 1
	}
	return v
}

func (o *testSGD) Step(params []*graph.Param) error {
	o.steps++
	for _, p := range params {
		v, g := graph.Float64s(p.Value), graph.Float64s(p.Grad)
		for i := range v {
			v[i] -= o.lr * g[i]
		}
		graph.CopyInto(p.Value, graph.NewTensor(p.Value.Dtype(), p.Value.Shape(), v))
		if p.Constraint != nil {
			if err := p.Constraint.Apply(p.Value); err != nil {
				return err
			}
		}
	}
	return nil
}

// toyData returns y = 2·x0 - x1 + 0.5 on n samples of 2 features.
func toyData(dt tensor.Dtype, n int) (*tensor.Dense, *tensor.Dense) {
	xv := randValues(2*n, 11)
	yv := make([]float64, n)
	for i := range yv {
		yv[i] = 2*xv[2*i] - xv[2*i+1] + 0.5
	}
	return graph.NewTensor(dt, []int{n, 2}, xv), graph.NewTensor(dt, []int{n, 1}, yv)
}

func toyModel(t *testing.T, dt tensor.Dtype, lr float64, metrics ...string) (*Model, *testSGD) {
	t.Helper()
	h := layers.DenseDefaults(8)
	h.Name, h.Activation, h.Seed = "hidden", "tanh", 1
	o := layers.DenseDefaults(1)
	o.Name, o.Seed = "out", 2
	l1, err := layers.NewDense(h)
	if err != nil {
		t.Fatal(err)
	}
	l2, _ := layers.NewDense(o)
	m, err := NewSequential(dt, l1, l2)
	if err != nil {
		t.Fatal(err)
	}
	opt := &testSGD{lr: lr}
	if err := m.Compile("mse", opt, metrics...); err != nil {
		t.Fatal(err)
	}
	return m, opt
}

func TestModelLearnsDeterministically(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		var runs [2][]float64
		for r := range runs {
			m, _ := toyModel(t, dt, 0.1, "mae")
			x, y := toyData(dt, 64)
			h, err := m.Fit(x, y, FitConfig{BatchSize: 16, Epochs: 30, Shuffle: true, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			loss := h.History["loss"]
			if len(loss) != 30 || len(h.History["mae"]) != 30 || loss[29] > loss[0]/10 {
				t.Fatalf("%v: loss went %v -> %v over %d epochs: want a tenfold fall", dt, loss[0], loss[len(loss)-1], len(loss))
			}
			p, err := m.Predict(x, 10)
			if err != nil {
				t.Fatal(err)
			}
			runs[r] = append(loss, graph.Float64s(p)...)
		}
		for i := range runs[0] {
			if runs[0][i] != runs[1][i] {
				t.Fatalf("%v: same seed, value %d differs: %v vs %v", dt, i, runs[0][i], runs[1][i])
			}
		}
	}
}

// TestFitPartialBatch: 10 samples in batches of 4 give 3 updates, and the
// last batch of 2 changes the weights.
func TestFitPartialBatch(t *testing.T) {
	x, y := toyData(tensor.Float64, 10)
	m, opt := toyModel(t, tensor.Float64, 0.1)
	if _, err := m.Fit(x, y, FitConfig{BatchSize: 4}); err != nil {
		t.Fatal(err)
	}
	if opt.steps != 3 {
		t.Errorf("%d optimizer steps for 10 samples in batches of 4, want 3", opt.steps)
	}
	m8, _ := toyModel(t, tensor.Float64, 0.1)
	if _, err := m8.Fit(rows(x, span(0, 8)), rows(y, span(0, 8)), FitConfig{BatchSize: 4}); err != nil {
		t.Fatal(err)
	}
	if graph.Float64s(m.Params()[0].Value)[0] == graph.Float64s(m8.Params()[0].Value)[0] {
		t.Error("the last partial batch did not change the weights")
	}
	p, err := m.Predict(x, 4)
	if err != nil || p.Shape()[0] != 10 {
		t.Errorf("Predict with a partial batch: shape %v, err %v", p.Shape(), err)
	}
}

// TestFitValidationSplit: with lr 0 the weights stay, so val_loss must be
// the loss of the last 3 of 10 samples.
func TestFitValidationSplit(t *testing.T) {
	x, y := toyData(tensor.Float64, 10)
	m, opt := toyModel(t, tensor.Float64, 0, "mae")
	h, err := m.Fit(x, y, FitConfig{BatchSize: 3, ValidationSplit: 0.3, Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if opt.steps != 2*3 {
		t.Errorf("%d steps: want 3 batches of the first 7 samples per epoch", opt.steps)
	}
	last, _ := m.Evaluate(rows(x, span(7, 10)), rows(y, span(7, 10)), 5)
	first, _ := m.Evaluate(rows(x, span(0, 7)), rows(y, span(0, 7)), 5)
	want := []string{"loss", "mae", "val_loss", "val_mae"}
	if k := h.Keys(); strings.Join(k, ",") != strings.Join(want, ",") {
		t.Errorf("history keys %v, want %v", k, want)
	}
	if got := h.History["val_loss"][1]; math.Abs(got-last["loss"]) > 1e-12 {
		t.Errorf("val_loss %v, want loss of the last 3 samples %v", got, last["loss"])
	}
	if got := h.History["val_mae"][0]; math.Abs(got-last["mae"]) > 1e-12 {
		t.Errorf("val_mae %v, want %v", got, last["mae"])
	}
	if got := h.History["loss"][0]; math.Abs(got-first["loss"]) > 1e-12 {
		t.Errorf("loss %v, want loss of the first 7 samples %v", got, first["loss"])
	}
}

// TestWeightPenalty: the loss includes Σ l2·w², and its gradient 2·l2·w is
// added before the update.
func TestWeightPenalty(t *testing.T) {
	c := layers.DenseDefaults(1)
	c.UseBias = false
	c.KernelInitializer = graph.Spec{Name: "ones"}
	c.KernelRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.1}}
	d, _ := layers.NewDense(c)
	m, _ := NewSequential(tensor.Float64, d)
	m.Compile("mse", &testSGD{lr: 0.5})
	x := graph.NewTensor(tensor.Float64, []int{1, 2}, []float64{1, 0})
	y := graph.NewTensor(tensor.Float64, []int{1, 1}, []float64{1})
	ev, err := m.Evaluate(x, y, 1)
	if err != nil {
		t.Fatal(err)
	}
	// w = (1,1): prediction 1, data loss 0, penalty 0.1·2.
	if math.Abs(ev["loss"]-0.2) > 1e-12 {
		t.Errorf("loss %v, want 0.2", ev["loss"])
	}
	h, _ := m.Fit(x, y, FitConfig{BatchSize: 1})
	if math.Abs(h.History["loss"][0]-0.2) > 1e-12 {
		t.Errorf("training loss %v, want 0.2", h.History["loss"][0])
	}
	// gradient: data 0, penalty 0.2·w → w = 1 - 0.5·0.2 = 0.9.
	for i, v := range graph.Float64s(d.Params()[0].Value) {
		if math.Abs(v-0.9) > 1e-12 {
			t.Errorf("w[%d] = %v, want 0.9", i, v)
		}
	}
}

func TestModelErrorsAndSummary(t *testing.T) {
	m, _ := toyModel(t, tensor.Float64, 0.1)
	x, y := toyData(tensor.Float64, 6)
	if err := m.Build(2); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		x, y *tensor.Dense
	}{
		{"features", graph.NewTensor(tensor.Float64, []int{6, 3}, nil), y},
		{"rank", graph.NewTensor(tensor.Float64, []int{6, 2, 1}, nil), y},
		{"dtype", graph.NewTensor(tensor.Float32, []int{6, 2}, nil), y},
		{"y shape", x, graph.NewTensor(tensor.Float64, []int{6, 2}, nil)},
		{"y count", x, graph.NewTensor(tensor.Float64, []int{5, 1}, nil)},
	}
	for _, c := range bad {
		if _, err := m.Fit(c.x, c.y, FitConfig{}); err == nil {
			t.Errorf("%s mismatch: no error", c.name)
		}
	}
	if _, err := m.Fit(x, y, FitConfig{ValidationSplit: 1e-17}); err == nil {
		t.Error("validation split leaving no validation sample: no error")
	}
	d, _ := layers.NewDense(layers.DenseConfig{Name: "hidden", Units: 1})
	if err := m.Add(d); err == nil {
		t.Error("Add after Build: no error")
	}
	if _, err := NewSequential(tensor.Float64, d, d); err == nil {
		t.Error("duplicate layer names: no error")
	}
	s := m.Summary()
	for _, want := range []string{"hidden (Dense)", "(None, 8)", "24", "out (Dense)", "Total params: 33"} {
		if !strings.Contains(s, want) {
			t.Errorf("Summary lacks %q:\n%s", want, s)
		}
	}
}

// statefulDense is a Dense that counts ResetStates calls.
type statefulDense struct {
	*layers.Dense
	resets int
}

func (s *statefulDense) ResetStates() error { s.resets++; return nil }
func (s *statefulDense) IsStateful() bool   { return true }

func TestFitStateful(t *testing.T) {
	d, _ := layers.NewDense(layers.DenseDefaults(1))
	sd := &statefulDense{Dense: d}
	m, _ := NewSequential(tensor.Float64, sd)
	m.Compile("mse", &testSGD{lr: 0.1})
	x, y := toyData(tensor.Float64, 8)
	if _, err := m.Fit(x, y, FitConfig{BatchSize: 4, Shuffle: true}); err == nil {
		t.Error("shuffle with a stateful layer: no error")
	}
	if _, err := m.Fit(x, y, FitConfig{BatchSize: 3}); err == nil || !strings.Contains(err.Error(), "multiple of batch size") {
		t.Errorf("8 samples in batches of 3 with a stateful layer: error %v", err)
	}
	if _, err := m.Predict(x, 3); err == nil {
		t.Error("Predict 8 samples in batches of 3 with a stateful layer: no error")
	}
	if _, err := m.Fit(x, y, FitConfig{BatchSize: 4, Epochs: 3}); err != nil {
		t.Fatal(err)
	}
	if sd.resets != 3 {
		t.Errorf("%d ResetStates calls in 3 epochs, want 3", sd.resets)
	}
	m.Fit(x, y, FitConfig{BatchSize: 4, Epochs: 2, KeepStates: true})
	if sd.resets != 3 {
		t.Errorf("KeepStates: ResetStates called")
	}
}

// TestTrainOnBatch: one update whose loss is the batch's loss before the
// update (as Evaluate reports it), after which the loss is lower.
func TestTrainOnBatch(t *testing.T) {
	x, y := toyData(tensor.Float64, 8)
	m, opt := toyModel(t, tensor.Float64, 0.1, "mae")
	before, err := m.Evaluate(x, y, 8)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.TrainOnBatch(x, y)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "mae"} {
		if math.Abs(got[k]-before[k]) > 1e-12 {
			t.Errorf("TrainOnBatch %s = %v, want the pre-update value %v", k, got[k], before[k])
		}
	}
	if opt.steps != 1 {
		t.Errorf("optimizer ran %d steps, want 1", opt.steps)
	}
	after, _ := m.Evaluate(x, y, 8)
	if !(after["loss"] < before["loss"]) {
		t.Errorf("loss %v after one update, %v before: want lower", after["loss"], before["loss"])
	}
	if _, err := m.TrainOnBatch(x, nil); err == nil {
		t.Error("TrainOnBatch with nil targets succeeded")
	}
}
