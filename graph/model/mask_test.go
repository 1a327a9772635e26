package model

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/lstm"

	"gorgonia.org/tensor"
)

// maskingModel is Masking(0) → Dense(3, tanh) → Dense(2) per timestep, so
// its output carries the Masking layer's mask to the loss.
func maskingModel(t *testing.T, dt tensor.Dtype) *Model {
	t.Helper()
	mk, err := layers.NewMasking(layers.MaskingConfig{Name: "masking"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(dt, mk, dense(t, "hidden", 3, "tanh", 1), dense(t, "out", 2, "linear", 2))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("mse", &testSGD{lr: 0.1}, "mae"); err != nil {
		t.Fatal(err)
	}
	return m
}

// embeddingModel is Embedding(9, 3, mask_zero) → Dense(2) per timestep.
func embeddingModel(t *testing.T, dt tensor.Dtype) *Model {
	t.Helper()
	c := layers.EmbeddingDefaults(9, 3)
	c.Name, c.MaskZero, c.Seed = "embedding", true, 3
	e, err := layers.NewEmbedding(c)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewSequential(dt, e, dense(t, "out", 2, "tanh", 4))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("mse", &testSGD{lr: 0.1}, "mae"); err != nil {
		t.Fatal(err)
	}
	return m
}

// padded returns the sequences seqs (each of its own length, feat values a
// step) padded with zeros to steps, after the values (post) or before.
func padded(dt tensor.Dtype, seqs [][]float64, feat, steps int, pre bool) *tensor.Dense {
	out := make([]float64, len(seqs)*steps*feat)
	for i, s := range seqs {
		at := i * steps * feat
		if pre {
			at += steps*feat - len(s)
		}
		copy(out[at:], s)
	}
	return graph.NewTensor(dt, []int{len(seqs), steps, feat}, out)
}

// TestMaskedLossInModel: a model whose output carries a mask has the loss
// and metrics of Keras 2.2.4's weighted_masked_objective (here Σ over real
// steps / number of real steps), ignores the targets of padded steps,
// matches finite differences of that loss, and gives 0, not NaN, on a
// batch of padding only.
func TestMaskedLossInModel(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := 1e-12
		if dt == tensor.Float32 {
			tol = 1e-5
		}
		m := maskingModel(t, dt)
		lengths := []int{4, 2, 3}
		var seqs [][]float64
		for i, n := range lengths {
			seqs = append(seqs, randValues(2*n, uint64(10+i)))
		}
		x := padded(dt, seqs, 2, 4, false)
		yv := randValues(3*4*2, 20)
		y := graph.NewTensor(dt, []int{3, 4, 2}, yv)
		p, err := m.Predict(x, 3)
		if err != nil {
			t.Fatal(err)
		}
		pv := graph.Float64s(p)
		var mse, mae, kept float64
		for i, n := range lengths {
			for s := 0; s < n; s++ {
				at := (i*4 + s) * 2
				d0, d1 := pv[at]-yv[at], pv[at+1]-yv[at+1]
				mse += (d0*d0 + d1*d1) / 2
				mae += (math.Abs(d0) + math.Abs(d1)) / 2
				kept++
			}
		}
		got, err := m.Evaluate(x, y, 3)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got["loss"]-mse/kept) > tol || math.Abs(got["mae"]-mae/kept) > tol {
			t.Errorf("%v: loss %v, mae %v; want %v, %v", dt, got["loss"], got["mae"], mse/kept, mae/kept)
		}
		// Targets of padded steps do not count.
		y2 := y.Clone().(*tensor.Dense)
		for i, n := range lengths {
			for s := n; s < 4; s++ {
				y2.SetAt(float64ToDtype(dt, 99), i, s, 0)
			}
		}
		got2, _ := m.Evaluate(x, y2, 3)
		if got2["loss"] != got["loss"] {
			t.Errorf("%v: targets of padded steps changed the loss: %v vs %v", dt, got2["loss"], got["loss"])
		}
		// A batch of padding only: loss 0 (Keras 2.2.4: NaN).
		zero, _ := m.Evaluate(graph.NewTensor(dt, []int{2, 4, 2}, nil), graph.NewTensor(dt, []int{2, 4, 2}, randValues(16, 3)), 2)
		if zero["loss"] != 0 || zero["mae"] != 0 {
			t.Errorf("%v: a batch of padding only gives %v", dt, zero)
		}
	}
	m := maskingModel(t, tensor.Float64)
	x := padded(tensor.Float64, [][]float64{randValues(6, 1), randValues(2, 2)}, 2, 3, true)
	y := graph.NewTensor(tensor.Float64, []int{2, 3, 2}, randValues(12, 3))
	checkFiniteDifferences(t, m, []*tensor.Dense{x}, []*tensor.Dense{y}, 1, 1e-7)
}

