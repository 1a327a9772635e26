package callbacks_test

import (
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/callbacks"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// TestEarlyStopping: training targets y = 2x, validation targets -2x, from
// zero weights: val_loss rises every epoch, so epoch 0 is best and with
// patience 2 training stops after epoch 2 with epoch 0's weights restored.
func TestEarlyStopping(t *testing.T) {
	mk := func() *model.Model {
		c := layers.DenseDefaults(1)
		c.Name = "lin"
		c.KernelInitializer = graph.Spec{Name: "zeros"}
		d, _ := layers.NewDense(c)
		m, _ := model.NewSequential(tensor.Float64, d)
		sgd := optim.NewSGD()
		sgd.LR = 0.05
		m.Compile("mse", sgd)
		return m
	}
	x := graph.NewTensor(tensor.Float64, []int{4, 1}, []float64{1, 2, -1, 0.5})
	y := graph.NewTensor(tensor.Float64, []int{4, 1}, []float64{2, 4, -2, 1})
	vy := graph.NewTensor(tensor.Float64, []int{4, 1}, []float64{-2, -4, 2, -1})
	es := &callbacks.EarlyStopping{Patience: 2, RestoreBestWeights: true}
	m := mk()
	h, err := m.Fit(x, y, model.FitConfig{BatchSize: 4, Epochs: 20, ValidationX: x, ValidationY: vy, Callbacks: []model.Callback{es}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epoch) != 3 || es.StoppedEpoch() != 2 {
		t.Fatalf("ran %d epochs, stopped after %d: want 3 and 2 (val_loss %v)", len(h.Epoch), es.StoppedEpoch(), h.History["val_loss"])
	}
	if be, _ := es.BestEpoch(); be != 0 {
		t.Errorf("best epoch %d, want 0", be)
	}
	ref := mk()
	ref.Fit(x, y, model.FitConfig{BatchSize: 4, Epochs: 1})
	for i, p := range m.Params() {
		if a, b := graph.Float64s(p.Value), graph.Float64s(ref.Params()[i].Value); a[0] != b[0] {
			t.Errorf("%s = %v after restore, want epoch 0's %v", p.Name, a, b)
		}
	}
	if _, err := mk().Fit(x, y, model.FitConfig{Callbacks: []model.Callback{&callbacks.EarlyStopping{}}}); err == nil {
		t.Error("monitoring val_loss without validation data: no error")
	}
}
