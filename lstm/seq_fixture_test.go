package lstm

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// seqFixtureDir is the directory of one group of the variable-length
// sequence cases: testdata/<group>, or <SEQ_FIXTURES>/<group> when the
// environment variable SEQ_FIXTURES names a directory.
func seqFixtureDir(group string) string {
	if d := os.Getenv("SEQ_FIXTURES"); d != "" {
		return filepath.Join(d, group)
	}
	return filepath.Join("testdata", group)
}

// TestSeqFixtures runs every golden Keras 2.2.4 case of the groups masking
// (one LSTM with a sequence mask; testdata/masking/README.md) and
// bidirectional (Bidirectional(LSTM); testdata/bidirectional/README.md) in
// both unroll modes and both dtypes, as subtests
// <group>/<case>/unroll=<mode>/<dtype>, and compares every output, every
// gradient and the loss with |got - want| <= tol·max(1, |want|), tol 1e-9
// in float64 and 1e-4 in float32. A masking case's unroll=true run is
// compared with its unroll_true values when it has them (Keras 2.2.4's
// unrolled loop outputs zeros, not the initial h, before the first real
// step).
func TestSeqFixtures(t *testing.T) {
	t.Run("masking", func(t *testing.T) {
		for _, p := range casePaths(t, seqFixtureDir("masking")) {
			f := readFixture(t, p)
			if f.Mask == nil {
				t.Errorf("case %s has no mask", f.Name)
			}
			runCase(t, f.Name, f.check)
		}
	})
	t.Run("bidirectional", func(t *testing.T) {
		for _, p := range casePaths(t, seqFixtureDir("bidirectional")) {
			f := &biFixture{}
			readCase(t, p, f, &f.Name)
			runCase(t, f.Name, f.check)
		}
	})
}

// runCase runs check on a case in both unroll modes and both dtypes, as
// parallel subtests <name>/unroll=<mode>/<dtype>.
func runCase(t *testing.T, name string, check func(t *testing.T, unroll bool, dt tensor.Dtype)) {
	for _, unroll := range []bool{true, false} {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			unroll, dt := unroll, dt
			t.Run(fmt.Sprintf("%s/unroll=%t/%v", name, unroll, dt), func(t *testing.T) {
				t.Parallel()
				check(t, unroll, dt)
			})
		}
	}
}

// biFixture is one golden Bidirectional(LSTM) case (format:
// testdata/bidirectional/README.md).
type biFixture struct {
	Name      string         `json:"name"`
	Layer     fixtureConfig  `json:"layer"`
	MergeMode *string        `json:"merge_mode"`
	Input     fixtureTensor  `json:"input"`
	Mask      *fixtureTensor `json:"mask"`
	Weights   struct {
		Forward  fixtureWeights `json:"forward"`
		Backward fixtureWeights `json:"backward"`
	} `json:"weights"`
	InitialState []fixtureTensor          `json:"initial_state"`
	LossWeights  map[string]fixtureTensor `json:"loss_weights"`
	biResult
	// UnrollTrue, when present, holds what unroll=true gives where it
	// differs (as in the masking cases).
	UnrollTrue *biResult `json:"unroll_true"`
}

// biResult is what a Bidirectional case expects.
type biResult struct {
	Outputs   map[string]fixtureTensor `json:"outputs"`
	Loss      float64                  `json:"loss"`
	Gradients struct {
		Input        *fixtureTensor           `json:"input"`
		Forward      map[string]fixtureTensor `json:"forward"`
		Backward     map[string]fixtureTensor `json:"backward"`
		InitialState []fixtureTensor          `json:"initial_state"`
	} `json:"gradients"`
}

// config is the case's wrapper configuration in the given unroll mode.
func (f *biFixture) config(unroll bool) BidirectionalConfig {
	c := DefaultBidirectional(f.Layer.config(unroll))
	c.MergeMode = MergeNone
	if f.MergeMode != nil {
		c.MergeMode = *f.MergeMode
	}
	return c
}

