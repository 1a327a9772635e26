package keras

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
	"github.com/golstm/golstm/optim"
)

// luongModel is a Luong-attention seq2seq model as tf.keras tutorials
// build it: Embedding(mask_zero) → encoder LSTM (return_sequences and
// states); decoder LSTM from the encoder's states; Attention(use_scale,
// return_attention_scores)([decoder, encoder]) — the encoder's mask is the
// value mask —; Concatenate([context, decoder]) → TimeDistributed(Dense).
// A second attention, AdditiveAttention(causal) of the decoder over
// itself ([query, value, key]), and the attention scores are outputs too.
func luongModel(t *testing.T, dt graph.Dtype) *model.Model {
	t.Helper()
	emb := layers.EmbeddingDefaults(10, 3)
	emb.Name, emb.MaskZero = "emb", true
	ec := lstm.Default(4)
	ec.Name, ec.ReturnSequences, ec.ReturnState = "encoder", true, true
	dc := lstm.Default(4)
	dc.Name, dc.ReturnSequences = "decoder", true
	head := layers.DenseDefaults(3)
	head.Name, head.Activation = "head", "softmax"
	src, tgt := model.Input("src", 6), model.Input("tgt", 5, 2)
	enc := model.Apply(must(lstm.New(ec)), model.Apply(must(layers.NewEmbedding(emb)), src))
	dec := model.Apply(must(lstm.New(dc)), tgt, enc.Output(1), enc.Output(2))
	att := model.Apply(must(layers.NewAttention(layers.AttentionConfig{Name: "attention", UseScale: true, ReturnAttentionScores: true})), dec, enc)
	joined := model.Apply(must(layers.NewConcatenate(layers.ConcatenateConfig{Name: "joined", Axis: -1})), att, dec)
	y := model.Apply(must(layers.NewTimeDistributed("out", must(layers.NewDense(head)))), joined)
	self := layers.AdditiveAttentionDefaults()
	self.Name, self.Causal = "self", true
	selfAtt := model.Apply(must(layers.NewAdditiveAttention(self)), dec, dec, dec)
	m, err := model.New(dt, []*model.Node{src, tgt}, []*model.Node{y, att.Output(1), selfAtt})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// luongInputs are random weights and a batch whose source ids end in
// padding (0).
func luongInputs(m *model.Model) []*graph.Tensor {
	xs := randomize(m, 5, 3)
	ids := make([]float64, 3*6)
	for b := range 3 {
		for s := range 6 - b {
			ids[b*6+s] = float64(1 + (b*5+s*3)%9)
		}
	}
	xs[0] = graph.NewTensor(m.Dtype(), []int{3, 6}, ids)
	return xs
}

// TestAttentionSeq2SeqFiles: the Luong seq2seq model goes through a
// Keras .h5 (Save/Load) and a model file (model.Save/Load) with the same
// config, weights and predictions. The .h5 holds tf.keras ≥ 2.10's form:
// the config keys use_scale, score_mode, dropout (no causal, no seed), the
// call arguments return_attention_scores and use_causal_mask (from causal)
// in the inbound nodes' kwargs, and Attention's scale as a scalar; h5py
// reads it. The attention scores give padded encoder steps exactly 0;
// the size rules agree with the built layers; the loaded model trains.
func TestAttentionSeq2SeqFiles(t *testing.T) {
	for _, dt := range []graph.Dtype{graph.Float32, graph.Float64} {
		m := luongModel(t, dt)
		xs := luongInputs(m)
		sizesAgree(t, m)
		p1, err := m.PredictMulti(xs, 3)
		if err != nil {
			t.Fatal(err)
		}
		// Scores (3, 5, 6): sample b has 6 − b real encoder steps.
		sc := graph.Float64s(p1[1])
		for b := range 3 {
			for i := range 5 {
				row := sc[(b*5+i)*6 : (b*5+i+1)*6]
				sum := 0.0
				for j, w := range row {
					sum += w
					if j >= 6-b && w != 0 {
						t.Errorf("%v: score [%d, %d, %d] at a padded step = %v, want 0", dt, b, i, j, w)
					}
				}
				if math.Abs(sum-1) > 1e-6 {
					t.Errorf("%v: scores [%d, %d] sum to %v", dt, b, i, sum)
				}
			}
		}
		m2, path, j1 := saveLoad(t, m, xs)
		for _, want := range []string{`"class_name":"Attention","config":{"dropout":0,"dtype":"` + dt.String() + `","name":"attention","score_mode":"dot","trainable":true,"use_scale":true}`,
			`["decoder",0,0,{"return_attention_scores":true}],["encoder",0,0,{"return_attention_scores":true}]`,
			`"class_name":"AdditiveAttention","config":{"dropout":0,"dtype":"` + dt.String() + `","name":"self","trainable":true,"use_scale":true}`,
			`["decoder",0,0,{"use_causal_mask":true}],["decoder",0,0,{"use_causal_mask":true}],["decoder",0,0,{"use_causal_mask":true}]`,
			`["attention",0,1]`} {
			if !bytes.Contains(j1, []byte(want)) {
				t.Errorf("the written config lacks %s: %s", want, j1)
			}
		}
		// The model file.
		mpath := filepath.Join(t.TempDir(), "luong.golstm")
		if err := m.Save(mpath); err != nil {
			t.Fatal(err)
		}
		m3, err := model.Load(mpath)
		if err != nil {
			t.Fatal(err)
		}
		sameWeights(t, m, m3)
		p3, err := m3.PredictMulti(xs, 3)
		if err != nil {
			t.Fatal(err)
		}
		for k := range p1 {
			if !slices.Equal(graph.Float64s(p1[k]), graph.Float64s(p3[k])) {
				t.Errorf("%v: output %d differs after the model file round trip", dt, k)
			}
		}
		if err := m2.CompileMulti(model.CompileOptions{Losses: []string{"categorical_crossentropy", "mse", "mse"}, Optimizer: optim.NewAdam()}); err != nil {
			t.Fatal(err)
		}
		var trained []*graph.Param
		for _, p := range m2.Params() {
			if p.Name == "attention/scale" || p.Name == "self/scale" {
				trained = append(trained, p)
			}
		}
		if len(trained) != 2 {
			t.Fatalf("%v: the loaded model's attention weights: %d, want 2", dt, len(trained))
		}
		var before [][]float64
		for _, p := range trained {
			before = append(before, graph.Float64s(p.Value))
		}
		// Targets other than the predictions (whose gradients are 0): the
		// first class everywhere, and halved scores and self-attention.
		ys := make([]*graph.Tensor, len(p1))
		for k, p := range p1 {
			v := graph.Float64s(p)
			for i := range v {
				if k == 0 {
					v[i] = float64(1 - min(i%3, 1))
				} else {
					v[i] /= 2
				}
			}
			ys[k] = graph.NewTensor(dt, p.Shape(), v)
		}
		if _, err := m2.TrainOnBatchMulti(xs, ys); err != nil {
			t.Fatal(err)
		}
		for i, p := range trained {
			if slices.Equal(before[i], graph.Float64s(p.Value)) {
				t.Errorf("%v: training left %s unchanged", dt, p.Name)
			}
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
		for _, l := range d.Layers {
			if l.Name == "attention" && (len(l.Weights) != 1 || len(l.Weights[0].Shape) != 0 || l.Weights[0].Name != "attention/scale:0") {
				t.Errorf("attention's weights in the file: %+v, want the scalar attention/scale:0", l.Weights)
			}
			if l.Name == "self" && (len(l.Weights) != 1 || !slices.Equal(l.Weights[0].Shape, []int{4})) {
				t.Errorf("self's weights in the file: %+v, want scale of shape (4)", l.Weights)
			}
		}
	}
}

// attentionDoc is a functional config with inputs q, v, k of shape
// (2, dim) and the given layers and outputs, in tf.keras 2.x's form
// (version < 3) or Keras 3's.
func attentionDoc(keras3 bool, dim int, layers, outputs string) string {
	return attentionDocIn(keras3, dim, layers, `["q", 0, 0], ["v", 0, 0], ["k", 0, 0]`, outputs)
}

// attentionDocIn is attentionDoc with the model's inputs ins.
func attentionDocIn(keras3 bool, dim int, layers, ins, outputs string) string {
	in := func(name string) string {
		if keras3 {
			return fmt.Sprintf(`{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2, %d], "dtype": "float32", "sparse": false, "name": %q}, "registered_name": null, "name": %q, "inbound_nodes": []}`, dim, name, name)
		}
		return fmt.Sprintf(`{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 2, %d], "dtype": "float32", "sparse": false, "ragged": false, "name": %q}, "name": %q, "inbound_nodes": []}`, dim, name, name)
	}
	return `{"class_name": "Functional", "config": {"name": "model", "layers": [` + in("q") + `, ` + in("v") + `, ` + in("k") + `, ` + layers + `],
		"input_layers": [` + ins + `], "output_layers": [` + outputs + `]}}`
}

// kt is a Keras 3 __keras_tensor__ of the tensor [layer, 0, index].
func kt(layer string, index int) string {
	return fmt.Sprintf(`{"class_name": "__keras_tensor__", "config": {"shape": [null, 2, 1], "dtype": "float32", "keras_history": [%q, 0, %d]}}`, layer, index)
}

// tfAttentionLayers are an Attention(use_scale) called with
// use_causal_mask and return_attention_scores, and an
// AdditiveAttention(causal=True) (tf.keras ≤ 2.9's argument) on [q, v, k],
// as tf.keras 2.x writes them.
const tfAttentionLayers = `{"class_name": "Attention", "config": {"name": "att", "trainable": true, "dtype": "float32", "use_scale": true, "score_mode": "dot", "dropout": 0.0}, "name": "att",
		"inbound_nodes": [[["q", 0, 0, {"use_causal_mask": true, "return_attention_scores": true}], ["v", 0, 0, {"use_causal_mask": true, "return_attention_scores": true}]]]},
	{"class_name": "AdditiveAttention", "config": {"name": "add", "trainable": true, "dtype": "float32", "causal": true, "dropout": 0.0, "use_scale": false}, "name": "add",
		"inbound_nodes": [[["q", 0, 0, {}], ["v", 0, 0, {}], ["k", 0, 0, {}]]]}`

// keras3AttentionLayers are the same layers as Keras 3 writes them
// (use_causal_mask as a call argument, dtype policies, seed, the masks
// argument [null, null]).
var keras3AttentionLayers = `{"module": "keras.layers", "class_name": "Attention", "config": {"name": "att", "trainable": true,
		"dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
		"use_scale": true, "score_mode": "dot", "dropout": 0.0, "seed": null}, "registered_name": null, "build_config": {"input_shape": [[null, 2, 1], [null, 2, 1]]}, "name": "att",
		"inbound_nodes": [{"args": [[` + kt("q", 0) + `, ` + kt("v", 0) + `]], "kwargs": {"mask": [null, null], "use_causal_mask": true, "return_attention_scores": true}}]},
	{"module": "keras.layers", "class_name": "AdditiveAttention", "config": {"name": "add", "trainable": true, "dtype": "float32", "use_scale": false, "dropout": 0.0, "seed": null}, "registered_name": null, "name": "add",
		"inbound_nodes": [{"args": [[` + kt("q", 0) + `, ` + kt("v", 0) + `, ` + kt("k", 0) + `]], "kwargs": {"use_causal_mask": true, "training": false}}]}`

// TestAttentionKerasConfigs reads a tf.keras 2.x functional config and a
// Keras 3 .keras archive (config and weights: Attention's scale a scalar
// dataset at layers/attention/vars/0) with both classes, call arguments in
// the inbound nodes and the older causal argument, and checks the outputs
// against sums written out: with q = (1, 2), v = (3, −1), k = (0.5, −0.5),
// the causal Attention gives row 0 all its weight on value step 0 and row
// 1 softmax(s·(3, −1)·2) (s the scale); the causal AdditiveAttention row 1
// softmax(tanh(2.5), tanh(1.5)).
func TestAttentionKerasConfigs(t *testing.T) {
	q := graph.NewTensor(graph.Float32, []int{1, 2, 1}, []float64{1, 2})
	v := graph.NewTensor(graph.Float32, []int{1, 2, 1}, []float64{3, -1})
	k := graph.NewTensor(graph.Float32, []int{1, 2, 1}, []float64{0.5, -0.5})
	check := func(what string, m *model.Model, scale float64) {
		t.Helper()
		out, err := m.PredictMulti([]*graph.Tensor{q, v, k}, 1)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		e := math.Exp(-8 * scale)
		w1 := 1 / (1 + e)
		a, b := math.Exp(math.Tanh(2.5)), math.Exp(math.Tanh(1.5))
		want := [][]float64{{3, 3*w1 - (1 - w1)}, {1, 0, w1, 1 - w1}, {3, (3*a - b) / (a + b)}}
		if len(out) != 3 {
			t.Fatalf("%s: %d outputs, want 3", what, len(out))
		}
		for i := range want {
			got := graph.Float64s(out[i])
			ok := len(got) == len(want[i])
			for j := range got {
				ok = ok && math.Abs(got[j]-want[i][j]) <= 1e-6
			}
			if !ok {
				t.Errorf("%s: output %d = %v, want %v", what, i, got, want[i])
			}
		}
	}
	outs := `["att", 0, 0], ["att", 0, 1], ["add", 0, 0]`
	ld, err := fromJSON(t, "2.15.0", attentionDoc(false, 1, tfAttentionLayers, outs))
	if err != nil {
		t.Fatal(err)
	}
	check("tf.keras 2.15", ld.model, 1)
	// The Keras 3 archive, with scale 0.5.
	w := hdf5.NewWriter()
	g, _ := w.Root().CreateGroup("layers")
	ag, _ := g.CreateGroup("attention")
	vars, _ := ag.CreateGroup("vars")
	if _, err := vars.CreateDataset("0", []int{}, []float32{0.5}); err != nil {
		t.Fatal(err)
	}
	dg, _ := g.CreateGroup("additive_attention")
	dg.CreateGroup("vars")
	weights, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"metadata.json", []byte(`{"keras_version": "3.4.1"}`)}, {"config.json", []byte(attentionDoc(true, 1, keras3AttentionLayers, outs))}, {"model.weights.h5", weights}} {
		fw, _ := zw.Create(f.name)
		fw.Write(f.data)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "m.keras")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	check("Keras 3 .keras", m, 0.5)
	// Saved (tf.keras ≥ 2.10's form) and read back: the same numbers.
	h5 := filepath.Join(t.TempDir(), "m.h5")
	if err := Save(m, h5); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(h5)
	if err != nil {
		t.Fatal(err)
	}
	check("Keras 3 .keras saved as .h5", m2, 0.5)
}

