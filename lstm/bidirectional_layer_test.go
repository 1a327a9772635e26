package lstm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// TestLayerMasks: the graph.Layer adapters pass masks as Keras 2.2.4's
// compute_mask: with return_sequences the output carries the input's mask
// (as given, also with go_backwards), without it none, the states none;
// the mask changes the outputs as CallOptions.Mask does.
func TestLayerMasks(t *testing.T) {
	x := randDense(graph.NewRNG(1), 1, 2, 4, 3)
	mask := graph.NewMask(2, 4, []bool{true, true, true, false, false, true, true, true})
	for _, seq := range []bool{false, true} {
		for _, state := range []bool{false, true} {
			for _, back := range []bool{false, true} {
				name := fmt.Sprintf("seq=%t/state=%t/backwards=%t", seq, state, back)
				c := Default(2)
				c.ReturnSequences, c.ReturnState, c.GoBackwards, c.Seed = seq, state, back, 3
				l := mustNew(t, c)
				if err := l.Build([][]int{{graph.None, 3}}, tensor.Float64); err != nil {
					t.Fatal(err)
				}
				p, err := l.Forward([]*tensor.Dense{x}, []*tensor.Dense{mask}, false)
				if err != nil {
					t.Fatal(err)
				}
				want, err := l.Call(x, CallOptions{Mask: mask})
				if err != nil {
					t.Fatal(err)
				}
				if !p.Outputs[0].Eq(want.Output) {
					t.Errorf("%s: Forward with a mask differs from Call with it", name)
				}
				n := 1
				if state {
					n = 3
				}
				switch {
				case len(p.Outputs) != n:
					t.Errorf("%s: %d outputs, want %d", name, len(p.Outputs), n)
				case !seq && p.Masks != nil:
					t.Errorf("%s: masks %v without return_sequences, want none", name, p.Masks)
				case seq && (len(p.Masks) != n || p.Masks[0] != mask):
					t.Errorf("%s: masks %v, want the input's on the output", name, p.Masks)
				case seq && state && (p.Masks[1] != nil || p.Masks[2] != nil):
					t.Errorf("%s: a state carries a mask", name)
				}
			}
		}
	}
}

// TestBidirectionalLayerShapesAndMasks: OutputShapes for every merge mode
// with and without return_sequences and return_state, equal to the shapes
// Forward returns, and the masks of Keras' Bidirectional.compute_mask.
func TestBidirectionalLayerShapesAndMasks(t *testing.T) {
	x := randDense(graph.NewRNG(2), 1, 2, 5, 3)
	mask := graph.NewMask(2, 5, []bool{true, true, true, true, false, true, true, false, false, false})
	for _, mode := range []string{MergeConcat, MergeSum, MergeAve, MergeMul, MergeNone} {
		for _, seq := range []bool{false, true} {
			for _, state := range []bool{false, true} {
				name := fmt.Sprintf("%s/seq=%t/state=%t", mode, seq, state)
				c := Default(4)
				c.ReturnSequences, c.ReturnState, c.Seed = seq, state, 5
				bc := DefaultBidirectional(c)
				bc.MergeMode = mode
				b, err := NewBidirectional(bc)
				if err != nil {
					t.Fatal(err)
				}
				if err := b.Build([][]int{{graph.None, 3}}, tensor.Float64); err != nil {
					t.Fatal(err)
				}
				units, outs := 4, 1
				if mode == MergeConcat {
					units = 8
				}
				if mode == MergeNone {
					outs = 2
				}
				var want [][]int
				for i := 0; i < outs; i++ {
					if seq {
						want = append(want, []int{graph.None, units})
					} else {
						want = append(want, []int{units})
					}
				}
				if state {
					want = append(want, []int{4}, []int{4}, []int{4}, []int{4})
				}
				if got := b.OutputShapes(); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: OutputShapes %v, want %v", name, got, want)
				}
				p, err := b.Forward([]*tensor.Dense{x}, []*tensor.Dense{mask}, false)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Outputs) != len(want) {
					t.Fatalf("%s: %d outputs, want %d", name, len(p.Outputs), len(want))
				}
				for i, o := range p.Outputs {
					if !graph.FitsShape(o.Shape(), want[i]) {
						t.Errorf("%s: output %d of shape %v, want %s", name, i, o.Shape(), graph.FormatShape(want[i]))
					}
				}
				call, err := b.Call(x, BiCallOptions{Mask: mask})
				if err != nil {
					t.Fatal(err)
				}
				for i, o := range call.returned() {
					if !o.Eq(p.Outputs[i]) {
						t.Errorf("%s: Forward output %d differs from Call's", name, i)
					}
				}
				for i := range p.Outputs {
					var m *tensor.Dense
					if i < len(p.Masks) {
						m = p.Masks[i]
					}
					if wantMask := seq && i < outs; (m == mask) != wantMask || (!wantMask && m != nil) {
						t.Errorf("%s: output %d has mask %v, want the input's: %t", name, i, m != nil, wantMask)
					}
				}
			}
		}
	}
}

