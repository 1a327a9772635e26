package lstm

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// fullConfig returns a configuration with every field away from its
// default, including initializers, regularizers and constraints.
func fullConfig(t *testing.T) Config {
	t.Helper()
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cfg := Default(3)
	cfg.Name = "encoder"
	cfg.Activation, cfg.RecurrentActivation = "softsign", "sigmoid"
	cfg.KernelInitializer = must(graph.RandomUniform(-0.2, 0.3)).(graph.Initializer)
	cfg.RecurrentInitializer = must(graph.Orthogonal(1.5)).(graph.Initializer)
	cfg.BiasInitializer = must(graph.Constant(0.1)).(graph.Initializer)
	cfg.UnitForgetBias = false
	cfg.KernelRegularizer, cfg.RecurrentRegularizer = graph.L1(0.01), graph.L2(0.02)
	cfg.BiasRegularizer, cfg.ActivityRegularizer = graph.L1L2(0.01, 0.03), graph.L2(0.001)
	cfg.KernelConstraint = must(graph.MaxNorm(2.5, 0)).(graph.Constraint)
	cfg.RecurrentConstraint, cfg.BiasConstraint = graph.UnitNorm(1), graph.NonNeg()
	cfg.Dropout, cfg.RecurrentDropout, cfg.Implementation = 0.2, 0.35, 2
	cfg.ReturnSequences, cfg.ReturnState, cfg.GoBackwards = true, true, true
	cfg.Stateful, cfg.BatchSize, cfg.Unroll, cfg.Seed = true, 2, true, 77
	return cfg
}

func named(c Config, name string) Config {
	c.Name = name
	return c
}

// TestConfigJSON checks that the JSON round trip of a configuration gives
// an equal configuration, with Keras argument names in the JSON, and that
// the decoded configuration builds a layer with the same weights and, in
// training (same seed, so same masks) and inference, identical outputs.
func TestConfigJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"defaults", named(Default(4), "lstm")}, {"everything set", fullConfig(t)}} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{`"units":`, `"recurrent_activation":`, `"unit_forget_bias":`, `"implementation":`} {
				if !strings.Contains(string(b), key) {
					t.Errorf("JSON %s has no %s", b, key)
				}
			}
			var back Config
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, tc.cfg) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, tc.cfg)
			}
			a, c := mustNew(t, tc.cfg), mustNew(t, back)
			raw, err := a.Config()
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != string(b) {
				t.Errorf("Config() = %s, want %s", raw, b)
			}
			x := randDense(graph.NewRNG(4), 1, 2, 3, 2)
			for _, training := range []bool{true, false} {
				oa, err := a.Call(x, CallOptions{Training: training})
				if err != nil {
					t.Fatal(err)
				}
				oc, err := c.Call(x, CallOptions{Training: training})
				if err != nil {
					t.Fatal(err)
				}
				if err := sameOutputs(oc, oa, 0); err != nil {
					t.Errorf("training %t: %v", training, err)
				}
			}
			wa, wc := a.Weights(), c.Weights()
			for i := range wa {
				if err := sameTensor(wc[i], wa[i], 0); err != nil {
					t.Errorf("weight %d: %v", i, err)
				}
			}
		})
	}
}

// TestConfigJSONDefaults checks that fields left out of the JSON take the
// Keras defaults and that bad specs are errors naming the argument.
func TestConfigJSONDefaults(t *testing.T) {
	var c Config
	if err := json.Unmarshal([]byte(`{"units": 4}`), &c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, Default(4)) {
		t.Errorf(`{"units": 4} gives %+v, want %+v`, c, Default(4))
	}
	for _, tc := range []struct{ json, want string }{
		{`{"units": 2, "kernel_initializer": {"name": "glorot_unifrom"}}`, "kernel_initializer"},
		{`{"units": 2, "activity_regularizer": {"name": "l2", "args": {"l2": -1}}}`, "activity_regularizer"},
		{`{"units": 2, "bias_constraint": {"name": "max_nrom"}}`, "bias_constraint"},
		{`{"units": "two"}`, "lstm: config"},
	} {
		if err := json.Unmarshal([]byte(tc.json), &c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.json, err, tc.want)
		}
	}
}

