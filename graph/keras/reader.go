package keras

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// reader turns the layers of a Keras model config into this library's
// layers.
type reader struct {
	keras3 bool         // the file comes from Keras 3
	dt     tensor.Dtype // the model's dtype, 0 until known
	batch  int          // the model's fixed batch size (batch_input_shape[0]), 0 if none
	// zeroOutput names a layer with zero_output_for_mask true and masks
	// names a layer that makes masks: the two together are refused.
	zeroOutput, masks string
	// layers are the layers read, in config order, without InputLayers.
	layers []*readLayer
	// configs holds the translated config of each layer, for checkSizes.
	configs map[graph.Layer]*translated
	// maxWeights bounds the model's number of weight values; limitWhat
	// says what the bound is, for errors.
	maxWeights int64
	limitWhat  string
}

// readLayer is one layer of the config with what loading needs of it.
type readLayer struct {
	class  string // Keras class name
	layer  graph.Layer
	frozen bool // trainable false
}

// translated is a layer config mapped to this library's form.
type translated struct {
	class, name string
	config      map[string]any
	trainable   bool
	batchShape  []int // batch_input_shape or batch_shape, nil if none
	dtype       string
	// noMask names the Keras class that refuses masks when this layer is
	// read as another class (CuDNNLSTM read as LSTM, also inside a
	// Bidirectional), "" otherwise; see checkAliasMasks.
	noMask string
}

// translate maps the Keras layer object obj ({"class_name", "config"},
// with "name" in functional configs) to this library's config, checking
// every key against the class's rules.
func (r *reader) translate(obj map[string]any) (*translated, error) {
	class, _ := asString(obj["class_name"])
	cfg, ok := asObject(obj["config"])
	if !ok {
		return nil, fmt.Errorf("layer %s of class %q: config %s is not an object", describe(obj["name"]), class, describe(obj["config"]))
	}
	name, _ := asString(cfg["name"])
	if n, ok := asString(obj["name"]); ok && n != "" {
		name = n
	}
	if name == "" {
		return nil, fmt.Errorf("layer of class %q has no name", class)
	}
	rules, ok := layerClasses[class]
	alias, aliased := classAliases[class]
	target := class
	if aliased {
		target = alias.class
	}
	if _, err := graph.LookupLayer(target); !ok || err != nil {
		return nil, fmt.Errorf("layer %q: class %q is not supported: supported are %s", name, class, supportedClasses())
	}
	t := &translated{class: class, name: name, config: map[string]any{}, trainable: true}
	for key, v := range cfg {
		if rl, ok := rules[key]; ok {
			val, err := r.readArg(rl, v)
			if err != nil {
				return nil, fmt.Errorf("layer %q (%s): %s %w", name, class, key, err)
			}
			if val != nil || rl.kind == keep {
				t.config[key] = val // a kept null means Keras' None (merge_mode)
			}
			if key == "zero_output_for_mask" && v == true {
				r.zeroOutput = name
			}
			continue
		}
		if err := t.common(key, v); err != nil {
			return nil, fmt.Errorf("layer %q (%s): %w", name, class, err)
		}
	}
	if aliased {
		alias.apply(t)
		class = t.class
	}
	switch class {
	case "Masking":
		r.masks = name
	case "Embedding":
		if mz, _ := asBool(t.config["mask_zero"]); mz {
			r.masks = name
		}
	case "Bidirectional":
		if inner, ok := asObject(cfg["layer"]); ok {
			if c, _ := asString(inner["class_name"]); classAliases[c].noMask {
				t.noMask = c
			}
		}
		if err := r.checkBackward(t, cfg["backward_layer"]); err != nil {
			return nil, fmt.Errorf("layer %q (Bidirectional): backward_layer: %w", name, err)
		}
	case "LSTM":
		// Keras 2.0's implementation 0 computes the numbers of 1.
		if n, ok := asInt(t.config["implementation"]); ok && n == 0 {
			t.config["implementation"] = 1
		}
		if st, _ := asBool(t.config["stateful"]); st && r.batch > 0 {
			t.config["batch_size"] = r.batch
		}
	}
	return t, nil
}