// TestBidirectionalLayerConfig: the wrapper rebuilds through the registry
// from its Config and from Keras' get_config JSON (merge_mode null is
// "none", left out "concat"), and its weights take Keras' weight-file
// names.
func TestBidirectionalLayerConfig(t *testing.T) {
	c := Default(3)
	c.Name, c.ReturnSequences, c.RecurrentActivation = "enc", true, "sigmoid"
	bc := DefaultBidirectional(c)
	bc.Name, bc.MergeMode = "bi", MergeAve
	b, err := NewBidirectional(bc)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Config()
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(raw, &keys)
	if string(keys["merge_mode"]) != `"ave"` || !strings.Contains(string(keys["layer"]), `"class_name":"LSTM"`) {
		t.Errorf("config %s: want Keras' get_config form", raw)
	}
	l, err := graph.NewLayer("Bidirectional", "bi", raw)
	if err != nil {
		t.Fatal(err)
	}
	if raw2, _ := l.Config(); string(raw2) != string(raw) || l.Type() != "Bidirectional" || l.Name() != "bi" {
		t.Errorf("registry round trip: %s, want %s", raw2, raw)
	}
	for _, k := range []struct{ json, mode string }{
		{`{"name": "b", "merge_mode": null, "layer": {"class_name": "LSTM", "config": {"units": 2}}}`, MergeNone},
		{`{"name": "b", "layer": {"class_name": "LSTM", "config": {"units": 2}}}`, MergeConcat},
	} {
		l, err := graph.NewLayer("Bidirectional", "b", json.RawMessage(k.json))
		if err != nil {
			t.Fatal(err)
		}
		if got := l.(*Bidirectional).Settings().MergeMode; got != k.mode {
			t.Errorf("%s: merge mode %q, want %q", k.json, got, k.mode)
		}
	}
	if _, err := graph.NewLayer("Bidirectional", "b", json.RawMessage(`{"layer": {"class_name": "GRU", "config": {"units": 2}}}`)); err == nil {
		t.Error("a GRU inside: no error")
	}
	if err := b.Build([][]int{{graph.None, 2}}, tensor.Float32); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range b.Params() {
		names = append(names, p.Name)
	}
	want := []string{"bi/forward_enc/kernel", "bi/forward_enc/recurrent_kernel", "bi/forward_enc/bias",
		"bi/backward_enc/kernel", "bi/backward_enc/recurrent_kernel", "bi/backward_enc/bias"}
	if !slices.Equal(names, want) {
		t.Errorf("weights %v, want %v", names, want)
	}
	if s := b.FreeShape([]int{7, 2}); !slices.Equal(s, []int{graph.None, 2}) {
		t.Errorf("FreeShape %v", s)
	}
}

// TestBidirectionalLayerErrors: wrong inputs get errors that name the
// wrapper and what is wrong.
func TestBidirectionalLayerErrors(t *testing.T) {
	c := Default(3)
	c.Name = "enc"
	bc := DefaultBidirectional(c)
	bc.Name = "bi"
	b, err := NewBidirectional(bc)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		in   [][]int
		want string
	}{
		{[][]int{{4, 2}, {3}}, "2 inputs"},
		{[][]int{{4, 2}, {3}, {3}, {2}, {3}}, "initial backward h of shape (None, 2)"},
		{[][]int{{4}}, "input shape"},
	} {
		if err := b.Build(k.in, tensor.Float64); err == nil || !strings.Contains(err.Error(), k.want) || !strings.Contains(err.Error(), `"bi"`) {
			t.Errorf("Build(%v): error %v, want one with %q", k.in, err, k.want)
		}
	}
	if err := b.Build([][]int{{graph.None, 2}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	x := randDense(graph.NewRNG(1), 1, 1, 3, 2)
	if _, err := b.Forward([]*tensor.Dense{x, x}, nil, false); err == nil {
		t.Error("two inputs: no error")
	}
	bad := graph.NewTensor(tensor.Float64, []int{1, 3}, nil)
	if _, err := b.Forward([]*tensor.Dense{x}, []*tensor.Dense{bad}, false); err == nil || !strings.Contains(err.Error(), "mask") {
		t.Errorf("float mask: error %v, want one about the mask", err)
	}
	p, err := b.Forward([]*tensor.Dense{x}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Backward([]*tensor.Dense{nil, nil}, nil); err == nil {
		t.Error("two output gradients for one output: no error")
	}
}
