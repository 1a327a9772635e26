package keras

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"
)

// This file maps Keras' serialized initializers, regularizers and
// constraints ({"class_name": ..., "config": {...}}, or a name) to
// graph.Spec and back. Every class name that Keras 2.0 to 3 writes for the
// objects this library has is read; writing follows Keras 2.2.4.

// objectSpec describes one Keras class of initializer, regularizer or
// constraint: the Spec name it maps to and its numeric arguments with
// their Keras defaults (args the class takes that this library has no use
// for, as seed, are in ignore).
type objectSpec struct {
	spec   string
	args   map[string]float64
	ignore []string
}

// varianceModes and varianceDistributions code VarianceScaling's strings
// as graph's variance_scaling Spec does.
var (
	varianceModes         = map[string]float64{"fan_in": 0, "fan_out": 1, "fan_avg": 2}
	varianceDistributions = map[string]float64{"normal": 0, "truncated_normal": 0, "uniform": 1}
)

var initializerClasses = map[string]objectSpec{
	"Zeros":                 {spec: "zeros"},
	"Ones":                  {spec: "ones"},
	"Constant":              {spec: "constant", args: map[string]float64{"value": 0}},
	"RandomNormal":          {spec: "random_normal", args: map[string]float64{"mean": 0, "stddev": 0.05}, ignore: []string{"seed"}},
	"RandomUniform":         {spec: "random_uniform", args: map[string]float64{"minval": -0.05, "maxval": 0.05}, ignore: []string{"seed"}},
	"TruncatedNormal":       {spec: "truncated_normal", args: map[string]float64{"mean": 0, "stddev": 0.05}, ignore: []string{"seed"}},
	"VarianceScaling":       {spec: "variance_scaling", args: map[string]float64{"scale": 1, "mode": 0, "distribution": 0}, ignore: []string{"seed"}},
	"GlorotUniform":         {spec: "glorot_uniform", ignore: []string{"seed"}},
	"GlorotNormal":          {spec: "glorot_normal", ignore: []string{"seed"}},
	"HeUniform":             {spec: "he_uniform", ignore: []string{"seed"}},
	"HeNormal":              {spec: "he_normal", ignore: []string{"seed"}},
	"LecunUniform":          {spec: "lecun_uniform", ignore: []string{"seed"}},
	"LecunNormal":           {spec: "lecun_normal", ignore: []string{"seed"}},
	"Orthogonal":            {spec: "orthogonal", args: map[string]float64{"gain": 1}, ignore: []string{"seed"}},
	"OrthogonalInitializer": {spec: "orthogonal", args: map[string]float64{"gain": 1}, ignore: []string{"seed"}},
	"Identity":              {spec: "identity", args: map[string]float64{"gain": 1}},
	"IdentityInitializer":   {spec: "identity", args: map[string]float64{"gain": 1}},
}

var regularizerClasses = map[string]objectSpec{
	"L1L2": {spec: "L1L2", args: map[string]float64{"l1": 0, "l2": 0}},
	"L1":   {spec: "L1", args: map[string]float64{"l1": 0.01}},
	"L2":   {spec: "L2", args: map[string]float64{"l2": 0.01}},
}

var constraintClasses = map[string]objectSpec{
	"MaxNorm":    {spec: "max_norm", args: map[string]float64{"max_value": 2, "axis": 0}},
	"NonNeg":     {spec: "non_neg"},
	"UnitNorm":   {spec: "unit_norm", args: map[string]float64{"axis": 0}},
	"MinMaxNorm": {spec: "min_max_norm", args: map[string]float64{"min_value": 0, "max_value": 1, "rate": 1, "axis": 0}},
}

// objectKinds are the three kinds of object, with the classes of each and
// the graph constructor that checks a Spec of the kind.
var objectKinds = map[string]struct {
	classes map[string]objectSpec
	check   func(graph.Spec) error
}{
	"initializer": {initializerClasses, func(s graph.Spec) error { _, err := graph.NewInitializer(s); return err }},
	"regularizer": {regularizerClasses, func(s graph.Spec) error { _, err := graph.NewRegularizer(s); return err }},
	"constraint":  {constraintClasses, func(s graph.Spec) error { _, err := graph.NewConstraint(s); return err }},
}

