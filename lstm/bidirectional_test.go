package lstm

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// biCase is one configuration of the Bidirectional finite-difference
// table.
type biCase struct {
	name                    string
	merge                   string
	units, batch, steps, in int
	edit                    func(*Config)
	mask                    string // maskPattern; "" none
	initState, dropout      bool
}

var biCases = []biCase{
	{name: "concat+sequences+state+post+initial_state", merge: MergeConcat, units: 2, batch: 2, steps: 3, in: 2, mask: "post", initState: true,
		edit: func(c *Config) { c.ReturnSequences, c.ReturnState = true, true }},
	{name: "concat+last", merge: MergeConcat, units: 2, batch: 2, steps: 3, in: 2, edit: func(c *Config) {}},
	{name: "sum+sequences+pre", merge: MergeSum, units: 2, batch: 3, steps: 3, in: 2, mask: "pre",
		edit: func(c *Config) { c.ReturnSequences = true }},
	{name: "ave+last+state+holes+initial_state", merge: MergeAve, units: 2, batch: 2, steps: 4, in: 2, mask: "holes", initState: true,
		edit: func(c *Config) { c.ReturnState = true }},
	{name: "mul+sequences+state+initial_state", merge: MergeMul, units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.ReturnSequences, c.ReturnState = true, true }},
	{name: "mul+last+empty_row", merge: MergeMul, units: 2, batch: 3, steps: 3, in: 2, mask: "empty", edit: func(c *Config) {}},
	{name: "none+sequences+state+post+initial_state", merge: MergeNone, units: 2, batch: 2, steps: 3, in: 2, mask: "post", initState: true,
		edit: func(c *Config) { c.ReturnSequences, c.ReturnState = true, true }},
	{name: "none+last", merge: MergeNone, units: 2, batch: 2, steps: 3, in: 2, edit: func(c *Config) {}},
	{name: "concat+impl2+dropout+holes+go_backwards+sequences", merge: MergeConcat, units: 2, batch: 2, steps: 3, in: 2, mask: "holes", dropout: true,
		edit: func(c *Config) {
			c.Implementation, c.Dropout, c.RecurrentDropout, c.GoBackwards, c.ReturnSequences = 2, 0.3, 0.4, true, true
		}},
	{name: "sum+activity_regularizer+sequences+state", merge: MergeSum, units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.ActivityRegularizer, c.ReturnSequences, c.ReturnState = graph.L2(0.05), true, true }},
}

// biSetup is a scalar loss of one Bidirectional on one batch:
// L = Σ_k Σ w_k·returned_k + activity penalty.
type biSetup struct {
	b     *Bidirectional
	x     *tensor.Dense
	state []*tensor.Dense // the four initial states (zeros when the case has none)
	opt   BiCallOptions
	w     BiOutputs
}

func (c biCase) setup(t *testing.T, unroll bool, seed uint64) *biSetup {
	t.Helper()
	cfg := Default(c.units)
	c.edit(&cfg)
	cfg.Unroll = unroll
	bc := DefaultBidirectional(cfg)
	bc.MergeMode = c.merge
	b, err := NewBidirectional(bc)
	if err != nil {
		t.Fatal(err)
	}
	rng := graph.NewRNG(seed)
	setBiWeights(t, b, rng, c.in)
	s := &biSetup{b: b, x: randDense(rng, 1, c.batch, c.steps, c.in), opt: BiCallOptions{Training: true}}
	for k := 0; k < 4; k++ {
		st := zeros(tensor.Float64, c.batch, c.units)
		if c.initState {
			st = randDense(rng, 0.8, c.batch, c.units)
		}
		s.state = append(s.state, st)
	}
	s.opt.InitialState = s.state
	if c.mask != "" {
		s.opt.Mask = maskPattern(c.mask, c.batch, c.steps)
	}
	if c.dropout {
		s.opt.ForwardMasks, s.opt.BackwardMasks = &DropoutMasks{}, &DropoutMasks{}
		for _, m := range []*DropoutMasks{s.opt.ForwardMasks, s.opt.BackwardMasks} {
			for k := 0; k < 4; k++ {
				m.Input[k], m.Recurrent[k] = randMask(rng, c.batch, c.in), randMask(rng, c.batch, c.units)
			}
		}
	}
	out, err := b.Call(s.x, s.opt)
	if err != nil {
		t.Fatal(err)
	}
	ws, outs := s.w.fields(), out.fields()
	for i, o := range outs {
		if *o != nil {
			*ws[i] = randDense(rng, 1, (*o).Shape()...)
		}
	}
	return s
}

