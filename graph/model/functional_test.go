package model

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

func dense(t testing.TB, name string, units int, act string, seed uint64) *layers.Dense {
	t.Helper()
	c := layers.DenseDefaults(units)
	c.Name, c.Activation, c.Seed = name, act, seed
	c.BiasInitializer = graph.Spec{Name: "random_uniform"}
	d, err := layers.NewDense(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newLSTM(t *testing.T, name string, units int, seq, state bool, seed uint64) *lstm.LSTM {
	t.Helper()
	c := lstm.Default(units)
	c.Name, c.ReturnSequences, c.ReturnState, c.Seed = name, seq, state, seed
	c.BiasInitializer, _ = graph.RandomUniform(-0.5, 0.5)
	l, err := lstm.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// grads returns copies of every weight gradient of m after one backward of
// the batch's loss (no update).
func grads(t *testing.T, m *Model, xs, ys []*tensor.Dense) (float64, [][]float64) {
	t.Helper()
	if err := m.readyData(xs, ys); err != nil {
		t.Fatal(err)
	}
	r, err := m.forward(xs, true)
	if err != nil {
		t.Fatal(err)
	}
	vals, dOuts, err := m.lossValues(r, ys, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.backward(r, dOuts); err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	for _, p := range m.Params() {
		out = append(out, graph.Float64s(p.Grad))
	}
	return vals[0], out
}

// TestFunctionalChainEqualsSequential: Input → LSTM → Dense as a functional
// model gives the Sequential model's outputs, loss and gradients, with the
// same weights, in both dtypes.
func TestFunctionalChainEqualsSequential(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		seq, _ := NewSequential(dt, newLSTM(t, "l", 4, false, false, 1), dense(t, "d", 2, "tanh", 2))
		x := graph.NewTensor(dt, []int{5, 6, 3}, randValues(90, 3))
		y := graph.NewTensor(dt, []int{5, 2}, randValues(10, 4))
		seq.Compile("mse", &testSGD{lr: 0.1})
		in := Input("x", graph.None, 3)
		out := Apply(dense(t, "d", 2, "tanh", 2), Apply(newLSTM(t, "l", 4, false, false, 1), in))
		fn, err := New(dt, []*Node{in}, []*Node{out})
		if err != nil {
			t.Fatal(err)
		}
		fn.Compile("mse", &testSGD{lr: 0.1})
		if _, err := seq.Predict(x, 5); err != nil { // builds
			t.Fatal(err)
		}
		if err := fn.SetWeights(seq.Weights()...); err != nil {
			t.Fatal(err)
		}
		p1, _ := seq.Predict(x, 2)
		p2, err := fn.Predict(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !p1.Eq(p2) {
			t.Errorf("%v: functional prediction differs from Sequential", dt)
		}
		l1, g1 := grads(t, seq, []*tensor.Dense{x}, []*tensor.Dense{y})
		l2, g2 := grads(t, fn, []*tensor.Dense{x}, []*tensor.Dense{y})
		if l1 != l2 {
			t.Errorf("%v: loss %v vs %v", dt, l1, l2)
		}
		for i := range g1 {
			for j := range g1[i] {
				if g1[i][j] != g2[i][j] {
					t.Fatalf("%v: gradient of %s differs", dt, seq.Params()[i].Name)
				}
			}
		}
		if !strings.Contains(fn.Summary(), "Connected to") || !strings.Contains(fn.Summary(), "l (LSTM)") {
			t.Errorf("functional summary:\n%s", fn.Summary())
		}
	}
}

// twoByTwo is a model of two inputs and two outputs: a Dense applied to
// both inputs (shared weights), an LSTM on the first with return_state, its
// h into a head, and the second input's Dense output into another head.
func twoByTwo(t *testing.T) (*Model, []*tensor.Dense, []*tensor.Dense) {
	t.Helper()
	a := Input("a", graph.None, 2)
	b := Input("b", 4, 2)
	shared := dense(t, "shared", 3, "tanh", 1)
	ra, rb := Apply(shared, a), Apply(shared, b)
	seq := Apply(newLSTM(t, "lstm", 4, false, true, 2), ra)
	h := seq.Output(1)
	out1 := Apply(dense(t, "head1", 1, "linear", 3), h)
	out2 := Apply(dense(t, "head2", 2, "sigmoid", 4), rb)
	m, err := New(tensor.Float64, []*Node{a, b}, []*Node{out1, out2})
	if err != nil {
		t.Fatal(err)
	}
	xs := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{3, 5, 2}, randValues(30, 5)),
		graph.NewTensor(tensor.Float64, []int{3, 4, 2}, randValues(24, 6))}
	ys := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{3, 1}, randValues(3, 7)),
		graph.NewTensor(tensor.Float64, []int{3, 4, 2}, randValues(24, 8))}
	if err := m.CompileMulti(CompileOptions{Losses: []string{"mse", "binary_crossentropy"}, LossWeights: []float64{1, 0.5}, Optimizer: optim.NewSGD()}); err != nil {
		t.Fatal(err)
	}
	return m, xs, ys
}