// wrapper builds the case's wrapper with its weights set.
func (f *biFixture) wrapper(unroll bool, dt tensor.Dtype) (*Bidirectional, error) {
	b, err := NewBidirectional(f.config(unroll))
	if err != nil {
		return nil, err
	}
	return b, b.SetWeights(append(f.Weights.Forward.dense(dt), f.Weights.Backward.dense(dt)...)...)
}

// outputNames are the fixture names of BiOutputs' fields, in its order.
var outputNames = []string{"output", "output_forward", "output_backward", "forward_h", "forward_c", "backward_h", "backward_c"}

// biOutputsMap names the fields of o as the fixtures do.
func biOutputsMap(o *BiOutputs) map[string]*tensor.Dense {
	m := map[string]*tensor.Dense{}
	for i, p := range o.fields() {
		m[outputNames[i]] = *p
	}
	return m
}

// run computes the case's outputs and gradients.
func (f *biFixture) run(unroll bool, dt tensor.Dtype) (*BiOutputs, *BiGrads, error) {
	b, err := f.wrapper(unroll, dt)
	if err != nil {
		return nil, nil, err
	}
	opt := BiCallOptions{Training: true, Mask: f.Mask.boolMask()}
	for _, s := range f.InitialState {
		opt.InitialState = append(opt.InitialState, s.dense(dt))
	}
	out, err := b.Call(f.Input.dense(dt), opt)
	if err != nil {
		return nil, nil, err
	}
	var seed BiOutputs
	seeds := seed.fields()
	for name, w := range f.LossWeights {
		i := slices.Index(outputNames, name)
		if i < 0 {
			return nil, nil, fmt.Errorf("unknown loss_weights entry %q", name)
		}
		*seeds[i] = w.dense(dt)
	}
	g, err := b.VJP(seed)
	return out, g, err
}

// check runs the case in one mode and dtype and compares every output,
// every gradient and the loss with the expected values.
func (f *biFixture) check(t *testing.T, unroll bool, dt tensor.Dtype) {
	t.Helper()
	out, g, err := f.run(unroll, dt)
	if err != nil {
		t.Fatal(err)
	}
	want := &f.biResult
	if unroll && f.UnrollTrue != nil {
		want = f.UnrollTrue
	}
	tol := fixtureTols[dt]
	got := biOutputsMap(out)
	if len(want.Outputs) == 0 {
		t.Errorf("case has no outputs")
	}
	for name, w := range want.Outputs {
		if err := closeTo(got[name], w, tol); err != nil {
			t.Errorf("output %s: %v", name, err)
		}
	}
	for name, o := range got {
		if _, ok := want.Outputs[name]; o != nil && !ok {
			t.Errorf("output %s returned, but the case has none", name)
		}
	}
	checkLoss(t, got, f.LossWeights, want.Loss, tol)
	wg := want.Gradients
	if wg.Input == nil {
		t.Errorf("case has no input gradient")
	} else if err := closeTo(g.Input, *wg.Input, tol); err != nil {
		t.Errorf("gradient input: %v", err)
	}
	for _, dir := range []struct {
		name string
		want map[string]fixtureTensor
		got  *Grads
	}{{"forward", wg.Forward, g.Forward}, {"backward", wg.Backward, g.Backward}} {
		if len(dir.want) == 0 {
			t.Errorf("case has no %s gradients", dir.name)
		}
		grads := map[string]*tensor.Dense{"kernel": dir.got.Kernel, "recurrent_kernel": dir.got.RecurrentKernel, "bias": dir.got.Bias}
		for name, w := range dir.want {
			if err := closeTo(grads[name], w, tol); err != nil {
				t.Errorf("gradient %s %s: %v", dir.name, name, err)
			}
		}
	}
	if len(wg.InitialState) != len(f.InitialState) {
		t.Errorf("case has %d initial states and %d initial-state gradients", len(f.InitialState), len(wg.InitialState))
	}
	for i, w := range wg.InitialState {
		if err := closeTo(g.InitialState()[i], w, tol); err != nil {
			t.Errorf("gradient initial_state[%d]: %v", i, err)
		}
	}
}