// setBiWeights gives a float64 wrapper random weights in [-0.8, 0.8).
func setBiWeights(t *testing.T, b *Bidirectional, rng *rand.Rand, in int) {
	t.Helper()
	u := b.Settings().Layer.Units
	var ws []*tensor.Dense
	for d := 0; d < 2; d++ {
		ws = append(ws, randDense(rng, 0.8, in, 4*u), randDense(rng, 0.8, u, 4*u))
		if b.Settings().Layer.UseBias {
			ws = append(ws, randDense(rng, 0.8, 4*u))
		}
	}
	if err := b.SetWeights(ws...); err != nil {
		t.Fatal(err)
	}
}

func (s *biSetup) loss() (float64, error) {
	out, err := s.b.Call(s.x, s.opt)
	if err != nil {
		return 0, err
	}
	l := s.b.ActivityPenalty()
	ws := s.w.fields()
	for i, o := range out.fields() {
		l += dot(*ws[i], *o)
	}
	return l, nil
}

// TestBidirectionalFiniteDifferences checks the wrapper's VJP against
// central differences of L = Σ w·returned + activity penalty (eps 1e-6,
// tolerance 1e-6 relative to max(1, |VJP|)) for every element of the
// input, both layers' weights and the four initial states: every merge
// mode, with and without a mask (post, pre, holes, a fully padded row),
// states, dropout with fixed masks, a go_backwards layer, an activity
// regularizer. The wrapper's code is the same in both unroll modes (each
// layer's modes are checked by TestMaskFiniteDifferences and
// TestMaskedUnrollModes, and TestSeqFixtures runs both): unroll=false runs
// every case, unroll=true the masked ones with an initial state, where the
// modes' outputs differ.
func TestBidirectionalFiniteDifferences(t *testing.T) {
	const eps, tol = 1e-6, 1e-6
	for i, c := range biCases {
		modes := []bool{false}
		if c.mask != "" && c.initState {
			modes = append(modes, true)
		}
		for _, unroll := range modes {
			c, unroll, seed := c, unroll, uint64(1700+i)
			t.Run(fmt.Sprintf("%s/unroll=%t", c.name, unroll), func(t *testing.T) {
				t.Parallel()
				s := c.setup(t, unroll, seed)
				if _, err := s.b.Call(s.x, s.opt); err != nil {
					t.Fatal(err)
				}
				g, err := s.b.VJP(s.w)
				if err != nil {
					t.Fatal(err)
				}
				if g.Forward.Input != nil || g.Backward.Input != nil {
					t.Errorf("per-layer input gradients set: want them only in BiGrads.Input")
				}
				targets := []fdTarget{{"input", s.x, g.Input}}
				for k, name := range []string{"forward_h", "forward_c", "backward_h", "backward_c"} {
					targets = append(targets, fdTarget{"initial " + name, s.state[k], g.InitialState()[k]})
				}
				targets = append(targets, weightTargets("forward ", s.b.ForwardLayer().Params(), g.Forward)...)
				targets = append(targets, weightTargets("backward ", s.b.BackwardLayer().Params(), g.Backward)...)
				checkFDTargets(t, s.loss, targets, eps, tol)
				if ws, ps := g.Weights(), s.b.Params(); len(ws) != len(ps) {
					t.Errorf("BiGrads.Weights has %d tensors, Params %d", len(ws), len(ps))
				}
			})
		}
	}
}

