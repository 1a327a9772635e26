package lstm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// Helpers shared by the tests other than TestKerasFixtures (which owns the
// fixture format and closeTo).

// randDense returns a float64 tensor of the given shape with values uniform
// in [-scale, scale) drawn from rng.
func randDense(rng *rand.Rand, scale float64, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * (2*rng.Float64() - 1)
	}
	return graph.NewTensor(tensor.Float64, shape, v)
}

// randMask returns a float64 (rows, cols) keep mask of 0s and 1s (about half
// kept) drawn from rng.
func randMask(rng *rand.Rand, rows, cols int) *tensor.Dense {
	v := make([]float64, rows*cols)
	for i := range v {
		if rng.IntN(2) == 1 {
			v[i] = 1
		}
	}
	return graph.NewTensor(tensor.Float64, []int{rows, cols}, v)
}

// asFixture wraps a tensor's values so that closeTo can compare against it.
func asFixture(t tensor.Tensor) fixtureTensor {
	return fixtureTensor{Shape: append([]int(nil), t.Shape()...), Data: graph.Float64s(t)}
}

// sameTensor reports the first element where got and want differ by more
// than tol·max(1, |want|) (nil for both is equal).
func sameTensor(got, want *tensor.Dense, tol float64) error {
	if got == nil && want == nil {
		return nil
	}
	if want == nil {
		return fmt.Errorf("got a tensor, want nil")
	}
	return closeTo(got, asFixture(want), tol)
}

