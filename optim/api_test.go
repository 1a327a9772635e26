package optim

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// run takes steps Steps of o on a fresh problem, shuffling params with
// seed (seed 0: name order), and returns the final flat values.
func run(t *testing.T, o Optimizer, steps int, seed uint64) []float64 {
	t.Helper()
	pr := newProblem()
	ps := pr.params(tensor.Float64)
	rng := graph.NewRNG(seed)
	for s := 0; s < steps; s++ {
		pr.setGrads(ps)
		in := ps
		if seed != 0 {
			in = shuffled(ps, rng)
		}
		if err := o.Step(in); err != nil {
			t.Fatal(err)
		}
	}
	var out []float64
	for _, p := range ps {
		out = append(out, graph.Float64s(p.Value)...)
	}
	return out
}

// TestOrderInvariance: shuffling params gives bit-identical results.
func TestOrderInvariance(t *testing.T) {
	for _, c := range trajectoryCases {
		a := run(t, c.opt(), 5, 0)
		for seed := uint64(1); seed < 4; seed++ {
			if b := run(t, c.opt(), 5, seed); !slices.Equal(a, b) {
				t.Errorf("%s: seed %d: results depend on param order", c.name, seed)
			}
		}
	}
}

// TestStateRoundTrip: saving the state (through JSON) after 3 steps and
// restoring it into a fresh optimizer gives the same 6-step result.
func TestStateRoundTrip(t *testing.T) {
	for _, c := range trajectoryCases {
		want := run(t, c.opt(), 6, 0)
		pr := newProblem()
		ps := pr.params(tensor.Float64)
		o := c.opt()
		for s := 0; s < 6; s++ {
			if s == 3 {
				cfg, err := Marshal(o)
				if err != nil {
					t.Fatal(err)
				}
				st, err := json.Marshal(o.State())
				if err != nil {
					t.Fatal(err)
				}
				if o, err = Unmarshal(cfg); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				var s2 State
				if err := json.Unmarshal(st, &s2); err != nil {
					t.Fatal(err)
				}
				if err := o.SetState(s2); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
			}
			pr.setGrads(ps)
			if err := o.Step(ps); err != nil {
				t.Fatal(err)
			}
		}
		var got []float64
		for _, p := range ps {
			got = append(got, graph.Float64s(p.Value)...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: restored run differs:\n got %v\nwant %v", c.name, got, want)
		}
		if err := o.SetState(State{}); err != nil || o.State().Iterations != 0 {
			t.Errorf("%s: reset: %v, iterations %d", c.name, err, o.State().Iterations)
		}
	}
}

func TestNew(t *testing.T) {
	for _, c := range []struct {
		name   string
		lr     float64
		wantLR float64
	}{
		{"sgd", 0, 0.01}, {"rmsprop", 0, 0.001}, {"adagrad", -1, 0.01}, {"adadelta", 0, 1},
		{"adam", 0, 0.001}, {"Adamax", 0, 0.002}, {"nadam", 0, 0.002}, {"RMSprop", 0.5, 0.5},
	} {
		o, err := New(c.name, c.lr)
		if err != nil {
			t.Fatalf("New(%q): %v", c.name, err)
		}
		if o.Name() != strings.ToLower(c.name) {
			t.Errorf("New(%q).Name() = %q", c.name, o.Name())
		}
		var cfg struct {
			LR float64 `json:"lr"`
		}
		if err := json.Unmarshal([]byte(mustJSON(t, o)), &cfg); err != nil || cfg.LR != c.wantLR {
			t.Errorf("New(%q, %v): lr = %v, want %v (%v)", c.name, c.lr, cfg.LR, c.wantLR, err)
		}
	}
	_, err := New("adamw", 0)
	if err == nil || !strings.Contains(err.Error(), "adamw") || !strings.Contains(err.Error(), "sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam") {
		t.Errorf("New(adamw): error %v does not name the optimizer and list the accepted names", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMarshal(t *testing.T) {
	o := NewAdam()
	o.LR, o.AMSGrad, o.ClipNorm = 0.01, true, 1
	b, err := Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"class_name":"Adam","config":{"lr":0.01,"beta_1":0.9,"beta_2":0.999,"decay":0,"epsilon":1e-7,"amsgrad":true,"clipnorm":1}}`
	if string(b) != want {
		t.Errorf("Marshal = %s\nwant %s", b, want)
	}
	// Keras' own serialization, keys left out take the defaults.
	o2, err := Unmarshal([]byte(`{"class_name": "RMSprop", "config": {"lr": 0.002, "clipvalue": 0.5}}`))
	if err != nil {
		t.Fatal(err)
	}
	if r := o2.(*RMSprop); r.LR != 0.002 || r.Rho != 0.9 || r.Epsilon != 1e-7 || r.ClipValue != 0.5 {
		t.Errorf("Unmarshal RMSprop = %+v", r)
	}
	for _, bad := range []struct{ in, wantErr string }{
		{`{"class_name": "Foo", "config": {}}`, `unknown optimizer "Foo"`},
		{`{"class_name": "SGD", "config": {"lr": 0.1, "momentun": 0.9}}`, `momentun`},
		{`{"class_name": "Adam", "config": {"beta_1": 1.0}}`, `beta_1`},
		{`not json`, `bad optimizer JSON`},
	} {
		if _, err := Unmarshal([]byte(bad.in)); err == nil || !strings.Contains(err.Error(), bad.wantErr) {
			t.Errorf("Unmarshal(%s): error %v, want one containing %q", bad.in, err, bad.wantErr)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		o   Optimizer
		arg string
	}{
		{&SGD{LR: -0.1}, "lr"},
		{&SGD{LR: 0.1, Momentum: -1}, "momentum"},
		{&SGD{LR: math.NaN()}, "lr"},
		{&RMSprop{LR: 0.1, Rho: 1, Epsilon: 1e-7}, "rho"},
		{&RMSprop{LR: 0.1, Rho: 0.9, Epsilon: -1}, "epsilon"},
		{&Adagrad{LR: 0.1, Decay: -0.5}, "decay"},
		{&Adadelta{LR: 1, Rho: -0.1}, "rho"},
		{&Adam{LR: 0.1, Beta1: 0.9, Beta2: 1.5}, "beta_2"},
		{&Adamax{LR: 0.1, Beta1: -0.1, Beta2: 0.9}, "beta_1"},
		{&Nadam{LR: 0.1, Beta1: 0.9, Beta2: 0.9, ScheduleDecay: -1}, "schedule_decay"},
		{&Adam{LR: 0.1, Beta1: 0.9, Beta2: 0.9, Clip: Clip{ClipNorm: -1}}, "clipnorm"},
		{&SGD{LR: 0.1, Clip: Clip{ClipValue: math.Inf(1)}}, "clipvalue"},
	} {
		err := c.o.Validate()
		if err == nil || !strings.Contains(err.Error(), c.arg+" =") {
			t.Errorf("%s %+v: Validate() = %v, want an error naming %s", c.o.Name(), c.o, err, c.arg)
			continue
		}
		pr := newProblem()
		ps := pr.params(tensor.Float64)
		before := graph.Float64s(ps[0].Value)
		if err := c.o.Step(ps); err == nil || !slices.Equal(graph.Float64s(ps[0].Value), before) {
			t.Errorf("%s: Step with a bad config: err %v, value changed %v", c.o.Name(), err, !slices.Equal(graph.Float64s(ps[0].Value), before))
		}
	}
}

// TestStepErrors: bad params give errors naming them and change nothing.
func TestStepErrors(t *testing.T) {
	mk := func() []*graph.Param { return newProblem().params(tensor.Float64) }
	cases := []struct {
		name  string
		edit  func(ps []*graph.Param) []*graph.Param
		want  string
		state bool
	}{
		{"nil param", func(ps []*graph.Param) []*graph.Param { return append(ps, nil) }, "params[3] is nil", false},
		{"empty name", func(ps []*graph.Param) []*graph.Param { ps[1].Name = ""; return ps }, "empty Name", false},
		{"duplicate", func(ps []*graph.Param) []*graph.Param { ps[2].Name = ps[0].Name; return ps }, `two params named "dense/bias"`, false},
		{"nil grad", func(ps []*graph.Param) []*graph.Param { ps[1].Grad = nil; return ps }, `"dense/kernel" has a nil Grad`, false},
		{"grad shape", func(ps []*graph.Param) []*graph.Param {
			ps[1].Grad = graph.NewTensor(tensor.Float64, []int{3, 2}, nil)
			return ps
		}, `"dense/kernel": Grad is`, false},
		{"grad dtype", func(ps []*graph.Param) []*graph.Param {
			ps[0].Grad = graph.NewTensor(tensor.Float32, []int{3}, nil)
			return ps
		}, `"dense/bias": Grad is float32`, false},
		{"int value", func(ps []*graph.Param) []*graph.Param {
			ps[0].Value = tensor.New(tensor.WithShape(3), tensor.WithBacking([]int{1, 2, 3}))
			return ps
		}, `"dense/bias": graph: dtype int`, false},
		{"size changed", func(ps []*graph.Param) []*graph.Param {
			ps[0].Value = graph.NewTensor(tensor.Float64, []int{4}, nil)
			ps[0].Grad = graph.NewTensor(tensor.Float64, []int{4}, nil)
			return ps
		}, `slot "m" of param "dense/bias" has 3 values, param has 4`, true},
	}
	for _, c := range cases {
		o := NewAdam()
		if c.state {
			if err := o.Step(mk()); err != nil {
				t.Fatal(err)
			}
		}
		before := o.State()
		ps := c.edit(mk())
		err := o.Step(ps)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if after := o.State(); after.Iterations != before.Iterations || len(after.Slots["m"]) != len(before.Slots["m"]) {
			t.Errorf("%s: a failed Step changed the state", c.name)
		}
	}
	if err := NewAdam().SetState(State{Slots: map[string]map[string][]float64{"moment": {}}}); err == nil ||
		!strings.Contains(err.Error(), `unknown state slot "moment"`) {
		t.Errorf("SetState with a foreign slot: %v", err)
	}
}

// TestLearningRate: every optimizer reads and sets its lr (the JSON "lr"),
// refuses a NaN, negative or infinite rate and keeps the old one, and its
// next step moves by the new rate: the first step of a one-weight problem
// is proportional to lr for every optimizer (to 1e-14: the step is read
// as 1 − w from a weight near 1).
func TestLearningRate(t *testing.T) {
	for _, r := range registry {
		o := r.make()
		def := o.LearningRate()
		if got := readLR(t, o); got != def {
			t.Errorf("%s: LearningRate %v, config lr %v", r.name, def, got)
		}
		for _, bad := range []float64{math.NaN(), -0.1, math.Inf(1)} {
			if err := o.SetLearningRate(bad); err == nil || !strings.Contains(err.Error(), "lr") {
				t.Errorf("%s: SetLearningRate(%v): error %v, want one naming lr", r.name, bad, err)
			}
			if o.LearningRate() != def {
				t.Errorf("%s: SetLearningRate(%v) changed lr to %v", r.name, bad, o.LearningRate())
			}
		}
		step := func(lr float64) float64 {
			o := r.make()
			if err := o.SetLearningRate(lr); err != nil {
				t.Fatal(err)
			}
			p := &graph.Param{Name: "w", Value: graph.NewTensor(tensor.Float64, []int{1}, []float64{1}),
				Grad: graph.NewTensor(tensor.Float64, []int{1}, []float64{0.5})}
			if err := o.Step([]*graph.Param{p}); err != nil {
				t.Fatal(err)
			}
			return 1 - graph.Float64s(p.Value)[0]
		}
		if a, b := step(0.01), step(0.03); math.Abs(b-3*a) > 1e-14 || a <= 0 {
			t.Errorf("%s: first step %v at lr 0.01, %v at lr 0.03: want 3 times as far", r.name, a, b)
		}
		if err := o.SetLearningRate(0.25); err != nil || o.LearningRate() != 0.25 || readLR(t, o) != 0.25 {
			t.Errorf("%s: SetLearningRate(0.25): %v, LearningRate %v, config lr %v", r.name, err, o.LearningRate(), readLR(t, o))
		}
	}
}

// readLR returns the "lr" of o's JSON configuration.
func readLR(t *testing.T, o Optimizer) float64 {
	t.Helper()
	var cfg struct {
		LR float64 `json:"lr"`
	}
	if err := json.Unmarshal([]byte(mustJSON(t, o)), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.LR
}