func float64ToDtype(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// recurrent returns an LSTM config of 3 units and a bias drawn from
// U(-0.5, 0.5), so that padded steps run would show.
func recurrent(name string, seq, unroll bool, seed uint64) lstm.Config {
	c := lstm.Default(3)
	c.Name, c.ReturnSequences, c.Unroll, c.Seed = name, seq, unroll, seed
	c.BiasInitializer, _ = graph.RandomUniform(-0.5, 0.5)
	return c
}

// seqModel returns a model of the given kind for padded sequences, with
// the number of features a step of its input has (0: ids) and whether its
// output is a sequence (and so carries the mask to the loss):
//
//	masking   Masking → Dense(3, tanh) → Dense(2), per step
//	embedding Embedding(9, 3, mask_zero) → Dense(2, tanh), per step
//	lstm      Masking → LSTM(3) → Dense(2)
//	lstm_seq  Embedding(mask_zero) → LSTM(3, return_sequences) → Dense(2)
//	bidi      Embedding(mask_zero) → Bidirectional(LSTM(3), concat) → Dense(2)
//	bidi_seq  Masking → Bidirectional(LSTM(3, return_sequences), sum) → Dense(2)
func seqModel(t *testing.T, kind string, dt tensor.Dtype, unroll bool) (m *Model, feat int, seqOut bool) {
	t.Helper()
	switch kind {
	case "masking":
		return maskingModel(t, dt), 2, true
	case "embedding":
		return embeddingModel(t, dt), 0, true
	}
	var ls []graph.Layer
	if kind == "lstm_seq" || kind == "bidi" {
		c := layers.EmbeddingDefaults(9, 3)
		c.Name, c.MaskZero, c.Seed = "embedding", true, 3
		e, err := layers.NewEmbedding(c)
		if err != nil {
			t.Fatal(err)
		}
		ls, feat = append(ls, e), 0
	} else {
		mk, err := layers.NewMasking(layers.MaskingConfig{Name: "masking"})
		if err != nil {
			t.Fatal(err)
		}
		ls, feat = append(ls, mk), 2
	}
	seqOut = strings.HasSuffix(kind, "_seq")
	switch kind {
	case "lstm", "lstm_seq":
		l, err := lstm.New(recurrent("lstm", seqOut, unroll, 5))
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	case "bidi", "bidi_seq":
		bc := lstm.DefaultBidirectional(recurrent("lstm", seqOut, unroll, 5))
		bc.Name = "bidirectional"
		if seqOut {
			bc.MergeMode = lstm.MergeSum
		}
		b, err := lstm.NewBidirectional(bc)
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, b)
	default:
		t.Fatalf("unknown model kind %q", kind)
	}
	ls = append(ls, dense(t, "out", 2, "linear", 6))
	m, err := NewSequential(dt, ls...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("mse", &testSGD{lr: 0.1}, "mae"); err != nil {
		t.Fatal(err)
	}
	return m, feat, seqOut
}

// TestPaddedBatchEqualsAlone: a batch of sequences of different lengths,
// padded before or after, gives each sample the predictions it gets run
// alone at its true length, for models with Masking, Embedding(mask_zero),
// LSTM and Bidirectional, in both unroll modes and both dtypes. The batch
// loss and every weight gradient are those of the samples alone, averaged
// as the loss does: over the real steps (Σ L_i·loss_i / Σ L_i) for a
// sequence output, which carries the mask, and over the samples for a last
// output.
func TestPaddedBatchEqualsAlone(t *testing.T) {
	lengths := []int{5, 2, 4}
	const steps = 5
	for _, kind := range []string{"masking", "embedding", "lstm", "lstm_seq", "bidi", "bidi_seq"} {
		for _, unroll := range []bool{false, true} {
			if (kind == "masking" || kind == "embedding") && unroll {
				continue
			}
			for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
				tol := 1e-12
				if dt == tensor.Float32 {
					tol = 1e-5
				}
				for _, pre := range []bool{false, true} {
					name := fmt.Sprintf("%s/unroll=%t/%v/pre=%t", kind, unroll, dt, pre)
					m, feat, seqOut := seqModel(t, kind, dt, unroll)
					checkPadded(t, name, m, dt, feat, seqOut, lengths, steps, pre, tol)
				}
			}
		}
	}
}

