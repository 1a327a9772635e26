package model

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// recorder is a callback that records every hook with its logs, and can
// act at a given epoch and batch.
type recorder struct {
	CallbackBase
	events []string
	params FitParams
	status FitStatus
	// at, when set, runs at OnBatchEnd of epoch atEpoch, batch atBatch.
	atEpoch, atBatch int
	at               func(m *Model)
	epoch            int
}

func (r *recorder) OnTrainBegin(m *Model, p FitParams) error {
	r.params = p
	r.events = append(r.events, "train_begin")
	return nil
}

func (r *recorder) OnEpochBegin(m *Model, epoch int) error {
	r.epoch = epoch
	r.events = append(r.events, fmt.Sprintf("epoch_begin %d", epoch))
	return nil
}

func (r *recorder) OnBatchBegin(m *Model, batch int, logs map[string]float64) error {
	r.events = append(r.events, fmt.Sprintf("batch_begin %d %s", batch, keys(logs)))
	return nil
}

func (r *recorder) OnBatchEnd(m *Model, batch int, logs map[string]float64) error {
	r.events = append(r.events, fmt.Sprintf("batch_end %d %s", batch, keys(logs)))
	if r.at != nil && r.epoch == r.atEpoch && batch == r.atBatch {
		r.at(m)
	}
	return nil
}

func (r *recorder) OnEpochEnd(m *Model, epoch int, logs map[string]float64) error {
	r.events = append(r.events, fmt.Sprintf("epoch_end %d %s", epoch, keys(logs)))
	return nil
}

func (r *recorder) OnTrainEnd(m *Model, h *History) error {
	r.status = h.Status
	r.events = append(r.events, "train_end "+h.Status.String())
	return nil
}

// keys returns the sorted names of logs, with batch and size values.
func keys(logs map[string]float64) string {
	var ks []string
	for k, v := range logs {
		if k == "batch" || k == "size" {
			k = fmt.Sprintf("%s=%v", k, v)
		}
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

// TestFitCallbackHooks: the hooks come in Keras' order with Keras' logs:
// batch logs "batch", "size" (and the loss and metrics at the end), epoch
// logs with the val_ names, the params with the log names.
func TestFitCallbackHooks(t *testing.T) {
	m, _ := toyModel(t, tensor.Float64, 0.1, "mae")
	x, y := toyData(tensor.Float64, 5)
	r := &recorder{}
	h, err := m.Fit(x, y, FitConfig{BatchSize: 3, Epochs: 2, ValidationX: x, ValidationY: y, Callbacks: []Callback{r}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"train_begin"}
	for e := range 2 {
		want = append(want, fmt.Sprintf("epoch_begin %d", e),
			"batch_begin 0 batch=0,size=3", "batch_end 0 batch=0,loss,mae,size=3",
			"batch_begin 1 batch=1,size=2", "batch_end 1 batch=1,loss,mae,size=2",
			fmt.Sprintf("epoch_end %d loss,mae,val_loss,val_mae", e))
	}
	want = append(want, "train_end completed")
	if !slices.Equal(r.events, want) {
		t.Errorf("hooks:\n%s\nwant:\n%s", strings.Join(r.events, "\n"), strings.Join(want, "\n"))
	}
	p := r.params
	if p.Epochs != 2 || p.BatchSize != 3 || p.Samples != 5 || p.Steps != 2 || !p.Validation ||
		!slices.Equal(p.Metrics, []string{"loss", "mae", "val_loss", "val_mae"}) {
		t.Errorf("params %+v", p)
	}
	if h.Status != FitCompleted || h.StopReason != "" {
		t.Errorf("status %v %q, want completed", h.Status, h.StopReason)
	}
}

// TestFitStopTraining: StopTraining from OnBatchEnd ends the epoch after
// that batch, without validation (its val_ values are NaN in the History,
// as Keras' logs lack them), with Status FitStopped and the reason.
func TestFitStopTraining(t *testing.T) {
	m, opt := toyModel(t, tensor.Float64, 0.1)
	x, y := toyData(tensor.Float64, 8)
	r := &recorder{atEpoch: 1, atBatch: 0, at: func(m *Model) { m.StopTraining("enough") }}
	h, err := m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 5, ValidationSplit: 0.25, Callbacks: []Callback{r}})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != FitStopped || h.StopReason != "enough" || !slices.Equal(h.Epoch, []int{0, 1}) {
		t.Fatalf("status %v %q, epochs %v: want stopped, enough, [0 1]", h.Status, h.StopReason, h.Epoch)
	}
	if opt.steps != 3+1 {
		t.Errorf("%d optimizer steps, want 3 + 1", opt.steps)
	}
	if v := h.History["val_loss"]; math.IsNaN(v[0]) || !math.IsNaN(v[1]) {
		t.Errorf("val_loss %v: want a value, then NaN for the stopped epoch", v)
	}
	if stop, _ := m.StopRequested(); stop {
		t.Error("the stop request outlives Fit")
	}
	// The next Fit starts afresh.
	if h, _ := m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 2}); h.Status != FitCompleted || len(h.Epoch) != 2 {
		t.Errorf("next Fit: %v after %d epochs", h.Status, len(h.Epoch))
	}
}