// TestFunctionalFiniteDifferences: the gradients of a two-input,
// two-output model with a shared layer and a state output match central
// finite differences of its weighted loss.
func TestFunctionalFiniteDifferences(t *testing.T) {
	m, xs, ys := twoByTwo(t)
	if checked := checkFiniteDifferences(t, m, xs, ys, 3, 1e-7); checked < 20 {
		t.Fatalf("checked only %d weights", checked)
	}
}

// checkFiniteDifferences compares the gradient of m's loss on xs, ys with
// respect to every stride-th value of every weight (float64) with central
// finite differences (h 1e-6, tolerance tol relative to max(1, |fd|)) and
// returns the number of values checked.
func checkFiniteDifferences(t *testing.T, m *Model, xs, ys []*tensor.Dense, stride int, tol float64) int {
	t.Helper()
	_, g := grads(t, m, xs, ys)
	lossAt := func() float64 {
		_, v, err := m.evaluate(xs, ys, xs[0].Shape()[0])
		if err != nil {
			t.Fatal(err)
		}
		return v[0]
	}
	const h = 1e-6
	checked := 0
	for i, p := range m.Params() {
		vals := p.Value.Data().([]float64)
		for j := 0; j < len(vals); j += stride {
			old := vals[j]
			vals[j] = old + h
			up := lossAt()
			vals[j] = old - h
			dn := lossAt()
			vals[j] = old
			fd := (up - dn) / (2 * h)
			if math.Abs(fd-g[i][j]) > tol*math.Max(1, math.Abs(fd)) {
				t.Errorf("d loss / d %s[%d] = %v, finite difference %v", p.Name, j, g[i][j], fd)
			}
			checked++
		}
	}
	return checked
}

