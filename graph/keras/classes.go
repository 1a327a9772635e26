package keras

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"
)

// This file says, for every Keras layer class the loader supports, how each
// key of its config maps to the configuration of this library's layer of
// the same class (registered with graph.RegisterLayer), and back.

// ruleKind says how a config key is read and written.
type ruleKind int

const (
	// keep: the same name and value in both configs.
	keep ruleKind = iota
	// tuple1: a number, or a list of one number (Keras' kernel_size [3]),
	// read as the number and written as the list.
	tuple1
	// activation: an activation name (Keras 3's hard_sigmoid is
	// graph's hard_sigmoid_keras3).
	activation
	// initializer, regularizer, constraint: a serialized object, read as a
	// graph.Spec (see objects.go).
	initializer
	regularizer
	constraint
	// nestedLayer: a layer {"class_name", "config"} inside this one
	// (TimeDistributed, Bidirectional), read as {"class_name", "name",
	// "config"}.
	nestedLayer
	// noiseShape: a shape with nulls, read with graph.None for null.
	noiseShape
	// seed: null or a whole number, read as this library's seed (0 for
	// null) and written as null for 0.
	seed
	// onlyDefault: accepted only with the value def, because another value
	// changes the numbers in a way this library does not compute; not
	// written.
	onlyDefault
	// ignored: harmless (it changes how Keras runs, not what it
	// computes); not written.
	ignored
)

// rule is how one key is read and written.
type rule struct {
	kind ruleKind
	def  any  // onlyDefault: the value accepted (JSON form); read: the only value Save takes, when not nil
	read bool // read only: not written by Save (an argument Keras 2.2.4 lacks)
	// missing is written for a key that this library's config leaves out
	// (nil: null); it is in this library's form.
	missing any
}

// classRules are the keys of one layer class. Every layer class also
// takes the common keys of commonKeys.
type classRules map[string]rule

// commonKeys are read for every layer: the name, trainable (read into
// graph.Param.Frozen), dtype (a model computes in one dtype, see
// Options.Dtype) and the input shape keys (read for the model's input).
var commonKeys = []string{"name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape", "batch_size", "input_dim"}

// Rules shared by several classes.
var (
	kernelBiasRules = classRules{
		"activation":           {kind: activation},
		"use_bias":             {kind: keep},
		"kernel_initializer":   {kind: initializer},
		"bias_initializer":     {kind: initializer},
		"kernel_regularizer":   {kind: regularizer},
		"bias_regularizer":     {kind: regularizer},
		"activity_regularizer": {kind: regularizer},
		"kernel_constraint":    {kind: constraint},
		"bias_constraint":      {kind: constraint},
		// Keras 3.x LoRA and quantization: a LoRA-adapted or quantized
		// layer computes other numbers.
		"lora_rank":           {kind: onlyDefault, def: nil},
		"lora_alpha":          {kind: ignored},
		"quantization_config": {kind: onlyDefault, def: nil},
	}
	dropoutRules = classRules{
		"rate":        {kind: keep},
		"noise_shape": {kind: noiseShape},
		"seed":        {kind: seed},
	}
)

