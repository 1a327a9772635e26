package keras

import (
	"strings"
	"testing"

	"github.com/golstm/golstm/optim"
)

// TestReadCompile checks training configurations as Keras 2.0, tf.keras
// and Keras 3 write them: optimizer class and config (lr or
// learning_rate, and the keys newer versions add), losses by name or
// class, per-output losses and weights, metrics.
func TestReadCompile(t *testing.T) {
	cases := []struct {
		name, doc string
		outputs   []string
		opt       string // optim.Marshal of the optimizer
		losses    []string
		weights   []float64
		metrics   []string
	}{
		{"keras 2.0 rmsprop", `{"metrics": null, "loss": "binary_crossentropy", "optimizer_config": {"class_name": "RMSprop",
			"config": {"epsilon": 1e-08, "lr": 0.0010000000474974513, "rho": 0.8999999761581421, "decay": 0.0}}, "loss_weights": null, "sample_weight_mode": null}`,
			[]string{"out"}, `{"class_name":"RMSprop","config":{"lr":0.0010000000474974513,"rho":0.8999999761581421,"decay":0,"epsilon":1e-8}}`,
			[]string{"binary_crossentropy"}, nil, nil},
		{"tf.keras adam", `{"loss": "mean_absolute_percentage_error", "metrics": ["mae", "some_custom_metric"], "weighted_metrics": null, "loss_weights": null,
			"optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9,
			"beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}}}`,
			[]string{"out"}, `{"class_name":"Adam","config":{"lr":0.001,"beta_1":0.9,"beta_2":0.999,"decay":0,"epsilon":1e-7,"amsgrad":false}}`,
			[]string{"mean_absolute_percentage_error"}, nil, []string{"mae"}},
		{"keras 3 compile_config", `{"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam",
			"learning_rate": 0.0001, "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false,
			"ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null,
			"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "registered_name": null},
			"loss": {"module": "keras.losses", "class_name": "MeanSquaredError", "config": {"name": "mean_squared_error", "reduction": "sum_over_batch_size"}},
			"loss_weights": null, "metrics": [["accuracy"]], "weighted_metrics": null, "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}`,
			[]string{"out"}, `{"class_name":"Adam","config":{"lr":0.0001,"beta_1":0.9,"beta_2":0.999,"decay":0,"epsilon":1e-7,"amsgrad":false}}`,
			[]string{"mean_squared_error"}, nil, []string{"accuracy"}},
		{"two outputs by name", `{"optimizer_config": {"class_name": "SGD", "config": {"lr": 0.1, "momentum": 0.9, "decay": 0.0, "nesterov": true, "clipnorm": 1.0}},
			"loss": {"b": "mae", "a": "mse"}, "loss_weights": {"a": 1.0, "b": 0.5}, "metrics": {"a": ["mae"], "b": "acc"}}`,
			[]string{"a", "b"}, `{"class_name":"SGD","config":{"lr":0.1,"momentum":0.9,"decay":0,"nesterov":true,"clipnorm":1}}`,
			[]string{"mse", "mae"}, []float64{1, 0.5}, []string{"mae", "acc"}},
		{"loss list", `{"optimizer_config": {"class_name": "Nadam", "config": {"lr": 0.002}}, "loss": ["mse", "categorical_crossentropy"], "loss_weights": [2, 1]}`,
			[]string{"a", "b"}, `{"class_name":"Nadam","config":{"lr":0.002,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-7,"schedule_decay":0.004}}`,
			[]string{"mse", "categorical_crossentropy"}, []float64{2, 1}, nil},
	}
	for _, c := range cases {
		var doc any
		if err := decodeJSON("tc", []byte(c.doc), &doc); err != nil {
			t.Fatal(err)
		}
		tc, _ := asObject(doc)
		o, err := readCompile(tc, c.outputs)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got, _ := optim.Marshal(o.Optimizer)
		if string(got) != c.opt || strings.Join(o.Losses, ",") != strings.Join(c.losses, ",") ||
			fmtJSON(o.LossWeights) != fmtJSON(c.weights) || strings.Join(o.Metrics, ",") != strings.Join(c.metrics, ",") {
			t.Errorf("%s: optimizer %s losses %v weights %v metrics %v; want %s %v %v %v", c.name, got, o.Losses, o.LossWeights, o.Metrics, c.opt, c.losses, c.weights, c.metrics)
		}
	}
}

// TestReadCompileErrors checks that training settings this library's
// optimizers and losses do not compute are refused by name.
func TestReadCompileErrors(t *testing.T) {
	for _, c := range []struct {
		doc, want string
	}{
		{`{"optimizer": {"class_name": "AdamW", "config": {"learning_rate": 0.001}}, "loss": "mse"}`, "adamw"},
		{`{"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001, "weight_decay": 0.01}}, "loss": "mse"}`, "weight_decay"},
		{`{"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001, "use_ema": true}}, "loss": "mse"}`, "use_ema"},
		{`{"optimizer": {"class_name": "RMSprop", "config": {"learning_rate": 0.001, "momentum": 0.5}}, "loss": "mse"}`, "momentum"},
		{`{"optimizer": {"class_name": "Adam", "config": {"learning_rate": {"class_name": "ExponentialDecay", "config": {}}}}, "loss": "mse"}`, "schedules"},
		{`{"optimizer": {"class_name": "Adam", "config": {}}, "loss": "poisson"}`, "poisson"},
		{`{"optimizer": {"class_name": "Adam", "config": {}}, "loss": {"class_name": "BinaryCrossentropy", "config": {"from_logits": true}}}`, "from_logits"},
		{`{"optimizer": {"class_name": "Adam", "config": {}}, "loss": {"b": "mse"}}`, `"a"`},
	} {
		var doc any
		decodeJSON("tc", []byte(c.doc), &doc)
		tc, _ := asObject(doc)
		_, err := readCompile(tc, []string{"a"})
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.want)) {
			t.Errorf("%s: error %v, want one naming %s", c.doc, err, c.want)
		}
	}
}