// TestFitCancel: cancelling the Context ends training after the batch in
// progress, leaves that epoch out, calls OnTrainEnd, and returns the
// History with Status FitCancelled and no error; a Context cancelled
// before Fit trains nothing.
func TestFitCancel(t *testing.T) {
	m, opt := toyModel(t, tensor.Float64, 0.1)
	x, y := toyData(tensor.Float64, 8)
	ctx, cancel := context.WithCancel(context.Background())
	r := &recorder{atEpoch: 2, atBatch: 1, at: func(*Model) { cancel() }}
	var out bytes.Buffer
	h, err := m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 5, Context: ctx, Callbacks: []Callback{r}, Verbose: 2, Progress: &out})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != FitCancelled || !slices.Equal(h.Epoch, []int{0, 1}) || r.status != FitCancelled {
		t.Errorf("status %v (callback saw %v), epochs %v: want cancelled, [0 1]", h.Status, r.status, h.Epoch)
	}
	if opt.steps != 4+4+2 {
		t.Errorf("%d optimizer steps, want 4 + 4 + 2 (the batch in progress finishes)", opt.steps)
	}
	for _, want := range []string{"context canceled", "epoch 3/5 after 2 of 4 batches"} {
		if !strings.Contains(h.StopReason, want) {
			t.Errorf("stop reason %q lacks %q", h.StopReason, want)
		}
	}
	if !strings.Contains(out.String(), "Epoch 3/5 - stopped after batch 2/4: cancelled") {
		t.Errorf("progress does not say where training stopped:\n%s", out.String())
	}

	steps := opt.steps
	r = &recorder{}
	h, err = m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 5, Context: ctx, Callbacks: []Callback{r}})
	if err != nil || h.Status != FitCancelled || len(h.Epoch) != 0 || opt.steps != steps {
		t.Errorf("cancelled before Fit: err %v, status %v, %d epochs, %d steps", err, h.Status, len(h.Epoch), opt.steps-steps)
	}
	if !slices.Equal(r.events, []string{"train_begin", "train_end cancelled"}) {
		t.Errorf("hooks %v", r.events)
	}
}

// TestFitNonFinite: a NaN in sample 5 makes the loss of epoch 1, batch 3
// NaN: Fit ends with an error naming them whatever the callbacks, does not
// apply that batch (the weights stay those after batch 2), tells
// OnBatchEnd and OnTrainEnd, and records no epoch.
func TestFitNonFinite(t *testing.T) {
	for _, withCallback := range []bool{false, true} {
		m, opt := toyModel(t, tensor.Float64, 0.1)
		x, y := toyData(tensor.Float64, 8)
		xs := graph.Float64s(x)
		xs[2*5] = math.NaN()
		x = graph.NewTensor(tensor.Float64, []int{8, 2}, xs)
		var cbs []Callback
		r := &recorder{}
		if withCallback {
			cbs = []Callback{r}
		}
		h, err := m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 3, Callbacks: cbs})
		if err == nil || !strings.Contains(err.Error(), "loss is NaN in epoch 1/3, batch 3/4") {
			t.Fatalf("error %v: want one naming epoch 1/3, batch 3/4", err)
		}
		if h.Status != FitNonFinite || len(h.Epoch) != 0 || opt.steps != 2 {
			t.Errorf("status %v, %d epochs, %d steps: want non-finite loss, 0, 2", h.Status, len(h.Epoch), opt.steps)
		}
		for _, p := range m.Params() {
			for _, v := range graph.Float64s(p.Value) {
				if math.IsNaN(v) {
					t.Fatalf("%s holds NaN: the bad batch was applied", p.Name)
				}
			}
		}
		if withCallback {
			if n := len(r.events); n < 2 || r.events[n-2] != "batch_end 2 batch=2,loss,size=2" || r.events[n-1] != "train_end non-finite loss" {
				t.Errorf("last hooks %v", r.events[max(0, n-3):])
			}
		}
	}
}