// layerClasses holds the rules of every supported class.
var layerClasses = map[string]classRules{
	"Dense": with(kernelBiasRules, classRules{"units": {kind: keep}}),
	"Conv1D": with(kernelBiasRules, classRules{
		"filters":       {kind: keep},
		"kernel_size":   {kind: tuple1},
		"strides":       {kind: tuple1},
		"padding":       {kind: keep},
		"data_format":   {kind: keep},
		"dilation_rate": {kind: tuple1},
		"groups":        {kind: onlyDefault, def: 1.0},
	}),
	"LSTM": {
		"units":                 {kind: keep},
		"activation":            {kind: activation},
		"recurrent_activation":  {kind: activation},
		"use_bias":              {kind: keep},
		"kernel_initializer":    {kind: initializer, missing: graph.Spec{Name: "glorot_uniform"}},
		"recurrent_initializer": {kind: initializer, missing: graph.Spec{Name: "orthogonal"}},
		"bias_initializer":      {kind: initializer, missing: graph.Spec{Name: "zeros"}},
		"unit_forget_bias":      {kind: keep},
		"kernel_regularizer":    {kind: regularizer},
		"recurrent_regularizer": {kind: regularizer},
		"bias_regularizer":      {kind: regularizer},
		"activity_regularizer":  {kind: regularizer},
		"kernel_constraint":     {kind: constraint},
		"recurrent_constraint":  {kind: constraint},
		"bias_constraint":       {kind: constraint},
		"dropout":               {kind: keep},
		"recurrent_dropout":     {kind: keep},
		"implementation":        {kind: keep},
		"return_sequences":      {kind: keep},
		"return_state":          {kind: keep},
		"go_backwards":          {kind: keep},
		"stateful":              {kind: keep},
		"unroll":                {kind: keep},
		// tf.keras: time-major inputs are another layout.
		"time_major": {kind: onlyDefault, def: false},
		// tf.keras and Keras 3: zeros instead of the carried output at
		// masked steps; checked against the model's masks (see
		// checkZeroOutput).
		"zero_output_for_mask": {kind: ignored},
		// Keras 3: the cuDNN kernel computes the same numbers.
		"use_cudnn": {kind: ignored},
		"seed":      {kind: seed, read: true},
	},
	"Dropout":          dropoutRules,
	"SpatialDropout1D": dropoutRules,
	"Activation":       {"activation": {kind: activation}},
	"RepeatVector":     {"n": {kind: keep}},
	"Flatten":          {"data_format": {kind: keep}},
	"MaxPooling1D": {
		"pool_size":   {kind: tuple1},
		"strides":     {kind: tuple1},
		"padding":     {kind: keep},
		"data_format": {kind: keep},
	},
	"TimeDistributed": {"layer": {kind: nestedLayer}},
	"Embedding": {
		"input_dim":              {kind: keep},
		"output_dim":             {kind: keep},
		"embeddings_initializer": {kind: initializer},
		"embeddings_regularizer": {kind: regularizer},
		"activity_regularizer":   {kind: regularizer},
		"embeddings_constraint":  {kind: constraint},
		"mask_zero":              {kind: keep},
		"input_length":           {kind: keep},
		// Keras 3.x: sparse gradients and LoRA.
		"sparse":              {kind: onlyDefault, def: false},
		"lora_rank":           {kind: onlyDefault, def: nil},
		"lora_alpha":          {kind: ignored},
		"quantization_config": {kind: onlyDefault, def: nil},
	},
	"Masking":     {"mask_value": {kind: keep}},
	"Add":         {},
	"Subtract":    {},
	"Multiply":    {},
	"Average":     {},
	"Maximum":     {},
	"Minimum":     {},
	"Concatenate": {"axis": {kind: keep}},
	"Dot":         {"axes": {kind: keep}, "normalize": {kind: keep}},
	"Bidirectional": {
		"layer":      {kind: nestedLayer},
		"merge_mode": {kind: keep},
		// Keras 2's initial weights argument: the file's weights are loaded.
		"weights": {kind: onlyDefault, def: nil},
		// tf.keras and Keras 3: the backward layer's config, which must be
		// the forward one's with go_backwards flipped (see translate).
		"backward_layer": {kind: ignored},
	},
}

// goOnlyKeys are the keys of this library's configs that Keras has not
// (the initializers' seed; the LSTM's batch size, which Keras keeps in the
// model's batch_input_shape): Save leaves them out.
var goOnlyKeys = map[string][]string{
	"Dense":           {"seed"},
	"Conv1D":          {"seed"},
	"Embedding":       {"seed"},
	"LSTM":            {"batch_size"},
	"TimeDistributed": {},
}

