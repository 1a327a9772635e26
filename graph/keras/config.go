package keras

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"

	"gorgonia.org/tensor"
)

// Options configure loading a Keras model.
type Options struct {
	// Dtype is the dtype the model computes in: graph.Float32 or
	// graph.Float64. The zero value takes the file's: float64 when its
	// input layer says float64, float32 otherwise (Keras' default; float16
	// and mixed-precision models compute in float32 here).
	Dtype tensor.Dtype
	// SkipCompile leaves the model uncompiled even when the file holds a
	// training configuration (Keras' load_model(compile=False)).
	SkipCompile bool
	// MaxWeights bounds the number of weight values of the model that a
	// config may describe (0: DefaultMaxWeights); a larger model is
	// refused before anything is allocated for it. Load and LoadWith also
	// refuse a config that describes more weight values than the file's
	// weights hold (see fileValues), so that a small file cannot make them
	// allocate a large model.
	MaxWeights int64

	// fileValues, when fileBound, is how many weight values the file being
	// loaded can give (see storedValues).
	fileValues int64
	fileBound  bool
}

// loaded is a model built from a Keras config, with the layers in the
// order of the config (the order of Keras' model.layers, without the
// input layers), which the weights of the file follow.
type loaded struct {
	model  *model.Model
	layers []*readLayer
	keras3 bool
}

// majorVersion returns the major version of a keras_version string
// ("2.1.3", "2.3.0-tf", "3.4.1"), or 0 when there is none.
func majorVersion(v string) int {
	n, err := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	if err != nil {
		return 0
	}
	return n
}

// isKeras3 says whether a document of the given keras_version comes from
// Keras 3: by its version, or without one by Keras 3's "module" keys.
func isKeras3(version string, doc map[string]any) bool {
	if m := majorVersion(version); m > 0 {
		return m >= 3
	}
	_, ok := doc["module"]
	return ok
}

// buildModel builds the model of a model config document
// ({"class_name": "Sequential"|"Model"|"Functional", "config": ...}),
// written by Keras keras_version version ("" when unknown).
func buildModel(doc any, version string, o Options) (*loaded, error) {
	top, ok := asObject(doc)
	if !ok {
		return nil, fmt.Errorf("keras: model config %s: want {\"class_name\", \"config\"}", describe(doc))
	}
	if m := majorVersion(version); m == 1 {
		return nil, fmt.Errorf("keras: the file was written by Keras %s: Keras 1 files are not supported (load and save it with Keras 2 first)", version)
	}
	if o.Dtype != (tensor.Dtype{}) {
		if err := graph.CheckDtype(o.Dtype); err != nil {
			return nil, fmt.Errorf("keras: Options.Dtype: %w", err)
		}
	}
	r := &reader{keras3: isKeras3(version, top), dt: o.Dtype, maxWeights: o.MaxWeights, limitWhat: "Options.MaxWeights"}
	if r.maxWeights <= 0 {
		r.maxWeights = DefaultMaxWeights
	}
	if o.fileBound && o.fileValues < r.maxWeights {
		r.maxWeights, r.limitWhat = o.fileValues, "the values the file's weights hold"
	}
	class, _ := asString(top["class_name"])
	var m *model.Model
	var err error
	switch class {
	case "Sequential":
		m, err = r.sequential(top["config"], buildShape(top))
	case "Model", "Functional":
		cfg, ok := asObject(top["config"])
		if !ok {
			return nil, fmt.Errorf("keras: %s config %s: want an object", class, describe(top["config"]))
		}
		m, err = r.functional(cfg)
	default:
		return nil, fmt.Errorf("keras: model class %q is not supported: want Sequential, Model or Functional", class)
	}
	if err != nil {
		return nil, fmt.Errorf("keras: %w", err)
	}
	if r.zeroOutput != "" && r.masks != "" {
		return nil, fmt.Errorf("keras: layer %q has zero_output_for_mask true and layer %q makes masks: outputs at masked steps would differ (this library carries the last output, as Keras 2.2.4)", r.zeroOutput, r.masks)
	}
	for _, l := range r.layers {
		if l.frozen {
			for _, p := range l.layer.Params() {
				p.Frozen = true
			}
		}
	}
	return &loaded{model: m, layers: r.layers, keras3: r.keras3}, nil
}

// buildShape returns the input shape a Keras 3 model records in its
// build_config, or nil.
func buildShape(top map[string]any) any {
	if bc, ok := asObject(top["build_config"]); ok {
		return bc["input_shape"]
	}
	return nil
}

