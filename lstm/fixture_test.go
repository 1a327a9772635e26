package lstm

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// fixtureTensor is a tensor in the fixture format.
type fixtureTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (f *fixtureTensor) dense(dt tensor.Dtype) *tensor.Dense {
	if f == nil {
		return nil
	}
	return graph.NewTensor(dt, f.Shape, f.Data)
}

// fixtureConfig is an LSTM configuration in the fixture format.
type fixtureConfig struct {
	Units               int     `json:"units"`
	Activation          string  `json:"activation"`
	RecurrentActivation string  `json:"recurrent_activation"`
	UseBias             bool    `json:"use_bias"`
	Implementation      int     `json:"implementation"`
	ReturnSequences     bool    `json:"return_sequences"`
	ReturnState         bool    `json:"return_state"`
	GoBackwards         bool    `json:"go_backwards"`
	Dropout             float64 `json:"dropout"`
	RecurrentDropout    float64 `json:"recurrent_dropout"`
}

// config is the layer's Config in the given unroll mode.
func (c fixtureConfig) config(unroll bool) Config {
	cfg := Default(c.Units)
	cfg.Activation, cfg.RecurrentActivation = c.Activation, c.RecurrentActivation
	cfg.UseBias, cfg.Implementation = c.UseBias, c.Implementation
	cfg.ReturnSequences, cfg.ReturnState, cfg.GoBackwards = c.ReturnSequences, c.ReturnState, c.GoBackwards
	cfg.Dropout, cfg.RecurrentDropout = c.Dropout, c.RecurrentDropout
	cfg.Unroll = unroll
	return cfg
}

// fixtureWeights are one layer's weights in the fixture format.
type fixtureWeights struct {
	Kernel          fixtureTensor  `json:"kernel"`
	RecurrentKernel fixtureTensor  `json:"recurrent_kernel"`
	Bias            *fixtureTensor `json:"bias"`
}

// dense returns the weights in Keras order.
func (w *fixtureWeights) dense(dt tensor.Dtype) []*tensor.Dense {
	ws := []*tensor.Dense{w.Kernel.dense(dt), w.RecurrentKernel.dense(dt)}
	if w.Bias != nil {
		ws = append(ws, w.Bias.dense(dt))
	}
	return ws
}

// fixtureResult is what a case expects: outputs, gradients and loss.
type fixtureResult struct {
	Outputs   map[string]fixtureTensor `json:"outputs"`
	Gradients map[string]fixtureTensor `json:"gradients"`
	Loss      float64                  `json:"loss"`
}

// fixture is one golden Keras 2 case of one LSTM layer (format:
// testdata/keras/README.md), optionally with a sequence mask
// (testdata/masking/README.md).
type fixture struct {
	Name         string         `json:"name"`
	Config       fixtureConfig  `json:"config"`
	Input        fixtureTensor  `json:"input"`
	Mask         *fixtureTensor `json:"mask"`
	Weights      fixtureWeights `json:"weights"`
	InitialState *struct {
		H fixtureTensor `json:"h"`
		C fixtureTensor `json:"c"`
	} `json:"initial_state"`
	DropoutMasks *struct {
		Input     *fixtureTensor `json:"input"`
		Recurrent *fixtureTensor `json:"recurrent"`
	} `json:"dropout_masks"`
	LossWeights map[string]fixtureTensor `json:"loss_weights"`
	fixtureResult
	// UnrollTrue holds what unroll=true gives when it differs from the
	// expected values above (those of unroll=false): masked cases only.
	UnrollTrue *fixtureResult `json:"unroll_true"`
}

// expected returns what the case expects in the given unroll mode.
func (f *fixture) expected(unroll bool) *fixtureResult {
	if unroll && f.UnrollTrue != nil {
		return f.UnrollTrue
	}
	return &f.fixtureResult
}

// boolMask returns a fixture's 0/1 mask as a Bool tensor (nil for nil).
func (f *fixtureTensor) boolMask() *tensor.Dense {
	if f == nil {
		return nil
	}
	b := make([]bool, len(f.Data))
	for i, v := range f.Data {
		b[i] = v != 0
	}
	return tensor.New(tensor.WithShape(f.Shape...), tensor.WithBacking(b))
}

func fixtureDir() string {
	if d := os.Getenv("LSTM_FIXTURES"); d != "" {
		return d
	}
	return filepath.Join("testdata", "keras")
}

func loadFixtures(t *testing.T) []*fixture {
	t.Helper()
	var fs []*fixture
	for _, p := range casePaths(t, fixtureDir()) {
		fs = append(fs, readFixture(t, p))
	}
	return fs
}

// casePaths lists the *.json cases of dir, sorted; none is an error.
func casePaths(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no *.json cases in %s", dir)
	}
	sort.Strings(paths)
	return paths
}

func readFixture(t *testing.T, path string) *fixture {
	t.Helper()
	f := &fixture{}
	readCase(t, path, f, &f.Name)
	return f
}

// readCase decodes the JSON case at path into v; an empty *name becomes
// the file's base name.
func readCase(t *testing.T, path string, v any, name *string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(path), ".json")
	}
}

