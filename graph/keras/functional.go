package keras

import (
	"fmt"
	"maps"
	"slices"

	"github.com/golstm/golstm/graph/model"
)

// tensorRef names a tensor of a functional config: output tensor of the
// node-th call of layer (Keras' [layer, node_index, tensor_index]).
type tensorRef struct {
	layer       string
	node, index int
}

// call is one call of a layer in a functional config: its input tensors
// in order (the extra inputs of an LSTM, its initial h and c, last).
type call struct {
	inputs []tensorRef
	// args holds the call arguments that a layer's config keeps
	// (layerCallArgs: Attention's use_causal_mask and
	// return_attention_scores), as read from the call's kwargs.
	args map[string]any
}

// functionalLayer is one layer entry of a functional config.
type functionalLayer struct {
	obj    map[string]any
	input  bool // an InputLayer
	calls  []call
	read   *readLayer
	input0 *model.Node   // the input node of an InputLayer
	apps   []*model.Node // output 0 of each call, made on first use
	state  []int         // per call: 0 not made, 1 being made, 2 made
}

// functional builds a functional model from its config: {"layers":
// [{"name", "class_name", "config", "inbound_nodes"}], "input_layers",
// "output_layers"}, in the forms of Keras 2, tf.keras and Keras 3.
func (r *reader) functional(cfg map[string]any) (*model.Model, error) {
	list, ok := asList(cfg["layers"])
	if !ok {
		return nil, fmt.Errorf("functional config: layers %s: want a list", describe(cfg["layers"]))
	}
	if len(list) > MaxLayers {
		return nil, fmt.Errorf("functional config has %d layers: at most %d accepted", len(list), MaxLayers)
	}
	byName := map[string]*functionalLayer{}
	var order []*functionalLayer
	for i, v := range list {
		obj, ok := asObject(v)
		if !ok {
			return nil, fmt.Errorf("functional layer %d: %s: want an object", i, describe(v))
		}
		name, _ := asString(obj["name"])
		if name == "" {
			if c, ok := asObject(obj["config"]); ok {
				name, _ = asString(c["name"])
			}
		}
		if name == "" {
			return nil, fmt.Errorf("functional layer %d has no name", i)
		}
		if byName[name] != nil {
			return nil, fmt.Errorf("functional config: two layers are named %q", name)
		}
		fl := &functionalLayer{obj: obj}
		calls, err := r.inboundNodes(obj["inbound_nodes"])
		if err != nil {
			return nil, fmt.Errorf("layer %q: inbound_nodes: %w", name, err)
		}
		fl.calls = calls
		if class, _ := asString(obj["class_name"]); class == "InputLayer" {
			shape, dt, err := inputLayer(obj)
			if err != nil {
				return nil, err
			}
			fl.input, fl.input0 = true, model.Input(name, shape[1:]...)
			r.useDtype(dt)
			if shape[0] > 0 {
				r.batch = shape[0]
			}
		}
		byName[name] = fl
		order = append(order, fl)
	}
	r.useDtype("float32")
	for _, fl := range order {
		if fl.input {
			continue
		}
		t, err := r.translate(fl.obj)
		if err != nil {
			return nil, err
		}
		if err := applyCallArgs(t, fl.calls); err != nil {
			return nil, err
		}
		if fl.read, err = r.newLayer(t); err != nil {
			return nil, err
		}
		fl.apps = make([]*model.Node, len(fl.calls))
		fl.state = make([]int, len(fl.calls))
	}
	var resolve func(ref tensorRef, depth int) (*model.Node, error)
	resolve = func(ref tensorRef, depth int) (*model.Node, error) {
		fl := byName[ref.layer]
		switch {
		case fl == nil:
			return nil, fmt.Errorf("tensor [%q, %d, %d]: no layer %q in the config", ref.layer, ref.node, ref.index, ref.layer)
		case fl.input:
			if ref.node != 0 || ref.index != 0 {
				return nil, fmt.Errorf("tensor [%q, %d, %d]: an InputLayer has one tensor, [%q, 0, 0]", ref.layer, ref.node, ref.index, ref.layer)
			}
			return fl.input0, nil
		case ref.node < 0 || ref.node >= len(fl.calls):
			return nil, fmt.Errorf("tensor [%q, %d, %d]: layer %q is called %d times", ref.layer, ref.node, ref.index, ref.layer, len(fl.calls))
		case ref.index < 0:
			return nil, fmt.Errorf("tensor [%q, %d, %d]: negative tensor index", ref.layer, ref.node, ref.index)
		case depth > MaxLayers:
			return nil, fmt.Errorf("tensor [%q, %d, %d]: the wiring is deeper than %d calls", ref.layer, ref.node, ref.index, MaxLayers)
		}
		switch fl.state[ref.node] {
		case 1:
			return nil, fmt.Errorf("the wiring has a cycle through layer %q", ref.layer)
		case 0:
			fl.state[ref.node] = 1
			c := fl.calls[ref.node]
			in := make([]*model.Node, len(c.inputs))
			for i, x := range c.inputs {
				n, err := resolve(x, depth+1)
				if err != nil {
					return nil, err
				}
				in[i] = n
			}
			fl.apps[ref.node] = model.Apply(fl.read.layer, in...)
			fl.state[ref.node] = 2
		}
		return fl.apps[ref.node].Output(ref.index), nil
	}
	ends := func(key string) ([]*model.Node, error) {
		refs, err := endpoints(cfg[key])
		if err != nil {
			return nil, fmt.Errorf("functional config: %s: %w", key, err)
		}
		var nodes []*model.Node
		for _, ref := range refs {
			n, err := resolve(ref, 0)
			if err != nil {
				return nil, fmt.Errorf("functional config: %s: %w", key, err)
			}
			nodes = append(nodes, n)
		}
		return nodes, nil
	}
	ins, err := ends("input_layers")
	if err != nil {
		return nil, err
	}
	for i, n := range ins {
		if !n.IsInput() {
			return nil, fmt.Errorf("functional config: input_layers entry %d is not an InputLayer", i)
		}
	}
	outs, err := ends("output_layers")
	if err != nil {
		return nil, err
	}
	// Calls that no output depends on are not part of the model; Keras
	// keeps them out of the config too, but resolve them so that their
	// errors show.
	for _, fl := range order {
		for k := range fl.calls {
			if fl.input || fl.state[k] == 2 {
				continue
			}
			if _, err := resolve(tensorRef{layer: layerName(fl), node: k}, 0); err != nil {
				return nil, err
			}
		}
	}
	if err := checkSizes(outs, r.configs, r.maxWeights, r.limitWhat); err != nil {
		return nil, err
	}
	if err := checkAliasMasks(outs, r.configs); err != nil {
		return nil, err
	}
	return model.New(r.dt, ins, outs)
}

