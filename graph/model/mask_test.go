package model

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"

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
	checkFiniteDifferences(t, m, []*tensor.Dense{x}, []*tensor.Dense{y}, 1e-7)
}

func float64ToDtype(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

// checkFiniteDifferences checks every weight gradient of m's loss on one
// batch against central finite differences of that loss (float64 models).
func checkFiniteDifferences(t *testing.T, m *Model, xs, ys []*tensor.Dense, tol float64) {
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
	for i, p := range m.Params() {
		vals := p.Value.Data().([]float64)
		for j := range vals {
			old := vals[j]
			vals[j] = old + h
			up := lossAt()
			vals[j] = old - h
			dn := lossAt()
			vals[j] = old
			if fd := (up - dn) / (2 * h); math.Abs(fd-g[i][j]) > tol*math.Max(1, math.Abs(fd)) {
				t.Errorf("d loss / d %s[%d] = %v, finite difference %v", p.Name, j, g[i][j], fd)
			}
		}
	}
}

// TestPaddedBatchEqualsAlone: a batch of sequences of different lengths,
// padded before or after, gives each sample the predictions it gets run
// alone at its true length; the batch loss is the step-weighted mean of
// the samples' losses, Σ L_i·loss_i / Σ L_i, and so are the gradients.
// For a model with Masking and one with Embedding(mask_zero), in both
// dtypes.
func TestPaddedBatchEqualsAlone(t *testing.T) {
	lengths := []int{5, 2, 4}
	const steps = 5
	for _, kind := range []string{"masking", "embedding"} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 2e-6
			}
			for _, pre := range []bool{false, true} {
				name := fmt.Sprintf("%s/%v/pre=%t", kind, dt, pre)
				m, feat := maskingModel(t, dt), 2
				if kind == "embedding" {
					m, feat = embeddingModel(t, dt), 1
				}
				var seqs, ys [][]float64
				for i, n := range lengths {
					s := randValues(n*feat, uint64(30+i))
					if kind == "embedding" {
						for j := range s {
							s[j] = float64(1 + int(4*(s[j]+1))) // ids 1..8
						}
					}
					seqs = append(seqs, s)
					ys = append(ys, randValues(n*2, uint64(40+i)))
				}
				x, y := padded(dt, seqs, feat, steps, pre), padded(dt, ys, 2, steps, pre)
				if kind == "embedding" {
					x.Reshape(len(lengths), steps)
				}
				p, err := m.Predict(x, 3)
				if err != nil {
					t.Fatal(err)
				}
				batchLoss, batchGrads := grads(t, m, []*tensor.Dense{x}, []*tensor.Dense{y})
				pv := graph.Float64s(p)
				wantLoss, total := 0.0, 0
				wantGrads := make([][]float64, len(batchGrads))
				for i, n := range lengths {
					xi := graph.NewTensor(dt, []int{1, n, feat}, seqs[i])
					if kind == "embedding" {
						xi.Reshape(1, n)
					}
					yi := graph.NewTensor(dt, []int{1, n, 2}, ys[i])
					alone, err := m.Predict(xi, 1)
					if err != nil {
						t.Fatal(err)
					}
					off := i * steps * 2
					if pre {
						off += (steps - n) * 2
					}
					for j, v := range graph.Float64s(alone) {
						if math.Abs(pv[off+j]-v) > tol {
							t.Fatalf("%s: sample %d step %d: batch %v, alone %v", name, i, j/2, pv[off+j], v)
						}
					}
					l, g := grads(t, m, []*tensor.Dense{xi}, []*tensor.Dense{yi})
					wantLoss += float64(n) * l
					total += n
					for k := range g {
						if wantGrads[k] == nil {
							wantGrads[k] = make([]float64, len(g[k]))
						}
						for j := range g[k] {
							wantGrads[k][j] += float64(n) * g[k][j]
						}
					}
				}
				if w := wantLoss / float64(total); math.Abs(batchLoss-w) > tol*math.Max(1, w) {
					t.Errorf("%s: batch loss %v, want %v", name, batchLoss, w)
				}
				for k := range wantGrads {
					for j := range wantGrads[k] {
						w := wantGrads[k][j] / float64(total)
						if math.Abs(batchGrads[k][j]-w) > tol*math.Max(1, math.Abs(w)) {
							t.Errorf("%s: gradient of %s[%d]: batch %v, want %v", name, m.Params()[k].Name, j, batchGrads[k][j], w)
						}
					}
				}
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
	checkFiniteDifferences(t, m, []*tensor.Dense{x}, []*tensor.Dense{y}, 1e-8)
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