// TestBidirectionalPaddedBatch pads samples of lengths 3, 1 and 2 to 3
// steps (post- and pre-padding, both unroll modes, concat) and checks
// that each sample's merged output at its real steps (with
// return_sequences) or merged last output and four states (without) equal,
// to 1e-12, those of the sample run alone at its true length.
func TestBidirectionalPaddedBatch(t *testing.T) {
	const tol, units, in, steps = 1e-12, 2, 2, 3
	lengths := []int{3, 1, 2}
	for _, padding := range []string{"post", "pre"} {
		for _, seqs := range []bool{true, false} {
			for _, unroll := range []bool{true, false} {
				padding, seqs, unroll := padding, seqs, unroll
				t.Run(fmt.Sprintf("%s/return_sequences=%t/unroll=%t", padding, seqs, unroll), func(t *testing.T) {
					t.Parallel()
					rng := graph.NewRNG(9)
					cfg := Default(units)
					cfg.ReturnSequences, cfg.ReturnState, cfg.Unroll = seqs, !seqs, unroll
					b, err := NewBidirectional(DefaultBidirectional(cfg))
					if err != nil {
						t.Fatal(err)
					}
					setBiWeights(t, b, rng, in)
					x := randDense(rng, 5, len(lengths), steps, in)
					mask := make([]bool, len(lengths)*steps)
					xs, offset := make([]*tensor.Dense, len(lengths)), make([]int, len(lengths))
					for i, n := range lengths {
						if padding == "pre" {
							offset[i] = steps - n
						}
						xs[i] = randDense(rng, 1, 1, n, in)
						for k := 0; k < n; k++ {
							mask[i*steps+offset[i]+k] = true
							copy(x.Data().([]float64)[(i*steps+offset[i]+k)*in:], xs[i].Data().([]float64)[k*in:(k+1)*in])
						}
					}
					out, err := b.Call(x, BiCallOptions{Mask: tensor.New(tensor.WithShape(len(lengths), steps), tensor.WithBacking(mask))})
					if err != nil {
						t.Fatal(err)
					}
					for i, n := range lengths {
						alone, err := b.Call(xs[i], BiCallOptions{})
						if err != nil {
							t.Fatal(err)
						}
						if !seqs {
							for k, p := range []*tensor.Dense{out.Output, out.ForwardH, out.ForwardC, out.BackwardH, out.BackwardC} {
								if err := sameTensor(rowOf(p, i), []*tensor.Dense{alone.Output, alone.ForwardH, alone.ForwardC, alone.BackwardH, alone.BackwardC}[k], tol); err != nil {
									t.Errorf("sample %d, returned tensor %d: %v", i, k, err)
								}
							}
							continue
						}
						for k := 0; k < n; k++ {
							got, _ := out.Output.Slice(tensor.S(i), tensor.S(offset[i]+k))
							want, _ := alone.Output.Slice(tensor.S(0), tensor.S(k))
							if err := closeTo(graph.Contiguous(got.(*tensor.Dense)), asFixture(graph.Contiguous(want.(*tensor.Dense))), tol); err != nil {
								t.Errorf("sample %d, real step %d: %v", i, k, err)
							}
						}
					}
				})
			}
		}
	}
}

