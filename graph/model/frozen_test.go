package model

import (
	"path/filepath"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

// TestFrozenWeights checks that Fit leaves Frozen weights unchanged while
// training the others, that the optimizer keeps no state for them, and
// that Save and Load keep the flag.
func TestFrozenWeights(t *testing.T) {
	m, _ := toyModel(t, tensor.Float64, 0.1)
	adam := optim.NewAdam()
	if err := m.Compile("mse", adam); err != nil {
		t.Fatal(err)
	}
	if err := m.Build(2); err != nil {
		t.Fatal(err)
	}
	hidden := m.Layer("hidden").Params()
	for _, p := range hidden {
		p.Frozen = true
	}
	if n, all := len(m.TrainableParams()), len(m.Params()); n != all-2 {
		t.Fatalf("%d trainable params of %d with 2 frozen", n, all)
	}
	before := make([][]float64, len(m.Params()))
	for i, p := range m.Params() {
		before[i] = graph.Float64s(p.Value)
	}
	x, y := toyData(tensor.Float64, 32)
	if _, err := m.Fit(x, y, FitConfig{BatchSize: 8, Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Params() {
		same := closeValues(graph.Float64s(p.Value), before[i])
		if p.Frozen != same {
			t.Errorf("%s (frozen %v): unchanged after Fit is %v", p.Name, p.Frozen, same)
		}
	}
	for slot, byName := range adam.State().Slots {
		for _, p := range hidden {
			if _, ok := byName[p.Name]; ok {
				t.Errorf("optimizer slot %s holds frozen weight %s", slot, p.Name)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "frozen.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m2.Params() {
		if p.Frozen != m.Params()[i].Frozen {
			t.Errorf("%s: frozen %v after Load, %v before", p.Name, p.Frozen, m.Params()[i].Frozen)
		}
	}
}

func closeValues(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
