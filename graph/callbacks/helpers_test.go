package callbacks

import (
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
	"gorgonia.org/tensor"
)

// tinyModel returns a built, compiled Dense(1) model on 2 features with
// SGD(lr), for driving callbacks' hooks directly.
func tinyModel(t *testing.T, lr float64) *model.Model {
	t.Helper()
	c := layers.DenseDefaults(1)
	c.Name, c.Seed = "lin", 1
	d, err := layers.NewDense(c)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewSequential(tensor.Float64, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Build(2); err != nil {
		t.Fatal(err)
	}
	sgd := optim.NewSGD()
	sgd.LR = lr
	if err := m.Compile("mse", sgd); err != nil {
		t.Fatal(err)
	}
	return m
}

// params returns FitParams logging names.
func params(names ...string) model.FitParams { return model.FitParams{Metrics: names} }

// setBias sets the model's bias to v, marking its weights.
func setBias(t *testing.T, m *model.Model, v float64) {
	t.Helper()
	ws := m.Weights()
	ws[1] = graph.NewTensor(tensor.Float64, []int{1}, []float64{v})
	if err := m.SetWeights(ws...); err != nil {
		t.Fatal(err)
	}
}

// bias returns the model's bias.
func bias(m *model.Model) float64 { return graph.Float64s(m.Params()[1].Value)[0] }
