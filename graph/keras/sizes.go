package keras

import (
	"fmt"
	"math"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
	"github.com/golstm/golstm/graph/model"
)

// DefaultMaxWeights is the default of Options.MaxWeights: 2^28 weight
// values (1 GiB in float32, and as much again for their gradients).
const DefaultMaxWeights = 1 << 28

// A config is untrusted: it may declare layers whose weights would not fit
// in memory (LSTM units 10^9). Before any layer is built, checkSizes
// follows the shapes through the model, computes each layer's number of
// weight values from its config, and refuses a model above the limit.

// estimate returns the output shapes (per sample, graph.None for None) of
// a call of a layer of class with this library's config cfg on inputs of
// shapes in, and the number of its weight values.
func estimate(class string, cfg map[string]any, in [][]int) ([][]int, int64, error) {
	if len(in) == 0 || len(in[0]) == 0 {
		return nil, 0, fmt.Errorf("no input shape")
	}
	x := in[0]
	last := int64(max(x[len(x)-1], 1))
	num := func(k string, def int) int64 { return cfgInt(cfg, k, def) }
	bias := func(n int64) int64 {
		if b, ok := cfg["use_bias"].(bool); ok && !b {
			return 0
		}
		return n
	}
	same := [][]int{x}
	switch class {
	case "Dense":
		u := num("units", 1)
		return [][]int{append(append([]int(nil), x[:len(x)-1]...), int(u))}, mul(last, u) + bias(u), nil
	case "LSTM":
		u := num("units", 1)
		p := mul(last, 4*u) + mul(u, 4*u) + bias(4*u)
		out := [][]int{{int(u)}}
		if b, _ := cfg["return_sequences"].(bool); b {
			out[0] = []int{x[0], int(u)}
		}
		if b, _ := cfg["return_state"].(bool); b {
			out = append(out, []int{int(u)}, []int{int(u)})
		}
		return out, p, nil
	case "Conv1D":
		k, f := num("kernel_size", 1), num("filters", 1)
		steps := x[0]
		if steps > 0 {
			s, d := max(num("strides", 1), 1), max(num("dilation_rate", 1), 1)
			pad, _ := asString(cfg["padding"])
			steps = windowSteps(int64(steps), k, s, d, pad)
		}
		return [][]int{{steps, int(f)}}, mul(mul(k, last), f) + bias(f), nil
	case "MaxPooling1D":
		steps := x[0]
		if steps > 0 {
			p := max(num("pool_size", 2), 1)
			pad, _ := asString(cfg["padding"])
			steps = windowSteps(int64(steps), p, max(num("strides", int(p)), 1), 1, pad)
		}
		return [][]int{{steps, x[len(x)-1]}}, 0, nil
	case "Flatten":
		n := int64(1)
		for _, d := range x {
			n = mul(n, int64(max(d, 1)))
		}
		return [][]int{{int(min(n, math.MaxInt32))}}, 0, nil
	case "RepeatVector":
		return [][]int{{int(num("n", 1)), x[0]}}, 0, nil
	case "TimeDistributed":
		inner, _ := asObject(cfg["layer"])
		ic, _ := asString(inner["class_name"])
		icfg, _ := asObject(inner["config"])
		out, p, err := estimate(ic, icfg, [][]int{x[1:]})
		if err != nil || len(out) == 0 {
			return nil, 0, err
		}
		return [][]int{append([]int{x[0]}, out[0]...)}, p, nil
	case "Bidirectional":
		inner, _ := asObject(cfg["layer"])
		ic, _ := asString(inner["class_name"])
		icfg, _ := asObject(inner["config"])
		out, p, err := estimate(ic, icfg, in[:1])
		if err != nil || len(out) == 0 {
			return nil, 0, err
		}
		y := out[0]
		merged := [][]int{y}
		switch mode, _ := asString(cfg["merge_mode"]); {
		case hasKey(cfg, "merge_mode") && cfg["merge_mode"] == nil: // Keras' None: both outputs
			merged = [][]int{y, y}
		case mode == "" || mode == "concat":
			merged = [][]int{append(append([]int(nil), y[:len(y)-1]...), 2*y[len(y)-1])}
		}
		for _, s := range out[1:] {
			merged = append(merged, s, s) // the states of both directions
		}
		return merged, 2 * p, nil
	case "Embedding":
		in, out := num("input_dim", 1), num("output_dim", 1)
		return [][]int{append(append([]int(nil), x...), int(out))}, mul(in, out), nil
	case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum":
		return [][]int{broadcastShape(in)}, 0, nil
	case "Concatenate":
		axis := int(num("axis", -1))
		if axis < 0 {
			axis += len(x) + 1
		}
		y := append([]int(nil), x...)
		if axis >= 1 && axis <= len(y) {
			for _, s := range in[1:] {
				if len(s) == len(y) {
					if y[axis-1] < 0 || s[axis-1] < 0 {
						y[axis-1] = -1
					} else {
						y[axis-1] += s[axis-1]
					}
				}
			}
		}
		return [][]int{y}, 0, nil
	case "Dot":
		return [][]int{dotShape(cfg["axes"], in)}, 0, nil
	case "Dropout", "SpatialDropout1D", "Activation", "Masking":
		return same, 0, nil
	}
	if rule, ok := sizeRules[class]; ok {
		return rule(cfg, in)
	}
	return nil, 0, fmt.Errorf("no size rule for layer class %s", class)
}

