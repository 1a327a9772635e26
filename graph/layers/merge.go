package layers

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// MergeConfig configures an element-wise merge layer (Add, Subtract,
// Multiply, Average, Maximum, Minimum): Keras 2.2.4's get_config of these
// layers holds only the name.
type MergeConfig struct {
	// Name is the layer's name; empty gives "<class in snake case>_<n>",
	// as Keras: "add_1", "multiply_2".
	Name string `json:"name,omitempty"`
}

// ConcatenateConfig configures a Concatenate layer.
type ConcatenateConfig struct {
	// Name is the layer's name; empty gives "concatenate_<n>".
	Name string `json:"name,omitempty"`
	// Axis is the axis to concatenate along, counted as in Keras with the
	// batch axis 0: -1 (Keras' default) is the last axis, 1 the first axis
	// of a sample (the timesteps of a sequence). The batch axis cannot be
	// concatenated.
	Axis int `json:"axis"`
}

// mergeOp is the operation of a Merge layer.
type mergeOp int

const (
	addOp mergeOp = iota
	subtractOp
	multiplyOp
	averageOp
	maximumOp
	minimumOp
)

var mergeClasses = [...]string{"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}

// Merge is one of Keras' element-wise merge layers, each registered under
// its Keras class name:
//
//	Add       y = x₁ + x₂ + … + xₙ
//	Subtract  y = x₁ − x₂ (exactly two inputs)
//	Multiply  y = x₁ ⊙ x₂ ⊙ … ⊙ xₙ
//	Average   y = (x₁ + x₂ + … + xₙ) / n
//	Maximum   y = max(x₁, …, xₙ) element-wise (the gradient goes to the first maximal input on ties)
//	Minimum   y = min(x₁, …, xₙ) element-wise (likewise)
//
// It takes two or more inputs (Subtract exactly two) whose per-sample
// shapes broadcast as in Keras 2.2.4's _Merge: aligned on the last axis (a
// shorter shape gets leading axes of size 1, as Keras' expand_dims at axis
// 1), each pair of sizes equal or one of them 1. The output has the
// broadcast shape. The layer has no weights; its arithmetic is a compiled
// Gorgonia graph per input shapes, and its input gradients come from
// Gorgonia's autodiff (summed over broadcast axes).
//
// Masks: the output's mask is the logical AND of the inputs' masks (Keras'
// _Merge.compute_mask), nil when no input has one.
type Merge struct {
	op   mergeOp
	name string
	mergeCore
}

// Concatenate is Keras' Concatenate(axis): it joins two or more inputs of
// the same rank along Axis; their other sizes must be equal (graph.None
// matches any size). The layer has no weights; the concatenation and its
// gradient (the slices of the output gradient) are a compiled Gorgonia
// graph and its autodiff.
//
// Masks (Keras' Concatenate.compute_mask; a mask covers the axis after the
// batch, the timesteps): nil when no input has one; along axis 1 the
// inputs' masks concatenated, an input without a mask counting as all
// true; along another axis the logical AND of the inputs' masks.
type Concatenate struct {
	cfg  ConcatenateConfig
	axis int // the per-sample axis, 0-based, once built
	mergeCore
}

// mergeCore is what every merge layer keeps: the built shapes and the
// compiled programs.
type mergeCore struct {
	dt       tensor.Dtype
	inShapes [][]int
	outShape []int
	progs    *graph.ProgramCache[string, *mergeGraph]
}

var mergeCounts [len(mergeClasses) + 1]atomic.Int64 // the last one counts Concatenate

func newMerge(op mergeOp, cfg MergeConfig) *Merge {
	m := &Merge{op: op, name: cfg.Name}
	if m.name == "" {
		m.name = fmt.Sprintf("%s_%d", strings.ToLower(mergeClasses[op]), mergeCounts[op].Add(1))
	}
	m.progs = graph.NewProgramCache(m.compile, closeMergeGraph)
	return m
}

// NewAdd returns an Add layer.
func NewAdd(cfg MergeConfig) *Merge { return newMerge(addOp, cfg) }

// NewSubtract returns a Subtract layer.
func NewSubtract(cfg MergeConfig) *Merge { return newMerge(subtractOp, cfg) }

// NewMultiply returns a Multiply layer.
func NewMultiply(cfg MergeConfig) *Merge { return newMerge(multiplyOp, cfg) }

// NewAverage returns an Average layer.
func NewAverage(cfg MergeConfig) *Merge { return newMerge(averageOp, cfg) }

// NewMaximum returns a Maximum layer.
func NewMaximum(cfg MergeConfig) *Merge { return newMerge(maximumOp, cfg) }

// NewMinimum returns a Minimum layer.
func NewMinimum(cfg MergeConfig) *Merge { return newMerge(minimumOp, cfg) }

// NewConcatenate returns a Concatenate layer. Axis 0 (the batch) is an
// error; whether Axis exists is checked by Build.
func NewConcatenate(cfg ConcatenateConfig) (*Concatenate, error) {
	if cfg.Axis == 0 {
		return nil, fmt.Errorf("layers: Concatenate axis 0: the batch axis cannot be concatenated: want -1 (the last axis, Keras' default), 1 (the timesteps) or another axis of a sample")
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("concatenate_%d", mergeCounts[len(mergeClasses)].Add(1))
	}
	c := &Concatenate{cfg: cfg}
	c.progs = graph.NewProgramCache(c.compile, closeMergeGraph)
	return c, nil
}

func init() {
	for op, class := range mergeClasses {
		register(class, MergeConfig{}, func(cfg MergeConfig, name string) (graph.Layer, error) {
			cfg.Name = name
			return newMerge(mergeOp(op), cfg), nil
		})
	}
	register("Concatenate", ConcatenateConfig{Axis: -1}, func(cfg ConcatenateConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewConcatenate(cfg)
	})
}

// Name returns the layer's name.
func (m *Merge) Name() string { return m.name }

// Type returns the Keras class name: "Add", "Subtract", "Multiply",
// "Average", "Maximum" or "Minimum".
func (m *Merge) Type() string { return mergeClasses[m.op] }

// Config returns the MergeConfig as JSON.
func (m *Merge) Config() (json.RawMessage, error) { return json.Marshal(MergeConfig{Name: m.name}) }

// Name returns the layer's name.
func (c *Concatenate) Name() string { return c.cfg.Name }

// Type returns "Concatenate".
func (c *Concatenate) Type() string { return "Concatenate" }

// Config returns the ConcatenateConfig as JSON.
func (c *Concatenate) Config() (json.RawMessage, error) { return json.Marshal(c.cfg) }

// Params returns nil: merge layers have no weights.
func (mc *mergeCore) Params() []*graph.Param { return nil }

// OutputShapes is the one output's per-sample shape (nil before Build).
func (mc *mergeCore) OutputShapes() [][]int {
	if mc.outShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), mc.outShape...)}
}

