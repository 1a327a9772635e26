package model

import (
	"encoding/json"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"

	"gorgonia.org/tensor"
)

// TestMergeModelFiniteDifferences: a model whose branches meet in merge
// layers (an LSTM over a sequence and a Dense over features, added, the
// sum concatenated with the Dense branch, multiplied by another Dense of
// the features, and a shared Dense applied on two paths) has the
// gradients of central finite differences of its loss.
func TestMergeModelFiniteDifferences(t *testing.T) {
	seq, feat := Input("seq", 4, 2), Input("feat", 3)
	lstmOut := Apply(newLSTM(t, "lstm", 3, false, false, 1), seq)
	shared := dense(t, "shared", 3, "tanh", 2)
	side := Apply(shared, feat)
	sum := Apply(layers.NewAdd(layers.MergeConfig{Name: "add"}), lstmOut, side)
	cat, err := layers.NewConcatenate(layers.ConcatenateConfig{Name: "cat", Axis: -1})
	if err != nil {
		t.Fatal(err)
	}
	joined := Apply(cat, sum, side)                        // (6)
	gate := Apply(dense(t, "gate", 6, "sigmoid", 3), feat) // (6)
	prod := Apply(layers.NewMultiply(layers.MergeConfig{Name: "mul"}), joined, gate)
	back := Apply(shared, Apply(dense(t, "down", 3, "linear", 4), prod)) // shared again
	avg := Apply(layers.NewAverage(layers.MergeConfig{Name: "avg"}), back, side)
	out := Apply(dense(t, "head", 2, "linear", 5), avg)
	m, err := New(tensor.Float64, []*Node{seq, feat}, []*Node{out})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Compile("mse", &testSGD{lr: 0.1}); err != nil {
		t.Fatal(err)
	}
	xs := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{3, 4, 2}, randValues(24, 11)),
		graph.NewTensor(tensor.Float64, []int{3, 3}, randValues(9, 12))}
	ys := []*tensor.Dense{graph.NewTensor(tensor.Float64, []int{3, 2}, randValues(6, 13))}
	if checked := checkFiniteDifferences(t, m, xs, ys, 2, 1e-7); checked < 60 {
		t.Fatalf("checked only %d weights", checked)
	}
}

// passLayer is a weightless test layer of one input whose output is its
// input. With masker it puts out the mask "the step has a non-zero value"
// (Keras' Masking(0)); otherwise it records the mask it gets and puts out
// none.
type passLayer struct {
	name   string
	masker bool
	shape  []int
	got    []*tensor.Dense
}

func (p *passLayer) Name() string                     { return p.name }
func (p *passLayer) Type() string                     { return "Pass" }
func (p *passLayer) Params() []*graph.Param           { return nil }
func (p *passLayer) Config() (json.RawMessage, error) { return json.RawMessage(`{}`), nil }
func (p *passLayer) OutputShapes() [][]int            { return [][]int{p.shape} }
func (p *passLayer) Build(in [][]int, _ tensor.Dtype) error {
	p.shape = in[0]
	return nil
}
func (p *passLayer) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x := graph.Contiguous(in[0])
	pass := &graph.Pass{Outputs: []*tensor.Dense{x.Clone().(*tensor.Dense)}}
	if p.masker {
		s := x.Shape()
		v := graph.Float64s(x)
		keep := make([]bool, s[0]*s[1])
		for i := range keep {
			for _, f := range v[i*s[2] : (i+1)*s[2]] {
				keep[i] = keep[i] || f != 0
			}
		}
		pass.Masks = []*tensor.Dense{graph.NewMask(s[0], s[1], keep)}
	} else {
		var mk *tensor.Dense
		if len(masks) > 0 {
			mk = masks[0]
		}
		p.got = append(p.got, mk)
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			return []*tensor.Dense{dOut[0].Clone().(*tensor.Dense)}, nil
		}
	}
	return pass, nil
}

// TestMasksThroughMerge: masks made by a masking layer on two padded
// sequences reach the layers after the merges as Keras computes them: the
// AND of both after Add, and the concatenation along the timesteps after
// Concatenate(axis=1), an unmasked input counting as all real.
func TestMasksThroughMerge(t *testing.T) {
	a, b := Input("a", 3, 2), Input("b", 3, 2)
	ma := Apply(&passLayer{name: "mask_a", masker: true}, a)
	mb := Apply(&passLayer{name: "mask_b", masker: true}, b)
	afterAdd := &passLayer{name: "after_add"}
	afterCat := &passLayer{name: "after_cat"}
	afterCatPlain := &passLayer{name: "after_cat_plain"}
	cat, _ := layers.NewConcatenate(layers.ConcatenateConfig{Name: "cat", Axis: 1})
	cat2, _ := layers.NewConcatenate(layers.ConcatenateConfig{Name: "cat2", Axis: 1})
	o1 := Apply(afterAdd, Apply(layers.NewAdd(layers.MergeConfig{Name: "add"}), ma, mb))
	o2 := Apply(afterCat, Apply(cat, ma, mb))
	o3 := Apply(afterCatPlain, Apply(cat2, ma, b)) // b itself carries no mask
	m, err := New(tensor.Float64, []*Node{a, b}, []*Node{o1, o2, o3})
	if err != nil {
		t.Fatal(err)
	}
	// Sample 0: a pads its last step, b its first; sample 1: a is all
	// real, b pads its middle step.
	xa := graph.NewTensor(tensor.Float64, []int{2, 3, 2}, []float64{1, 2, 3, 4, 0, 0, 1, 0, 0, 2, 3, 3})
	xb := graph.NewTensor(tensor.Float64, []int{2, 3, 2}, []float64{0, 0, 5, 6, 7, 8, 1, 1, 0, 0, 2, 2})
	if _, err := m.PredictMulti([]*tensor.Dense{xa, xb}, 2); err != nil {
		t.Fatal(err)
	}
	check := func(p *passLayer, want []bool) {
		t.Helper()
		if len(p.got) != 1 || p.got[0] == nil {
			t.Fatalf("%s got masks %v", p.name, p.got)
		}
		got, _ := graph.MaskValues(p.got[0])
		if len(got) != len(want) {
			t.Fatalf("%s got mask %v, want %v", p.name, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s got mask %v, want %v", p.name, got, want)
			}
		}
	}
	T, F := true, false
	check(afterAdd, []bool{F, T, F, T, F, T})
	check(afterCat, []bool{T, T, F, F, T, T, T, T, T, T, F, T})
	check(afterCatPlain, []bool{T, T, F, T, T, T, T, T, T, T, T, T})
}