// checkPadded is TestPaddedBatchEqualsAlone for one model.
func checkPadded(t *testing.T, name string, m *Model, dt tensor.Dtype, feat int, seqOut bool, lengths []int, steps int, pre bool, tol float64) {
	t.Helper()
	ids := feat == 0
	if ids {
		feat = 1
	}
	var seqs, ys [][]float64
	for i, n := range lengths {
		s := randValues(n*feat, uint64(30+i))
		if ids {
			for j := range s {
				s[j] = float64(1 + int(4*(s[j]+1))) // ids 1..8
			}
		}
		seqs = append(seqs, s)
		if seqOut {
			ys = append(ys, randValues(n*2, uint64(40+i)))
		} else {
			ys = append(ys, randValues(2, uint64(40+i)))
		}
	}
	x := padded(dt, seqs, feat, steps, pre)
	if ids {
		x.Reshape(len(lengths), steps)
	}
	var y *tensor.Dense
	if seqOut {
		y = padded(dt, ys, 2, steps, pre)
	} else {
		y = graph.NewTensor(dt, []int{len(lengths), 2}, slices.Concat(ys...))
	}
	p, err := m.Predict(x, 3)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	batchLoss, batchGrads := grads(t, m, []*tensor.Dense{x}, []*tensor.Dense{y})
	pv := graph.Float64s(p)
	wantLoss, total := 0.0, 0.0
	wantGrads := make([][]float64, len(batchGrads))
	for i, n := range lengths {
		xi := graph.NewTensor(dt, []int{1, n, feat}, seqs[i])
		if ids {
			xi.Reshape(1, n)
		}
		yi := graph.NewTensor(dt, []int{1, len(ys[i])}, ys[i])
		off, weight := i*2, 1.0
		if seqOut {
			yi.Reshape(1, n, 2)
			off, weight = i*steps*2, float64(n)
			if pre {
				off += (steps - n) * 2
			}
		}
		alone, err := m.Predict(xi, 1)
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range graph.Float64s(alone) {
			if math.Abs(pv[off+j]-v) > tol {
				t.Fatalf("%s: sample %d value %d: batch %v, alone %v", name, i, j, pv[off+j], v)
			}
		}
		l, g := grads(t, m, []*tensor.Dense{xi}, []*tensor.Dense{yi})
		wantLoss += weight * l
		total += weight
		for k := range g {
			if wantGrads[k] == nil {
				wantGrads[k] = make([]float64, len(g[k]))
			}
			for j := range g[k] {
				wantGrads[k][j] += weight * g[k][j]
			}
		}
	}
	if w := wantLoss / total; math.Abs(batchLoss-w) > tol*math.Max(1, w) {
		t.Errorf("%s: batch loss %v, want %v", name, batchLoss, w)
	}
	for k := range wantGrads {
		for j := range wantGrads[k] {
			w := wantGrads[k][j] / total
			if math.Abs(batchGrads[k][j]-w) > tol*math.Max(1, math.Abs(w)) {
				t.Errorf("%s: gradient of %s[%d]: batch %v, want %v", name, m.Params()[k].Name, j, batchGrads[k][j], w)
				break
			}
		}
	}
}