// SetProgramCacheSize sets how many compiled graphs (one per set of input
// shapes and use) the layer keeps; see graph.ProgramCache.
func (mc *mergeCore) SetProgramCacheSize(n int) error { return mc.progs.SetCapacity(n) }

// checkInputs checks the common part of a merge layer's Build: the dtype,
// at least two inputs, each of positive sizes or graph.None.
func checkInputs(class, name string, in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) < 2 {
		return fmt.Errorf("layers: %s %s: %d inputs: a merge layer takes a list of at least 2", class, name, len(in))
	}
	for i, s := range in {
		if len(s) == 0 {
			return fmt.Errorf("layers: %s %s: input %d has no axes besides the batch: want per-sample shapes of at least one axis", class, name, i)
		}
		for _, d := range s {
			if d < 1 && d != graph.None {
				return fmt.Errorf("layers: %s %s: input %d of shape %s: want sizes of 1 or more, or graph.None", class, name, i, graph.FormatShape(s))
			}
		}
	}
	return nil
}

// Build checks that the input shapes broadcast together (see Merge) and
// records the output shape. Where a size is graph.None in one input, the
// output takes the other inputs' size if one of them is not 1, else None.
func (m *Merge) Build(in [][]int, dt tensor.Dtype) error {
	if err := checkInputs(m.Type(), m.name, in, dt); err != nil {
		return err
	}
	if m.op == subtractOp && len(in) != 2 {
		return fmt.Errorf("layers: Subtract %s: %d inputs: want exactly 2", m.name, len(in))
	}
	out, err := broadcastShapes(in)
	if err != nil {
		return fmt.Errorf("layers: %s %s: %w", m.Type(), m.name, err)
	}
	m.dt, m.outShape = dt, out
	m.inShapes = cloneShapes(in)
	m.progs.Clear()
	return nil
}

