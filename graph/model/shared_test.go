package model

import (
	"math"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestSharedLayerAccumulatesGradients: a layer applied twice in one model
// gets, in its Param.Grad, the sum of the gradients of its two
// applications. The reference is the same wiring with two separate layers
// holding the same weights: the shared layer's gradient must equal the sum
// of theirs, for a shared Dense and for a shared LSTM (whose passes keep
// their own records).
func TestSharedLayerAccumulatesGradients(t *testing.T) {
	// build wires a → lstm → head1 and b → lstm' → dense → head2, with
	// lstm' and dense' the same layers as lstm and a dense applied to a when
	// shared is true.
	build := func(shared bool) *Model {
		a, b := Input("a", 4, 2), Input("b", 4, 2)
		l1, d1 := newLSTM(t, "lstm", 3, true, false, 1), dense(t, "dense", 3, "tanh", 2)
		l2, d2 := l1, d1
		if !shared {
			l2, d2 = newLSTM(t, "lstm_b", 3, true, false, 1), dense(t, "dense_b", 3, "tanh", 2)
		}
		out1 := Apply(dense(t, "head1", 1, "linear", 3), Apply(d1, Apply(l1, a)))
		out2 := Apply(dense(t, "head2", 2, "sigmoid", 4), Apply(d2, Apply(l2, b)))
		m, err := New(tensor.Float64, []*Node{a, b}, []*Node{out1, out2})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.CompileMulti(CompileOptions{Losses: []string{"mse", "binary_crossentropy"}, Optimizer: &testSGD{lr: 0.1}}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	sh, sep := build(true), build(false)
	xs := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{3, 4, 2}, randValues(24, 5)),
		graph.NewTensor(tensor.Float64, []int{3, 4, 2}, randValues(24, 6))}
	ys := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{3, 4, 1}, randValues(12, 7)),
		graph.NewTensor(tensor.Float64, []int{3, 4, 2}, randValues(24, 8))}
	// Same seeds give the same weights; check rather than assume.
	for _, name := range []string{"lstm", "dense"} {
		for i, p := range sh.Layer(name).Params() {
			q := sep.Layer(name + "_b").Params()[i]
			if !p.Value.Eq(q.Value) {
				t.Fatalf("%s and %s_b start with different weights", name, name)
			}
		}
	}
	l1, g1 := grads(t, sh, xs, ys)
	l2, _ := grads(t, sep, xs, ys)
	if math.Abs(l1-l2) > 1e-14 {
		t.Fatalf("loss %v shared, %v separate", l1, l2)
	}
	byName := map[string][]float64{}
	for _, p := range sep.Params() {
		byName[p.Name] = graph.Float64s(p.Grad)
	}
	checked := 0
	for i, p := range sh.Params() {
		layer, weight, _ := strings.Cut(p.Name, "/")
		if layer != "lstm" && layer != "dense" {
			continue
		}
		a, b := byName[p.Name], byName[layer+"_b/"+weight]
		if len(b) == 0 {
			t.Fatalf("no weight %s_b/%s", layer, weight)
		}
		anyB := false
		for j := range a {
			if want := a[j] + b[j]; math.Abs(g1[i][j]-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Fatalf("%s[%d]: shared gradient %v, sum of the separate layers' %v + %v", p.Name, j, g1[i][j], a[j], b[j])
			}
			anyB = anyB || b[j] != 0
		}
		if !anyB {
			t.Fatalf("%s: the second application contributes nothing: the test checks nothing", p.Name)
		}
		checked++
	}
	if checked != 5 { // lstm kernel, recurrent kernel, bias; dense kernel, bias
		t.Fatalf("checked %d shared weights, want 5", checked)
	}
}

// TestCycleIsAnError: a wiring with a cycle (which Apply cannot make, as a
// node exists only after the layer it comes from is applied) is an error
// that names a layer on the cycle, not an endless recursion.
func TestCycleIsAnError(t *testing.T) {
	x := Input("x", 2)
	a := Apply(dense(t, "a", 2, "linear", 1), x)
	b := Apply(dense(t, "b", 2, "linear", 2), a)
	a.app.in = []*Node{b} // a ← b ← a
	_, err := New(tensor.Float64, []*Node{x}, []*Node{b})
	if err == nil || !strings.Contains(err.Error(), "cycle through layer") {
		t.Fatalf("cycle a → b → a: error %v", err)
	}
	c := Apply(dense(t, "c", 2, "linear", 3), x)
	c.app.in = []*Node{x, c} // a layer fed its own output
	_, err = New(tensor.Float64, []*Node{x}, []*Node{c})
	if err == nil || !strings.Contains(err.Error(), "cycle through layer c") {
		t.Fatalf("self loop: error %v", err)
	}
}