// TestBidirectionalConfig checks the names and settings of the two layers
// (Keras: forward_<name>, backward_<name>, go_backwards flipped), the
// defaults, and the JSON form, as Keras' get_config, in both directions.
func TestBidirectionalConfig(t *testing.T) {
	cfg := Default(3)
	cfg.Name, cfg.Seed, cfg.ActivityRegularizer = "enc", 5, graph.L2(0.1)
	b, err := NewBidirectional(BidirectionalConfig{Name: "bi", Layer: cfg})
	if err != nil {
		t.Fatal(err)
	}
	fw, bw := b.ForwardLayer().Settings(), b.BackwardLayer().Settings()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"merge mode", b.Settings().MergeMode, MergeConcat},
		{"forward name", fw.Name, "forward_enc"},
		{"backward name", bw.Name, "backward_enc"},
		{"forward go_backwards", fw.GoBackwards, false},
		{"backward go_backwards", bw.GoBackwards, true},
		{"forward seed", fw.Seed, uint64(5)},
		{"backward seed", bw.Seed, uint64(5) ^ backwardSeedMix},
		{"inner activity regularizer", fw.ActivityRegularizer == nil && bw.ActivityRegularizer == nil, true},
		{"wrapper activity regularizer", b.Settings().Layer.ActivityRegularizer != nil, true},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	cfg.GoBackwards = true
	b2, err := NewBidirectional(BidirectionalConfig{Layer: cfg, MergeMode: MergeSum})
	if err != nil {
		t.Fatal(err)
	}
	if !b2.ForwardLayer().Settings().GoBackwards || b2.BackwardLayer().Settings().GoBackwards {
		t.Errorf("go_backwards layer: forward %t, backward %t, want true, false", b2.ForwardLayer().Settings().GoBackwards, b2.BackwardLayer().Settings().GoBackwards)
	}
	if n := b2.Settings().Name; !strings.HasPrefix(n, "bidirectional_") {
		t.Errorf("default name %q, want bidirectional_<n>", n)
	}
	unnamed, err := NewBidirectional(DefaultBidirectional(Default(2)))
	if err != nil {
		t.Fatal(err)
	}
	if n := unnamed.ForwardLayer().Settings().Name; !strings.HasPrefix(n, "forward_lstm_") {
		t.Errorf("forward layer of an unnamed LSTM named %q, want forward_lstm_<n>", n)
	}
	// Different seeds: the two layers draw different weights.
	if err := b.BuildFor(2, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if ws := b.Weights(); len(ws) != 6 || sameTensor(ws[0], ws[3], 1e-3) == nil {
		t.Errorf("forward and backward kernels drawn equal (or %d weights, want 6)", len(ws))
	}

	// JSON, as Keras' get_config.
	for _, mode := range []string{MergeConcat, MergeSum, MergeAve, MergeMul, MergeNone} {
		c := b.Settings()
		c.MergeMode = mode
		js, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(js, &m); err != nil {
			t.Fatal(err)
		}
		layer, _ := m["layer"].(map[string]any)
		inner, _ := layer["config"].(map[string]any)
		wantMode := any(mode)
		if mode == MergeNone {
			wantMode = nil
		}
		if m["name"] != "bi" || layer["class_name"] != "LSTM" || inner["name"] != "enc" || inner["units"] != 3.0 || m["merge_mode"] != wantMode {
			t.Errorf("merge %s: JSON %s: want name bi, layer {class_name LSTM, config {name enc, units 3}}, merge_mode %v", mode, js, wantMode)
		}
		var back BidirectionalConfig
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		js2, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(js2) != string(js) || back.MergeMode != mode {
			t.Errorf("merge %s: round trip %s, want %s", mode, js2, js)
		}
	}
	// Keras' own form: extra keys, Keras' argument names, null merge mode.
	keras := `{"name": "bidirectional_1", "trainable": true, "merge_mode": null,
		"layer": {"class_name": "LSTM", "config": {"name": "lstm_1", "units": 4, "return_sequences": true, "go_backwards": false}}}`
	var kc BidirectionalConfig
	if err := json.Unmarshal([]byte(keras), &kc); err != nil {
		t.Fatal(err)
	}
	if kc.Name != "bidirectional_1" || kc.MergeMode != MergeNone || kc.Layer.Units != 4 || !kc.Layer.ReturnSequences || kc.Layer.Activation != "tanh" {
		t.Errorf("Keras config read as %+v", kc)
	}
	if err := json.Unmarshal([]byte(`{"layer": {"class_name": "LSTM", "config": {"units": 2}}}`), &kc); err != nil || kc.MergeMode != MergeConcat {
		t.Errorf("missing merge_mode: %q, %v; want concat (Keras' default)", kc.MergeMode, err)
	}
}