// broadcastShapes returns the shape that per-sample shapes broadcast to,
// aligned on the last axis, or an error that lists them.
func broadcastShapes(in [][]int) ([]int, error) {
	rank := 0
	for _, s := range in {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for k := range rank {
		size := 1 // the broadcast size so far; None once only Nones and 1s were seen
		seenNone := false
		for _, s := range in {
			j := k - (rank - len(s))
			if j < 0 {
				continue
			}
			switch d := s[j]; {
			case d == graph.None:
				seenNone = true
			case d == 1:
			case size == 1:
				size = d
			case d != size:
				return nil, fmt.Errorf("inputs of shapes %s do not broadcast together: axis %d has sizes %d and %d", formatShapes(in), k+1, size, d)
			}
		}
		if size == 1 && seenNone {
			size = graph.None
		}
		out[k] = size
	}
	return out, nil
}

// Build checks that the inputs have one rank, that Axis is one of their
// axes (not the batch), and that their sizes on the other axes agree
// (graph.None matches any size); the output's size on Axis is the sum, or
// None when an input's is None.
func (c *Concatenate) Build(in [][]int, dt tensor.Dtype) error {
	if err := checkInputs("Concatenate", c.cfg.Name, in, dt); err != nil {
		return err
	}
	r := len(in[0])
	for i, s := range in {
		if len(s) != r {
			return fmt.Errorf("layers: Concatenate %s: inputs of shapes %s: input %d has %d axes, input 0 %d: want one rank", c.cfg.Name, formatShapes(in), i, len(s)+1, r+1)
		}
	}
	axis := c.cfg.Axis - 1 // per-sample
	if c.cfg.Axis < 0 {
		axis = r + c.cfg.Axis
	}
	if axis < 0 || axis >= r {
		return fmt.Errorf("layers: Concatenate %s: axis %d for inputs of %d axes (batch included): want 1 to %d, or -1 to -%d", c.cfg.Name, c.cfg.Axis, r+1, r, r)
	}
	out := append([]int(nil), in[0]...)
	out[axis] = 0
	for _, s := range in {
		for k, d := range s {
			switch {
			case k == axis:
				if d == graph.None || out[axis] == graph.None {
					out[axis] = graph.None
				} else {
					out[axis] += d
				}
			case out[k] == graph.None:
				out[k] = d
			case d != graph.None && d != out[k]:
				return fmt.Errorf("layers: Concatenate %s: inputs of shapes %s: sizes differ on axis %d (%d and %d): want equal sizes except on the concatenation axis %d", c.cfg.Name, formatShapes(in), k+1, out[k], d, axis+1)
			}
		}
	}
	c.axis, c.dt, c.outShape = axis, dt, out
	c.inShapes = cloneShapes(in)
	c.progs.Clear()
	return nil
}

func cloneShapes(in [][]int) [][]int {
	out := make([][]int, len(in))
	for i, s := range in {
		out[i] = append([]int(nil), s...)
	}
	return out
}

func formatShapes(in [][]int) string {
	s := make([]string, len(in))
	for i, sh := range in {
		s[i] = graph.FormatShape(sh)
	}
	return strings.Join(s, ", ")
}

// Forward computes the merge of the inputs; see Merge.
func (m *Merge) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if m.outShape == nil {
		return nil, fmt.Errorf("layers: %s %s: Forward before Build", m.Type(), m.name)
	}
	xs, err := m.inputs(m.Type(), m.name, in)
	if err != nil {
		return nil, err
	}
	mask, err := andMasks(m.Type(), m.name, xs, masks)
	if err != nil {
		return nil, err
	}
	shapes := make([]tensor.Shape, len(xs))
	sizes := make([][]int, len(xs)) // per sample
	for i, x := range xs {
		shapes[i] = x.Shape().Clone()
		sizes[i] = shapes[i][1:]
	}
	// Sizes given as graph.None at Build must still broadcast.
	if _, err := broadcastShapes(sizes); err != nil {
		return nil, fmt.Errorf("layers: %s %s: %w", m.Type(), m.name, err)
	}
	// Keras' expand_dims at axis 1: a shorter input gets leading axes of
	// size 1 after the batch.
	rank := len(m.outShape) + 1
	for i, x := range xs {
		if s := x.Shape(); len(s) < rank {
			shape := append([]int{s[0]}, ones(rank-len(s))...)
			v := x.ShallowClone()
			if err := v.Reshape(append(shape, s[1:]...)...); err != nil {
				return nil, err
			}
			xs[i] = v
		}
	}
	return m.run(m.Type(), m.name, xs, shapes, mask, training)
}

