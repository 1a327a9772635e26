package layers_test

import (
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"

	"gorgonia.org/tensor"
)

// lnModel is a Sequential model of every layer of layernorm.go and
// padding1d.go: x (6, 3) → ZeroPadding1D(1, 2) (9, 3) →
// LayerNormalization (last axis) → Cropping1D(2, 1) (6, 3) →
// UpSampling1D(2) (12, 3) → LSTM(4, sequences) → LayerNormalization(axes
// 1 and 2, rms_scaling, l2 on gamma) → LayerNormalization(no center,
// frozen) → Flatten → Dense(2), with random gamma and beta.
func lnModel(t *testing.T, dt tensor.Dtype) *model.Model {
	t.Helper()
	ln1 := layers.LayerNormalizationDefaults()
	ln1.Name, ln1.Seed, ln1.GammaInitializer = "ln1", 1, graph.Spec{Name: "random_uniform", Args: map[string]float64{"minval": 0.5, "maxval": 1.5}}
	ln1.BetaInitializer = graph.Spec{Name: "random_uniform"}
	ln2 := layers.LayerNormalizationDefaults()
	ln2.Name, ln2.Axis, ln2.RMSScaling, ln2.Epsilon, ln2.Seed = "ln2", layers.Axes{1, 2}, true, 0.01, 2
	ln2.GammaInitializer = graph.Spec{Name: "random_normal", Args: map[string]float64{"mean": 1, "stddev": 0.2}}
	ln2.GammaRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.01}}
	ln3 := layers.LayerNormalizationDefaults()
	ln3.Name, ln3.Center = "ln3", false
	lc := lstm.Default(4)
	lc.Name, lc.ReturnSequences, lc.Seed = "lstm", true, 4
	dc := layers.DenseDefaults(2)
	dc.Name, dc.Seed = "head", 5
	l3 := mustLayer(layers.NewLayerNormalization(ln3))
	m, err := model.NewSequential(dt,
		mustLayer(layers.NewZeroPadding1D(layers.ZeroPadding1DConfig{Name: "pad", Padding: layers.Pair{1, 2}})),
		mustLayer(layers.NewLayerNormalization(ln1)),
		mustLayer(layers.NewCropping1D(layers.Cropping1DConfig{Name: "crop", Cropping: layers.Pair{2, 1}})),
		mustLayer(layers.NewUpSampling1D(layers.UpSampling1DConfig{Name: "up", Size: 2})),
		mustLayer(lstm.New(lc)),
		mustLayer(layers.NewLayerNormalization(ln2)),
		l3,
		mustLayer(layers.NewFlatten(layers.FlattenConfig{Name: "flat"})),
		mustLayer(layers.NewDense(dc)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(6, 3); err != nil {
		t.Fatal(err)
	}
	for _, p := range l3.Params() {
		p.Frozen = true
	}
	return m
}

// TestLayerNormalizationModelFile checks the four layers in a model
// through a model file (Save, Load): the same configs and output shape,
// the same predictions bit for bit, the same weights after a training
// step (every Backward runs inside a model; the frozen gamma stays), and
// predictions from several goroutines at once equal to one.
func TestLayerNormalizationModelFile(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		m := lnModel(t, dt)
		if s := m.OutputShape(); !slices.Equal(s, []int{2}) {
			t.Fatalf("output shape %v", s)
		}
		rng := graph.NewRNG(3)
		xv := make([]float64, 4*6*3)
		for i := range xv {
			xv[i] = rng.Float64()*4 - 1
		}
		x := graph.NewTensor(dt, []int{4, 6, 3}, xv)
		want, err := m.Predict(x, 4)
		if err != nil {
			t.Fatal(err)
		}
		frozen := graph.Float64s(m.Layer("ln3").Params()[0].Value)
		yt := graph.NewTensor(dt, []int{4, 2}, []float64{1, 0, 0, 1, 1, 1, 0, 0})
		m2 := checkModelFile(t, m, x, want, yt)
		if !slices.Equal(graph.Float64s(m.Layer("ln3").Params()[0].Value), frozen) {
			t.Errorf("%v: frozen gamma changed", dt)
		}
		if slices.Equal(graph.Float64s(m.Layer("ln1").Params()[0].Value), graph.Float64s(m2.Layer("ln1").Params()[0].Value)) &&
			slices.Equal(graph.Float64s(m.Layer("ln1").Params()[0].Value), graph.Float64s(lnModel(t, dt).Layer("ln1").Params()[0].Value)) {
			t.Errorf("%v: ln1's gamma did not train", dt)
		}
	}
}
