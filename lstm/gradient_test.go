package lstm

import (
	"fmt"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// gradCase is one configuration of the finite-difference table: edit
// changes Default(units); the flags choose the call.
type gradCase struct {
	name                    string
	units, batch, steps, in int
	edit                    func(*Config)
	initState               bool   // pass a random initial state
	masks                   bool   // pass random dropout keep masks
	ownWeights              bool   // keep the seeded initial weights
	mask                    string // sequence mask pattern (see maskPattern); "" none
}

// gradCases covers combinations the Keras fixtures do not.
var gradCases = []gradCase{
	{name: "go_backwards+initial_state+return_state+sequences", units: 3, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.GoBackwards, c.ReturnState, c.ReturnSequences = true, true, true }},
	{name: "go_backwards+initial_state+return_state/impl2", units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.GoBackwards, c.ReturnState, c.Implementation = true, true, 2 }},
	{name: "impl1+dropout_masks+initial_state+sequences", units: 2, batch: 2, steps: 3, in: 3, initState: true, masks: true,
		edit: func(c *Config) { c.Dropout, c.RecurrentDropout, c.ReturnSequences = 0.3, 0.4, true }},
	{name: "impl2+dropout_masks+return_state", units: 3, batch: 2, steps: 3, in: 2, masks: true,
		edit: func(c *Config) { c.Dropout, c.RecurrentDropout, c.Implementation, c.ReturnState = 0.25, 0.5, 2, true }},
	{name: "impl1+input_dropout_only+go_backwards", units: 2, batch: 2, steps: 2, in: 2, masks: true,
		edit: func(c *Config) { c.Dropout, c.GoBackwards = 0.5, true }},
	{name: "activation=relu", units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.Activation, c.ReturnSequences = "relu", true }},
	{name: "activation=elu", units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.Activation, c.ReturnState = "elu", true }},
	{name: "activation=softsign", units: 2, batch: 2, steps: 3, in: 2,
		edit: func(c *Config) { c.Activation, c.ReturnSequences = "softsign", true }},
	{name: "activation=linear", units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.Activation, c.ReturnState = "linear", true }},
	{name: "activation=sigmoid+recurrent=sigmoid", units: 2, batch: 2, steps: 3, in: 2,
		edit: func(c *Config) { c.Activation, c.RecurrentActivation, c.ReturnSequences = "sigmoid", "sigmoid", true }},
	{name: "recurrent=hard_sigmoid_keras3", units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) {
			c.RecurrentActivation, c.ReturnState, c.Implementation = "hard_sigmoid_keras3", true, 2
		}},
	{name: "use_bias=false", units: 2, batch: 2, steps: 3, in: 2, initState: true,
		edit: func(c *Config) { c.UseBias, c.ReturnSequences, c.ReturnState = false, true, true }},
	{name: "unit_forget_bias=false/seeded_weights", units: 3, batch: 2, steps: 3, in: 2, ownWeights: true,
		edit: func(c *Config) { c.UnitForgetBias, c.Seed, c.ReturnState = false, 7, true }},
	{name: "default/seeded_weights", units: 3, batch: 2, steps: 3, in: 2, ownWeights: true,
		edit: func(c *Config) { c.Seed = 11 }},
	{name: "single_timestep+return_state", units: 2, batch: 2, steps: 1, in: 2, initState: true,
		edit: func(c *Config) { c.ReturnState = true }},
	{name: "batch_1+single_timestep+go_backwards+sequences", units: 2, batch: 1, steps: 1, in: 3,
		edit: func(c *Config) { c.GoBackwards, c.ReturnSequences = true, true }},
	{name: "units_1+impl1+sequences+state", units: 1, batch: 2, steps: 3, in: 2, initState: true, masks: true,
		edit: func(c *Config) {
			c.ReturnSequences, c.ReturnState, c.Dropout, c.RecurrentDropout = true, true, 0.2, 0.3
		}},
	{name: "units_1+impl2+batch_1+input_dim_1", units: 1, batch: 1, steps: 3, in: 1, initState: true,
		edit: func(c *Config) { c.Implementation, c.ReturnState = 2, true }},
	{name: "batch_1+go_backwards+dropout+state", units: 2, batch: 1, steps: 4, in: 1, initState: true, masks: true,
		edit: func(c *Config) { c.GoBackwards, c.ReturnState, c.RecurrentDropout = true, true, 0.2 }},
}