// Forward concatenates the inputs along the axis; see Concatenate.
func (c *Concatenate) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if c.outShape == nil {
		return nil, fmt.Errorf("layers: Concatenate %s: Forward before Build", c.cfg.Name)
	}
	xs, err := c.inputs("Concatenate", c.cfg.Name, in)
	if err != nil {
		return nil, err
	}
	// Sizes given as graph.None at Build must still agree.
	for _, x := range xs[1:] {
		for k, d := range x.Shape() {
			if k != c.axis+1 && d != xs[0].Shape()[k] {
				return nil, fmt.Errorf("layers: Concatenate %s: inputs of shapes %v and %v: sizes differ on axis %d: want equal sizes except on the concatenation axis %d", c.cfg.Name, []int(xs[0].Shape()), []int(x.Shape()), k, c.axis+1)
			}
		}
	}
	mask, err := c.mask(xs, masks)
	if err != nil {
		return nil, err
	}
	return c.run("Concatenate", c.cfg.Name, xs, nil, mask, training)
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// inputs checks the inputs of a Forward against the built shapes and
// returns them contiguous.
func (mc *mergeCore) inputs(class, name string, in []*tensor.Dense) ([]*tensor.Dense, error) {
	if len(in) != len(mc.inShapes) {
		return nil, fmt.Errorf("layers: %s %s: %d inputs: built for %d", class, name, len(in), len(mc.inShapes))
	}
	xs := make([]*tensor.Dense, len(in))
	for i, x := range in {
		if x == nil {
			return nil, fmt.Errorf("layers: %s %s: input %d is nil", class, name, i)
		}
		if x.Dtype() != mc.dt || !graph.FitsShape(x.Shape(), mc.inShapes[i]) {
			return nil, fmt.Errorf("layers: %s %s: input %d, %v of shape %v: want %v of shape %s", class, name, i, x.Dtype(), []int(x.Shape()), mc.dt, graph.FormatShape(mc.inShapes[i]))
		}
		if i > 0 && x.Shape()[0] != xs[0].Shape()[0] {
			return nil, fmt.Errorf("layers: %s %s: input %d has %d samples, input 0 %d", class, name, i, x.Shape()[0], xs[0].Shape()[0])
		}
		xs[i] = graph.Contiguous(x)
	}
	return xs, nil
}

// maskOf returns the values of masks[i] after checking that it is a
// (batch, steps) mask of input x, or nil when input i has no mask.
func maskOf(class, name string, masks []*tensor.Dense, i int, x *tensor.Dense) ([]bool, error) {
	if i >= len(masks) || masks[i] == nil {
		return nil, nil
	}
	s := x.Shape()
	if len(s) < 2 || !masks[i].Shape().Eq(tensor.Shape{s[0], s[1]}) {
		return nil, fmt.Errorf("layers: %s %s: mask %d of shape %v for an input of shape %v: want (batch, timesteps)", class, name, i, []int(masks[i].Shape()), []int(s))
	}
	v, err := graph.MaskValues(masks[i])
	if err != nil {
		return nil, fmt.Errorf("layers: %s %s: mask %d: %w", class, name, i, err)
	}
	return v, nil
}

// andMasks is Keras' _Merge.compute_mask: the logical AND of the inputs'
// masks, nil when none has one.
func andMasks(class, name string, xs, masks []*tensor.Dense) (*tensor.Dense, error) {
	if len(masks) > len(xs) {
		return nil, fmt.Errorf("layers: %s %s: %d masks for %d inputs", class, name, len(masks), len(xs))
	}
	var and []bool
	var shape tensor.Shape
	for i := range masks {
		v, err := maskOf(class, name, masks, i, xs[i])
		if err != nil || v == nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		if and == nil {
			and, shape = v, masks[i].Shape()
			continue
		}
		if !masks[i].Shape().Eq(shape) {
			return nil, fmt.Errorf("layers: %s %s: masks of shapes %v and %v: want one shape", class, name, []int(shape), []int(masks[i].Shape()))
		}
		for j := range and {
			and[j] = and[j] && v[j]
		}
	}
	if and == nil {
		return nil, nil
	}
	return graph.NewMask(shape[0], shape[1], and), nil
}

