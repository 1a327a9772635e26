package keras

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
)

// This file writes a model's configuration as Keras 2.2.4 writes
// model_config: a Sequential model as {"class_name": "Sequential",
// "config": {"name", "layers"}} with the input shape in the first layer's
// batch_input_shape, any other model as {"class_name": "Model", "config":
// {"name", "layers" (with inbound_nodes), "input_layers",
// "output_layers"}}.

// writtenModel is a model's Keras config with its layers in the order of
// the config (Keras' model.layers, which layer_names follows).
type writtenModel struct {
	config map[string]any
	layers []graph.Layer // without the inputs
	inputs []string      // InputLayer names, in layer_names order before the layers (functional only)
}

// writeModel returns the Keras 2.2.4 config of the built model m.
func writeModel(m *model.Model) (*writtenModel, error) {
	if !m.Built() {
		return nil, fmt.Errorf("keras: Save: the model is not built")
	}
	dtype := m.Dtype().String()
	batch := 0
	for _, l := range m.Layers() {
		if cfg, err := configOf(l); err == nil {
			if n, ok := asInt(cfg["batch_size"]); ok && n > 0 {
				batch = n
			}
		}
	}
	batchShape := func(perSample []int) []any {
		out := []any{nil}
		if batch > 0 {
			out[0] = batch
		}
		for _, d := range perSample {
			if d < 0 {
				out = append(out, nil)
			} else {
				out = append(out, d)
			}
		}
		return out
	}
	if m.IsSequential() {
		var layers []any
		for i, l := range m.Layers() {
			obj, err := writeLayer(l, dtype)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				obj.Config["batch_input_shape"] = batchShape(m.InputShape())
			}
			layers = append(layers, obj)
		}
		return &writtenModel{config: map[string]any{"class_name": "Sequential",
			"config": map[string]any{"name": "sequential_1", "layers": layers}}, layers: m.Layers()}, nil
	}
	return writeFunctional(m, dtype, batchShape)
}

// writeFunctional writes the config of a functional model: every layer
// call, in topological order, numbered per layer as Keras numbers a
// layer's inbound nodes.
func writeFunctional(m *model.Model, dtype string, batchShape func([]int) []any) (*writtenModel, error) {
	// Calls are identified by the node of their output 0.
	callIndex := map[*model.Node]int{} // call → its index among its layer's calls
	calls := map[graph.Layer][]*model.Node{}
	var order []graph.Layer
	var visit func(n *model.Node)
	visit = func(n *model.Node) {
		if n.IsInput() {
			return
		}
		c := n.Output(0)
		if _, done := callIndex[c]; done {
			return
		}
		for _, x := range c.Inputs() {
			visit(x)
		}
		l := c.Layer()
		if _, seen := calls[l]; !seen {
			order = append(order, l)
		}
		callIndex[c] = len(calls[l])
		calls[l] = append(calls[l], c)
	}
	for _, o := range m.Outputs() {
		visit(o)
	}
	ref := func(n *model.Node) []any {
		if n.IsInput() {
			return []any{n.Name(), 0, 0, map[string]any{}}
		}
		return []any{n.Layer().Name(), callIndex[n.Output(0)], n.Index(), map[string]any{}}
	}
	var layers []any
	var inputs []string
	for _, in := range m.Inputs() {
		inputs = append(inputs, in.Name())
		layers = append(layers, map[string]any{"name": in.Name(), "class_name": "InputLayer",
			"config":        map[string]any{"batch_input_shape": batchShape(in.Shape()), "dtype": dtype, "sparse": false, "name": in.Name()},
			"inbound_nodes": []any{}})
	}
	for _, l := range order {
		obj, err := writeLayer(l, dtype)
		if err != nil {
			return nil, err
		}
		kwargs := map[string]any{}
		if f := writeCallArgs[l.Type()]; f != nil {
			cfg, err := configOf(l)
			if err != nil {
				return nil, err
			}
			kwargs = f(cfg)
		}
		var nodes []any
		for _, c := range calls[l] {
			var node []any
			for _, x := range c.Inputs() {
				r := ref(x)
				r[3] = kwargs
				node = append(node, r)
			}
			nodes = append(nodes, node)
		}
		layers = append(layers, map[string]any{"name": l.Name(), "class_name": obj.ClassName, "config": obj.Config, "inbound_nodes": nodes})
	}
	var ins, outs []any
	for _, in := range m.Inputs() {
		ins = append(ins, ref(in)[:3])
	}
	for _, o := range m.Outputs() {
		outs = append(outs, ref(o)[:3])
	}
	return &writtenModel{config: map[string]any{"class_name": "Model", "config": map[string]any{
		"name": "model_1", "layers": layers, "input_layers": ins, "output_layers": outs}},
		layers: order, inputs: inputs}, nil
}

