package lstm

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestErrors checks that bad arguments are errors whose message names the
// argument (and, where there is one, the accepted values or shape).
func TestErrors(t *testing.T) {
	newWith := func(edit func(*Config)) func() error {
		return func() error {
			cfg := Default(2)
			edit(&cfg)
			_, err := New(cfg)
			return err
		}
	}
	rng := graph.NewRNG(1)
	x := randDense(rng, 1, 2, 3, 4) // batch 2, 3 steps, input_dim 4
	// built returns a float64 layer with 2 units built by a training call
	// on x.
	built := func(edit func(*Config)) *LSTM {
		cfg := Default(2)
		edit(&cfg)
		l := mustNew(t, cfg)
		if _, err := l.Call(x, CallOptions{Training: true}); err != nil {
			t.Fatal(err)
		}
		return l
	}
	plain := func(*Config) {}
	for _, tc := range []struct {
		name string
		run  func() error
		want []string
	}{
		{"units 0", newWith(func(c *Config) { c.Units = 0 }), []string{"units", "at least 1"}},
		{"units -3", newWith(func(c *Config) { c.Units = -3 }), []string{"units = -3"}},
		{"dropout -0.1", newWith(func(c *Config) { c.Dropout = -0.1 }), []string{"lstm: dropout = -0.1", "[0, 1)"}},
		{"dropout 1", newWith(func(c *Config) { c.Dropout = 1 }), []string{"lstm: dropout = 1", "[0, 1)"}},
		{"dropout NaN", newWith(func(c *Config) { c.Dropout = math.NaN() }), []string{"lstm: dropout = NaN"}},
		{"recurrent_dropout -0.1", newWith(func(c *Config) { c.RecurrentDropout = -0.1 }), []string{"recurrent_dropout = -0.1", "[0, 1)"}},
		{"recurrent_dropout 1", newWith(func(c *Config) { c.RecurrentDropout = 1 }), []string{"recurrent_dropout = 1"}},
		{"recurrent_dropout NaN", newWith(func(c *Config) { c.RecurrentDropout = math.NaN() }), []string{"recurrent_dropout = NaN"}},
		{"implementation 3", newWith(func(c *Config) { c.Implementation = 3 }), []string{"implementation = 3", "1 or 2"}},
		{"implementation 0", newWith(func(c *Config) { c.Implementation = 0 }), []string{"implementation = 0"}},
		{"activation", newWith(func(c *Config) { c.Activation = "tanhh" }), []string{"lstm: activation", "tanhh", "tanh"}},
		{"recurrent_activation", newWith(func(c *Config) { c.RecurrentActivation = "hard-sigmoid" }),
			[]string{"recurrent_activation", "hard-sigmoid", "hard_sigmoid"}},
		{"batch_size", newWith(func(c *Config) { c.BatchSize = -1 }), []string{"batch_size = -1"}},
		{"input rank 2", func() error {
			_, err := mustNew(t, Default(2)).Call(randDense(rng, 1, 2, 3), CallOptions{})
			return err
		}, []string{"rank 2", "want rank 3"}},
		{"input rank 4", func() error {
			_, err := mustNew(t, Default(2)).Call(randDense(rng, 1, 1, 2, 3, 4), CallOptions{})
			return err
		}, []string{"rank 4", "want rank 3"}},
		{"input nil", func() error {
			_, err := mustNew(t, Default(2)).Call(nil, CallOptions{})
			return err
		}, []string{"input is nil"}},
		{"input dtype int", func() error {
			_, err := mustNew(t, Default(2)).Call(tensor.New(tensor.WithShape(1, 1, 1), tensor.WithBacking([]int{1})), CallOptions{})
			return err
		}, []string{"dtype int", "float32 or float64"}},
		{"input_dim", func() error {
			_, err := built(plain).Call(randDense(rng, 1, 2, 3, 5), CallOptions{})
			return err
		}, []string{"input_dim = 5", "input_dim 4"}},
		{"dtype mismatch", func() error {
			_, err := built(plain).Call(graph.NewTensor(tensor.Float32, []int{2, 3, 4}, nil), CallOptions{})
			return err
		}, []string{"dtype float32", "float64"}},
		{"initial state h shape", func() error {
			_, err := built(plain).Call(x, CallOptions{InitialState: &State{H: zeros(tensor.Float64, 2, 3), C: zeros(tensor.Float64, 2, 2)}})
			return err
		}, []string{"initial state h", "(2, 3)", "want (2, 2)"}},
		{"initial state c batch", func() error {
			_, err := built(plain).Call(x, CallOptions{InitialState: &State{H: zeros(tensor.Float64, 2, 2), C: zeros(tensor.Float64, 1, 2)}})
			return err
		}, []string{"initial state c", "want (2, 2)"}},
		{"initial state c nil", func() error {
			_, err := built(plain).Call(x, CallOptions{InitialState: &State{H: zeros(tensor.Float64, 2, 2)}})
			return err
		}, []string{"initial state c is nil"}},
		{"initial state dtype", func() error {
			_, err := built(plain).Call(x, CallOptions{InitialState: &State{H: zeros(tensor.Float32, 2, 2), C: zeros(tensor.Float32, 2, 2)}})
			return err
		}, []string{"initial state h", "dtype float32"}},
		{"dropout mask shape", func() error {
			l := built(func(c *Config) { c.Dropout = 0.5 })
			m := &DropoutMasks{}
			for k := range m.Input {
				m.Input[k] = zeros(tensor.Float64, 2, 3)
			}
			_, err := l.Call(x, CallOptions{Training: true, Masks: m})
			return err
		}, []string{"input dropout mask 0", "(2, 4)"}},
		{"VJP without a call", func() error {
			_, err := mustNew(t, Default(2)).VJP(Outputs{})
			return err
		}, []string{"VJP", "Training true"}},
		{"VJP after an inference call", func() error {
			l := built(plain)
			if _, err := l.Call(x, CallOptions{}); err != nil {
				return nil
			}
			_, err := l.VJP(Outputs{})
			return err
		}, []string{"VJP", "Training true"}},
		{"VJP output seed shape", func() error {
			_, err := built(plain).VJP(Outputs{Output: zeros(tensor.Float64, 2, 3)})
			return err
		}, []string{"gradient of output", "(2, 3)", "(2, 2)"}},
		{"VJP sequence seed shape", func() error {
			_, err := built(func(c *Config) { c.ReturnSequences = true }).VJP(Outputs{Output: zeros(tensor.Float64, 2, 2)})
			return err
		}, []string{"gradient of output", "(2, 3, 2)"}},
		{"VJP output seed (n) for (n, 1)", func() error {
			l := mustNew(t, Default(1))
			if _, err := l.Call(x, CallOptions{Training: true}); err != nil {
				return nil
			}
			_, err := l.VJP(Outputs{Output: zeros(tensor.Float64, 2)})
			return err
		}, []string{"gradient of output", "shape (2)", "want (2, 1)"}},
		{"VJP output seed dtype", func() error {
			_, err := built(plain).VJP(Outputs{Output: zeros(tensor.Float32, 2, 2)})
			return err
		}, []string{"gradient of output", "dtype float32"}},
		{"VJP h seed without return_state", func() error {
			_, err := built(plain).VJP(Outputs{H: zeros(tensor.Float64, 2, 2)})
			return err
		}, []string{"return_state is false"}},
		{"VJP c seed shape", func() error {
			_, err := built(func(c *Config) { c.ReturnState = true }).VJP(Outputs{C: zeros(tensor.Float64, 3, 2)})
			return err
		}, []string{"gradient of c", "(3, 2)"}},
		{"ResetStatesTo unbuilt", func() error {
			cfg := Default(2)
			cfg.Stateful = true
			return mustNew(t, cfg).ResetStatesTo(State{H: zeros(tensor.Float64, 2, 2), C: zeros(tensor.Float64, 2, 2)})
		}, []string{"ResetStatesTo", "not built"}},
		{"mask float64", func() error {
			_, err := built(plain).Call(x, CallOptions{Mask: zeros(tensor.Float64, 2, 3)})
			return err
		}, []string{"mask has dtype float64", "mask must be a bool or integer tensor"}},
		{"mask float32", func() error {
			_, err := mustNew(t, Default(2)).Call(x, CallOptions{Mask: zeros(tensor.Float32, 2, 3)})
			return err
		}, []string{"mask has dtype float32", "mask must be a bool or integer tensor"}},
		{"mask complex", func() error {
			m := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(make([]complex128, 6)))
			_, err := built(plain).Call(x, CallOptions{Mask: m})
			return err
		}, []string{"mask must be a bool or integer tensor"}},
		{"mask rank 1", func() error {
			_, err := built(plain).Call(x, CallOptions{Mask: tensor.New(tensor.WithShape(6), tensor.WithBacking(make([]int, 6)))})
			return err
		}, []string{"mask has shape (6)", "want (2, 3) (batch, timesteps)"}},
		{"mask batch", func() error {
			_, err := built(plain).Call(x, CallOptions{Mask: tensor.New(tensor.WithShape(3, 3), tensor.WithBacking(make([]bool, 9)))})
			return err
		}, []string{"mask has shape (3, 3)", "want (2, 3) (batch, timesteps)"}},
		{"mask timesteps", func() error {
			_, err := built(plain).Call(x, CallOptions{Mask: tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(make([]int8, 8)))})
			return err
		}, []string{"mask has shape (2, 4)", "want (2, 3)"}},
		{"dropout mask int", func() error {
			l := built(func(c *Config) { c.Dropout = 0.5 })
			m := &DropoutMasks{}
			for k := range m.Input {
				m.Input[k] = tensor.New(tensor.WithShape(2, 4), tensor.WithBacking(make([]int, 8)))
			}
			_, err := l.Call(x, CallOptions{Training: true, Masks: m})
			return err
		}, []string{"input dropout mask 0", "float32 or float64"}},
		{"Unrolled mask shape", func() error {
			g := G.NewGraph()
			xs := []*G.Node{G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x0"))}
			_, err := built(plain).UnrolledWith(g, xs, UnrolledOptions{Mask: G.NewMatrix(g, tensor.Float64, G.WithShape(2, 3), G.WithName("m"))})
			return err
		}, []string{"Unrolled: mask", "(2, 3)", "want a (2, 1) float64 matrix (batch, timesteps)"}},
		{"Unrolled mask dtype", func() error {
			g := G.NewGraph()
			xs := []*G.Node{G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x0"))}
			_, err := built(plain).UnrolledWith(g, xs, UnrolledOptions{Mask: G.NewMatrix(g, tensor.Float32, G.WithShape(2, 1), G.WithName("m"))})
			return err
		}, []string{"Unrolled: mask", "float32", "want a (2, 1) float64 matrix"}},
		{"Unrolled initial state dtype", func() error {
			g := G.NewGraph()
			xs := []*G.Node{G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x0"))}
			_, err := built(plain).UnrolledWith(g, xs, UnrolledOptions{H0: G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("h0"))})
			return err
		}, []string{"Unrolled: initial state h0", "float32", "want a (2, 2) float64 matrix"}},
		{"BuildFor twice", func() error { return built(plain).BuildFor(4, tensor.Float64) }, []string{"already built"}},
		{"BuildFor input_dim 0", func() error { return mustNew(t, Default(2)).BuildFor(0, tensor.Float64) }, []string{"input_dim = 0"}},
		{"BuildFor dtype", func() error { return mustNew(t, Default(2)).BuildFor(3, tensor.Int) }, []string{"dtype int"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestSetWeightsErrors checks that a wrong count, shape or dtype in
// SetWeights is an error naming the weight and that it changes nothing: a
// built layer keeps its weights, an unbuilt one stays unbuilt.
func TestSetWeightsErrors(t *testing.T) {
	const u, in = 2, 3
	f64 := func(shape ...int) *tensor.Dense { return graph.NewTensor(tensor.Float64, shape, nil) }
	good := func() []*tensor.Dense { return []*tensor.Dense{f64(in, 4*u), f64(u, 4*u), f64(4 * u)} }
	for _, tc := range []struct {
		name    string
		useBias bool
		ws      []*tensor.Dense
		want    []string
	}{
		{"two arrays with bias", true, good()[:2], []string{"got 2 arrays, want 3", "bias"}},
		{"three arrays without bias", false, good(), []string{"got 3 arrays, want 2"}},
		{"kernel columns", true, []*tensor.Dense{f64(in, 4*u+1), f64(u, 4*u), f64(4 * u)}, []string{"kernel has shape (3, 9)", "8)"}},
		{"kernel rank", true, []*tensor.Dense{f64(in * 4 * u), f64(u, 4*u), f64(4 * u)}, []string{"kernel has shape"}},
		{"recurrent_kernel", true, []*tensor.Dense{f64(in, 4*u), f64(4*u, u), f64(4 * u)}, []string{"recurrent_kernel has shape (8, 2)", "want (2, 8)"}},
		{"bias", true, []*tensor.Dense{f64(in, 4*u), f64(u, 4*u), f64(4*u, 1)}, []string{"bias has shape (8, 1)", "want (8)"}},
		{"nil array", true, []*tensor.Dense{f64(in, 4*u), nil, f64(4 * u)}, []string{"array 1", "float32 or float64"}},
		{"int array", true, []*tensor.Dense{f64(in, 4*u), f64(u, 4*u),
			tensor.New(tensor.WithShape(4*u), tensor.WithBacking(make([]int, 4*u)))}, []string{"array 2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default(u)
			cfg.UseBias = tc.useBias
			check := func(err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("no error, want one containing %q", tc.want)
				}
				for _, w := range tc.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
			}
			unbuilt := mustNew(t, cfg)
			check(unbuilt.SetWeights(tc.ws...))
			if unbuilt.Built() || unbuilt.Params() != nil {
				t.Errorf("failed SetWeights built the layer")
			}
			l := mustNew(t, cfg)
			if err := l.BuildFor(in, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			before := l.Weights()
			check(l.SetWeights(tc.ws...))
			after := l.Weights()
			for i := range before {
				if err := sameTensor(after[i], before[i], 0); err != nil {
					t.Errorf("weight %d changed by a failed SetWeights: %v", i, err)
				}
			}
		})
	}
	// A built layer refuses a kernel for another input_dim.
	l := mustNew(t, Default(u))
	if err := l.BuildFor(in, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	err := l.SetWeights(f64(in+1, 4*u), f64(u, 4*u), f64(4*u))
	if err == nil || !strings.Contains(err.Error(), "want (3, 8)") {
		t.Errorf("kernel for input_dim 4 on a layer built for 3: error %v, want one with (3, 8)", err)
	}
}

// TestMaskErrorChangesNothing checks that a call refused for its mask
// leaves an unbuilt layer unbuilt.
func TestMaskErrorChangesNothing(t *testing.T) {
	l := mustNew(t, Default(2))
	if _, err := l.Call(randDense(graph.NewRNG(1), 1, 2, 3, 4), CallOptions{Mask: zeros(tensor.Float64, 2, 3)}); err == nil {
		t.Fatal("float mask: no error")
	}
	if l.Built() {
		t.Errorf("a call refused for its mask built the layer")
	}
}

// TestBidirectionalErrors checks that bad arguments of the wrapper are
// errors naming the argument and the accepted values, and that a refused
// SetWeights changes nothing.
func TestBidirectionalErrors(t *testing.T) {
	rng := graph.NewRNG(2)
	x := randDense(rng, 1, 2, 3, 4) // batch 2, 3 steps, input_dim 4
	newBi := func(edit func(*BidirectionalConfig)) (*Bidirectional, error) {
		c := DefaultBidirectional(Default(2))
		edit(&c)
		return NewBidirectional(c)
	}
	// built returns a float64 wrapper (2 units) after a training call on x.
	built := func(edit func(*BidirectionalConfig)) *Bidirectional {
		b, err := newBi(edit)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Call(x, BiCallOptions{Training: true}); err != nil {
			t.Fatal(err)
		}
		return b
	}
	plain := func(*BidirectionalConfig) {}
	st := func(b, u int) *tensor.Dense { return zeros(tensor.Float64, b, u) }
	for _, tc := range []struct {
		name string
		run  func() error
		want []string
	}{
		{"merge_mode", func() error {
			_, err := newBi(func(c *BidirectionalConfig) { c.MergeMode = "avg" })
			return err
		}, []string{`merge_mode = "avg"`, `"concat", "sum", "ave", "mul" or "none"`}},
		{"merge_mode None", func() error {
			_, err := newBi(func(c *BidirectionalConfig) { c.MergeMode = "None" })
			return err
		}, []string{`merge_mode = "None"`, `"none"`}},
		{"layer units", func() error {
			_, err := newBi(func(c *BidirectionalConfig) { c.Layer.Units = 0 })
			return err
		}, []string{"bidirectional: layer", "units = 0"}},
		{"initial state count", func() error {
			_, err := built(plain).Call(x, BiCallOptions{InitialState: []*tensor.Dense{st(2, 2), st(2, 2)}})
			return err
		}, []string{"initial state has 2 tensors", "want 4 (forward h, forward c, backward h, backward c)"}},
		{"backward initial h shape", func() error {
			_, err := built(plain).Call(x, BiCallOptions{InitialState: []*tensor.Dense{st(2, 2), st(2, 2), st(2, 5), st(2, 2)}})
			return err
		}, []string{"backward layer", "initial state h has shape (2, 5)", "want (2, 2)"}},
		{"forward initial c nil", func() error {
			_, err := built(plain).Call(x, BiCallOptions{InitialState: []*tensor.Dense{st(2, 2), nil, st(2, 2), st(2, 2)}})
			return err
		}, []string{"forward layer", "initial state c is nil"}},
		{"float mask", func() error {
			_, err := built(plain).Call(x, BiCallOptions{Mask: st(2, 3)})
			return err
		}, []string{"mask must be a bool or integer tensor"}},
		{"mask shape", func() error {
			_, err := built(plain).Call(x, BiCallOptions{Mask: tensor.New(tensor.WithShape(2, 2), tensor.WithBacking(make([]bool, 4)))})
			return err
		}, []string{"mask has shape (2, 2)", "want (2, 3) (batch, timesteps)"}},
		{"input rank", func() error {
			_, err := built(plain).Call(randDense(rng, 1, 2, 3), BiCallOptions{})
			return err
		}, []string{"rank 2", "want rank 3"}},
		{"SetWeights count", func() error {
			ws := built(plain).Weights()
			return built(plain).SetWeights(ws[:5]...)
		}, []string{"got 5 arrays, want 6", "forward kernel, recurrent_kernel, bias, then backward kernel, recurrent_kernel, bias"}},
		{"SetWeights backward shape", func() error {
			ws := built(plain).Weights()
			ws[4] = st(3, 8)
			return built(plain).SetWeights(ws...)
		}, []string{"backward layer", "recurrent_kernel has shape (3, 8)", "want (2, 8)"}},
		{"SetWeights input_dim", func() error {
			b, _ := newBi(plain)
			ws := built(plain).Weights()
			ws[3] = st(5, 8)
			return b.SetWeights(ws...)
		}, []string{"forward kernel has input_dim 4, backward kernel 5"}},
		{"VJP without a call", func() error {
			b, _ := newBi(plain)
			_, err := b.VJP(BiOutputs{})
			return err
		}, []string{"VJP needs a preceding Call with Training true"}},
		{"VJP after inference", func() error {
			b := built(plain)
			if _, err := b.Call(x, BiCallOptions{}); err != nil {
				return nil
			}
			_, err := b.VJP(BiOutputs{})
			return err
		}, []string{"VJP needs a preceding Call with Training true"}},
		{"VJP output_forward with concat", func() error {
			_, err := built(plain).VJP(BiOutputs{OutputForward: st(2, 2)})
			return err
		}, []string{"gradient of output_forward given", "does not return it", `merge_mode "concat"`}},
		{"VJP output with none", func() error {
			_, err := built(func(c *BidirectionalConfig) { c.MergeMode = MergeNone }).VJP(BiOutputs{Output: st(2, 4)})
			return err
		}, []string{"gradient of output given", `merge_mode "none"`}},
		{"VJP forward_h without return_state", func() error {
			_, err := built(plain).VJP(BiOutputs{ForwardH: st(2, 2)})
			return err
		}, []string{"gradient of forward_h given", "return_state false"}},
		{"VJP output shape", func() error {
			_, err := built(plain).VJP(BiOutputs{Output: st(2, 2)})
			return err
		}, []string{"gradient of output has shape (2, 2)", "want (2, 4)"}},
		{"VJP output dtype", func() error {
			_, err := built(plain).VJP(BiOutputs{Output: zeros(tensor.Float32, 2, 4)})
			return err
		}, []string{"gradient of output has dtype float32", "want float64"}},
		{"Unrolled initial state count", func() error {
			g := G.NewGraph()
			xs := []*G.Node{G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x0"))}
			_, err := built(plain).Unrolled(g, xs, BiUnrolledOptions{InitialState: make([]*G.Node, 3)})
			return err
		}, []string{"initial state has 3 nodes", "want 4"}},
		{"Unrolled unbuilt", func() error {
			b, _ := newBi(plain)
			g := G.NewGraph()
			_, err := b.Unrolled(g, []*G.Node{G.NewMatrix(g, tensor.Float64, G.WithShape(2, 4), G.WithName("x0"))}, BiUnrolledOptions{})
			return err
		}, []string{"forward layer", "not built"}},
		{"ResetStates not stateful", func() error { return built(plain).ResetStates() }, []string{"not stateful"}},
		{"JSON class_name", func() error {
			var c BidirectionalConfig
			return json.Unmarshal([]byte(`{"layer": {"class_name": "GRU", "config": {"units": 2}}, "merge_mode": "sum"}`), &c)
		}, []string{`class_name "GRU"`, `only "LSTM"`}},
		{"JSON merge_mode type", func() error {
			var c BidirectionalConfig
			return json.Unmarshal([]byte(`{"layer": {"class_name": "LSTM", "config": {"units": 2}}, "merge_mode": 3}`), &c)
		}, []string{"merge_mode"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}

	// A refused SetWeights changes nothing.
	b := built(plain)
	before := b.Weights()
	bad := b.Weights()
	bad[5] = zeros(tensor.Float64, 9)
	if err := b.SetWeights(bad...); err == nil {
		t.Fatal("bad backward bias: no error")
	}
	for i, w := range b.Weights() {
		if err := sameTensor(w, before[i], 0); err != nil {
			t.Errorf("weight %d changed by a refused SetWeights: %v", i, err)
		}
	}
	unbuilt, _ := newBi(plain)
	if err := unbuilt.SetWeights(bad...); err == nil || unbuilt.Built() || unbuilt.ForwardLayer().Built() {
		t.Errorf("refused SetWeights on an unbuilt wrapper: error %v, built %t", err, unbuilt.ForwardLayer().Built())
	}
}