// mask is Keras' Concatenate.compute_mask for masks of the timesteps:
// along axis 1 the masks concatenated (all true for an input without
// one), along another axis their AND.
func (c *Concatenate) mask(xs, masks []*tensor.Dense) (*tensor.Dense, error) {
	if c.axis != 0 {
		return andMasks("Concatenate", c.cfg.Name, xs, masks)
	}
	if len(masks) > len(xs) {
		return nil, fmt.Errorf("layers: Concatenate %s: %d masks for %d inputs", c.cfg.Name, len(masks), len(xs))
	}
	any := false
	vals := make([][]bool, len(xs))
	for i, x := range xs {
		v, err := maskOf("Concatenate", c.cfg.Name, masks, i, x)
		if err != nil {
			return nil, err
		}
		vals[i], any = v, any || v != nil
	}
	if !any {
		return nil, nil
	}
	batch, steps := xs[0].Shape()[0], 0
	for _, x := range xs {
		steps += x.Shape()[1]
	}
	out := make([]bool, 0, batch*steps)
	for b := range batch {
		for i, x := range xs {
			t := x.Shape()[1]
			if vals[i] == nil {
				out = append(out, ones2bool(t)...)
			} else {
				out = append(out, vals[i][b*t:(b+1)*t]...)
			}
		}
	}
	return graph.NewMask(batch, steps, out), nil
}

func ones2bool(n int) []bool {
	s := make([]bool, n)
	for i := range s {
		s[i] = true
	}
	return s
}

// run runs the compiled graph of the inputs' shapes and returns the Pass,
// whose Backward runs the graph's gradient for the same inputs and returns
// the gradients in the shapes inShapes (nil: the shapes of xs).
func (mc *mergeCore) run(class, name string, xs []*tensor.Dense, inShapes []tensor.Shape, mask *tensor.Dense, training bool) (*graph.Pass, error) {
	key := shapesKey(xs)
	mg, put, err := mc.progs.Get(key)
	if err != nil {
		return nil, fmt.Errorf("layers: %s %s: %w", class, name, err)
	}
	defer put()
	y, err := mg.forward(xs)
	if err != nil {
		return nil, fmt.Errorf("layers: %s %s: %w", class, name, err)
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if training {
		outShape := y.Shape().Clone()
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			if len(dOut) != 1 {
				return nil, fmt.Errorf("layers: %s %s: %d output gradients: want 1", class, name, len(dOut))
			}
			if dOut[0] == nil {
				dx := make([]*tensor.Dense, len(xs))
				for i, x := range xs {
					s := x.Shape()
					if inShapes != nil {
						s = inShapes[i]
					}
					dx[i] = graph.NewTensor(x.Dtype(), s, nil)
				}
				return dx, nil
			}
			dy := graph.Contiguous(dOut[0])
			if !dy.Shape().Eq(outShape) || dy.Dtype() != y.Dtype() {
				return nil, fmt.Errorf("layers: %s %s: output gradient %v of shape %v: want %v of shape %v", class, name, dy.Dtype(), []int(dy.Shape()), y.Dtype(), []int(outShape))
			}
			mg, put, err := mc.progs.Get(key)
			if err != nil {
				return nil, fmt.Errorf("layers: %s %s: %w", class, name, err)
			}
			defer put()
			dx, err := mg.backward(xs, dy)
			if err != nil {
				return nil, fmt.Errorf("layers: %s %s backward: %w", class, name, err)
			}
			for i := range dx {
				if inShapes != nil {
					// An input given leading axes of size 1 takes its own
					// shape back.
					if err := dx[i].Reshape(inShapes[i]...); err != nil {
						return nil, err
					}
				}
			}
			return dx, nil
		}
	}
	return pass, nil
}

// shapesKey identifies a compiled merge graph: the dtype and the batch
// shapes of the inputs, as "float32;2,3,4;2,1,4" (parseKey reads it back).
func shapesKey(xs []*tensor.Dense) string {
	var b strings.Builder
	b.WriteString(xs[0].Dtype().String())
	for _, x := range xs {
		b.WriteByte(';')
		for k, d := range x.Shape() {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
	}
	return b.String()
}

// parseKey reads a shapesKey back.
func parseKey(key string) (tensor.Dtype, [][]int, error) {
	parts := strings.Split(key, ";")
	dt := tensor.Float64
	if parts[0] == tensor.Float32.String() {
		dt = tensor.Float32
	}
	shapes := make([][]int, len(parts)-1)
	for i, p := range parts[1:] {
		for _, f := range strings.Split(p, ",") {
			d, err := strconv.Atoi(f)
			if err != nil {
				return dt, nil, fmt.Errorf("bad program key %q", key)
			}
			shapes[i] = append(shapes[i], d)
		}
	}
	return dt, shapes, nil
}