// TestFitCallbackError: a hook's error ends Fit naming the callback and
// the hook; OnTrainEnd still runs.
func TestFitCallbackError(t *testing.T) {
	m, _ := toyModel(t, tensor.Float64, 0.1)
	x, y := toyData(tensor.Float64, 4)
	r := &recorder{}
	bad := &failing{}
	h, err := m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 3, Callbacks: []Callback{r, bad}})
	if err == nil || !strings.Contains(err.Error(), "*model.failing.OnEpochEnd: boom") {
		t.Fatalf("error %v", err)
	}
	if h.Status != FitFailed || r.status != FitFailed || !bad.ended {
		t.Errorf("status %v, recorder saw %v, failing ended %v", h.Status, r.status, bad.ended)
	}
}

type failing struct {
	CallbackBase
	ended bool
}

func (f *failing) OnEpochEnd(*Model, int, map[string]float64) error { return fmt.Errorf("boom") }
func (f *failing) OnTrainEnd(*Model, *History) error                { f.ended = true; return nil }

// TestFitVerbose: Verbose 2, and Verbose 1 on a writer that is not a
// terminal, write one line per epoch in Keras' format (no bar frames);
// Verbose 1 on a terminal redraws a bar; 0 writes nothing; 3 is refused.
func TestFitVerbose(t *testing.T) {
	m, _ := toyModel(t, tensor.Float64, 0.1, "mae")
	x, y := toyData(tensor.Float64, 8)
	line := regexp.MustCompile(`^Epoch [12]/2 - \d+s - loss: \d+\.\d{4} - mae: \d+\.\d{4} - val_loss: \d+\.\d{4} - val_mae: \d+\.\d{4}$`)
	for _, verbose := range []int{1, 2} {
		var buf bytes.Buffer
		if _, err := m.Fit(x, y, FitConfig{BatchSize: 2, Epochs: 2, Verbose: verbose, Progress: &buf, ValidationSplit: 0.25}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != 2 || strings.Contains(buf.String(), "\r") {
			t.Errorf("Verbose %d wrote %d lines: want one per epoch, no bar:\n%q", verbose, len(lines), buf.String())
		}
		for _, l := range lines {
			if !line.MatchString(l) {
				t.Errorf("Verbose %d line %q: want Keras' format", verbose, l)
			}
		}
	}
	var buf bytes.Buffer
	m.Fit(x, y, FitConfig{BatchSize: 4, Progress: &buf})
	if buf.Len() != 0 {
		t.Errorf("Verbose 0 wrote %q", buf.String())
	}
	if _, err := m.Fit(x, y, FitConfig{Verbose: 3}); err == nil || !strings.Contains(err.Error(), "verbose 3") {
		t.Errorf("Verbose 3: error %v", err)
	}
	// The bar, as on a terminal: frames redrawn with \r, then the line.
	p := newProgress(&buf, 1, 2, 4)
	p.live = true
	p.beginEpoch(0)
	for range 4 {
		p.batch(0.5)
	}
	p.endEpoch([]string{"loss"}, map[string]float64{"loss": 0.5})
	if out := buf.String(); !strings.Contains(out, "\r") || !strings.Contains(out, "4/4") || !regexp.MustCompile(`\nEpoch 1/2 - \d+s - loss: 0\.5000\n$`).MatchString(out) {
		t.Errorf("live bar output %q", out)
	}
}

// TestFormatLog: values as Keras' progress bar prints them.
func TestFormatLog(t *testing.T) {
	for v, want := range map[float64]string{0.12345: "0.1235", 12: "12.0000", 0.0005: "5.0000e-04", -0.002: "-0.0020", 0: "0.0000e+00"} {
		if got := formatLog(v); got != want {
			t.Errorf("formatLog(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestShuffleContinues: with Shuffle, 3 epochs then 2 train as 5 in one
// Fit (the model continues its shuffling stream); another Seed starts a
// new stream, the same as a fresh model's.
func TestShuffleContinues(t *testing.T) {
	x, y := toyData(tensor.Float64, 20)
	fit := func(m *Model, epochs int, seed uint64) []float64 {
		h, err := m.Fit(x, y, FitConfig{BatchSize: 3, Epochs: epochs, Shuffle: true, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return h.History["loss"]
	}
	straight, _ := toyModel(t, tensor.Float64, 0.1)
	want := fit(straight, 5, 7)
	m, _ := toyModel(t, tensor.Float64, 0.1)
	got := append(fit(m, 3, 7), fit(m, 2, 7)...)
	if !slices.Equal(got, want) {
		t.Errorf("3 + 2 epochs: losses %v, 5 epochs %v", got, want)
	}
	// Restarting the stream (the behaviour before models kept it) gives
	// other epochs 4 and 5: the check above can fail.
	restarted, _ := toyModel(t, tensor.Float64, 0.1)
	fit(restarted, 3, 7)
	restarted.shuffle = nil
	if again := fit(restarted, 2, 7); slices.Equal(again, want[3:]) {
		t.Errorf("a restarted stream trains epochs 4 and 5 as the continued one: %v", again)
	}
	a, _ := toyModel(t, tensor.Float64, 0.1)
	b, _ := toyModel(t, tensor.Float64, 0.1)
	fit(a, 1, 7)
	fit(b, 1, 7)
	if la, lb := fit(a, 2, 8), fit(b, 2, 8); !slices.Equal(la, lb) {
		t.Errorf("a new seed does not restart the stream: %v and %v", la, lb)
	}
}

// TestInitialEpoch: epochs run from InitialEpoch to Epochs−1 and keep
// their numbers in the History and the hooks.
func TestInitialEpoch(t *testing.T) {
	m, opt := toyModel(t, tensor.Float64, 0.1)
	x, y := toyData(tensor.Float64, 4)
	r := &recorder{}
	h, err := m.Fit(x, y, FitConfig{BatchSize: 4, Epochs: 5, InitialEpoch: 3, Callbacks: []Callback{r}})
	if err != nil || !slices.Equal(h.Epoch, []int{3, 4}) || opt.steps != 2 || r.params.InitialEpoch != 3 {
		t.Errorf("err %v, epochs %v, %d steps", err, h.Epoch, opt.steps)
	}
	if _, err := m.Fit(x, y, FitConfig{InitialEpoch: -1}); err == nil {
		t.Error("InitialEpoch -1: no error")
	}
}

// TestHistoryAppend: keys in Fit's order, then added keys in name order;
// missing values and the epochs before a new key are NaN.
func TestHistoryAppend(t *testing.T) {
	h := newHistory()
	names := []string{"loss", "val_loss"}
	h.append(0, names, map[string]float64{"loss": 1, "val_loss": 2})
	h.append(1, names, map[string]float64{"loss": 3, "zz": 5, "lr": 4})
	h.append(2, names, map[string]float64{"loss": 6, "val_loss": 7, "lr": 8})
	if !slices.Equal(h.Keys(), []string{"loss", "val_loss", "lr", "zz"}) {
		t.Errorf("keys %v", h.Keys())
	}
	same := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(u, v float64) bool { return u == v || math.IsNaN(u) && math.IsNaN(v) })
	}
	nan := math.NaN()
	for k, want := range map[string][]float64{"loss": {1, 3, 6}, "val_loss": {2, nan, 7}, "lr": {nan, 4, 8}, "zz": {nan, 5, nan}} {
		if !same(h.History[k], want) {
			t.Errorf("%s = %v, want %v", k, h.History[k], want)
		}
	}
}