// checkBackward checks a Bidirectional's backward_layer (tf.keras and Keras
// 3 write it): this library makes the backward layer from the forward one
// with go_backwards flipped, so any other backward layer is refused.
func (r *reader) checkBackward(t *translated, v any) error {
	if v == nil {
		return nil
	}
	obj, ok := asObject(v)
	if !ok {
		return fmt.Errorf("%s: want a layer", describe(v))
	}
	back, err := r.translate(obj)
	if err != nil {
		return err
	}
	fw, _ := asObject(t.config["layer"])
	fc, _ := asObject(fw["config"])
	want := map[string]any{}
	for k, v := range fc {
		want[k] = v
	}
	gb, _ := asBool(want["go_backwards"])
	want["go_backwards"] = !gb
	got := back.config
	delete(want, "name")
	delete(got, "name")
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if back.class != fw["class_name"] || string(a) != string(b) {
		return fmt.Errorf("only the forward layer with go_backwards flipped is supported, got %s %s", back.class, b)
	}
	return nil
}

// readArg reads one value by its rule, descending into nested layers.
func (r *reader) readArg(rl rule, v any) (any, error) {
	if rl.kind != nestedLayer {
		return readArg(rl, v, r.keras3)
	}
	obj, ok := asObject(v)
	if !ok {
		return nil, fmt.Errorf("%s: want a layer {\"class_name\", \"config\"}", describe(v))
	}
	inner, err := r.translate(obj)
	if err != nil {
		return nil, err
	}
	inner.config["name"] = inner.name // Bidirectional reads it there
	return map[string]any{"class_name": inner.class, "name": inner.name, "config": inner.config}, nil
}

// common reads a key every layer may have.
func (t *translated) common(key string, v any) error {
	switch key {
	case "name":
	case "trainable":
		b, ok := asBool(v)
		if !ok {
			return fmt.Errorf("trainable %s: want true or false", describe(v))
		}
		t.trainable = b
	case "dtype":
		t.dtype = dtypeName(v)
	case "batch_input_shape", "batch_shape":
		s, err := shapeOf(v)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if len(s) < 2 {
			return fmt.Errorf("%s %s: want the batch and at least one dimension", key, describe(v))
		}
		t.batchShape = s
	case "input_shape", "batch_size", "input_dim":
		// Constructor arguments that Keras turns into batch_input_shape;
		// a config that has them has batch_input_shape too.
	default:
		return fmt.Errorf("argument %q = %s is not supported for %s (supported: %s and %s)",
			key, describe(v), t.class, strings.Join(ruleKeys(t.class), ", "), strings.Join(commonKeys, ", "))
	}
	return nil
}

// ruleKeys lists the keys of a class's rules, sorted.
func ruleKeys(class string) []string { return slices.Sorted(maps.Keys(layerClasses[class])) }

// dtypeName returns the dtype a layer's dtype value names: a string, or a
// Keras 3 DTypePolicy object ({"config": {"name": "float32"}}).
func dtypeName(v any) string {
	if s, ok := asString(v); ok {
		return s
	}
	if o, ok := asObject(v); ok {
		if c, ok := asObject(o["config"]); ok {
			if s, ok := asString(c["name"]); ok {
				return s
			}
		}
	}
	return ""
}

// newLayer builds the layer t describes through graph's registry.
func (r *reader) newLayer(t *translated) (*readLayer, error) {
	raw, err := json.Marshal(t.config)
	if err != nil {
		return nil, err
	}
	l, err := graph.NewLayer(t.class, t.name, raw)
	if err != nil {
		return nil, fmt.Errorf("layer %q (%s): %w", t.name, t.class, err)
	}
	rl := &readLayer{class: t.class, layer: l, frozen: !t.trainable}
	r.layers = append(r.layers, rl)
	if r.configs == nil {
		r.configs = map[graph.Layer]*translated{}
	}
	r.configs[l] = t
	return rl, nil
}

// useDtype sets the model's dtype from the first layer that names one
// (float64 gives Float64, anything else Float32), unless set.
func (r *reader) useDtype(name string) {
	if r.dt != (tensor.Dtype{}) || name == "" {
		return
	}
	r.dt = tensor.Float32
	if name == "float64" {
		r.dt = tensor.Float64
	}
}
