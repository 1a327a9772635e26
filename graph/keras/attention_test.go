package keras

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
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
		path := filepath.Join(t.TempDir(), "luong.h5")
		if err := Save(m, path); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		w1, _ := writeModel(m)
		w2, err := writeModel(m2)
		if err != nil {
			t.Fatal(err)
		}
		j1, _ := json.Marshal(w1.config)
		j2, _ := json.Marshal(w2.config)
		if !bytes.Equal(j1, j2) {
			t.Errorf("%v: config after the round trip:\n%s\nbefore:\n%s", dt, j2, j1)
		}
		for _, want := range []string{`"class_name":"Attention","config":{"dropout":0,"dtype":"` + dt.String() + `","name":"attention","score_mode":"dot","trainable":true,"use_scale":true}`,
			`["decoder",0,0,{"return_attention_scores":true}],["encoder",0,0,{"return_attention_scores":true}]`,
			`"class_name":"AdditiveAttention","config":{"dropout":0,"dtype":"` + dt.String() + `","name":"self","trainable":true,"use_scale":true}`,
			`["decoder",0,0,{"use_causal_mask":true}],["decoder",0,0,{"use_causal_mask":true}],["decoder",0,0,{"use_causal_mask":true}]`,
			`["attention",0,1]`} {
			if !bytes.Contains(j1, []byte(want)) {
				t.Errorf("the written config lacks %s: %s", want, j1)
			}
		}
		sameWeights(t, m, m2)
		p2, err := m2.PredictMulti(xs, 3)
		if err != nil {
			t.Fatal(err)
		}
		for k := range p1 {
			if !slices.Equal(graph.Float64s(p1[k]), graph.Float64s(p2[k])) {
				t.Errorf("%v: output %d differs after the .h5 round trip", dt, k)
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
		remarshal(w1.config, &want)
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