// layerName returns the name of a functional layer entry.
func layerName(fl *functionalLayer) string {
	if fl.read != nil {
		return fl.read.layer.Name()
	}
	return fl.input0.Name()
}

// endpoints reads input_layers or output_layers: a list of [name,
// node_index, tensor_index], or one such triple (tf.keras and Keras 3 write
// a model of one input so).
func endpoints(v any) ([]tensorRef, error) {
	l, ok := asList(v)
	if !ok || len(l) == 0 {
		return nil, fmt.Errorf("%s: want a list of [layer, node_index, tensor_index]", describe(v))
	}
	if _, flat := asString(l[0]); flat {
		ref, err := refOf(v)
		if err != nil {
			return nil, err
		}
		return []tensorRef{ref}, nil
	}
	refs := make([]tensorRef, len(l))
	for i, e := range l {
		ref, err := refOf(e)
		if err != nil {
			return nil, err
		}
		refs[i] = ref
	}
	return refs, nil
}

// refOf reads [name, node_index, tensor_index(, kwargs)].
func refOf(v any) (tensorRef, error) {
	l, ok := asList(v)
	if !ok || len(l) < 3 || len(l) > 4 {
		return tensorRef{}, fmt.Errorf("%s: want [layer, node_index, tensor_index]", describe(v))
	}
	name, ok1 := asString(l[0])
	node, ok2 := asInt(l[1])
	index, ok3 := asInt(l[2])
	if !ok1 || !ok2 || !ok3 {
		return tensorRef{}, fmt.Errorf("%s: want [layer, node_index, tensor_index]", describe(v))
	}
	return tensorRef{layer: name, node: node, index: index}, nil
}

