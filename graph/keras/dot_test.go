package keras

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// attentionModel is the dot-product attention of a seq2seq decoder over
// its encoder's states (Luong): scores = Dot(axes=[2, 2])(decoder,
// encoder), weights = softmax(scores), context = Dot(axes=[2, 1])(weights,
// encoder), then Concatenate([context, decoder]) → TimeDistributed(Dense);
// a second output is the cosine similarity of the two sequences' steps
// (Dot(axes=-1, normalize=True)).
func attentionModel(t *testing.T, dt graph.Dtype) *model.Model {
	t.Helper()
	ec := lstm.Default(4)
	ec.Name, ec.ReturnSequences, ec.ReturnState = "encoder", true, true
	dc := lstm.Default(4)
	dc.Name, dc.ReturnSequences = "decoder", true
	head := layers.DenseDefaults(3)
	head.Name, head.Activation = "head", "softmax"
	src, tgt := model.Input("src", 6, 2), model.Input("tgt", 5, 3)
	enc := model.Apply(must(lstm.New(ec)), src)
	dec := model.Apply(must(lstm.New(dc)), tgt, enc.Output(1), enc.Output(2))
	scores := model.Apply(must(layers.NewDot(layers.DotConfig{Name: "scores", Axes: layers.DotAxes{2, 2}})), dec, enc)
	weights := model.Apply(must(layers.NewActivation(layers.ActivationConfig{Name: "attention", Activation: "softmax"})), scores)
	context := model.Apply(must(layers.NewDot(layers.DotConfig{Name: "context", Axes: layers.DotAxes{2, 1}})), weights, enc)
	joined := model.Apply(must(layers.NewConcatenate(layers.ConcatenateConfig{Name: "joined", Axis: -1})), context, dec)
	y := model.Apply(must(layers.NewTimeDistributed("out", must(layers.NewDense(head)))), joined)
	cos := model.Apply(must(layers.NewDot(layers.DotConfig{Name: "cosine", Axes: layers.DotAxes{-1}, Normalize: true})), dec, enc)
	m, err := model.New(dt, []*model.Node{src, tgt}, []*model.Node{y, cos})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDotAttentionFile: a model with Dot layers goes to a Keras 2.2.4 .h5
// and back with the same config (axes written as Keras writes them), the
// same weights and the same predictions; h5py reads the config; the size
// rules agree with the built layers; a training step works on the loaded
// model.
func TestDotAttentionFile(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32, graph.Float64} {
		m := attentionModel(t, dt)
		xs := randomize(m, 5, 3)
		sizesAgree(t, m)
		m2, path, j1 := saveLoad(t, m, xs)
		for _, want := range []string{`"axes":[2,2]`, `"axes":[2,1]`, `"axes":-1`, `"normalize":true`} {
			if !bytes.Contains(j1, []byte(want)) {
				t.Errorf("the written config lacks %s: %s", want, j1)
			}
		}
		p1, err := m.PredictMulti(xs, 3)
		if err != nil {
			t.Fatal(err)
		}
		if err := m2.CompileMulti(model.CompileOptions{Losses: []string{"categorical_crossentropy", "mse"}, Optimizer: optim.NewAdam()}); err != nil {
			t.Fatal(err)
		}
		if _, err := m2.TrainOnBatchMulti(xs, p1); err != nil {
			t.Fatal(err)
		}
		out, err := h5py(t, path)
		if err != nil {
			t.Fatalf("h5py check: %v", err)
		}
		var d h5pyDump
		if err := json.Unmarshal(out, &d); err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(j1, &want); err != nil {
			t.Fatal(err)
		}
		if !sameJSONTree(d.ModelConfig, want) {
			t.Errorf("model_config read by h5py differs from the model's config")
		}
	}
}

// TestDotKerasConfig reads Dot as Keras 2.2.4 writes it in a functional
// config (axes a list, or a number) and checks the loaded layer's numbers
// against the sums written out.
func TestDotKerasConfig(t *testing.T) {
	doc := `{"class_name": "Model", "config": {"name": "m", "layers": [
		{"name": "a", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 2, 3], "dtype": "float32", "sparse": false, "name": "a"}, "inbound_nodes": []},
		{"name": "b", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 2, 3], "dtype": "float32", "sparse": false, "name": "b"}, "inbound_nodes": []},
		{"name": "dot_1", "class_name": "Dot", "config": {"name": "dot_1", "trainable": true, "axes": [2, 2], "normalize": false}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]},
		{"name": "dot_2", "class_name": "Dot", "config": {"name": "dot_2", "trainable": true, "axes": 1, "normalize": false}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]}],
		"input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["dot_1", 0, 0], ["dot_2", 0, 0]]}}`
	ld, err := fromJSON(t, "2.2.4", doc)
	if err != nil {
		t.Fatal(err)
	}
	a := graph.NewTensor(graph.Float32, []int{1, 2, 3}, []float64{1, 2, 3, 4, 5, 6})
	b := graph.NewTensor(graph.Float32, []int{1, 2, 3}, []float64{1, 0, 1, 0, 1, 0})
	out, err := ld.model.PredictMulti([]*graph.Tensor{a, b}, 1)
	if err != nil {
		t.Fatal(err)
	}
	// dot_1[i, j] = Σ_k a[i, k] b[j, k]; dot_2[i, j] = Σ_t a[t, i] b[t, j].
	if got := graph.Float64s(out[0]); !slices.Equal(got, []float64{4, 2, 10, 5}) || !slices.Equal(out[0].Shape(), []int{1, 2, 2}) {
		t.Errorf("Dot(axes=[2, 2]): %v %v, want (1, 2, 2) [4 2 10 5]", out[0].Shape(), got)
	}
	if got := graph.Float64s(out[1]); !slices.Equal(got, []float64{1, 4, 1, 2, 5, 2, 3, 6, 3}) || !slices.Equal(out[1].Shape(), []int{1, 3, 3}) {
		t.Errorf("Dot(axes=1): %v %v, want (1, 3, 3) [1 4 1 2 5 2 3 6 3]", out[1].Shape(), got)
	}
}
