package keras

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/lstm"
)

// fromJSON builds the model of a config document given as JSON text.
func fromJSON(t *testing.T, version, doc string) (*loaded, error) {
	t.Helper()
	var v any
	if err := decodeJSON("test config", []byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	return buildModel(v, version, Options{})
}

// lstmCfg is a Keras 2.2.4 LSTM config with the given extra keys.
func lstmCfg(name string, units int, extra string) string {
	return fmt.Sprintf(`{"name": %q, "trainable": true, "units": %d, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
		"use_bias": true, "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
		"recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
		"bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true,
		"kernel_regularizer": null, "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
		"kernel_constraint": null, "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0,
		"implementation": 1, "return_sequences": false, "return_state": false, "go_backwards": false, "stateful": false, "unroll": false%s}`, name, units, extra)
}

// TestSequentialForms checks the Sequential config forms of Keras 2.0/2.1
// (a bare list), 2.2 and tf.keras ({"name", "layers"}), Keras 3 (an
// InputLayer with batch_shape, module keys, dtype policies) and
// build_input_shape, and that each gives the same model.
func TestSequentialForms(t *testing.T) {
	dense := `{"class_name": "Dense", "config": {"name": "dense_1", "units": 2, "activation": "linear", "use_bias": true,
		"kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
		"kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}`
	lstmFirst := `{"class_name": "LSTM", "config": ` + lstmCfg("lstm_1", 3, `, "batch_input_shape": [null, 5, 4], "dtype": "float32"`) + `}`
	lstmPlain := `{"class_name": "LSTM", "config": ` + lstmCfg("lstm_1", 3, "") + `}`
	k3Policy := `{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}`
	k3LSTM := `{"module": "keras.layers", "class_name": "LSTM", "registered_name": null, "build_config": {"input_shape": [null, 5, 4]}, "config": {
		"name": "lstm_1", "trainable": true, "dtype": ` + k3Policy + `, "return_sequences": false, "return_state": false, "go_backwards": false,
		"stateful": false, "unroll": false, "zero_output_for_mask": false, "units": 3, "activation": "tanh", "recurrent_activation": "sigmoid",
		"use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
		"recurrent_initializer": {"module": "keras.initializers", "class_name": "OrthogonalInitializer", "config": {"gain": 1.0, "seed": null}, "registered_name": null},
		"bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "unit_forget_bias": true,
		"kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null},
		"recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
		"recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": null}}`
	cases := []struct {
		name, version, doc string
	}{
		{"keras 2.0 list", "2.0.2", `{"class_name": "Sequential", "config": [` + lstmFirst + `, ` + dense + `]}`},
		{"keras 2.2 object", "2.2.4", `{"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [` + lstmFirst + `, ` + dense + `]}}`},
		{"tf.keras InputLayer", "2.10.0", `{"class_name": "Sequential", "config": {"name": "sequential", "layers": [
			{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 4], "dtype": "float32", "sparse": false, "ragged": false, "name": "lstm_input"}},
			` + lstmPlain + `, ` + dense + `]}}`},
		{"build_input_shape", "2.3.0-tf", `{"class_name": "Sequential", "config": {"name": "s", "layers": [` + lstmPlain + `, ` + dense + `], "build_input_shape": [null, 5, 4]}}`},
		{"keras 3", "3.4.1", `{"module": "keras", "class_name": "Sequential", "registered_name": null, "build_config": {"input_shape": [null, 5, 4]},
			"config": {"name": "sequential", "trainable": true, "dtype": ` + k3Policy + `, "layers": [
			{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 4], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
			` + k3LSTM + `, ` + dense + `]}}`},
		{"keras 3 build_config only", "3.8.0", `{"module": "keras", "class_name": "Sequential", "build_config": {"input_shape": [null, 5, 4]},
			"config": {"name": "sequential", "layers": [` + k3LSTM + `, ` + dense + `]}}`},
	}
	for _, c := range cases {
		ld, err := fromJSON(t, c.version, c.doc)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		m := ld.model
		if !m.IsSequential() || len(m.Layers()) != 2 || !slices.Equal(m.InputShape(), []int{5, 4}) || !slices.Equal(m.OutputShape(), []int{2}) {
			t.Errorf("%s: model %s", c.name, m.Summary())
		}
		l := m.Layers()[0].(*lstm.LSTM)
		want := "hard_sigmoid"
		if strings.HasPrefix(c.version, "3") {
			want = "sigmoid"
			if l.Settings().KernelRegularizer == nil {
				t.Errorf("%s: the L2 kernel regularizer was lost", c.name)
			}
		}
		if got := l.Settings().RecurrentActivation; got != want {
			t.Errorf("%s: recurrent activation %q, want %q", c.name, got, want)
		}
		if m.Dtype() != graph.Float32 {
			t.Errorf("%s: dtype %v", c.name, m.Dtype())
		}
	}
}

// TestKeras3HardSigmoid checks that Keras 3's hard_sigmoid maps to
// hard_sigmoid_keras3 and Keras 2's stays hard_sigmoid, in layers and
// LSTM gates.
func TestKeras3HardSigmoid(t *testing.T) {
	for _, c := range []struct {
		version, want string
	}{{"2.2.4", "hard_sigmoid"}, {"2.10.0", "hard_sigmoid"}, {"3.8.0", "hard_sigmoid_keras3"}} {
		doc := `{"class_name": "Sequential", "config": {"name": "s", "layers": [
			{"class_name": "LSTM", "config": ` + lstmCfg("l", 2, `, "batch_input_shape": [null, 3, 1]`) + `},
			{"class_name": "Activation", "config": {"name": "a", "activation": "hard_sigmoid"}}]}}`
		ld, err := fromJSON(t, c.version, doc)
		if err != nil {
			t.Fatal(err)
		}
		if got := ld.model.Layers()[0].(*lstm.LSTM).Settings().RecurrentActivation; got != c.want {
			t.Errorf("Keras %s: LSTM recurrent activation %q, want %q", c.version, got, c.want)
		}
		raw, _ := ld.model.Layers()[1].Config()
		if !strings.Contains(string(raw), `"`+c.want+`"`) {
			t.Errorf("Keras %s: Activation config %s, want %s", c.version, raw, c.want)
		}
	}
}

// TestStatefulBatchAndImplementation0 checks that a stateful LSTM keeps the
// batch size of batch_input_shape and that Keras 2.0's implementation 0
// reads as 1.
func TestStatefulBatchAndImplementation0(t *testing.T) {
	doc := `{"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": ` +
		strings.Replace(strings.Replace(lstmCfg("lstm_1", 4, `, "batch_input_shape": [12, 6, 1]`), `"stateful": false`, `"stateful": true`, 1), `"implementation": 1`, `"implementation": 0`, 1) + `}]}`
	ld, err := fromJSON(t, "2.0.2", doc)
	if err != nil {
		t.Fatal(err)
	}
	s := ld.model.Layers()[0].(*lstm.LSTM).Settings()
	if !s.Stateful || s.BatchSize != 12 || s.Implementation != 1 {
		t.Errorf("stateful %v batch %d implementation %d: want true, 12, 1", s.Stateful, s.BatchSize, s.Implementation)
	}
}

// TestFunctionalForms checks the functional config forms: Keras 2.2
// (states as extra inbound tensors), tf.keras (initial_state in kwargs,
// input_layers as one flat triple), Keras 3 (args/kwargs with
// __keras_tensor__ histories), and a layer called twice (shared weights).
func TestFunctionalForms(t *testing.T) {
	in := func(name string, dim int) string {
		return fmt.Sprintf(`{"name": %q, "class_name": "InputLayer", "config": {"batch_input_shape": [null, null, %d], "dtype": "float32", "sparse": false, "name": %q}, "inbound_nodes": []}`, name, dim, name)
	}
	enc := `{"name": "enc", "class_name": "LSTM", "config": ` + lstmCfg("enc", 3, "") + `, "inbound_nodes": [[["x", 0, 0, {}]]]}`
	enc = strings.Replace(enc, `"return_state": false`, `"return_state": true`, 1)
	dec := func(inbound string) string {
		return `{"name": "dec", "class_name": "LSTM", "config": ` + strings.Replace(lstmCfg("dec", 3, ""), `"return_sequences": false`, `"return_sequences": true`, 1) + `, "inbound_nodes": ` + inbound + `}`
	}
	kt := func(layer string, node, index int) string {
		return fmt.Sprintf(`{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": [%q, %d, %d]}}`, layer, node, index)
	}
	cases := []struct {
		name, version, doc string
	}{
		{"keras 2.2 extra inbound tensors", "2.2.5", `{"class_name": "Model", "config": {"name": "m", "layers": [` + in("x", 2) + `, ` + in("y", 4) + `, ` + enc + `, ` +
			dec(`[[["y", 0, 0, {}], ["enc", 0, 1, {}], ["enc", 0, 2, {}]]]`) + `], "input_layers": [["x", 0, 0], ["y", 0, 0]], "output_layers": [["dec", 0, 0]]}}`},
		{"tf.keras initial_state kwargs", "2.4.0", `{"class_name": "Functional", "config": {"name": "m", "layers": [` + in("x", 2) + `, ` + in("y", 4) + `, ` + enc + `, ` +
			dec(`[[["y", 0, 0, {"initial_state": [["enc", 0, 1], ["enc", 0, 2]], "training": false}]]]`) + `], "input_layers": [["x", 0, 0], ["y", 0, 0]], "output_layers": ["dec", 0, 0]}}`},
		{"keras 3 args and kwargs", "3.1.0", `{"module": "keras", "class_name": "Functional", "config": {"name": "m", "layers": [` + in("x", 2) + `, ` + in("y", 4) + `, ` +
			strings.Replace(enc, `[[["x", 0, 0, {}]]]`, `[{"args": [`+kt("x", 0, 0)+`], "kwargs": {"training": false}}]`, 1) + `, ` +
			dec(`[{"args": [`+kt("y", 0, 0)+`], "kwargs": {"initial_state": [`+kt("enc", 0, 1)+`, `+kt("enc", 0, 2)+`], "mask": null}}]`) +
			`], "input_layers": [["x", 0, 0], ["y", 0, 0]], "output_layers": [["dec", 0, 0]]}}`},
	}
	for _, c := range cases {
		ld, err := fromJSON(t, c.version, c.doc)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		m := ld.model
		if m.IsSequential() || len(m.Inputs()) != 2 || len(m.Layers()) != 2 {
			t.Errorf("%s: model %s", c.name, m.Summary())
			continue
		}
		decNode := m.Outputs()[0]
		ins := decNode.Inputs()
		if decNode.Layer().Name() != "dec" || len(ins) != 3 || ins[1].Layer().Name() != "enc" || ins[1].Index() != 1 || ins[2].Index() != 2 {
			t.Errorf("%s: the decoder is not fed the encoder's h and c: inputs %v", c.name, ins)
		}
		if !slices.Equal(m.OutputShape(), []int{graph.None, 3}) {
			t.Errorf("%s: output shape %v", c.name, m.OutputShape())
		}
	}
	// One Dense called on two inputs: two calls of one layer.
	shared := `{"class_name": "Model", "config": {"name": "m", "layers": [` +
		strings.Replace(in("a", 3), "null, null, 3", "null, 3", 1) + `, ` + strings.Replace(in("b", 3), "null, null, 3", "null, 3", 1) + `,
		{"name": "d", "class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "tanh", "use_bias": true,
		 "kernel_initializer": {"class_name": "Ones", "config": {}}, "bias_initializer": {"class_name": "Zeros", "config": {}}},
		 "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]}],
		"input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["d", 1, 0], ["d", 0, 0]]}}`
	ld, err := fromJSON(t, "2.2.4", shared)
	if err != nil {
		t.Fatal(err)
	}
	m := ld.model
	if len(m.Layers()) != 1 || len(m.Outputs()) != 2 || m.Outputs()[0].Inputs()[0].Name() != "b" || m.Outputs()[1].Inputs()[0].Name() != "a" {
		t.Errorf("shared layer: %s", m.Summary())
	}
	x := graph.NewTensor(graph.Float32, []int{1, 3}, []float64{1, 2, 3})
	y := graph.NewTensor(graph.Float32, []int{1, 3}, []float64{0, 0, 0})
	outs, err := m.PredictMulti([]*graph.Tensor{x, y}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := graph.Float64s(outs[1]); !closeAll(got, []float64{0.9999877, 0.9999877}, 1e-6) || graph.Float64s(outs[0])[0] != 0 {
		t.Errorf("shared Dense outputs %v, %v", graph.Float64s(outs[0]), got)
	}
}

func closeAll(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// TestTrainableFalse checks that a layer saved with trainable false loads
// with Frozen weights.
func TestTrainableFalse(t *testing.T) {
	doc := `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense", "config": {"name": "d", "trainable": false,
		"units": 2, "batch_input_shape": [null, 3]}}, {"class_name": "Dense", "config": {"name": "e", "units": 1}}]}}`
	ld, err := fromJSON(t, "2.2.4", doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ld.model.Params() {
		if want := strings.HasPrefix(p.Name, "d/"); p.Frozen != want {
			t.Errorf("%s: frozen %v, want %v", p.Name, p.Frozen, want)
		}
	}
}

// TestConfigErrors checks that configs this library cannot compute give
// errors that name the layer, the class or key, and what is supported.
func TestConfigErrors(t *testing.T) {
	seq := func(layer string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [` + layer + `]}}`
	}
	denseWith := func(extra string) string {
		return seq(`{"class_name": "Dense", "config": {"name": "d1", "units": 2, "batch_input_shape": [null, 3]` + extra + `}}`)
	}
	cases := []struct {
		name, version, doc string
		want               []string
	}{
		{"unsupported class", "2.2.4", seq(`{"class_name": "GRU", "config": {"name": "gru_1", "units": 2, "batch_input_shape": [null, 3, 2]}}`),
			[]string{`"gru_1"`, "GRU", "supported are", "LSTM", "Conv1D"}},
		{"unknown key", "2.2.4", denseWith(`, "frobnicate": 3`), []string{"d1", "frobnicate", "units"}},
		{"time_major", "2.4.0", seq(`{"class_name": "LSTM", "config": ` + lstmCfg("l1", 2, `, "time_major": true, "batch_input_shape": [null, 3, 2]`) + `}`),
			[]string{"l1", "time_major", "only false"}},
		{"lora", "3.5.0", denseWith(`, "lora_rank": 4`), []string{"d1", "lora_rank"}},
		{"conv groups", "2.10.0", seq(`{"class_name": "Conv1D", "config": {"name": "c1", "filters": 4, "kernel_size": [3], "groups": 2, "batch_input_shape": [null, 8, 4]}}`),
			[]string{"c1", "groups"}},
		{"initializer class", "2.10.0", denseWith(`, "kernel_initializer": {"class_name": "MyInit", "config": {}}`), []string{"d1", "kernel_initializer", "MyInit", "GlorotUniform"}},
		{"untruncated normal", "2.10.0", denseWith(`, "kernel_initializer": {"class_name": "VarianceScaling", "config": {"distribution": "untruncated_normal"}}`),
			[]string{"d1", "untruncated_normal"}},
		{"custom activation", "2.2.4", denseWith(`, "activation": {"class_name": "Swish"}`), []string{"d1", "activation"}},
		{"unknown activation", "2.2.4", denseWith(`, "activation": "mish"`), []string{"d1", "mish"}},
		{"no input shape", "2.2.4", seq(`{"class_name": "Dense", "config": {"name": "d1", "units": 2}}`), []string{"input shape"}},
		{"keras 1", "1.2.2", denseWith(""), []string{"Keras 1"}},
		{"model class", "2.2.4", `{"class_name": "Graph", "config": {}}`, []string{"Graph", "Sequential"}},
		{"nested model", "2.2.4", seq(`{"class_name": "Sequential", "config": {"name": "inner", "layers": []}}`), []string{"Sequential", "supported are"}},
		{"cycle", "2.2.4", `{"class_name": "Model", "config": {"name": "m", "layers": [
			{"name": "x", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "x"}, "inbound_nodes": []},
			{"name": "a", "class_name": "Dense", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["b", 0, 0, {}]]]},
			{"name": "b", "class_name": "Dense", "config": {"name": "b", "units": 2}, "inbound_nodes": [[["a", 0, 0, {}]]]}],
			"input_layers": [["x", 0, 0]], "output_layers": [["b", 0, 0]]}}`, []string{"cycle"}},
		{"missing layer", "2.2.4", `{"class_name": "Model", "config": {"name": "m", "layers": [
			{"name": "x", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "x"}, "inbound_nodes": []},
			{"name": "a", "class_name": "Dense", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["nope", 0, 0, {}]]]}],
			"input_layers": [["x", 0, 0]], "output_layers": [["a", 0, 0]]}}`, []string{`"nope"`}},
		{"bad node index", "2.2.4", `{"class_name": "Model", "config": {"name": "m", "layers": [
			{"name": "x", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "x"}, "inbound_nodes": []},
			{"name": "a", "class_name": "Dense", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["x", 0, 0, {}]]]}],
			"input_layers": [["x", 0, 0]], "output_layers": [["a", 3, 0]]}}`, []string{`"a"`, "called 1 times"}},
		{"call argument", "2.4.0", `{"class_name": "Model", "config": {"name": "m", "layers": [
			{"name": "x", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 2], "name": "x"}, "inbound_nodes": []},
			{"name": "a", "class_name": "Dense", "config": {"name": "a", "units": 2}, "inbound_nodes": [[["x", 0, 0, {"constants": 3}]]]}],
			"input_layers": [["x", 0, 0]], "output_layers": [["a", 0, 0]]}}`, []string{`"a"`, "constants"}},
		{"zero output with masks", "2.10.0", seq(`{"class_name": "Masking", "config": {"name": "mk", "mask_value": 0, "batch_input_shape": [null, 3, 2]}}, {"class_name": "LSTM", "config": ` +
			lstmCfg("l1", 2, `, "zero_output_for_mask": true`) + `}`), []string{"mk"}},
	}
	for _, c := range cases {
		_, err := fromJSON(t, c.version, c.doc)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
}

// TestJSONBounds checks that a deeply nested or oversized document is
// refused before it is decoded.
func TestJSONBounds(t *testing.T) {
	var v any
	bomb := strings.Repeat("[", MaxConfigDepth+1) + strings.Repeat("]", MaxConfigDepth+1)
	if err := decodeJSON("x", []byte(bomb), &v); err == nil || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("nesting bomb: %v", err)
	}
	ok := strings.Repeat("[", MaxConfigDepth) + strings.Repeat("]", MaxConfigDepth)
	if err := decodeJSON("x", []byte(ok), &v); err != nil {
		t.Errorf("nesting at the limit: %v", err)
	}
	// Brackets inside strings do not count.
	if err := decodeJSON("x", []byte(`["`+strings.Repeat("[", 1000)+`\"["]`), &v); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
	big := make([]byte, MaxConfigBytes+1)
	if err := decodeJSON("x", big, &v); err == nil || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("oversized document: %v", err)
	}
	if err := decodeJSON("x", []byte(`{} {}`), &v); err == nil {
		t.Error("two documents: no error")
	}
}

// TestWriteReadConfig checks that every layer this package writes reads
// back into an equivalent layer: the Keras config written again is the
// same text, and the weights drawn by the layers' initializers (same
// seeds) are the same numbers.
func TestWriteReadConfig(t *testing.T) {
	for _, m := range []*model.Model{everyLayerModel(t, graph.Float64), sequenceModel(t, graph.Float64)} {
		writeReadConfig(t, m)
	}
}

func writeReadConfig(t *testing.T, m *model.Model) {
	w, err := writeModel(m)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := json.Marshal(w.config)
	var doc any
	if err := decodeJSON("written config", text, &doc); err != nil {
		t.Fatal(err)
	}
	ld, err := buildModel(doc, "2.2.4", Options{Dtype: graph.Float64})
	if err != nil {
		t.Fatal(err)
	}
	w2, err := writeModel(ld.model)
	if err != nil {
		t.Fatal(err)
	}
	text2, _ := json.Marshal(w2.config)
	if string(text) != string(text2) {
		t.Errorf("config written, read and written again differs:\n%s\n%s", text, text2)
	}
	a, b := m.Params(), ld.model.Params()
	if len(a) != len(b) {
		t.Fatalf("%d weights read back, %d written", len(b), len(a))
	}
	for i := range a {
		if a[i].Name != b[i].Name || !closeAll(graph.Float64s(a[i].Value), graph.Float64s(b[i].Value), 0) {
			t.Errorf("weight %s: initial values differ after the round trip (%s)", a[i].Name, b[i].Name)
		}
	}
}

// everyLayerModel is a functional model using every layer class that
// Save writes, with non-default arguments.
func everyLayerModel(t *testing.T, dt graph.Dtype) *model.Model {
	t.Helper()
	conv := layers.Conv1DDefaults(4, 3)
	conv.Name, conv.Padding, conv.DilationRate, conv.Activation = "conv", "causal", 2, "relu"
	conv.KernelRegularizer = &graph.Spec{Name: "l1_l2", Args: map[string]float64{"l1": 0.01, "l2": 0.02}}
	conv.BiasConstraint = &graph.Spec{Name: "max_norm", Args: map[string]float64{"max_value": 3}}
	conv.KernelInitializer = graph.Spec{Name: "he_normal"}
	pool := layers.MaxPooling1DConfig{Name: "pool", PoolSize: 2, Padding: "same"}
	lc := lstm.Default(5)
	lc.Name, lc.ReturnSequences, lc.RecurrentActivation, lc.GoBackwards = "lstm", true, "sigmoid", true
	lc.KernelConstraint = graph.NonNeg()
	enc := lstm.Default(6)
	enc.Name, enc.ReturnState = "enc", true
	dense := layers.DenseDefaults(3)
	dense.Name, dense.Activation = "dense", "softmax"
	dense.BiasInitializer = graph.Spec{Name: "constant", Args: map[string]float64{"value": 0.1}}
	head := layers.DenseDefaults(2)
	head.Name = "head"
	x := model.Input("x", 10, 3)
	h := model.Apply(must(layers.NewConv1D(conv)), x)
	h = model.Apply(must(layers.NewMaxPooling1D(pool)), h)
	h = model.Apply(must(layers.NewSpatialDropout1D(layers.DropoutConfig{Name: "sd", Rate: 0.1})), h)
	h = model.Apply(must(lstm.New(lc)), h)
	h = model.Apply(must(layers.NewTimeDistributed("td", must(layers.NewDense(dense)))), h)
	h = model.Apply(must(layers.NewActivation(layers.ActivationConfig{Name: "act", Activation: "elu"})), h)
	h = model.Apply(must(layers.NewDropout(layers.DropoutConfig{Name: "drop", Rate: 0.2, NoiseShape: []int{graph.None, 1, graph.None}, Seed: 4})), h)
	e := model.Apply(must(lstm.New(enc)), h)
	f := model.Apply(must(layers.NewFlatten(layers.FlattenConfig{Name: "flat"})), h)
	r := model.Apply(must(layers.NewRepeatVector(layers.RepeatVectorConfig{Name: "rep", N: 4})), e.Output(1))
	y := model.Apply(must(layers.NewDense(head)), f)
	m, err := model.New(dt, []*model.Node{x}, []*model.Node{y, r, e.Output(2)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSizeLimits checks that a config declaring weights beyond
// Options.MaxWeights is refused before anything is allocated, and that the
// size rules agree with the layers: for every layer of a model using every
// class, the estimated weight count and output shapes are the built
// layer's.
func TestSizeLimits(t *testing.T) {
	huge := `{"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": ` + lstmCfg("big", 1<<30, `, "batch_input_shape": [null, 3, 100000]`) + `}]}`
	if _, err := fromJSON(t, "2.1.3", huge); err == nil || !strings.Contains(err.Error(), "big") || !strings.Contains(err.Error(), "MaxWeights") {
		t.Errorf("LSTM of 2^30 units: error %v", err)
	}
	small := `{"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "d", "units": 10, "batch_input_shape": [null, 10]}}]}`
	var doc any
	decodeJSON("x", []byte(small), &doc)
	if _, err := buildModel(doc, "2.2.4", Options{MaxWeights: 109}); err == nil {
		t.Error("110 weights with MaxWeights 109: no error")
	}
	if _, err := buildModel(doc, "2.2.4", Options{MaxWeights: 110}); err != nil {
		t.Errorf("110 weights with MaxWeights 110: %v", err)
	}
	for _, m := range []*model.Model{everyLayerModel(t, graph.Float32), sequenceModel(t, graph.Float32)} {
		sizesAgree(t, m)
	}
	for class := range layerClasses {
		if _, _, err := estimate(class, map[string]any{}, [][]int{{4, 3}}); err != nil && strings.HasSuffix(err.Error(), "no size rule for layer class "+class) {
			t.Errorf("class %s has no size rule", class)
		}
	}
}