// sameOutputs compares every field of two Outputs.
func sameOutputs(got, want *Outputs, tol float64) error {
	for _, f := range []struct {
		name      string
		got, want *tensor.Dense
	}{{"output", got.Output, want.Output}, {"h", got.H, want.H}, {"c", got.C, want.C}} {
		if err := sameTensor(f.got, f.want, tol); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// gradFields names the fields of Grads in a fixed order.
func gradFields(g *Grads) []struct {
	name string
	t    *tensor.Dense
} {
	return []struct {
		name string
		t    *tensor.Dense
	}{{"input", g.Input}, {"kernel", g.Kernel}, {"recurrent_kernel", g.RecurrentKernel},
		{"bias", g.Bias}, {"initial_h", g.InitialH}, {"initial_c", g.InitialC}}
}

// sameGrads compares every field of two Grads.
func sameGrads(got, want *Grads, tol float64) error {
	gw := gradFields(want)
	for i, f := range gradFields(got) {
		if err := sameTensor(f.t, gw[i].t, tol); err != nil {
			return fmt.Errorf("gradient %s: %w", f.name, err)
		}
	}
	return nil
}

// timeSlice copies x[:, from:to, :] of a (batch, steps, width) tensor.
func timeSlice(x *tensor.Dense, from, to int) *tensor.Dense {
	s := x.Shape()
	out := zeros(x.Dtype(), s[0], to-from, s[2])
	for t := from; t < to; t++ {
		setStep(out, t-from, stepSlice(x, t))
	}
	return out
}

// concatTime joins (batch, steps_i, width) tensors along the time axis.
func concatTime(parts ...*tensor.Dense) *tensor.Dense {
	s := parts[0].Shape()
	n := 0
	for _, p := range parts {
		n += p.Shape()[1]
	}
	out := zeros(parts[0].Dtype(), s[0], n, s[2])
	k := 0
	for _, p := range parts {
		for t := 0; t < p.Shape()[1]; t++ {
			setStep(out, k, stepSlice(p, t))
			k++
		}
	}
	return out
}

// dot is Σ a·b over all elements (0 when either is nil).
func dot(a, b *tensor.Dense) float64 {
	if a == nil || b == nil {
		return 0
	}
	av, bv := graph.Float64s(a), graph.Float64s(b)
	s := 0.0
	for i := range av {
		s += av[i] * bv[i]
	}
	return s
}

// sumSq is Σ a² over all elements.
func sumSq(a *tensor.Dense) float64 { return dot(a, a) }

// mustNew is New for configurations the test knows are valid.
func mustNew(t *testing.T, cfg Config) *LSTM {
	t.Helper()
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// setRandomWeights gives a float64 layer weights uniform in [-scale, scale)
// for inputs of dim features, so that every gate is away from its defaults.
func setRandomWeights(t *testing.T, l *LSTM, rng *rand.Rand, dim int, scale float64) {
	t.Helper()
	u := l.Settings().Units
	ws := []*tensor.Dense{randDense(rng, scale, dim, 4*u), randDense(rng, scale, u, 4*u)}
	if l.Settings().UseBias {
		ws = append(ws, randDense(rng, scale, 4*u))
	}
	if err := l.SetWeights(ws...); err != nil {
		t.Fatal(err)
	}
}

// lossSetup is a scalar loss of one layer on one batch,
//
//	L = Σ wOut·output + Σ wH·h_T + Σ wC·c_T + activity penalty,
//
// computed by a training Call with fixed dropout masks and an optional
// sequence mask.
type lossSetup struct {
	l     *LSTM
	x     *tensor.Dense
	state *State // nil: the layer's default (zeros)
	masks *DropoutMasks
	mask  *tensor.Dense // sequence mask, or nil
	w     Outputs       // loss weights, shaped like the outputs
}

func (s *lossSetup) call(state *State) (*Outputs, error) {
	return s.l.Call(s.x, CallOptions{Training: true, InitialState: state, Masks: s.masks, Mask: s.mask})
}

// callVJP runs a training call from the setup's state and the VJP of its
// loss weights.
func (s *lossSetup) callVJP(t *testing.T) (*Outputs, *Grads) {
	t.Helper()
	out, err := s.call(s.state)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.l.VJP(s.w)
	if err != nil {
		t.Fatal(err)
	}
	return out, g
}

func (s *lossSetup) loss(state *State) (float64, error) {
	out, err := s.call(state)
	if err != nil {
		return 0, err
	}
	return dot(s.w.Output, out.Output) + dot(s.w.H, out.H) + dot(s.w.C, out.C) + s.l.ActivityPenalty(), nil
}

// weightsFor draws loss weights shaped like out (H and C only when present).
func weightsFor(rng *rand.Rand, out *Outputs) Outputs {
	w := Outputs{Output: randDense(rng, 1, out.Output.Shape()...)}
	if out.H != nil {
		w.H = randDense(rng, 1, out.H.Shape()...)
		w.C = randDense(rng, 1, out.C.Shape()...)
	}
	return w
}

// checkFD compares the gradients of VJP with central finite differences
// (see checkFDTargets) for every element of the input, the weights and the
// initial state. The zero initial state of a call without one is perturbed
// through an explicit state.
func checkFD(t *testing.T, s *lossSetup, eps, tol float64) {
	t.Helper()
	_, g := s.callVJP(t)
	batch, u := s.x.Shape()[0], s.l.Settings().Units
	st := s.state
	if st == nil {
		st = &State{H: zeros(tensor.Float64, batch, u), C: zeros(tensor.Float64, batch, u)}
	}
	targets := []fdTarget{{"input", s.x, g.Input}, {"initial_h", st.H, g.InitialH}, {"initial_c", st.C, g.InitialC}}
	targets = append(targets, weightTargets("", s.l.Params(), g)...)
	if !s.l.Settings().UseBias && g.Bias != nil {
		t.Errorf("bias gradient without use_bias")
	}
	checkFDTargets(t, func() (float64, error) { return s.loss(st) }, targets, eps, tol)
}

// fdTarget is a tensor a loss depends on and the gradient to check.
type fdTarget struct {
	name string
	v    *tensor.Dense // float64; perturbed in place
	g    *tensor.Dense
}

// weightTargets pairs a layer's weights with their gradients in g.
func weightTargets(prefix string, ps []*graph.Param, g *Grads) []fdTarget {
	names := []string{"kernel", "recurrent_kernel", "bias"}
	gw := []*tensor.Dense{g.Kernel, g.RecurrentKernel, g.Bias}
	var ts []fdTarget
	for i, p := range ps {
		ts = append(ts, fdTarget{prefix + names[i], p.Value, gw[i]})
	}
	return ts
}

// checkFDTargets compares each target's gradient with central differences
// (L(v+eps) - L(v-eps)) / 2eps, element by element:
// |fd - grad| <= tol·max(1, |grad|).
func checkFDTargets(t *testing.T, loss func() (float64, error), targets []fdTarget, eps, tol float64) {
	t.Helper()
	for _, tg := range targets {
		if tg.g == nil || !sameShape(tg.g.Shape(), tg.v.Shape()...) {
			t.Errorf("%s: gradient %v, want shape %v", tg.name, tg.g, tg.v.Shape())
			continue
		}
		vals := tg.v.Data().([]float64)
		an := graph.Float64s(tg.g)
		for i := range vals {
			orig := vals[i]
			vals[i] = orig + eps
			lp, err := loss()
			if err != nil {
				t.Fatal(err)
			}
			vals[i] = orig - eps
			lm, err := loss()
			if err != nil {
				t.Fatal(err)
			}
			vals[i] = orig
			fd := (lp - lm) / (2 * eps)
			if d := math.Abs(fd - an[i]); !(d <= tol*math.Max(1, math.Abs(an[i]))) {
				t.Errorf("%s[%d]: VJP %.12g, finite difference %.12g (|diff| %.2g > %.0e)", tg.name, i, an[i], fd, d, tol)
			}
		}
	}
}

// fixtureNamed returns the shipped golden Keras case with the given name
// (from testdata/keras, whatever LSTM_FIXTURES says: the tests that pick a
// case by name need that case).
func fixtureNamed(t *testing.T, name string) *fixture {
	t.Helper()
	return readFixture(t, filepath.Join("testdata", "keras", name+".json"))
}

// statefulLayer builds f's layer as a stateful one (float64).
func (f *fixture) statefulLayer(t *testing.T, unroll bool) *LSTM {
	t.Helper()
	l, err := f.layer(unroll, tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	cfg := l.Settings()
	cfg.Stateful = true
	s := mustNew(t, cfg)
	if err := s.SetWeights(l.Weights()...); err != nil {
		t.Fatal(err)
	}
	return s
}
