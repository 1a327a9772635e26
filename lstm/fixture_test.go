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

// fixture is one golden Keras 2 case (format: testdata/keras/README.md).
type fixture struct {
	Name   string `json:"name"`
	Config struct {
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
	} `json:"config"`
	Input   fixtureTensor `json:"input"`
	Weights struct {
		Kernel          fixtureTensor  `json:"kernel"`
		RecurrentKernel fixtureTensor  `json:"recurrent_kernel"`
		Bias            *fixtureTensor `json:"bias"`
	} `json:"weights"`
	InitialState *struct {
		H fixtureTensor `json:"h"`
		C fixtureTensor `json:"c"`
	} `json:"initial_state"`
	DropoutMasks *struct {
		Input     *fixtureTensor `json:"input"`
		Recurrent *fixtureTensor `json:"recurrent"`
	} `json:"dropout_masks"`
	Outputs     map[string]fixtureTensor `json:"outputs"`
	LossWeights map[string]fixtureTensor `json:"loss_weights"`
	Loss        float64                  `json:"loss"`
	Gradients   map[string]fixtureTensor `json:"gradients"`
}

func fixtureDir() string {
	if d := os.Getenv("LSTM_FIXTURES"); d != "" {
		return d
	}
	return filepath.Join("testdata", "keras")
}

func loadFixtures(t *testing.T) []*fixture {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtureDir(), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no *.json cases in %s", fixtureDir())
	}
	sort.Strings(paths)
	var fs []*fixture
	for _, p := range paths {
		fs = append(fs, readFixture(t, p))
	}
	return fs
}

func readFixture(t *testing.T, path string) *fixture {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{}
	if err := json.Unmarshal(b, f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if f.Name == "" {
		f.Name = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	return f
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
	c := f.Config
	cfg := Default(c.Units)
	cfg.Activation, cfg.RecurrentActivation = c.Activation, c.RecurrentActivation
	cfg.UseBias, cfg.Implementation = c.UseBias, c.Implementation
	cfg.ReturnSequences, cfg.ReturnState, cfg.GoBackwards = c.ReturnSequences, c.ReturnState, c.GoBackwards
	cfg.Dropout, cfg.RecurrentDropout = c.Dropout, c.RecurrentDropout
	cfg.Unroll = unroll
	l, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ws := []*tensor.Dense{f.Weights.Kernel.dense(dt), f.Weights.RecurrentKernel.dense(dt)}
	if f.Weights.Bias != nil {
		ws = append(ws, f.Weights.Bias.dense(dt))
	}
	return l, l.SetWeights(ws...)
}

// run computes the fixture's outputs and gradients.
func (f *fixture) run(unroll bool, dt tensor.Dtype) (*Outputs, *Grads, error) {
	l, err := f.layer(unroll, dt)
	if err != nil {
		return nil, nil, err
	}
	opt := CallOptions{Training: true, Masks: f.masks(dt)}
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
// both dtypes and compares every output and every gradient with
// |got - want| <= tol·max(1, |want|).
func TestKerasFixtures(t *testing.T) {
	tols := map[tensor.Dtype]float64{tensor.Float64: 1e-9, tensor.Float32: 1e-4}
	for _, f := range loadFixtures(t) {
		for _, unroll := range []bool{true, false} {
			for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
				f, unroll, dt := f, unroll, dt
				t.Run(fmt.Sprintf("%s/unroll=%t/%v", f.Name, unroll, dt), func(t *testing.T) {
					t.Parallel()
					out, g, err := f.run(unroll, dt)
					if err != nil {
						t.Fatal(err)
					}
					tol := tols[dt]
					got := map[string]*tensor.Dense{"output": out.Output, "h": out.H, "c": out.C}
					for name, want := range f.Outputs {
						if err := closeTo(got[name], want, tol); err != nil {
							t.Errorf("output %s: %v", name, err)
						}
					}
					grads := map[string]*tensor.Dense{"input": g.Input, "kernel": g.Kernel,
						"recurrent_kernel": g.RecurrentKernel, "bias": g.Bias,
						"initial_h": g.InitialH, "initial_c": g.InitialC}
					if len(f.Gradients) == 0 {
						t.Errorf("case has no gradients")
					}
					for name, want := range f.Gradients {
						gt, ok := grads[name]
						if !ok {
							t.Errorf("unknown gradient %q in case", name)
							continue
						}
						if err := closeTo(gt, want, tol); err != nil {
							t.Errorf("gradient %s: %v", name, err)
						}
					}
				})
			}
		}
	}
}