// sizesAgree checks estimate against every layer of m.
func sizesAgree(t *testing.T, m *model.Model) {
	for _, l := range m.Layers() {
		cfg, _ := configOf(l)
		tr := &translated{class: l.Type(), name: l.Name(), config: cfg}
		var in [][]int
		for _, n := range callsOf(m, l)[0].Inputs() {
			in = append(in, n.Shape())
		}
		out, p, err := estimate(tr.class, tr.config, in)
		if err != nil {
			t.Fatalf("%s: %v", l.Name(), err)
		}
		n := 0
		for _, q := range l.Params() {
			n += q.Value.Shape().TotalSize()
		}
		if int64(n) != p || fmt.Sprint(out) != fmt.Sprint(l.OutputShapes()) {
			t.Errorf("%s (%s): estimated %d weights, output %v; the layer has %d, %v", l.Name(), l.Type(), p, out, n, l.OutputShapes())
		}
	}
}

// callsOf returns the output-0 nodes of the calls of l in m.
func callsOf(m *model.Model, l graph.Layer) []*model.Node {
	var out []*model.Node
	seen := map[*model.Node]bool{}
	var visit func(n *model.Node)
	visit = func(n *model.Node) {
		if n.IsInput() || seen[n.Output(0)] {
			return
		}
		seen[n.Output(0)] = true
		for _, x := range n.Output(0).Inputs() {
			visit(x)
		}
		if n.Layer() == l {
			out = append(out, n.Output(0))
		}
	}
	for _, o := range m.Outputs() {
		visit(o)
	}
	return out
}