// TestReuseTrainedLayers: a second model made from the layers of a built
// (trained) model keeps their weights, as Keras' inference models of a
// seq2seq network use the trained layers: it predicts as the first model,
// a model made of a built model's own nodes works too, and a built layer
// applied to inputs its weights do not fit is an error naming it.
func TestReuseTrainedLayers(t *testing.T) {
	x := Input("x", graph.None, 3)
	enc := newLSTM(t, "enc", 4, false, true, 1)
	head := dense(t, "head", 2, "linear", 2)
	seq := Apply(enc, x)
	out := Apply(head, seq.Output(1))
	m, err := New(tensor.Float64, []*Node{x}, []*Node{out})
	if err != nil {
		t.Fatal(err)
	}
	m.Compile("mse", &testSGD{lr: 0.5})
	data := graph.NewTensor(tensor.Float64, []int{4, 6, 3}, randValues(72, 1))
	if _, err := m.Fit(data, graph.NewTensor(tensor.Float64, []int{4, 2}, randValues(8, 2)), FitConfig{BatchSize: 2, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	trained := m.Weights()
	want, _ := m.Predict(data, 4)

	// New inputs, the same layers: two steps, as a decoder model.
	x2 := Input("x2", 2, 3)
	m2, err := New(tensor.Float64, []*Node{x2}, []*Node{Apply(head, Apply(enc, x2).Output(1))})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range m.Weights() {
		if !w.Eq(trained[i]) {
			t.Fatalf("building a second model changed %s", m.Params()[i].Name)
		}
	}
	step, _ := data.Slice(nil, tensor.S(0, 2))
	got, err := m2.Predict(step.(*tensor.Dense), 4)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := m.Predict(step.(*tensor.Dense), 4)
	if !got.Eq(ref) {
		t.Errorf("second model predicts %v, first %v", got, ref)
	}
	if !strings.Contains(m2.Summary(), "(None, 2, 3)") || !strings.Contains(m2.Summary(), "[(None, 4), (None, 4), (None, 4)]") {
		t.Errorf("second model's summary:\n%s", m2.Summary())
	}

	// A model of the first one's nodes: x → h, c (Keras' encoder_model).
	encoder, err := New(tensor.Float64, []*Node{x}, []*Node{seq.Output(1), seq.Output(2)})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := encoder.PredictMulti([]*tensor.Dense{data}, 4)
	if err != nil {
		t.Fatal(err)
	}
	viaHead, _ := head.Forward([]*tensor.Dense{hc[0]}, nil, false)
	if !viaHead.Outputs[0].Eq(want) {
		t.Error("encoder model's h through the head differs from the first model's prediction")
	}
	if p, _ := m.Predict(data, 4); !p.Eq(want) {
		t.Error("the first model predicts otherwise after the others were built")
	}

	// Shapes the weights do not fit, and another dtype.
	wide := Input("wide", graph.None, 5)
	if _, err := New(tensor.Float64, []*Node{wide}, []*Node{Apply(enc, wide)}); err == nil ||
		!strings.Contains(err.Error(), "layer enc (LSTM), already built") || !strings.Contains(err.Error(), "enc/kernel float64[3 16]") {
		t.Errorf("built LSTM on 5 features: %v", err)
	}
	if _, err := New(tensor.Float32, []*Node{x2}, []*Node{Apply(enc, x2)}); err == nil || !strings.Contains(err.Error(), "float32") {
		t.Errorf("float64 LSTM in a float32 model: %v", err)
	}
	for i, w := range m.Weights() {
		if !w.Eq(trained[i]) {
			t.Fatalf("a failed New changed %s", m.Params()[i].Name)
		}
	}
}

// TestSummaryColumnsAligned: the shapes of a layer with several outputs
// (an LSTM with return_state) are longer than Keras' column; the column
// widens so that every row's parameter count ends at the same place.
func TestSummaryColumnsAligned(t *testing.T) {
	x := Input("x", graph.None, 3)
	seq := Apply(newLSTM(t, "encoder", 16, true, true, 1), x)
	m, err := New(tensor.Float64, []*Node{x}, []*Node{Apply(dense(t, "d", 2, "linear", 2), seq.Output(1))})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Summary()
	if !strings.Contains(s, "[(None, None, 16), (None, 16), (None, 16)]") {
		t.Fatalf("summary lacks the LSTM's shapes:\n%s", s)
	}
	lines := strings.Split(strings.TrimSpace(s), "\n")
	end := strings.Index(lines[1], "Param #") + len("Param #")
	for _, l := range lines[3:6] { // x, encoder, d
		if len(l) < end || l[end-1] < '0' || l[end-1] > '9' || (len(l) > end && l[end] != ' ') {
			t.Errorf("row %q: its parameter count does not end at column %d:\n%s", l, end, s)
		}
	}
	// A Sequential model's summary has no connections: each row ends with
	// its parameter count.
	seqModel, _ := NewSequential(tensor.Float64, newLSTM(t, "l", 2, false, false, 1), dense(t, "d2", 1, "linear", 2))
	if err := seqModel.Build(graph.None, 3); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(seqModel.Summary(), "\n") {
		if strings.HasPrefix(l, "l (LSTM)") && !strings.HasSuffix(l, " 48") || strings.Contains(l, "Connected") || strings.HasPrefix(l, "d2 (Dense)") && !strings.HasSuffix(l, " 3") {
			t.Errorf("Sequential summary row %q", l)
		}
	}
	if w := len(lines[0]); w != len(lines[len(lines)-1]) || w < len(lines[4]) {
		t.Errorf("rule of %d characters for rows of up to %d:\n%s", w, len(lines[4]), s)
	}
}