// writeCallArgs holds, per class, the call arguments (the kwargs of each
// inbound-node entry, as tf.keras writes them) of a layer with this
// library's config cfg; the files of the classes (classes_*.go) fill it.
// Classes not in it are written with empty kwargs.
var writeCallArgs = map[string]func(cfg map[string]any) map[string]any{}

// configOf returns a layer's Config decoded, numbers as json.Number.
func configOf(l graph.Layer) (map[string]any, error) {
	raw, err := l.Config()
	if err != nil {
		return nil, fmt.Errorf("keras: Save: config of layer %s: %w", l.Name(), err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var cfg map[string]any
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("keras: Save: config of layer %s: %w", l.Name(), err)
	}
	return cfg, nil
}

// writeLayer returns the Keras 2.2.4 layer object of l. A layer is written
// trainable false when all its weights are Frozen.
func writeLayer(l graph.Layer, dtype string) (*kerasObject, error) {
	cfg, err := configOf(l)
	if err != nil {
		return nil, err
	}
	ps := l.Params()
	frozen := len(ps) > 0
	for _, p := range ps {
		frozen = frozen && p.Frozen
	}
	obj, err := writeConfig(l.Type(), l.Name(), cfg, !frozen, dtype)
	if err != nil {
		return nil, fmt.Errorf("keras: Save: %w", err)
	}
	return obj, nil
}

// writeConfig maps this library's config of a layer of class to Keras
// 2.2.4's, by the class's rules.
func writeConfig(class, name string, ours map[string]any, trainable bool, dtype string) (*kerasObject, error) {
	rules, ok := layerClasses[class]
	if !ok {
		return nil, fmt.Errorf("layer %s of type %s has no Keras form: the layers written are %s", name, class, supportedClasses())
	}
	for k := range ours {
		if _, ok := rules[k]; !ok && k != "name" && !slices.Contains(goOnlyKeys[class], k) {
			return nil, fmt.Errorf("layer %s (%s): setting %q has no Keras form", name, class, k)
		}
	}
	out := map[string]any{"name": name, "trainable": trainable, "dtype": dtype}
	for _, k := range slices.Sorted(maps.Keys(rules)) {
		r := rules[k]
		v, ok := ours[k]
		if !ok {
			v = r.missing
		}
		if r.kind == nestedLayer {
			inner, ok := asObject(v)
			if !ok {
				return nil, fmt.Errorf("layer %s (%s): %s %s: want a layer", name, class, k, describe(v))
			}
			ic, _ := asString(inner["class_name"])
			icfg, _ := asObject(inner["config"])
			in, _ := asString(inner["name"])
			if in == "" {
				in, _ = asString(icfg["name"])
			}
			w, err := writeConfig(ic, in, icfg, trainable, dtype)
			if err != nil {
				return nil, fmt.Errorf("layer %s (%s): %w", name, class, err)
			}
			out[k] = w
			continue
		}
		w, written, err := writeArg(r, v)
		if err != nil {
			return nil, fmt.Errorf("layer %s (%s): %s: %w", name, class, k, err)
		}
		if written {
			out[k] = w
		}
	}
	return &kerasObject{ClassName: class, Config: out}, nil
}