// sequenceModel is a functional model of the sequence layers and the
// merge layers, with non-default arguments: token ids → Embedding
// (mask_zero) → Bidirectional(LSTM) and a float sequence → Masking → LSTM,
// joined by every merge layer.
func sequenceModel(t *testing.T, dt graph.Dtype) *model.Model {
	t.Helper()
	ec := layers.EmbeddingDefaults(20, 4)
	ec.Name, ec.MaskZero = "emb", true
	ec.EmbeddingsRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.001}}
	inner := lstm.Default(3)
	inner.Name, inner.RecurrentActivation = "lstm_in", "sigmoid"
	bc := lstm.DefaultBidirectional(inner)
	bc.Name, bc.MergeMode = "bi", lstm.MergeAve
	sc := lstm.Default(3)
	sc.Name = "seq"
	ids := model.Input("ids", 6)
	x := model.Input("x", 6, 2)
	a := model.Apply(must(lstm.NewBidirectional(bc)), model.Apply(must(layers.NewEmbedding(ec)), ids))
	b := model.Apply(must(lstm.New(sc)), model.Apply(must(layers.NewMasking(layers.MaskingConfig{Name: "mask", MaskValue: 0.5})), x))
	var outs []*model.Node
	for _, m := range []graph.Layer{
		layers.NewAdd(layers.MergeConfig{Name: "add"}), layers.NewSubtract(layers.MergeConfig{Name: "sub"}),
		layers.NewMultiply(layers.MergeConfig{Name: "mul"}), layers.NewAverage(layers.MergeConfig{Name: "avg"}),
		layers.NewMaximum(layers.MergeConfig{Name: "max"}), layers.NewMinimum(layers.MergeConfig{Name: "min"}),
		must(layers.NewConcatenate(layers.ConcatenateConfig{Name: "cat", Axis: -1})),
	} {
		outs = append(outs, model.Apply(m, a, b))
	}
	m, err := model.New(dt, []*model.Node{ids, x}, outs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBidirectionalBackwardLayer checks Keras 3's (and tf.keras')
