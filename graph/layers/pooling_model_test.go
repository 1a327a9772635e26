package layers_test

import (
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

// mustLayer returns l, or panics with err: for building the test models.
func mustLayer[L graph.Layer](l L, err error) graph.Layer {
	if err != nil {
		panic(err)
	}
	return l
}

// checkModelFile saves m, which predicts want on x, to a model file and
// loads it back, and checks that every layer comes back with its type and
// config, that the loaded model predicts want bit for bit, that one SGD
// step toward yt (MSE) leaves both models with the same weights (so every
// Backward runs inside a model), and that Predict from several goroutines
// at once gives the one-goroutine result. It returns the loaded model.
func checkModelFile(t *testing.T, m *model.Model, x, want, yt *tensor.Dense) *model.Model {
	t.Helper()
	dt := x.Dtype()
	path := filepath.Join(t.TempDir(), "m.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range m.Layers() {
		l2 := m2.Layer(l.Name())
		a, _ := l.Config()
		var b []byte
		if l2 != nil {
			b, _ = l2.Config()
		}
		if l2 == nil || l2.Type() != l.Type() || string(a) != string(b) {
			t.Errorf("%v: layer %s %s %s came back as %v %s", dt, l.Name(), l.Type(), a, l2, b)
		}
	}
	n := x.Shape()[0]
	got, err := m2.Predict(x, n)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(graph.Float64s(got), graph.Float64s(want)) {
		t.Errorf("%v: predictions after Load %v, before %v", dt, graph.Float64s(got), graph.Float64s(want))
	}
	for _, mm := range []*model.Model{m, m2} {
		if err := mm.Compile("mse", optim.NewSGD()); err != nil {
			t.Fatal(err)
		}
		if _, err := mm.TrainOnBatch(x, yt); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range m.Params() {
		if q := m2.Params()[i]; !slices.Equal(graph.Float64s(p.Value), graph.Float64s(q.Value)) {
			t.Errorf("%v: weight %s differs after a training step", dt, p.Name)
		}
	}
	before, _ := m.Predict(x, n)
	var wg sync.WaitGroup
	outs := make([][]float64, 4)
	for k := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if y, err := m.Predict(x, 1+k%2); err == nil {
				outs[k] = graph.Float64s(y)
			}
		}()
	}
	wg.Wait()
	for k, o := range outs {
		if !slices.Equal(o, graph.Float64s(before)) {
			t.Errorf("%v: concurrent Predict %d gave %v, want %v", dt, k, o, graph.Float64s(before))
		}
	}
	return m2
}

// poolingModel is a functional model of every layer of global_pooling.go,
// average_pooling.go and reshape_permute.go, with a Dense head:
// x (8, 3) → AveragePooling1D(3, 2, same) (4, 3) → Permute(2, 1) (3, 4) →
// Reshape(-1, 2) (6, 2) → GlobalMaxPooling1D(keepdims) (1, 2) → Reshape(2);
// and GlobalAveragePooling1D of the pooled sequence (3); joined (5) →
// Dense(2).
func poolingModel(t *testing.T, dt tensor.Dtype) *model.Model {
	t.Helper()
	x := model.Input("x", 8, 3)
	a := model.Apply(mustLayer(layers.NewAveragePooling1D(layers.AveragePooling1DConfig{Name: "avg", PoolSize: 3, Strides: 2, Padding: "same"})), x)
	p := model.Apply(mustLayer(layers.NewPermute(layers.PermuteConfig{Name: "perm", Dims: []int{2, 1}})), a)
	r := model.Apply(mustLayer(layers.NewReshape(layers.ReshapeConfig{Name: "resh", TargetShape: []int{-1, 2}})), p)
	g := model.Apply(mustLayer(layers.NewGlobalMaxPooling1D(layers.GlobalPooling1DConfig{Name: "gmax", KeepDims: true})), r)
	g = model.Apply(mustLayer(layers.NewReshape(layers.ReshapeConfig{Name: "flat2", TargetShape: []int{2}})), g)
	h := model.Apply(mustLayer(layers.NewGlobalAveragePooling1D(layers.GlobalPooling1DConfig{Name: "gavg"})), a)
	c := model.Apply(mustLayer(layers.NewConcatenate(layers.ConcatenateConfig{Name: "cat", Axis: -1})), g, h)
	dc := layers.DenseDefaults(2)
	dc.Name, dc.Seed = "head", 5
	y := model.Apply(mustLayer(layers.NewDense(dc)), c)
	m, err := model.New(dt, []*model.Node{x}, []*model.Node{y})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPoolingModelFile checks the five layers in a functional model
// through a model file (Save, Load): the same configs, the same
// predictions bit for bit, the same weights after a training step (so
// every Backward runs inside a model), and predictions from several
// goroutines at once equal to one.
func TestPoolingModelFile(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := poolingModel(t, dt)
		rng := graph.NewRNG(3)
		xv := make([]float64, 4*8*3)
		for i := range xv {
			xv[i] = rng.Float64()*2 - 1
		}
		x := graph.NewTensor(dt, []int{4, 8, 3}, xv)
		want, err := m.Predict(x, 4)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(want.Shape(), []int{4, 2}) {
			t.Fatalf("%v: output shape %v, want (4, 2)", dt, want.Shape())
		}
		yt := graph.NewTensor(dt, []int{4, 2}, []float64{1, 0, 0, 1, 1, 1, 0, 0})
		checkModelFile(t, m, x, want, yt)
	}
}