// sizeRule is estimate for one layer class: the output shapes of a call on
// inputs of shapes in (per sample, graph.None for None) and the number of
// the layer's weight values, from this library's config cfg.
type sizeRule func(cfg map[string]any, in [][]int) ([][]int, int64, error)

// sizeRules holds the size rules of the classes whose rules live in files
// of their own (classes_*.go), each added by that file's init.
var sizeRules = map[string]sizeRule{}

// cfgInt returns cfg[key] as a whole number, or def when it is absent or
// not a whole number.
func cfgInt(cfg map[string]any, key string, def int) int64 {
	if n, ok := asInt(cfg[key]); ok {
		return int64(n)
	}
	return int64(def)
}

// dotShape is the output shape of a Dot layer with axes (a number or a
// list, Keras' form) on inputs of shapes in: each input's shape without its
// axis, one after the other, or (1). An axis that does not exist leaves
// the shape whole; the layer's Build names the error.
func dotShape(axes any, in [][]int) []int {
	var ax []int
	if n, ok := asInt(axes); ok {
		ax = []int{n, n}
	} else if l, ok := axes.([]any); ok && len(l) == 2 {
		a, _ := asInt(l[0])
		b, _ := asInt(l[1])
		ax = []int{a, b}
	}
	var out []int
	for i, s := range in {
		a := -1
		if len(ax) == 2 {
			a = ax[min(i, 1)]
		}
		if a < 0 {
			a += len(s) + 1
		}
		for k, d := range s {
			if k != a-1 {
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		out = []int{1}
	}
	return out
}

// broadcastShape is the shape of an element-wise merge of inputs of the
// given shapes, aligned on their last axes (sizes 1 broadcast; None where
// an input has None).
func broadcastShape(in [][]int) []int {
	n := 0
	for _, s := range in {
		n = max(n, len(s))
	}
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	for _, s := range in {
		for j, d := range s {
			k := n - len(s) + j
			switch {
			case d < 0 || out[k] < 0:
				out[k] = -1
			case d != 1:
				out[k] = d
			}
		}
	}
	return out
}

// hasKey reports whether m has the key k.
func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// windowSteps is the output length of a sliding window (see
// graph/layers' Conv1D and MaxPooling1D).
func windowSteps(steps, size, stride, dilation int64, padding string) int {
	if padding == "valid" {
		span := mul(size-1, dilation) + 1
		return int(max((steps-span)/stride+1, 1))
	}
	return int((steps + stride - 1) / stride)
}

// mul multiplies sizes, saturating at MaxInt64 (and treating a negative
// size as 1, the layer's own check refuses it).
func mul(a, b int64) int64 {
	a, b = max(a, 1), max(b, 1)
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// storedValues returns how many weight values the datasets below g can
// give: the sum of their element counts, and at most 2048 times the
// file's size (hdf5's data limit: no dataset decodes to more bytes, and a
// weight value takes at least one), so that a config that describes more
// weights than a file holds is refused before the model is built.
func storedValues(g *hdf5.Group, fileSize int64) (int64, error) {
	total := int64(0)
	err := g.Walk(func(_ string, obj hdf5.Object) error {
		if d, ok := obj.(*hdf5.Dataset); ok {
			n := int64(1)
			for _, s := range d.Shape() {
				n = mul(n, int64(s))
			}
			if total += n; total < 0 {
				total = math.MaxInt64
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return min(total, mul(fileSize, 2048)), nil
}

// checkSizes estimates the weights of every layer called in the graph
// that reaches outputs, from its config (configs, by layer) and the shapes
// that reach it, and returns an error naming the layer that takes the
// total above limit (what the limit is: limitWhat). A layer called several
// times counts once.
func checkSizes(outputs []*model.Node, configs map[graph.Layer]*translated, limit int64, limitWhat string) error {
	shapes := map[*model.Node][][]int{} // by a call's output 0: the call's output shapes
	counted := map[graph.Layer]bool{}
	total := int64(0)
	var visit func(n *model.Node) ([]int, error)
	visit = func(n *model.Node) ([]int, error) {
		if n.IsInput() {
			return n.Shape(), nil
		}
		c := n.Output(0)
		out, ok := shapes[c]
		if !ok {
			var in [][]int
			for _, x := range c.Inputs() {
				s, err := visit(x)
				if err != nil {
					return nil, err
				}
				in = append(in, s)
			}
			l := c.Layer()
			t := configs[l]
			if t == nil {
				return nil, fmt.Errorf("layer %q has no config", l.Name())
			}
			var p int64
			var err error
			if out, p, err = estimate(t.class, t.config, in); err != nil {
				return nil, fmt.Errorf("layer %q (%s): %w", t.name, t.class, err)
			}
			if !counted[l] {
				counted[l] = true
				if total += p; p < 0 || total < 0 || total > limit {
					return nil, fmt.Errorf("layer %q (%s) takes the model to more than %d weight values (%s): refused before allocating", t.name, t.class, limit, limitWhat)
				}
			}
			shapes[c] = out
		}
		if n.Index() >= len(out) {
			return nil, fmt.Errorf("layer %q has %d outputs: there is no output %d", n.Layer().Name(), len(out), n.Index())
		}
		return out[n.Index()], nil
	}
	for _, o := range outputs {
		if _, err := visit(o); err != nil {
			return err
		}
	}
	return nil
}