// backward_layer: the forward layer with go_backwards flipped is read, any
// other is refused.
func TestBidirectionalBackwardLayer(t *testing.T) {
	fw := lstmCfg("lstm", 3, "")
	bw := strings.Replace(strings.Replace(lstmCfg("backward_lstm", 3, ""), `"go_backwards": false`, `"go_backwards": true`, 1), `"name": "backward_lstm"`, `"name": "backward_lstm"`, 1)
	doc := func(back string) string {
		return `{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Bidirectional", "config": {"name": "bi",
			"batch_input_shape": [null, 4, 2], "merge_mode": "concat", "layer": {"class_name": "LSTM", "config": ` + fw + `},
			"backward_layer": {"class_name": "LSTM", "config": ` + back + `}}}]}}`
	}
	ld, err := fromJSON(t, "3.4.1", doc(bw))
	if err != nil {
		t.Fatal(err)
	}
	if s := ld.model.OutputShape(); !slices.Equal(s, []int{6}) {
		t.Errorf("output shape %v, want (6)", s)
	}
	other := strings.Replace(bw, `"units": 3`, `"units": 4`, 1)
	if _, err := fromJSON(t, "3.4.1", doc(other)); err == nil || !strings.Contains(err.Error(), "backward_layer") {
		t.Errorf("another backward layer: error %v", err)
	}
}