// readObject maps a serialized Keras object of kind ("initializer",
// "regularizer", "constraint") to a Spec; null gives nil (none, or the
// layer's default). A name (Keras' string form, "glorot_uniform") is
// passed to graph as it is.
func readObject(kind string, v any) (*graph.Spec, error) {
	k := objectKinds[kind]
	if v == nil {
		return nil, nil
	}
	if name, ok := asString(v); ok {
		s := graph.Spec{Name: name}
		if err := k.check(s); err != nil {
			return nil, fmt.Errorf("%s %q: %w", kind, name, err)
		}
		return &s, nil
	}
	obj, ok := asObject(v)
	if !ok {
		return nil, fmt.Errorf("%s %s: want a name or {\"class_name\", \"config\"}", kind, describe(v))
	}
	class, _ := asString(obj["class_name"])
	cs, ok := k.classes[class]
	if !ok {
		return nil, fmt.Errorf("%s class %q is not supported: supported are %s", kind, class, strings.Join(slices.Sorted(maps.Keys(k.classes)), ", "))
	}
	cfg := map[string]any{}
	if c := obj["config"]; c != nil {
		if cfg, ok = asObject(c); !ok {
			return nil, fmt.Errorf("%s %s: config %s is not an object", kind, class, describe(c))
		}
	}
	s := graph.Spec{Name: cs.spec}
	for key, val := range cfg {
		if slices.Contains(cs.ignore, key) {
			continue
		}
		if _, ok := cs.args[key]; !ok {
			return nil, fmt.Errorf("%s %s: argument %q is not supported: supported are %s", kind, class, key, strings.Join(slices.Sorted(maps.Keys(cs.args)), ", "))
		}
		f, err := objectArg(class, key, val)
		if err != nil {
			return nil, fmt.Errorf("%s %w", kind, err)
		}
		if s.Args == nil {
			s.Args = map[string]float64{}
		}
		s.Args[key] = f
	}
	if err := k.check(s); err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, class, err)
	}
	return &s, nil
}

// objectArg reads one argument of a Keras object as a number: VarianceScaling's
// mode and distribution strings are coded as graph's Spec codes them.
func objectArg(class, key string, v any) (float64, error) {
	if s, ok := asString(v); ok {
		codes := map[string]map[string]float64{"mode": varianceModes, "distribution": varianceDistributions}[key]
		if c, ok := codes[s]; ok && class == "VarianceScaling" {
			return c, nil
		}
		return 0, fmt.Errorf("%s: %s %q is not supported", class, key, s)
	}
	if f, ok := asFloat(v); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%s: %s %s: want a number", class, key, describe(v))
}

// kerasObject is Keras' serialized form of an object.
type kerasObject struct {
	ClassName string         `json:"class_name"`
	Config    map[string]any `json:"config"`
}

// varianceForms writes the named initializers as Keras 2.2.4 serializes
// them: VarianceScaling with these (scale, mode, distribution).
var varianceForms = map[string][3]any{
	"glorot_uniform": {1.0, "fan_avg", "uniform"},
	"glorot_normal":  {1.0, "fan_avg", "normal"},
	"he_uniform":     {2.0, "fan_in", "uniform"},
	"he_normal":      {2.0, "fan_in", "normal"},
	"lecun_uniform":  {1.0, "fan_in", "uniform"},
	"lecun_normal":   {1.0, "fan_in", "normal"},
}

// kerasClasses names the Keras 2.2.4 class of each canonical Spec name of
// an initializer or constraint (regularizers are all L1L2).
var kerasClasses = map[string]string{
	"zeros": "Zeros", "ones": "Ones", "constant": "Constant", "random_normal": "RandomNormal",
	"random_uniform": "RandomUniform", "truncated_normal": "TruncatedNormal",
	"variance_scaling": "VarianceScaling", "orthogonal": "Orthogonal", "identity": "Identity",
	"max_norm": "MaxNorm", "non_neg": "NonNeg", "unit_norm": "UnitNorm", "min_max_norm": "MinMaxNorm",
}

// writeObject returns the Keras 2.2.4 serialized form of s, an object of
// kind: {"class_name", "config"} with every argument, defaults filled in
// (graph's canonical Spec of the object).
func writeObject(kind string, s *graph.Spec) (any, error) {
	if s == nil {
		return nil, nil
	}
	var canon graph.Spec
	switch kind {
	case "initializer":
		o, err := graph.NewInitializer(*s)
		if err != nil {
			return nil, err
		}
		canon = o.Spec()
		if f, ok := varianceForms[canon.Name]; ok {
			return kerasObject{"VarianceScaling", map[string]any{"scale": f[0], "mode": f[1], "distribution": f[2], "seed": nil}}, nil
		}
	case "regularizer":
		o, err := graph.NewRegularizer(*s)
		if err != nil {
			return nil, err
		}
		a := o.Spec().Args
		return kerasObject{"L1L2", map[string]any{"l1": a["l1"], "l2": a["l2"]}}, nil
	case "constraint":
		o, err := graph.NewConstraint(*s)
		if err != nil {
			return nil, err
		}
		canon = o.Spec()
	}
	class, ok := kerasClasses[canon.Name]
	if !ok {
		return nil, fmt.Errorf("%s %q has no Keras 2.2.4 class", kind, canon.Name)
	}
	cfg := map[string]any{}
	for k, v := range canon.Args {
		cfg[k] = v
	}
	switch class {
	case "VarianceScaling":
		cfg["mode"] = codeName(varianceModes, cfg["mode"].(float64))
		cfg["distribution"] = codeName(map[string]float64{"normal": 0, "uniform": 1}, cfg["distribution"].(float64))
	case "MaxNorm", "UnitNorm", "MinMaxNorm":
		cfg["axis"] = int(cfg["axis"].(float64))
	}
	for _, k := range initializerClasses[class].ignore {
		cfg[k] = nil
	}
	return kerasObject{class, cfg}, nil
}

// codeName returns the name of code c in codes.
func codeName(codes map[string]float64, c float64) string {
	for _, n := range slices.Sorted(maps.Keys(codes)) {
		if codes[n] == c {
			return n
		}
	}
	return fmt.Sprint(c)
}