// setup builds the case's layer (float64) and loss with draws from seed.
func (c gradCase) setup(t *testing.T, unroll bool, seed uint64) *lossSetup {
	t.Helper()
	cfg := Default(c.units)
	c.edit(&cfg)
	cfg.Unroll = unroll
	l := mustNew(t, cfg)
	rng := graph.NewRNG(seed)
	if c.ownWeights {
		if err := l.BuildFor(c.in, tensor.Float64); err != nil {
			t.Fatal(err)
		}
	} else {
		setRandomWeights(t, l, rng, c.in, 0.8)
	}
	s := &lossSetup{l: l, x: randDense(rng, 1, c.batch, c.steps, c.in)}
	if c.initState {
		s.state = &State{H: randDense(rng, 0.8, c.batch, c.units), C: randDense(rng, 1.5, c.batch, c.units)}
	}
	if c.masks {
		s.masks = &DropoutMasks{}
		for k := 0; k < 4; k++ {
			s.masks.Input[k] = randMask(rng, c.batch, c.in)
			s.masks.Recurrent[k] = randMask(rng, c.batch, c.units)
		}
	}
	if c.mask != "" {
		s.mask = maskPattern(c.mask, c.batch, c.steps)
	}
	out, err := s.call(s.state)
	if err != nil {
		t.Fatal(err)
	}
	s.w = weightsFor(rng, out)
	return s
}

// TestVJPFiniteDifferences checks VJP against central differences of
// L = Σ w·outputs (eps 1e-6, tolerance 1e-6 relative to max(1, |VJP|)) for
// every input, weight and initial-state element, in both unroll modes.
func TestVJPFiniteDifferences(t *testing.T) {
	const eps, tol = 1e-6, 1e-6
	for i, c := range gradCases {
		for _, unroll := range []bool{true, false} {
			c, unroll, seed := c, unroll, uint64(100+i)
			t.Run(fmt.Sprintf("%s/unroll=%t", c.name, unroll), func(t *testing.T) {
				t.Parallel()
				checkFD(t, c.setup(t, unroll, seed), eps, tol)
			})
		}
	}
}

// TestUnrollModesAgree checks that unroll=true and unroll=false give the
// same outputs and gradients to 1e-12 on the table above and on random
// configurations (float64).
func TestUnrollModesAgree(t *testing.T) {
	const tol = 1e-12
	cases := append([]gradCase(nil), gradCases...)
	rng := graph.NewRNG(2024)
	acts := []string{"tanh", "relu", "elu", "softsign", "linear", "sigmoid", "selu", "softplus"}
	recActs := []string{"hard_sigmoid", "sigmoid", "hard_sigmoid_keras3", "linear"}
	for i := 0; i < 10; i++ {
		act, rec := acts[rng.IntN(len(acts))], recActs[rng.IntN(len(recActs))]
		flags := rng.Uint32()
		bit := func(k uint) bool { return flags&(1<<k) != 0 }
		c := gradCase{
			name:  fmt.Sprintf("random_%d", i),
			units: 1 + rng.IntN(3), batch: 1 + rng.IntN(3), steps: 1 + rng.IntN(4), in: 1 + rng.IntN(3),
			initState: bit(0), masks: bit(1),
		}
		c.edit = func(cfg *Config) {
			cfg.Activation, cfg.RecurrentActivation = act, rec
			cfg.Implementation = 1 + int(flags>>2&1)
			cfg.ReturnSequences, cfg.ReturnState, cfg.GoBackwards, cfg.UseBias = bit(3), bit(4), bit(5), bit(6)
			if c.masks {
				cfg.Dropout, cfg.RecurrentDropout = 0.3, 0.6
			}
		}
		cases = append(cases, c)
	}
	for i, c := range cases {
		c, seed := c, uint64(500+i)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var outs [2]*Outputs
			var grads [2]*Grads
			for m, unroll := range []bool{true, false} {
				outs[m], grads[m] = c.setup(t, unroll, seed).callVJP(t)
			}
			if err := sameOutputs(outs[1], outs[0], tol); err != nil {
				t.Errorf("unroll=false vs true: %v", err)
			}
			if err := sameGrads(grads[1], grads[0], tol); err != nil {
				t.Errorf("unroll=false vs true: %v", err)
			}
		})
	}
}