// TestStatePassing: an encoder LSTM with return_state on the first half of
// a sequence, whose h and c are the initial state of a decoder LSTM with
// the same weights on the second half, gives the output of one LSTM run on
// the whole sequence, in both unroll modes.
func TestStatePassing(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		mk := func(name string, state bool) *lstm.LSTM {
			c := lstm.Default(3)
			c.Name, c.ReturnState, c.Seed, c.Unroll = name, state, 4, unroll
			c.BiasInitializer, _ = graph.RandomUniform(-0.5, 0.5)
			l, err := lstm.New(c)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		a, b := Input("first", 3, 2), Input("second", 4, 2)
		enc := Apply(mk("enc", true), a)
		dec := Apply(mk("dec", false), b, enc.Output(1), enc.Output(2))
		m, err := New(tensor.Float64, []*Node{a, b}, []*Node{dec})
		if err != nil {
			t.Fatal(err)
		}
		x := randValues(2*7*2, 9)
		whole := graph.NewTensor(tensor.Float64, []int{2, 7, 2}, x)
		// The halves as views (Slice), as a user would pass them.
		s1, _ := whole.Slice(nil, tensor.S(0, 3))
		s2, _ := whole.Slice(nil, tensor.S(3, 7))
		one := mk("one", false)
		want, err := one.Call(whole, lstm.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.PredictMulti([]*tensor.Dense{s1.(*tensor.Dense), s2.(*tensor.Dense)}, 2)
		if err != nil {
			t.Fatal(err)
		}
		w, g := graph.Float64s(want.Output), graph.Float64s(got[0])
		for i := range w {
			if math.Abs(w[i]-g[i]) > 1e-12 {
				t.Fatalf("unroll=%t: state passing gives %v, one LSTM on the whole sequence %v", unroll, g, w)
			}
		}
	}
}

// TestFunctionalErrors: every wiring mistake is an error that names what
// is wrong.
func TestFunctionalErrors(t *testing.T) {
	x := Input("x", graph.None, 2)
	other := Input("other", 2)
	lone := Input("lone", 3)
	d1 := dense(t, "d", 2, "linear", 1)
	d1b := dense(t, "d", 2, "linear", 2) // another layer, same name
	ok := Apply(d1, x)
	cases := []struct {
		name    string
		inputs  []*Node
		outputs []*Node
		want    string
	}{
		{"no outputs", []*Node{x}, nil, "at least one input and one output"},
		{"nil input", []*Node{nil}, []*Node{ok}, "input 0 is nil"},
		{"input not from Input", []*Node{ok}, []*Node{ok}, "made by Input"},
		{"duplicate input names", []*Node{x, Input("x", 2)}, []*Node{ok}, `two inputs are named "x"`},
		{"missing input", []*Node{other}, []*Node{ok}, `depends on input "x"`},
		{"unconnected input", []*Node{x, lone}, []*Node{ok}, `input "lone" is not connected`},
		{"nil layer", []*Node{x}, []*Node{Apply(nil, x)}, "nil layer"},
		{"nil node", []*Node{x}, []*Node{Apply(d1, nil)}, "input 0 is nil"},
		{"no inputs to a layer", []*Node{x}, []*Node{Apply(d1)}, "no input nodes"},
		{"output index out of range", []*Node{x}, []*Node{ok.Output(3)}, "layer d (Dense) has 1 outputs"},
		{"same name, other layer", []*Node{x}, []*Node{Apply(d1b, ok)}, `two different layers are named "d"`},
		{"shape mismatch", []*Node{lone}, []*Node{Apply(newLSTM(t, "l", 2, false, false, 1), lone)}, "building layer l (LSTM)"},
		{"shared layer on another shape", []*Node{x, lone}, []*Node{ok, Apply(d1, lone)}, "layer d applied again"},
		{"bad input shape", []*Node{Input("y", 0)}, []*Node{ok}, "want dimensions of 1 or more"},
	}
	for _, c := range cases {
		_, err := New(tensor.Float64, c.inputs, c.outputs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := New(tensor.Int, []*Node{x}, []*Node{ok}); err == nil {
		t.Error("dtype int: no error")
	}
	m, err := New(tensor.Float64, []*Node{x}, []*Node{ok})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Add(dense(t, "e", 1, "linear", 1)); err == nil {
		t.Error("Add on a functional model: no error")
	}
	if _, err := m.PredictMulti([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 3, 3}, nil)}, 2); err == nil || !strings.Contains(err.Error(), `input "x" of shape [2 3 3]: want (None, None, 2)`) {
		t.Errorf("input of the wrong shape: %v", err)
	}
	if _, err := m.PredictMulti(nil, 2); err == nil || !strings.Contains(err.Error(), "0 input arrays for a model with 1 inputs") {
		t.Errorf("no inputs: %v", err)
	}
}

// TestFunctionalFitSaveLoad: a two-input, two-output model trains (its
// loss falls), reports each output's loss, and comes back from Save/Load
// with the same wiring, predictions and training state.
func TestFunctionalFitSaveLoad(t *testing.T) {
	m, xs, ys := twoByTwo(t)
	h, err := m.FitMulti(xs, ys, FitConfig{BatchSize: 2, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"loss", "head1_loss", "head2_loss"} {
		if len(h.History[k]) != 5 {
			t.Fatalf("history %v lacks %s", h.Keys(), k)
		}
	}
	if l := h.History["loss"]; !(l[4] < l[0]) {
		t.Errorf("loss did not fall: %v", l)
	}
	if got, want := h.History["loss"][0], h.History["head1_loss"][0]+0.5*h.History["head2_loss"][0]; math.Abs(got-want) > 1e-12 {
		t.Errorf("loss %v, want head1_loss + 0.5·head2_loss = %v", got, want)
	}
	if _, err := m.Fit(xs[0], ys[0], FitConfig{}); err == nil || !strings.Contains(err.Error(), "use FitMulti") {
		t.Errorf("Fit on a two-input model: %v", err)
	}
	path := filepath.Join(t.TempDir(), "fn.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if m2.IsSequential() || len(m2.Inputs()) != 2 || len(m2.Outputs()) != 2 {
		t.Fatalf("loaded model: sequential %v, %d inputs, %d outputs", m2.IsSequential(), len(m2.Inputs()), len(m2.Outputs()))
	}
	p1, _ := m.PredictMulti(xs, 3)
	p2, err := m2.PredictMulti(xs, 3)
	if err != nil {
		t.Fatal(err)
	}
	for k := range p1 {
		if !p1[k].Eq(p2[k]) {
			t.Errorf("output %d differs after Load", k)
		}
	}
	// The training state came back: one more epoch on each gives the same.
	h1, err1 := m.FitMulti(xs, ys, FitConfig{BatchSize: 2})
	h2, err2 := m2.FitMulti(xs, ys, FitConfig{BatchSize: 2})
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if h1.History["loss"][0] != h2.History["loss"][0] {
		t.Errorf("loaded model trains to loss %v, original %v", h2.History["loss"][0], h1.History["loss"][0])
	}
}

// TestAnyLength: a Sequential LSTM model built from data of 10 steps is
// built for (None, features) and predicts on 3 and 40 steps, each equal to
// the layer run alone on that length; Fit takes another length too.
func TestAnyLength(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		c := lstm.Default(3)
		c.Name, c.Seed, c.Unroll = "l", 1, unroll
		l, _ := lstm.New(c)
		m, _ := NewSequential(tensor.Float64, l, dense(t, "d", 1, "linear", 2))
		m.Compile("mse", &testSGD{lr: 0.1})
		x := graph.NewTensor(tensor.Float64, []int{4, 10, 2}, randValues(80, 1))
		y := graph.NewTensor(tensor.Float64, []int{4, 1}, randValues(4, 2))
		if _, err := m.Fit(x, y, FitConfig{BatchSize: 2}); err != nil {
			t.Fatal(err)
		}
		if got := m.InputShape(); got[0] != graph.None || got[1] != 2 {
			t.Fatalf("built for %v, want (None, 2)", got)
		}
		for _, steps := range []int{3, 40} {
			xs := graph.NewTensor(tensor.Float64, []int{2, steps, 2}, randValues(2*steps*2, 3))
			p, err := m.Predict(xs, 2)
			if err != nil {
				t.Fatalf("unroll=%t, %d steps: %v", unroll, steps, err)
			}
			h, _ := l.Call(xs, lstm.CallOptions{})
			want, _ := m.Layers()[1].Forward([]*tensor.Dense{h.Output}, nil, false)
			if !p.Eq(want.Outputs[0]) {
				t.Errorf("unroll=%t, %d steps: prediction differs from the layers run alone", unroll, steps)
			}
		}
		x5 := graph.NewTensor(tensor.Float64, []int{4, 5, 2}, randValues(40, 4))
		if _, err := m.Fit(x5, y, FitConfig{BatchSize: 4}); err != nil {
			t.Errorf("Fit on 5 steps after 10: %v", err)
		}
	}
}