// TestAttentionKerasErrors: call arguments on a class without them, calls
// that disagree, non-boolean values, an explicit mask tensor, bad
// arguments, input counts and sizes are errors naming the layer.
func TestAttentionKerasErrors(t *testing.T) {
	att := func(cfg, inbound string) string {
		return `{"class_name": "Attention", "config": {"name": "att", "trainable": true, "dtype": "float32", "use_scale": false, "score_mode": "dot", "dropout": 0.0` + cfg + `}, "name": "att", "inbound_nodes": ` + inbound + `}`
	}
	two := `[[["q", 0, 0, {}], ["v", 0, 0, {}]]]`
	for _, c := range []struct {
		name, layers, outs string
		dim                int
		want               string
	}{
		{"use_causal_mask on Dense", `{"class_name": "Dense", "config": {"name": "d", "units": 2}, "name": "d", "inbound_nodes": [[["q", 0, 0, {"use_causal_mask": true}]]]}`, `["d", 0, 0]`, 1,
			`layer "d" (Dense): inbound_nodes: call 0: argument "use_causal_mask" is not supported for Dense`},
		{"calls disagree", att("", `[[["q", 0, 0, {"return_attention_scores": true}], ["v", 0, 0, {"return_attention_scores": true}]], [["v", 0, 0, {}], ["q", 0, 0, {}]]]`), `["att", 0, 0], ["att", 1, 0]`, 1,
			`layer "att" (Attention): its calls pass return_attention_scores true and false`},
		{"not a bool", att("", `[[["q", 0, 0, {"use_causal_mask": "yes"}], ["v", 0, 0, {"use_causal_mask": "yes"}]]]`), `["att", 0, 0]`, 1, `use_causal_mask "yes": want true or false`},
		{"mask tensor", att("", `[{"args": [[`+kt("q", 0)+`, `+kt("v", 0)+`]], "kwargs": {"mask": [null, `+kt("v", 0)+`]}}]`), `["att", 0, 0]`, 1, "an explicit mask argument is not supported"},
		{"score_mode", strings.Replace(att("", two), `"dot"`, `"general"`, 1), `["att", 0, 0]`, 1, `score_mode "general": want "dot" or "concat"`},
		{"unknown key", att(`, "temperature": 2`, two), `["att", 0, 0]`, 1, `argument "temperature" = 2 is not supported for Attention`},
		{"one input", att("", `[[["q", 0, 0, {}]]]`), `["att", 0, 0]`, 1, "att: 1 inputs: want 2 or 3"},
		{"three inputs", att("", `[[["q", 0, 0, {}], ["v", 0, 0, {}], ["k", 0, 0, {}]]]`), `["att", 0, 0]`, 1, ""},
		{"no scores output", att("", two), `["att", 0, 1]`, 1, `layer "att" has 1 outputs: there is no output 1`},
	} {
		ins := `["q", 0, 0], ["v", 0, 0], ["k", 0, 0]`
		if c.name == "one input" {
			ins = `["q", 0, 0]`
		}
		_, err := fromJSON(t, "2.15.0", attentionDocIn(strings.Contains(c.layers, "args"), c.dim, c.layers, ins, c.outs))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %s", c.name, err, c.want)
		}
	}
	// Sizes that do not fit: a value of 3 features for a query of 2
	// (one InputLayer of another size).
	doc := strings.Replace(attentionDocIn(false, 2, att("", two), `["q", 0, 0], ["v", 0, 0]`, `["att", 0, 0]`), `"batch_input_shape": [null, 2, 2], "dtype": "float32", "sparse": false, "ragged": false, "name": "v"`,
		`"batch_input_shape": [null, 2, 3], "dtype": "float32", "sparse": false, "ragged": false, "name": "v"`, 1)
	if _, err := fromJSON(t, "2.15.0", doc); err == nil || !strings.Contains(err.Error(), "want one feature size") || !strings.Contains(err.Error(), "att") {
		t.Errorf("mismatched sizes: error %v", err)
	}
}