// TestEmbeddingModelFiniteDifferences: the gradients of Embedding(mask_zero)
// → Dense with a masked loss, ids repeating, match finite differences.
func TestEmbeddingModelFiniteDifferences(t *testing.T) {
	m := embeddingModel(t, tensor.Float64)
	x := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]int64{3, 5, 3, 0, 7, 0, 0, 0}))
	y := graph.NewTensor(tensor.Float64, []int{2, 4, 2}, randValues(16, 5))
	checkFiniteDifferences(t, m, []*tensor.Dense{x}, []*tensor.Dense{y}, 1, 1e-8)
}

// TestModelViews: views (a transpose from T(), a slice) given to Fit,
// Evaluate, Predict and SetWeights give the results of their materialized
// copies, for float inputs and for integer ids.
func TestModelViews(t *testing.T) {
	type data struct{ x, y *tensor.Dense }
	for _, kind := range []string{"masking", "embedding"} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			mk := func() *Model {
				if kind == "embedding" {
					return embeddingModel(t, dt)
				}
				return maskingModel(t, dt)
			}
			// x: (steps, samples, ...) transposed to (samples, steps, ...); y: a
			// slice of a larger tensor.
			var xv *tensor.Dense
			if kind == "embedding" {
				ids := make([]int32, 4*6)
				for i := range ids {
					ids[i] = int32((i * 5) % 9)
				}
				xv = tensor.New(tensor.WithShape(4, 6), tensor.WithBacking(ids))
				if err := xv.T(); err != nil {
					t.Fatal(err)
				}
			} else {
				vals := randValues(48, 7)
				vals[2], vals[3], vals[14], vals[15] = 0, 0, 0, 0 // sample 1 padded at steps 0 and 1
				xv = graph.NewTensor(dt, []int{4, 6, 2}, vals)
				if err := xv.T(1, 0, 2); err != nil {
					t.Fatal(err)
				}
			}
			big := graph.NewTensor(dt, []int{8, 4, 3}, randValues(96, 8))
			ys, err := big.Slice(tensor.S(1, 7), nil, tensor.S(0, 2))
			if err != nil {
				t.Fatal(err)
			}
			views := data{xv, ys.(*tensor.Dense)}
			copies := data{xv.Materialize().(*tensor.Dense), ys.Materialize().(*tensor.Dense)}
			var results [2][]float64
			for r, d := range []data{views, copies} {
				m := mk()
				h, err := m.Fit(d.x, d.y, FitConfig{BatchSize: 4, Epochs: 2})
				if err != nil {
					t.Fatalf("%s %v: %v", kind, dt, err)
				}
				p, err := m.Predict(d.x, 5)
				if err != nil {
					t.Fatal(err)
				}
				ev, err := m.Evaluate(d.x, d.y, 3)
				if err != nil {
					t.Fatal(err)
				}
				results[r] = append(append(h.History["loss"], graph.Float64s(p)...), ev["loss"], ev["mae"])
				for _, p := range m.Params() {
					results[r] = append(results[r], graph.Float64s(p.Value)...)
				}
			}
			if !slices.Equal(results[0], results[1]) {
				t.Errorf("%s %v: Fit, Predict, Evaluate on views differ from their copies", kind, dt)
			}
		}
	}
	// SetWeights with views: a transposed kernel and a sliced bias.
	m := maskingModel(t, tensor.Float64)
	if err := m.Build(graph.None, 2); err != nil {
		t.Fatal(err)
	}
	var views, copies []*tensor.Dense
	for _, p := range m.Params() {
		s := []int(p.Value.Shape())
		var v *tensor.Dense
		if len(s) == 2 {
			v = graph.NewTensor(tensor.Float64, []int{s[1], s[0]}, randValues(s[0]*s[1], 9))
			if err := v.T(); err != nil {
				t.Fatal(err)
			}
		} else {
			big := graph.NewTensor(tensor.Float64, []int{s[0] + 2}, randValues(s[0]+2, 10))
			sl, _ := big.Slice(tensor.S(1, s[0]+1))
			v = sl.(*tensor.Dense)
		}
		views, copies = append(views, v), append(copies, v.Materialize().(*tensor.Dense))
	}
	if err := m.SetWeights(views...); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		if !slices.Equal(graph.Float64s(p.Value), graph.Float64s(copies[i])) {
			t.Errorf("SetWeights of a view: %s = %v, want %v", p.Name, graph.Float64s(p.Value), graph.Float64s(copies[i]))
		}
	}
}