// masks splits the fixture's (4, batch, width) keep masks per gate.
func (f *fixture) masks(dt tensor.Dtype) *DropoutMasks {
	if f.DropoutMasks == nil {
		return nil
	}
	m := &DropoutMasks{}
	split := func(src *fixtureTensor, dst *[4]*tensor.Dense) {
		if src == nil {
			return
		}
		n := src.Shape[1] * src.Shape[2]
		for k := 0; k < 4; k++ {
			dst[k] = graph.NewTensor(dt, src.Shape[1:], src.Data[k*n:(k+1)*n])
		}
	}
	split(f.DropoutMasks.Input, &m.Input)
	split(f.DropoutMasks.Recurrent, &m.Recurrent)
	return m
}

// layer builds the fixture's layer in the given mode and dtype with its
// weights set.
func (f *fixture) layer(unroll bool, dt tensor.Dtype) (*LSTM, error) {
	l, err := New(f.Config.config(unroll))
	if err != nil {
		return nil, err
	}
	return l, l.SetWeights(f.Weights.dense(dt)...)
}

// run computes the fixture's outputs and gradients.
func (f *fixture) run(unroll bool, dt tensor.Dtype) (*Outputs, *Grads, error) {
	l, err := f.layer(unroll, dt)
	if err != nil {
		return nil, nil, err
	}
	opt := CallOptions{Training: true, Masks: f.masks(dt), Mask: f.Mask.boolMask()}
	if f.InitialState != nil {
		opt.InitialState = &State{H: f.InitialState.H.dense(dt), C: f.InitialState.C.dense(dt)}
	}
	out, err := l.Call(f.Input.dense(dt), opt)
	if err != nil {
		return nil, nil, err
	}
	seed := Outputs{}
	for name, w := range f.LossWeights {
		t := w.dense(dt)
		switch name {
		case "output":
			seed.Output = t
		case "h":
			seed.H = t
		case "c":
			seed.C = t
		default:
			return nil, nil, fmt.Errorf("unknown loss_weights entry %q", name)
		}
	}
	g, err := l.VJP(seed)
	return out, g, err
}

// check runs the case in one mode and dtype and compares every output,
// every gradient and the loss Σ outputs·loss_weights with the expected
// values.
func (f *fixture) check(t *testing.T, unroll bool, dt tensor.Dtype) {
	t.Helper()
	out, g, err := f.run(unroll, dt)
	if err != nil {
		t.Fatal(err)
	}
	want := f.expected(unroll)
	tol := fixtureTols[dt]
	got := map[string]*tensor.Dense{"output": out.Output, "h": out.H, "c": out.C}
	for name, w := range want.Outputs {
		if err := closeTo(got[name], w, tol); err != nil {
			t.Errorf("output %s: %v", name, err)
		}
	}
	checkLoss(t, got, f.LossWeights, want.Loss, tol)
	grads := map[string]*tensor.Dense{"input": g.Input, "kernel": g.Kernel,
		"recurrent_kernel": g.RecurrentKernel, "bias": g.Bias,
		"initial_h": g.InitialH, "initial_c": g.InitialC}
	if len(want.Gradients) == 0 {
		t.Errorf("case has no gradients")
	}
	for name, w := range want.Gradients {
		gt, ok := grads[name]
		if !ok {
			t.Errorf("unknown gradient %q in case", name)
			continue
		}
		if err := closeTo(gt, w, tol); err != nil {
			t.Errorf("gradient %s: %v", name, err)
		}
	}
}

// checkLoss compares Σ_k Σ got[k]·lossWeights[k] with want, relative to
// max(1, |want|).
func checkLoss(t *testing.T, got map[string]*tensor.Dense, lossWeights map[string]fixtureTensor, want, tol float64) {
	t.Helper()
	loss := 0.0
	for name, w := range lossWeights {
		if got[name] == nil {
			t.Errorf("loss weights for %q, which the layer does not return", name)
			continue
		}
		loss += dot(got[name], w.dense(tensor.Float64))
	}
	if d := math.Abs(loss - want); !(d <= tol*math.Max(1, math.Abs(want))) {
		t.Errorf("loss %.17g, want %.17g (|diff| %.3g > tol %.0e)", loss, want, d, tol)
	}
}

// fixtureTols are the fixtures' tolerances, relative to max(1, |want|).
var fixtureTols = map[tensor.Dtype]float64{tensor.Float64: 1e-9, tensor.Float32: 1e-4}

// closeTo reports the first element where |got-want| > tol·max(1, |want|).
func closeTo(got tensor.Tensor, want fixtureTensor, tol float64) error {
	if got == nil {
		return fmt.Errorf("missing")
	}
	if !sameShape(got.Shape(), want.Shape...) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape)
	}
	g := graph.Float64s(got)
	for i, w := range want.Data {
		if d := math.Abs(g[i] - w); !(d <= tol*math.Max(1, math.Abs(w))) {
			return fmt.Errorf("element %d: got %.17g, want %.17g (|diff| %.3g > tol %.0e)", i, g[i], w, d, tol)
		}
	}
	return nil
}

// TestKerasFixtures runs every golden Keras 2 case in both unroll modes and
// both dtypes and compares every output, every gradient and the loss with
// |got - want| <= tol·max(1, |want|).
func TestKerasFixtures(t *testing.T) {
	for _, f := range loadFixtures(t) {
		runCase(t, f.Name, f.check)
	}
}