// inboundNodes reads a layer's inbound_nodes, one call each: in Keras 2
// and tf.keras a list of [name, node_index, tensor_index, kwargs] per call,
// in Keras 3 {"args": [...], "kwargs": {...}} with __keras_tensor__
// objects. Initial states passed as the initial_state argument follow the
// inputs, as when they are passed as extra inputs.
func (r *reader) inboundNodes(v any) ([]call, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("%s: want a list", describe(v))
	}
	if len(list) > MaxLayers {
		return nil, fmt.Errorf("%d calls: at most %d accepted", len(list), MaxLayers)
	}
	calls := make([]call, len(list))
	for i, node := range list {
		var c call
		var kwargs map[string]any
		if obj, ok := asObject(node); ok {
			// Keras 3: {"args": [...], "kwargs": {...}}
			args, ok := asList(obj["args"])
			if !ok {
				return nil, fmt.Errorf("call %d: args %s: want a list", i, describe(obj["args"]))
			}
			for _, a := range args {
				refs, err := kerasTensors(a)
				if err != nil {
					return nil, fmt.Errorf("call %d: %w", i, err)
				}
				c.inputs = append(c.inputs, refs...)
			}
			if obj["kwargs"] != nil {
				if kwargs, ok = asObject(obj["kwargs"]); !ok {
					return nil, fmt.Errorf("call %d: kwargs %s: want an object", i, describe(obj["kwargs"]))
				}
			}
		} else {
			entries, ok := asList(node)
			if !ok {
				return nil, fmt.Errorf("call %d: %s: want a list of [layer, node_index, tensor_index, kwargs]", i, describe(node))
			}
			for _, e := range entries {
				ref, err := refOf(e)
				if err != nil {
					return nil, fmt.Errorf("call %d: %w", i, err)
				}
				c.inputs = append(c.inputs, ref)
				// tf.keras repeats the call's kwargs in every entry; an
				// entry without them adds nothing.
				if l, _ := asList(e); len(l) == 4 && l[3] != nil {
					kw, ok := asObject(l[3])
					if !ok {
						return nil, fmt.Errorf("call %d: kwargs %s: want an object", i, describe(l[3]))
					}
					if kwargs == nil {
						kwargs = map[string]any{}
					}
					maps.Copy(kwargs, kw)
				}
			}
		}
		for k, v := range kwargs {
			switch k {
			case "training":
				// Inference and training follow the model's own mode.
			case "mask":
				// Keras 3 writes [null, null] for a layer called on a list
				// of tensors without masks.
				if l, _ := asList(v); v != nil && (l == nil || slices.ContainsFunc(l, func(m any) bool { return m != nil })) {
					return nil, fmt.Errorf("call %d: an explicit mask argument is not supported (masks come from Masking or Embedding(mask_zero))", i)
				}
			case "initial_state":
				refs, err := stateRefs(v)
				if err != nil {
					return nil, fmt.Errorf("call %d: initial_state: %w", i, err)
				}
				c.inputs = append(c.inputs, refs...)
			case "use_causal_mask", "return_attention_scores":
				// Attention's call arguments; applyCallArgs checks the class.
				b, ok := asBool(v)
				if !ok {
					return nil, fmt.Errorf("call %d: %s %s: want true or false", i, k, describe(v))
				}
				if c.args == nil {
					c.args = map[string]any{}
				}
				c.args[k] = b
			default:
				return nil, fmt.Errorf("call %d: argument %q = %s is not supported (supported: initial_state, training, mask=None, and Attention's use_causal_mask and return_attention_scores)", i, k, describe(v))
			}
		}
		calls[i] = c
	}
	return calls, nil
}

// stateRefs reads the tensors of an initial_state argument: Keras 3
// __keras_tensor__ objects or tf.keras [name, node, tensor(, kwargs)]
// lists, alone or in a list.
func stateRefs(v any) ([]tensorRef, error) {
	if refs, err := kerasTensors(v); err == nil {
		return refs, nil
	}
	if ref, err := refOf(v); err == nil {
		return []tensorRef{ref}, nil
	}
	l, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("%s: want tensors", describe(v))
	}
	var refs []tensorRef
	for _, e := range l {
		ref, err := refOf(e)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// kerasTensors reads a Keras 3 __keras_tensor__ object, or a list of them,
// as references to the tensors their keras_history names.
func kerasTensors(v any) ([]tensorRef, error) {
	if obj, ok := asObject(v); ok {
		if class, _ := asString(obj["class_name"]); class != "__keras_tensor__" {
			return nil, fmt.Errorf("argument %s: want a __keras_tensor__", describe(v))
		}
		cfg, _ := asObject(obj["config"])
		ref, err := refOf(cfg["keras_history"])
		if err != nil {
			return nil, fmt.Errorf("keras_history %w", err)
		}
		return []tensorRef{ref}, nil
	}
	l, ok := asList(v)
	if !ok || len(l) == 0 {
		return nil, fmt.Errorf("argument %s: want a __keras_tensor__ or a list of them (constant arguments are not supported)", describe(v))
	}
	var refs []tensorRef
	for _, e := range l {
		obj, ok := asObject(e)
		if !ok {
			return nil, fmt.Errorf("argument %s: want a __keras_tensor__ or a list of them", describe(v))
		}
		r, err := kerasTensors(obj)
		if err != nil {
			return nil, err
		}
		refs = append(refs, r...)
	}
	return refs, nil
}

// layerCallArgs holds, per class, the call arguments (inbound-node
// kwargs) that this library's layer of that class keeps in its config
// under the same name; the files of the classes (classes_*.go) fill it.
var layerCallArgs = map[string][]string{}

// applyCallArgs moves the call arguments of a layer's calls into its
// config t: each must be one the class keeps (layerCallArgs), and every
// call must pass the same value (a layer of this library has one setting
// for all its calls; an argument left out counts as false).
func applyCallArgs(t *translated, calls []call) error {
	for i, c := range calls {
		for _, k := range slices.Sorted(maps.Keys(c.args)) {
			if !slices.Contains(layerCallArgs[t.class], k) {
				return fmt.Errorf("layer %q (%s): inbound_nodes: call %d: argument %q is not supported for %s (supported: initial_state, training, mask=None)", t.name, t.class, i, k, t.class)
			}
		}
	}
	for _, k := range layerCallArgs[t.class] {
		val := false
		for i, c := range calls {
			b, _ := c.args[k].(bool)
			if i > 0 && b != val {
				return fmt.Errorf("layer %q (%s): its calls pass %s %v and %v: a layer here has one %s for all its calls; use two layers", t.name, t.class, k, val, b, k)
			}
			val = b
		}
		if val {
			t.config[k] = true
		}
	}
	return nil
}