// TestRecurrentModelFiniteDifferences: the weight gradients of
// Embedding(mask_zero) → LSTM → Dense and Masking → Bidirectional(LSTM,
// return_sequences) → Dense (masked loss), on padded batches, match
// central finite differences of the model's loss, in both unroll modes.
func TestRecurrentModelFiniteDifferences(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		m, _, _ := seqModel(t, "lstm_seq", tensor.Float64, unroll)
		x := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]int32{3, 5, 3, 0, 0, 7, 1, 0}))
		y := graph.NewTensor(tensor.Float64, []int{2, 4, 2}, randValues(16, 5))
		checkFiniteDifferences(t, m, []*tensor.Dense{x}, []*tensor.Dense{y}, 1, 1e-7)

		m, _, _ = seqModel(t, "bidi_seq", tensor.Float64, unroll)
		xf := padded(tensor.Float64, [][]float64{randValues(8, 1), randValues(4, 2)}, 2, 4, false)
		y = graph.NewTensor(tensor.Float64, []int{2, 4, 2}, randValues(16, 6))
		checkFiniteDifferences(t, m, []*tensor.Dense{xf}, []*tensor.Dense{y}, 1, 1e-7)
	}
}

// TestSharedRecurrentLayers: a Bidirectional and an LSTM each applied to
// two inputs in one functional model (each application with its own mask
// and its own record) have weight gradients, summed over both
// applications, that match finite differences of the two outputs' loss.
func TestSharedRecurrentLayers(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		a, b := Input("a", graph.None, 2), Input("b", graph.None, 2)
		mask, _ := layers.NewMasking(layers.MaskingConfig{Name: "masking"})
		bc := lstm.DefaultBidirectional(recurrent("enc", true, unroll, 7))
		bc.Name = "bi"
		bi, err := lstm.NewBidirectional(bc)
		if err != nil {
			t.Fatal(err)
		}
		last, err := lstm.New(recurrent("last", false, unroll, 8))
		if err != nil {
			t.Fatal(err)
		}
		head := dense(t, "head", 1, "linear", 9)
		outA := Apply(head, Apply(last, Apply(bi, Apply(mask, a))))
		outB := Apply(head, Apply(last, Apply(bi, Apply(mask, b))))
		m, err := New(tensor.Float64, []*Node{a, b}, []*Node{outA, outB})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.CompileMulti(CompileOptions{Losses: []string{"mse"}, LossWeights: []float64{1, 0.5}, Optimizer: &testSGD{}}); err != nil {
			t.Fatal(err)
		}
		xs := []*tensor.Dense{
			padded(tensor.Float64, [][]float64{randValues(6, 1), randValues(2, 2)}, 2, 3, false),
			padded(tensor.Float64, [][]float64{randValues(4, 3), randValues(10, 4)}, 2, 5, true),
		}
		ys := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 1}, randValues(2, 5)),
			graph.NewTensor(tensor.Float64, []int{2, 1}, randValues(2, 6))}
		checkFiniteDifferences(t, m, xs, ys, 1, 1e-7)
	}
}