// with returns the union of rule sets.
func with(sets ...classRules) classRules {
	out := classRules{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

// supportedClasses lists the layer classes the loader reads, for errors:
// those with rules whose layer is registered with graph (a package
// defining it is imported), and InputLayer.
func supportedClasses() string {
	registered := graph.RegisteredLayers()
	names := []string{"InputLayer"}
	for c := range layerClasses {
		target := c
		if a, ok := classAliases[c]; ok {
			target = a.class
		}
		if slices.Contains(registered, target) {
			names = append(names, c)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(a, b any) bool {
	if fa, ok := asFloat(a); ok {
		fb, ok := b.(float64)
		if !ok {
			fb, ok = asFloat(b)
		}
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

// readArg maps the value v of key (of layer name, class) by its rule to
// this library's config value; keras3 says whether the file comes from
// Keras 3 (whose hard_sigmoid is another function).
func readArg(r rule, v any, keras3 bool) (any, error) {
	switch r.kind {
	case keep:
		return v, nil
	case tuple1:
		if v == nil {
			return nil, nil
		}
		if l, ok := asList(v); ok {
			if len(l) != 1 {
				return nil, fmt.Errorf("%s: want one number", describe(v))
			}
			v = l[0]
		}
		if _, ok := asInt(v); !ok {
			return nil, fmt.Errorf("%s: want a whole number", describe(v))
		}
		return v, nil
	case activation:
		if v == nil {
			return "linear", nil
		}
		name, ok := asString(v)
		if !ok {
			return nil, fmt.Errorf("%s: want an activation name (custom activation objects are not supported)", describe(v))
		}
		if name == "hard_sigmoid" && keras3 {
			name = "hard_sigmoid_keras3"
		}
		return name, nil
	case initializer, regularizer, constraint:
		kind := map[ruleKind]string{initializer: "initializer", regularizer: "regularizer", constraint: "constraint"}[r.kind]
		s, err := readObject(kind, v)
		if err != nil || s == nil {
			return nil, err
		}
		return s, nil
	case noiseShape:
		if v == nil {
			return nil, nil
		}
		return shapeOf(v)
	case seed:
		if v == nil {
			return 0, nil
		}
		n, ok := asInt(v)
		if !ok || n < 0 {
			return nil, fmt.Errorf("%s: want null or a whole number >= 0", describe(v))
		}
		return n, nil
	case onlyDefault:
		if !sameJSON(v, r.def) {
			return nil, fmt.Errorf("%s: only %s is supported (another value computes other numbers)", describe(v), describe(r.def))
		}
		return nil, nil
	}
	return nil, nil
}

// writeArg maps this library's config value v of a key back to its Keras
// 2.2.4 form by its rule; ok is false for a key not written.
func writeArg(r rule, v any) (any, bool, error) {
	if r.read {
		if v != nil && r.def != nil && !sameJSON(v, r.def) {
			return nil, false, fmt.Errorf("%s has no Keras 2.2.4 form (Keras 2.2.4 has not this argument; only %s can be saved)", describe(v), describe(r.def))
		}
		return nil, false, nil
	}
	switch r.kind {
	case keep:
		return v, true, nil
	case tuple1:
		if v == nil {
			return nil, true, nil
		}
		return []any{v}, true, nil
	case activation:
		if name, _ := asString(v); name == "hard_sigmoid_keras3" {
			return nil, false, fmt.Errorf("activation hard_sigmoid_keras3 (Keras 3's) has no Keras 2.2.4 form: Keras 2's hard_sigmoid is clip(0.2·x+0.5, 0, 1)")
		}
		return v, true, nil
	case initializer, regularizer, constraint:
		kind := map[ruleKind]string{initializer: "initializer", regularizer: "regularizer", constraint: "constraint"}[r.kind]
		var spec *graph.Spec
		if err := remarshal(v, &spec); err != nil {
			return nil, false, err
		}
		obj, err := writeObject(kind, spec)
		return obj, true, err
	case noiseShape:
		if v == nil {
			return nil, true, nil
		}
		l, ok := asList(v)
		if !ok {
			return nil, false, fmt.Errorf("%s: want a list", describe(v))
		}
		out := make([]any, len(l))
		for i, d := range l {
			if n, ok := asInt(d); !ok || n >= 0 {
				out[i] = d // a size; graph.None (-1) is Keras' null
			}
		}
		return out, true, nil
	case seed:
		if n, ok := asInt(v); ok && n != 0 {
			return n, true, nil
		}
		return nil, true, nil
	}
	return nil, false, nil
}

// remarshal converts v, a decoded JSON value, to dst through JSON.
func remarshal(v any, dst any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}