// sequential builds a Sequential model from its config: a list of layers
// (Keras 2.0 and 2.1) or {"name", "layers"}. The input shape comes from an
// InputLayer, the first layer's batch_input_shape (or batch_shape), the
// config's build_input_shape, or built, Keras 3's build_config.
func (r *reader) sequential(cfg any, built any) (*model.Model, error) {
	list, ok := asList(cfg)
	var buildInput any
	if !ok {
		obj, ok := asObject(cfg)
		if !ok {
			return nil, fmt.Errorf("Sequential config %s: want a list of layers or {\"layers\": [...]}", describe(cfg))
		}
		if list, ok = asList(obj["layers"]); !ok {
			return nil, fmt.Errorf("Sequential config: layers %s: want a list", describe(obj["layers"]))
		}
		buildInput = obj["build_input_shape"]
	}
	if len(list) > MaxLayers {
		return nil, fmt.Errorf("Sequential config has %d layers: at most %d accepted", len(list), MaxLayers)
	}
	var batchShape []int
	var layers []graph.Layer
	for i, v := range list {
		obj, ok := asObject(v)
		if !ok {
			return nil, fmt.Errorf("Sequential layer %d: %s: want {\"class_name\", \"config\"}", i, describe(v))
		}
		if class, _ := asString(obj["class_name"]); class == "InputLayer" {
			if i != 0 {
				return nil, fmt.Errorf("Sequential layer %d is an InputLayer: only the first may be", i)
			}
			shape, dt, err := inputLayer(obj)
			if err != nil {
				return nil, err
			}
			batchShape = shape
			r.useDtype(dt)
			continue
		}
		if batchShape == nil && len(layers) == 0 {
			if cfg, ok := asObject(obj["config"]); ok {
				if s, err := firstShape(cfg); err != nil {
					return nil, fmt.Errorf("Sequential layer %d: %w", i, err)
				} else if s != nil {
					batchShape = s
				}
				r.useDtype(dtypeName(cfg["dtype"]))
			}
		}
		if batchShape != nil && batchShape[0] > 0 {
			r.batch = batchShape[0]
		}
		t, err := r.translate(obj)
		if err != nil {
			return nil, err
		}
		rl, err := r.newLayer(t)
		if err != nil {
			return nil, err
		}
		layers = append(layers, rl.layer)
	}
	for _, s := range []any{buildInput, built} {
		if batchShape == nil && s != nil {
			shape, err := shapeOf(s)
			if err != nil {
				return nil, fmt.Errorf("Sequential build input shape: %w", err)
			}
			batchShape = shape
		}
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("Sequential model has no layers")
	}
	if len(batchShape) < 2 {
		return nil, fmt.Errorf("Sequential model: the config gives no input shape (no InputLayer, batch_input_shape or build_input_shape): a model that Keras never built has no weights to load")
	}
	r.useDtype("float32")
	in := model.Input("input", batchShape[1:]...)
	out := in
	for _, l := range layers {
		out = model.Apply(l, out)
	}
	if err := checkSizes([]*model.Node{out}, r.configs, r.maxWeights, r.limitWhat); err != nil {
		return nil, err
	}
	if err := checkAliasMasks([]*model.Node{out}, r.configs); err != nil {
		return nil, err
	}
	m, err := model.NewSequential(r.dt, layers...)
	if err != nil {
		return nil, err
	}
	if err := m.Build(batchShape[1:]...); err != nil {
		return nil, err
	}
	return m, nil
}

// firstShape returns the batch_input_shape (or batch_shape) of a layer
// config, or nil.
func firstShape(cfg map[string]any) ([]int, error) {
	for _, k := range []string{"batch_input_shape", "batch_shape"} {
		if v, ok := cfg[k]; ok && v != nil {
			s, err := shapeOf(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if len(s) < 2 {
				return nil, fmt.Errorf("%s %s: want the batch and at least one dimension", k, describe(v))
			}
			return s, nil
		}
	}
	return nil, nil
}

// inputLayer reads an InputLayer's shape (batch first, -1 for None) and
// dtype. Sparse and ragged inputs are refused.
func inputLayer(obj map[string]any) ([]int, string, error) {
	cfg, ok := asObject(obj["config"])
	if !ok {
		return nil, "", fmt.Errorf("InputLayer config %s: want an object", describe(obj["config"]))
	}
	name, _ := asString(cfg["name"])
	for k, v := range cfg {
		switch k {
		case "batch_input_shape", "batch_shape", "dtype", "name":
		case "sparse", "ragged":
			if v != false && v != nil {
				return nil, "", fmt.Errorf("InputLayer %q: %s inputs are not supported", name, k)
			}
		case "optional", "input_tensor":
			if v != false && v != nil {
				return nil, "", fmt.Errorf("InputLayer %q: %s = %s is not supported", name, k, describe(v))
			}
		default:
			return nil, "", fmt.Errorf("InputLayer %q: argument %q = %s is not supported (supported: batch_input_shape, batch_shape, dtype, name, sparse, ragged)", name, k, describe(v))
		}
	}
	s, err := firstShape(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("InputLayer %q: %w", name, err)
	}
	if s == nil {
		return nil, "", fmt.Errorf("InputLayer %q has no batch_input_shape or batch_shape", name)
	}
	return s, dtypeName(cfg["dtype"]), nil
}