// TestGlobalAveragePoolingPaddedBatch checks Embedding(mask_zero) →
// LSTM(return_sequences) → GlobalAveragePooling1D → Dense on a padded
// batch (post- and pre-padded): each sample's output is its output alone
// at its true length, because the mean leaves the masked steps out (Keras
// 2.2.4's Σ x·m / Σ m). Without the mask (mask_zero false, id 0 an
// ordinary token) the padded samples differ, so the check can fail.
func TestGlobalAveragePoolingPaddedBatch(t *testing.T) {
	build := func(maskZero bool) *model.Model {
		ec := layers.EmbeddingDefaults(10, 4)
		ec.Name, ec.MaskZero, ec.Seed = "emb", maskZero, 1
		ec.EmbeddingsInitializer = graph.Spec{Name: "random_uniform", Args: map[string]float64{"minval": -1, "maxval": 1}}
		lc := lstm.Default(3)
		lc.Name, lc.ReturnSequences, lc.Seed = "lstm", true, 2
		dc := layers.DenseDefaults(2)
		dc.Name, dc.Seed = "head", 3
		m, err := model.NewSequential(tensor.Float64,
			mustLayer(layers.NewEmbedding(ec)), mustLayer(lstm.New(lc)),
			mustLayer(layers.NewGlobalAveragePooling1D(layers.GlobalPooling1DConfig{Name: "gap"})), mustLayer(layers.NewDense(dc)))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Build(graph.None); err != nil {
			t.Fatal(err)
		}
		return m
	}
	samples := [][]float64{{3, 1, 4, 1, 5}, {9, 2}, {6, 5, 3}, {2, 7, 1}}
	padded := [][]float64{{3, 1, 4, 1, 5}, {9, 2, 0, 0, 0}, {6, 5, 3, 0, 0}, {0, 0, 2, 7, 1}}
	var ids []float64
	for _, p := range padded {
		ids = append(ids, p...)
	}
	for _, maskZero := range []bool{true, false} {
		m := build(maskZero)
		y, err := m.Predict(graph.NewTensor(tensor.Float64, []int{4, 5}, ids), 4)
		if err != nil {
			t.Fatal(err)
		}
		batch := graph.Float64s(y)
		differs := false
		for i, s := range samples {
			alone, err := m.Predict(graph.NewTensor(tensor.Float64, []int{1, len(s)}, s), 1)
			if err != nil {
				t.Fatal(err)
			}
			a := graph.Float64s(alone)
			for j := range a {
				d := math.Abs(a[j] - batch[2*i+j])
				if maskZero && d > 1e-12 {
					t.Errorf("sample %d: padded %v, alone %v", i, batch[2*i:2*i+2], a)
				}
				differs = differs || d > 1e-6
			}
		}
		if !maskZero && !differs {
			t.Error("without the mask the padded samples give their outputs alone: the check cannot fail")
		}
	}
}