// TestSequenceModelsSaveLoad: models with Embedding, Masking, LSTM and
// Bidirectional rebuild from a model file through the layer registry and
// predict padded batches exactly as before.
func TestSequenceModelsSaveLoad(t *testing.T) {
	for _, kind := range []string{"lstm", "lstm_seq", "bidi", "bidi_seq"} {
		m, feat, _ := seqModel(t, kind, tensor.Float32, false)
		var x *tensor.Dense
		if feat == 0 {
			x = tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]int64{3, 5, 3, 0, 0, 7, 1, 0}))
		} else {
			x = padded(tensor.Float32, [][]float64{randValues(8, 1), randValues(4, 2)}, 2, 4, true)
		}
		want, err := m.Predict(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), kind+".golstm")
		if err := m.Save(path); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		loaded, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		got, err := loaded.Predict(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Eq(want) {
			t.Errorf("%s: the loaded model predicts %v, the saved one %v", kind, graph.Float64s(got), graph.Float64s(want))
		}
		for i, l := range loaded.Layers() {
			if l.Type() != m.Layers()[i].Type() {
				t.Errorf("%s: layer %d loaded as %s, saved as %s", kind, i, l.Type(), m.Layers()[i].Type())
			}
		}
	}
}

// TestAnyLengthMasked: a Sequential Embedding(mask_zero) → Bidirectional →
// Dense model built by Fit on sequences of 10 ids is built for any length;
// it predicts on 3 and 40 ids, each sample as it predicts alone, and Fit
// takes 40 ids next.
func TestAnyLengthMasked(t *testing.T) {
	m, _, _ := seqModel(t, "bidi", tensor.Float64, false)
	ids := func(n, steps int, seed uint64) *tensor.Dense {
		v := randValues(n*steps, seed)
		out := make([]int32, len(v))
		for i := range v {
			out[i] = int32(1 + int(4*(v[i]+1)))
		}
		return tensor.New(tensor.WithShape(n, steps), tensor.WithBacking(out))
	}
	y := graph.NewTensor(tensor.Float64, []int{4, 2}, randValues(8, 3))
	if _, err := m.Fit(ids(4, 10, 1), y, FitConfig{BatchSize: 2}); err != nil {
		t.Fatal(err)
	}
	if s := m.InputShape(); len(s) != 1 || s[0] != graph.None {
		t.Fatalf("built for %v, want (None)", s)
	}
	for _, steps := range []int{3, 40} {
		x := ids(2, steps, uint64(steps))
		p, err := m.Predict(x, 2)
		if err != nil {
			t.Fatalf("%d steps: %v", steps, err)
		}
		for i := 0; i < 2; i++ {
			alone, err := m.Predict(rows(x, []int{i}), 1)
			if err != nil {
				t.Fatal(err)
			}
			for j, v := range graph.Float64s(alone) {
				if d := math.Abs(graph.Float64s(p)[i*2+j] - v); d > 1e-12 {
					t.Errorf("%d steps, sample %d: batch and alone differ by %v", steps, i, d)
				}
			}
		}
	}
	if _, err := m.Fit(ids(4, 40, 5), y, FitConfig{BatchSize: 4}); err != nil {
		t.Errorf("Fit on 40 steps after 10: %v", err)
	}
}

// TestConcurrentPredictSequenceModels: models with Embedding, Masking,
// LSTM and Bidirectional predict from several goroutines at once exactly
// what they predict alone (run with -race: no data race).
func TestConcurrentPredictSequenceModels(t *testing.T) {
	for _, kind := range []string{"lstm", "bidi", "bidi_seq"} {
		m, feat, _ := seqModel(t, kind, tensor.Float64, false)
		var x *tensor.Dense
		if feat == 0 {
			x = tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]int64{3, 5, 3, 0, 0, 7, 1, 0}))
		} else {
			x = padded(tensor.Float64, [][]float64{randValues(8, 1), randValues(4, 2)}, 2, 4, false)
		}
		want, err := m.Predict(x, 2)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for g := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := m.Predict(x, 1+g%2)
				if err == nil && !got.Eq(want) {
					err = fmt.Errorf("goroutine %d: prediction differs", g)
				}
				errs[g] = err
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("%s: %v", kind, err)
			}
		}
	}
}
