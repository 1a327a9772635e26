package keras

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph/loss"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"
)

// This file maps Keras' training configuration (training_config of an .h5
// file, compile_config of a .keras archive) to model.CompileOptions and
// back. Keras' optimizer state (its moments) is not read: a loaded model
// resumes training with a fresh optimizer of the saved configuration.

// optimizerKeys maps the optimizer config keys of tf.keras and Keras 3
// that this library's optimizers name otherwise or do not have: "" drops a
// harmless key; a key in optimizerDefaults is accepted only with that
// value.
var optimizerKeys = map[string]string{
	"learning_rate":               "lr",
	"name":                        "",
	"is_legacy_optimizer":         "",
	"jit_compile":                 "",
	"ema_momentum":                "",
	"ema_overwrite_frequency":     "",
	"loss_scale_factor":           "",
	"gradient_accumulation_steps": "",
}

// optimizerDefaults are the optimizer keys accepted only with their
// default values (JSON form): others change the updates in ways this
// library's optimizers do not.
var optimizerDefaults = map[string]any{
	"weight_decay":    nil,
	"global_clipnorm": nil,
	"use_ema":         false,
	"centered":        false,
}

// readOptimizer maps a serialized Keras optimizer ({"class_name",
// "config"}) to one of package optim.
func readOptimizer(v any) (optim.Optimizer, error) {
	obj, ok := asObject(v)
	if !ok {
		if name, ok := asString(v); ok {
			return optim.New(name, 0)
		}
		return nil, fmt.Errorf("optimizer %s: want {\"class_name\", \"config\"}", describe(v))
	}
	class, _ := asString(obj["class_name"])
	cfg, _ := asObject(obj["config"])
	out := map[string]any{}
	for k, val := range cfg {
		if def, ok := optimizerDefaults[k]; ok {
			if !sameJSON(val, def) && !(k == "weight_decay" && sameJSON(val, 0.0)) {
				return nil, fmt.Errorf("optimizer %s: %s = %s is not supported (only %s)", class, k, describe(val), describe(def))
			}
			continue
		}
		if k == "momentum" && strings.EqualFold(class, "RMSprop") {
			if !sameJSON(val, 0.0) {
				return nil, fmt.Errorf("optimizer %s: momentum = %s is not supported (only 0)", class, describe(val))
			}
			continue
		}
		if to, ok := optimizerKeys[k]; ok {
			if to == "" {
				continue
			}
			k = to
		}
		if val == nil && (k == "clipnorm" || k == "clipvalue" || k == "epsilon") {
			continue // None: off, or Keras' default epsilon
		}
		if _, isObj := asObject(val); isObj {
			return nil, fmt.Errorf("optimizer %s: %s %s: schedules and other objects are not supported", class, k, describe(val))
		}
		out[k] = val
	}
	raw, err := json.Marshal(map[string]any{"class_name": class, "config": out})
	if err != nil {
		return nil, err
	}
	return optim.Unmarshal(raw)
}

// lossClasses maps Keras' loss classes to loss names.
var lossClasses = map[string]string{
	"MeanSquaredError":              "mean_squared_error",
	"MeanAbsoluteError":             "mean_absolute_error",
	"MeanAbsolutePercentageError":   "mean_absolute_percentage_error",
	"BinaryCrossentropy":            "binary_crossentropy",
	"CategoricalCrossentropy":       "categorical_crossentropy",
	"SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
	"Huber":                         "huber",
}

// lossDefaults are the loss class arguments accepted only with these
// values.
var lossDefaults = map[string]any{"from_logits": false, "label_smoothing": 0.0, "delta": 1.0, "axis": -1.0, "ignore_class": nil}

// readLoss maps one serialized loss (a name or a loss class object) to a
// loss name of package loss.
func readLoss(v any) (string, error) {
	name, ok := asString(v)
	if obj, isObj := asObject(v); isObj {
		class, _ := asString(obj["class_name"])
		if name, ok = lossClasses[class]; !ok {
			return "", fmt.Errorf("loss class %q is not supported: supported are %s", class, strings.Join(loss.Names(), ", "))
		}
		cfg, _ := asObject(obj["config"])
		for k, val := range cfg {
			if def, ok := lossDefaults[k]; ok && !sameJSON(val, def) {
				return "", fmt.Errorf("loss %s: %s = %s is not supported (only %s)", class, k, describe(val), describe(def))
			}
		}
	}
	if !ok {
		return "", fmt.Errorf("loss %s: want a name or a loss class object", describe(v))
	}
	if _, err := loss.Get(name); err != nil {
		return "", err
	}
	return name, nil
}

// readCompile maps a training configuration to CompileOptions for a model
// with the given output layer names (dict-valued losses and loss weights
// are by output name).
func readCompile(tc map[string]any, outputs []string) (model.CompileOptions, error) {
	var o model.CompileOptions
	opt := tc["optimizer_config"]
	if opt == nil {
		opt = tc["optimizer"]
	}
	var err error
	if o.Optimizer, err = readOptimizer(opt); err != nil {
		return o, err
	}
	perOutput := func(key string, v any, read func(any) error) error {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if err := read(e); err != nil {
					return err
				}
			}
		case map[string]any:
			if _, isClass := x["class_name"]; isClass {
				return read(v)
			}
			for _, name := range outputs {
				e, ok := x[name]
				if !ok {
					return fmt.Errorf("%s has no entry for output %q", key, name)
				}
				if err := read(e); err != nil {
					return err
				}
			}
		default:
			return read(v)
		}
		return nil
	}
	if err := perOutput("loss", tc["loss"], func(v any) error {
		name, err := readLoss(v)
		o.Losses = append(o.Losses, name)
		return err
	}); err != nil {
		return o, err
	}
	if w := tc["loss_weights"]; w != nil {
		if err := perOutput("loss_weights", w, func(v any) error {
			f, ok := asFloat(v)
			if !ok {
				return fmt.Errorf("loss weight %s: want a number", describe(v))
			}
			o.LossWeights = append(o.LossWeights, f)
			return nil
		}); err != nil {
			return o, err
		}
	}
	o.Metrics = readMetrics(tc["metrics"])
	return o, nil
}

// readMetrics returns the metric names of a Keras metrics argument (a list,
// a list per output or a dict by output) that package loss has, each once;
// the others (and metric objects) are left out: they are reports, not
// part of training.
func readMetrics(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if _, err := loss.GetMetric(x); err == nil && !slices.Contains(out, x) {
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if _, isClass := x["class_name"]; isClass {
				return
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				walk(x[k])
			}
		}
	}
	walk(v)
	return out
}

// writeCompile returns the Keras 2.2.4 training_config of compile
// arguments.
func writeCompile(c model.CompileOptions) (map[string]any, error) {
	opt, err := optim.Marshal(c.Optimizer)
	if err != nil {
		return nil, err
	}
	var optCfg any
	if err := json.Unmarshal(opt, &optCfg); err != nil {
		return nil, err
	}
	tc := map[string]any{"optimizer_config": optCfg, "metrics": c.Metrics, "sample_weight_mode": nil, "loss_weights": nil}
	if c.Metrics == nil {
		tc["metrics"] = []any{}
	}
	if len(c.Losses) == 1 {
		tc["loss"] = c.Losses[0]
	} else {
		tc["loss"] = c.Losses
	}
	if c.LossWeights != nil {
		tc["loss_weights"] = c.LossWeights
	}
	return tc, nil
}