// TestLayerAdapter: the graph.Layer methods are Call and VJP: Forward
// returns Call's output and activity penalty, and each Pass's Backward adds
// that call's weight gradients (VJP's) into the Params' Grad and returns
// its input gradient; two passes alive at once (a layer applied twice)
// each back-propagate their own call.
func TestLayerAdapter(t *testing.T) {
	for _, unroll := range []bool{true, false} {
		for _, seq := range []bool{true, false} {
			unroll, seq := unroll, seq
			t.Run(fmt.Sprintf("unroll=%t/sequences=%t", unroll, seq), func(t *testing.T) {
				t.Parallel()
				cfg := Default(3)
				cfg.Name, cfg.Seed, cfg.Unroll, cfg.ReturnSequences = "lstm", 5, unroll, seq
				cfg.ActivityRegularizer = graph.L2(0.01)
				var gl graph.Layer = mustNew(t, cfg)
				ref := mustNew(t, cfg)
				if err := gl.Build([][]int{{graph.None, 2}}, tensor.Float64); err != nil {
					t.Fatal(err)
				}
				want := [][]int{{3}}
				if seq {
					want = [][]int{{graph.None, 3}}
				}
				if got := gl.OutputShapes(); !reflect.DeepEqual(got, want) {
					t.Errorf("OutputShapes = %v, want %v", got, want)
				}
				if gl.Name() != "lstm" || gl.Type() != "LSTM" {
					t.Errorf("Name, Type = %q, %q, want lstm, LSTM", gl.Name(), gl.Type())
				}
				rng := graph.NewRNG(8)
				xs := []*tensor.Dense{randDense(rng, 1, 2, 4, 2), randDense(rng, 1, 2, 6, 2)}
				var passes []*graph.Pass
				var wantGs []*Grads
				var dys []*tensor.Dense
				for _, x := range xs {
					wantOut, err := ref.Call(x, CallOptions{Training: true})
					if err != nil {
						t.Fatal(err)
					}
					dy := randDense(rng, 1, wantOut.Output.Shape()...)
					wantG, err := ref.VJP(Outputs{Output: dy})
					if err != nil {
						t.Fatal(err)
					}
					p, err := gl.Forward([]*tensor.Dense{x}, nil, true)
					if err != nil {
						t.Fatal(err)
					}
					if err := sameTensor(p.Outputs[0], wantOut.Output, 0); err != nil {
						t.Errorf("Forward: %v", err)
					}
					if p.ActivityPenalty != ref.ActivityPenalty() || p.ActivityPenalty == 0 {
						t.Errorf("ActivityPenalty = %v, want %v", p.ActivityPenalty, ref.ActivityPenalty())
					}
					passes, wantGs, dys = append(passes, p), append(wantGs, wantG), append(dys, dy)
				}
				ps := gl.Params()
				if len(ps) != 3 {
					t.Fatalf("%d params, want 3", len(ps))
				}
				// The second pass first: each runs its own call's VJP.
				for _, k := range []int{1, 0} {
					dx, err := passes[k].Backward([]*tensor.Dense{dys[k]}, []bool{true})
					if err != nil {
						t.Fatal(err)
					}
					if err := sameTensor(dx[0], wantGs[k].Input, 1e-15); err != nil {
						t.Errorf("pass %d: input gradient: %v", k, err)
					}
				}
				for i := range ps {
					sum := graph.NewTensor(tensor.Float64, ps[i].Value.Shape(), nil)
					for _, g := range wantGs {
						graph.AddInto(sum, []*tensor.Dense{g.Kernel, g.RecurrentKernel, g.Bias}[i])
					}
					if name := "lstm/" + []string{"kernel", "recurrent_kernel", "bias"}[i]; ps[i].Name != name {
						t.Errorf("param %d is %q, want %q", i, ps[i].Name, name)
					}
					if err := sameTensor(ps[i].Grad, sum, 1e-14); err != nil {
						t.Errorf("%s Grad after two passes: %v", ps[i].Name, err)
					}
				}
				p, err := gl.Forward(xs[:1], nil, false)
				if err != nil {
					t.Fatal(err)
				}
				if p.Backward != nil {
					t.Errorf("an inference Forward returned a Backward")
				}
			})
		}
	}
}
