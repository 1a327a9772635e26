package model

import (
	"fmt"
	"math"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/loss"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

// Model is a Keras model: layers wired from one or more inputs to one or
// more outputs (a directed acyclic graph, Keras' functional Model), trained
// with a loss per output, an optimizer and metrics. A Sequential model
// (NewSequential) is the special case of a chain: one input, each layer
// applied to the previous one's output; both kinds are built, trained,
// evaluated, saved and loaded by the same code.
//
// The training loss of a batch is Σ_k w_k·loss_k(y_k, output_k) over the
// outputs k (w_k the loss weights, 1 by default), plus Σ Param.Regularizer
// penalties of all weights (one compiled graph, whose gradients are added
// to Param.Grad) plus the layers' activity penalties, as Keras 2.2 adds
// layer losses. Gradients come from each layer's Gorgonia autodiff, chained
// along the graph in reverse topological order and summed where a node
// feeds several layers (and where a layer is applied twice).
//
// Predict and PredictMulti may be called from several goroutines at once
// on a built model whose layers are not stateful (a model serving
// predictions): the goroutines share the weights, and each call takes
// compiled programs of its own from every layer's cache (see
// SetProgramCacheSize), so nothing is copied per goroutine. Build the model
// first (Build, New, Load, or one Predict before the others): a first
// Predict that builds a Sequential model is not concurrent with anything.
// A stateful model carries its states from call to call and is not safe
// for concurrent use, nor are the other methods.
type Model struct {
	dt         tensor.Dtype
	sequential bool
	layers     []graph.Layer // each layer once, in the order it is first applied (Sequential: Add order)

	built   bool
	inputs  []*Node
	outputs []*Node
	apps    []*application // in topological order
	needs   map[*Node]bool // whether a node's gradient is wanted (something trainable is upstream)

	losses      []loss.Loss // per output
	lossWeights []float64
	evals       []*loss.Evaluator
	opt         optim.Optimizer
	metricNames []string
	custom      []loss.Metric   // CompileWith's metrics
	metrics     [][]loss.Metric // per output, resolved on first use
	pen         *penaltyGraph

	stop       bool // StopTraining was called during this Fit
	stopReason string
	shuffle    *shuffler // Fit's shuffling stream, nil before the first shuffled Fit

	// beforeBuild, when set (by Load), checks a layer and its input
	// shapes before the layer is built.
	beforeBuild func(l graph.Layer, in [][]int) error

	cacheSize    int  // SetProgramCacheSize's n,
	cacheSizeSet bool // when it was called
}

// NewSequential returns a Sequential model of dtype dt (tensor.Float32 or
// tensor.Float64) with the given layers, whose names must be unique. It is
// built, for the per-sample shape of its input, by Build or by the first
// Fit, Evaluate or Predict.
func NewSequential(dt tensor.Dtype, layers ...graph.Layer) (*Model, error) {
	if err := graph.CheckDtype(dt); err != nil {
		return nil, err
	}
	m := &Model{dt: dt, sequential: true}
	for _, l := range layers {
		if err := m.Add(l); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// New returns the functional model of dtype dt that maps the input nodes
// inputs (made by Input) to the nodes outputs, built: every layer on the
// way is built for the shapes that reach it, in topological order. A layer
// that already has weights (built by another model, or by Load) keeps them,
// as a Keras layer is built once: the inference models of a seq2seq network
// are made of the trained model's layers (and may use its nodes); such a
// layer is checked against the new shapes on a copy built from its Config.
// It is an
// error, naming the nodes and layers concerned, when a node was wired
// wrongly (see Apply and Output), an output depends on an input that is not
// among inputs, an input reaches no output, a layer gets shapes it does not
// take, two different layers share a name, or the wiring has a cycle.
func New(dt tensor.Dtype, inputs, outputs []*Node) (*Model, error) {
	if err := graph.CheckDtype(dt); err != nil {
		return nil, err
	}
	m := &Model{dt: dt}
	if err := m.wire(inputs, outputs); err != nil {
		return nil, err
	}
	return m, nil
}

// Add appends a layer to a Sequential model; it is an error after Build,
// for a functional model, or for a duplicate name.
func (m *Model) Add(l graph.Layer) error {
	if l == nil {
		return fmt.Errorf("model: Add: nil layer")
	}
	if !m.sequential {
		return fmt.Errorf("model: Add(%s): a functional model's layers are fixed by its nodes", l.Name())
	}
	if m.built {
		return fmt.Errorf("model: Add(%s): model already built", l.Name())
	}
	for _, o := range m.layers {
		if o.Name() == l.Name() {
			return fmt.Errorf("model: Add: layer name %q used twice: names must be unique", l.Name())
		}
	}
	m.layers = append(m.layers, l)
	return nil
}

// Build builds a Sequential model for the per-sample input shape inShape
// (the batch dimension left out), with graph.None for a dimension of any
// size: Build(graph.None, 8) takes sequences of any length of 8 features.
// Fit, Evaluate and Predict build an unbuilt model from their input (see
// graph.LengthFree). A functional model is built by New.
func (m *Model) Build(inShape ...int) error {
	if !m.sequential {
		if m.built {
			return fmt.Errorf("model: Build: a functional model is built by New")
		}
	}
	if m.built {
		return fmt.Errorf("model: Build: model already built for %s", graph.FormatShape(m.inputs[0].shape))
	}
	if len(m.layers) == 0 {
		return fmt.Errorf("model: Build: model has no layers")
	}
	in := Input(m.layers[0].Name()+"_input", inShape...)
	out := in
	for _, l := range m.layers {
		out = Apply(l, out)
	}
	return m.wire([]*Node{in}, []*Node{out})
}

// wire checks the graph from inputs to outputs, orders the layer
// applications topologically and builds every layer.
func (m *Model) wire(inputs, outputs []*Node) error {
	if len(inputs) == 0 || len(outputs) == 0 {
		return fmt.Errorf("model: a model needs at least one input and one output node (got %d and %d)", len(inputs), len(outputs))
	}
	isInput := map[*Node]bool{}
	names := map[string]bool{}
	for i, n := range inputs {
		switch {
		case n == nil:
			return fmt.Errorf("model: input %d is nil", i)
		case n.err != nil:
			return n.err
		case !n.IsInput():
			return fmt.Errorf("model: input %d is %s, an output of layer %s: model inputs are made by Input", i, n.Name(), layerName(n.app.layer))
		case names[n.name]:
			return fmt.Errorf("model: two inputs are named %q", n.name)
		}
		isInput[n], names[n.name] = true, true
	}
	// Depth-first from the outputs: post-order gives a topological order.
	const (
		visiting = 1
		done     = 2
	)
	state := map[*application]int{}
	reached := map[*Node]bool{}
	var apps []*application
	var visit func(n *Node, from string) error
	visit = func(n *Node, from string) error {
		if n == nil {
			return fmt.Errorf("model: a nil node feeds %s", from)
		}
		if n.err != nil {
			return n.err
		}
		if n.IsInput() {
			if !isInput[n] {
				return fmt.Errorf("model: %s depends on input %q, which is not among the model's inputs (%s)", from, n.name, nodeNames(inputs))
			}
			reached[n] = true
			return nil
		}
		a := n.app
		switch state[a] {
		case visiting:
			return fmt.Errorf("model: the graph has a cycle through layer %s", layerName(a.layer))
		case done:
			return nil
		}
		state[a] = visiting
		for _, x := range a.in {
			if err := visit(x, "layer "+layerName(a.layer)); err != nil {
				return err
			}
		}
		state[a] = done
		apps = append(apps, a)
		return nil
	}
	for i, n := range outputs {
		if err := visit(n, fmt.Sprintf("output %d", i)); err != nil {
			return err
		}
	}
	for _, n := range inputs {
		if !reached[n] {
			return fmt.Errorf("model: input %q is not connected to any output", n.name)
		}
	}
	// Each layer once, unique names.
	var layers []graph.Layer
	byName := map[string]graph.Layer{}
	built := map[graph.Layer][][]int{}    // input shapes of each layer's first application
	builtOut := map[graph.Layer][][]int{} // and its output shapes
	for _, a := range apps {
		if o, ok := byName[a.layer.Name()]; ok && o != a.layer {
			return fmt.Errorf("model: two different layers are named %q: names must be unique", a.layer.Name())
		}
		if _, ok := byName[a.layer.Name()]; !ok {
			byName[a.layer.Name()] = a.layer
			layers = append(layers, a.layer)
		}
	}
	if m.sequential {
		layers = m.layers
	}
	// Build in topological order.
	for _, a := range apps {
		shapes := make([][]int, len(a.in))
		for i, x := range a.in {
			shapes[i] = x.shape
		}
		var outShapes [][]int
		if first, ok := built[a.layer]; ok {
			if err := sameShapes(first, shapes); err != nil {
				return fmt.Errorf("model: layer %s applied again to %s: %w", a.layer.Name(), nodeNames(a.in), err)
			}
			outShapes = builtOut[a.layer]
		} else if len(a.layer.Params()) > 0 {
			// Built before, by another model or by Load: its weights are
			// kept, as a Keras layer is built once (a seq2seq network's
			// inference models reuse the trained layers).
			s, err := checkBuilt(a.layer, shapes, m.dt)
			if err != nil {
				return err
			}
			outShapes = s
			built[a.layer] = shapes
		} else {
			if m.beforeBuild != nil {
				if err := m.beforeBuild(a.layer, shapes); err != nil {
					return err
				}
			}
			if err := a.layer.Build(shapes, m.dt); err != nil {
				return fmt.Errorf("model: building layer %s (%s) for inputs %s: %w", a.layer.Name(), a.layer.Type(), formatShapes(shapes), err)
			}
			built[a.layer] = shapes
			outShapes = a.layer.OutputShapes()
		}
		builtOut[a.layer], a.shapes = outShapes, outShapes
		for i, o := range a.outs {
			if i < len(outShapes) {
				o.shape = append([]int(nil), outShapes[i]...)
			}
		}
		for _, x := range a.in {
			if err := checkIndex(x); err != nil {
				return err
			}
		}
	}
	for _, o := range outputs {
		if err := checkIndex(o); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, l := range layers {
		for _, p := range l.Params() {
			if seen[p.Name] {
				return fmt.Errorf("model: weight name %q used twice", p.Name)
			}
			seen[p.Name] = true
		}
	}
	m.layers, m.inputs, m.outputs, m.apps = layers, append([]*Node(nil), inputs...), append([]*Node(nil), outputs...), apps
	m.needs = map[*Node]bool{}
	for _, a := range apps {
		need := len(a.layer.Params()) > 0
		for _, x := range a.in {
			need = need || m.needs[x]
		}
		for _, o := range a.outs {
			m.needs[o] = need
		}
	}
	m.built = true
	m.pen = nil
	m.closeEvaluators()
	return nil
}

// checkBuilt checks that l, a layer that already has weights, takes inputs
// of the given shapes in dtype dt, without building it again (Build would
// draw new weights): it builds a copy of l from its Config through the
// layer registry for those shapes and requires the copy's weights to have
// the names, shapes and dtype of l's. It returns the output shapes for
// those inputs (the copy's). A layer whose type is not registered cannot be
// copied: it is taken as it is, with its own output shapes.
func checkBuilt(l graph.Layer, shapes [][]int, dt tensor.Dtype) ([][]int, error) {
	cfg, err := l.Config()
	if err != nil {
		return nil, fmt.Errorf("model: layer %s (%s): config: %w", l.Name(), l.Type(), err)
	}
	if _, err := graph.LookupLayer(l.Type()); err != nil {
		return l.OutputShapes(), nil
	}
	c, err := graph.NewLayer(l.Type(), l.Name(), cfg)
	if err != nil {
		return nil, fmt.Errorf("model: layer %s (%s): %w", l.Name(), l.Type(), err)
	}
	if err := c.Build(shapes, dt); err != nil {
		return nil, fmt.Errorf("model: layer %s (%s), already built, applied to inputs %s: %w", l.Name(), l.Type(), formatShapes(shapes), err)
	}
	have, want := l.Params(), c.Params()
	mismatch := len(have) != len(want)
	for i := 0; !mismatch && i < len(have); i++ {
		mismatch = have[i].Name != want[i].Name || !have[i].Value.Shape().Eq(want[i].Value.Shape()) || have[i].Value.Dtype() != want[i].Value.Dtype()
	}
	if mismatch {
		return nil, fmt.Errorf("model: layer %s (%s), already built with weights %s, applied to inputs %s in %v, which need weights %s",
			l.Name(), l.Type(), describeParams(have), formatShapes(shapes), dt, describeParams(want))
	}
	return c.OutputShapes(), nil
}

// describeParams lists weights as name dtype(shape).
func describeParams(ps []*graph.Param) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = fmt.Sprintf("%s %v%v", p.Name, p.Value.Dtype(), []int(p.Value.Shape()))
	}
	return strings.Join(s, ", ")
}

// checkIndex checks that a used node is an output the layer has (Output
// hands out any index).
func checkIndex(n *Node) error {
	if n.app == nil {
		return nil
	}
	if k := len(n.app.shapes); n.index >= k {
		return fmt.Errorf("model: %s: layer %s (%s) has %d outputs", n.Name(), n.app.layer.Name(), n.app.layer.Type(), k)
	}
	return nil
}

// sameShapes checks that shapes fit the shapes a shared layer was built for
// (None matches any size).
func sameShapes(built, shapes [][]int) error {
	if len(built) != len(shapes) {
		return fmt.Errorf("%d inputs, built for %d", len(shapes), len(built))
	}
	for i := range built {
		if len(built[i]) != len(shapes[i]) {
			return fmt.Errorf("input %d of shape %s, built for %s", i, graph.FormatShape(shapes[i]), graph.FormatShape(built[i]))
		}
		for j, d := range built[i] {
			if d != graph.None && shapes[i][j] != graph.None && d != shapes[i][j] {
				return fmt.Errorf("input %d of shape %s, built for %s", i, graph.FormatShape(shapes[i]), graph.FormatShape(built[i]))
			}
		}
	}
	return nil
}

func formatShapes(shapes [][]int) string {
	s := make([]string, len(shapes))
	for i, sh := range shapes {
		s[i] = graph.FormatShape(sh)
	}
	return strings.Join(s, ", ")
}

// Dtype returns the model's dtype.
func (m *Model) Dtype() tensor.Dtype { return m.dt }

// Layers returns the layers, each once, in the order they are first applied
// (a Sequential model's: the order they were added).
func (m *Model) Layers() []graph.Layer { return append([]graph.Layer(nil), m.layers...) }

// Layer returns the layer named name, or nil.
func (m *Model) Layer(name string) graph.Layer {
	for _, l := range m.layers {
		if l.Name() == name {
			return l
		}
	}
	return nil
}

// IsSequential reports whether m was made by NewSequential.
func (m *Model) IsSequential() bool { return m.sequential }

// Built reports whether the layers are built.
func (m *Model) Built() bool { return m.built }

// Inputs returns the input nodes (nil before a Sequential model is built).
func (m *Model) Inputs() []*Node { return append([]*Node(nil), m.inputs...) }

// Outputs returns the output nodes (nil before a Sequential model is built).
func (m *Model) Outputs() []*Node { return append([]*Node(nil), m.outputs...) }

// InputShape returns the per-sample shape of the first input (nil before
// Build).
func (m *Model) InputShape() []int {
	if !m.built {
		return nil
	}
	return m.inputs[0].Shape()
}

// OutputShape returns the per-sample shape of the first output (nil before
// Build).
func (m *Model) OutputShape() []int {
	if !m.built {
		return nil
	}
	return m.outputs[0].Shape()
}

// Params returns every layer's weights, in layer order.
func (m *Model) Params() []*graph.Param {
	var ps []*graph.Param
	for _, l := range m.layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// TrainableParams returns the weights that the optimizer updates: Params
// without the Frozen ones and the Statistic ones (which their layers
// update).
func (m *Model) TrainableParams() []*graph.Param {
	var ps []*graph.Param
	for _, p := range m.Params() {
		if !p.Frozen && !p.Statistic {
			ps = append(ps, p)
		}
	}
	return ps
}

// CountParams returns the number of weight values.
func (m *Model) CountParams() int {
	n := 0
	for _, p := range m.Params() {
		n += p.Value.Shape().TotalSize()
	}
	return n
}

// SetProgramCacheSize sets, for every layer that keeps compiled programs
// (graph.ProgramCacheSizer) and for the compiled losses, how many idle ones
// each keeps (default graph.DefaultProgramCacheSize). Each new batch size or
// sequence length compiles programs; the least recently used beyond the
// size are released. A layer added after the call keeps its own size.
func (m *Model) SetProgramCacheSize(n int) error {
	if n < 0 {
		return fmt.Errorf("model: program cache size %d: want 0 or more", n)
	}
	m.cacheSize, m.cacheSizeSet = n, true
	for _, e := range m.evals {
		if err := e.SetProgramCacheSize(n); err != nil {
			return err
		}
	}
	for _, l := range m.layers {
		if s, ok := l.(graph.ProgramCacheSizer); ok {
			if err := s.SetProgramCacheSize(n); err != nil {
				return fmt.Errorf("model: layer %s: %w", l.Name(), err)
			}
		}
	}
	return nil
}

// Summary returns a Keras-like table: layer name and type, output shape
// (None for the batch and for any dimension not fixed), number of weight
// values and, for a functional model, the nodes each application is
// connected to. Below the total, when some weights are not trained
// (graph.Param Frozen or Statistic), it gives Keras' "Trainable params" and
// "Non-trainable params" (Keras prints them always; a model whose weights
// all train keeps the one line).
func (m *Model) Summary() string {
	count := func(l graph.Layer) int {
		n := 0
		for _, p := range l.Params() {
			n += p.Value.Shape().TotalSize()
		}
		return n
	}
	type row struct {
		name, shape string
		params      int
		connected   string
	}
	var rows []row
	if !m.built {
		for _, l := range m.layers {
			rows = append(rows, row{l.Name() + " (" + l.Type() + ")", "(unbuilt)", count(l), ""})
		}
	} else {
		if !m.sequential {
			for _, in := range m.inputs {
				rows = append(rows, row{in.name + " (InputLayer)", graph.FormatShape(in.shape), 0, ""})
			}
		}
		for _, a := range m.apps {
			var shapes []string
			for _, s := range a.shapes {
				shapes = append(shapes, graph.FormatShape(s))
			}
			shape := strings.Join(shapes, ", ")
			if len(shapes) > 1 {
				shape = "[" + shape + "]"
			}
			r := row{a.layer.Name() + " (" + a.layer.Type() + ")", shape, count(a.layer), ""}
			if !m.sequential {
				r.connected = nodeNames(a.in)
			}
			rows = append(rows, r)
		}
	}
	// Keras' column widths, widened where a name or shape is longer (the
	// shapes of an LSTM with return_state), so that the columns stay
	// aligned.
	nameW, shapeW := 30, 22
	for _, r := range rows {
		nameW, shapeW = max(nameW, len(r.name)), max(shapeW, len(r.shape))
	}
	width := 65 + nameW - 30 + shapeW - 22
	if !m.sequential {
		width += 33
	}
	line := strings.Repeat("_", width) + "\n"
	var b strings.Builder
	b.WriteString(line)
	fmt.Fprintf(&b, "%-*s %-*s %10s", nameW, "Layer (type)", shapeW, "Output Shape", "Param #")
	if !m.sequential {
		fmt.Fprintf(&b, "   %s", "Connected to")
	}
	b.WriteString("\n" + strings.Repeat("=", width) + "\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s %-*s %10d", nameW, r.name, shapeW, r.shape, r.params)
		if r.connected != "" {
			fmt.Fprintf(&b, "   %s", r.connected)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%sTotal params: %d\n", strings.Repeat("=", width)+"\n", m.CountParams())
	fixed := 0
	for _, p := range m.Params() {
		if p.Frozen || p.Statistic {
			fixed += p.Value.Shape().TotalSize()
		}
	}
	if fixed > 0 {
		fmt.Fprintf(&b, "Trainable params: %d\nNon-trainable params: %d\n", m.CountParams()-fixed, fixed)
	}
	b.WriteString(line)
	return b.String()
}

// Compile sets the loss of every output (a loss.Get name), the optimizer
// and the metrics (loss.GetMetric names; "accuracy" is resolved from the
// loss as Keras 2.2 does), with loss weights 1.
func (m *Model) Compile(lossName string, opt optim.Optimizer, metrics ...string) error {
	l, err := loss.Get(lossName)
	if err != nil {
		return err
	}
	for _, name := range metrics {
		if _, err := loss.GetMetric(name); err != nil {
			return err
		}
	}
	return m.compile([]loss.Loss{l}, nil, opt, metrics, nil)
}

// CompileOptions are the arguments of CompileMulti, Keras' compile for a
// model of several outputs.
type CompileOptions struct {
	// Losses names the loss of each output (loss.Get names), in output
	// order, or holds one name for every output.
	Losses []string
	// LossWeights weighs each output's loss in the training loss
	// Σ_k w_k·loss_k (nil: every weight 1), as Keras' loss_weights.
	LossWeights []float64
	// Metrics are loss.GetMetric names, reported for every output.
	Metrics []string
	// Optimizer updates the weights.
	Optimizer optim.Optimizer
}

// CompileMulti sets a loss per output with loss weights, the optimizer and
// the metrics. The counts are checked against the outputs when the model is
// built.
func (m *Model) CompileMulti(o CompileOptions) error {
	if len(o.Losses) == 0 {
		return fmt.Errorf("model: CompileMulti: no losses")
	}
	if m.built && len(o.Losses) != 1 && len(o.Losses) != len(m.outputs) {
		return fmt.Errorf("model: CompileMulti: %d losses for %d outputs: give one per output or one for all", len(o.Losses), len(m.outputs))
	}
	if m.built && o.LossWeights != nil && len(o.LossWeights) != len(m.outputs) {
		return fmt.Errorf("model: CompileMulti: %d loss weights for %d outputs", len(o.LossWeights), len(m.outputs))
	}
	ls := make([]loss.Loss, len(o.Losses))
	for i, name := range o.Losses {
		l, err := loss.Get(name)
		if err != nil {
			return err
		}
		ls[i] = l
	}
	for _, name := range o.Metrics {
		if _, err := loss.GetMetric(name); err != nil {
			return err
		}
	}
	return m.compile(ls, append([]float64(nil), o.LossWeights...), o.Optimizer, o.Metrics, nil)
}

// CompileWith is Compile with a Loss and Metrics of the caller's own.
func (m *Model) CompileWith(l loss.Loss, opt optim.Optimizer, metrics ...loss.Metric) error {
	if l == nil {
		return fmt.Errorf("model: CompileWith: nil loss")
	}
	return m.compile([]loss.Loss{l}, nil, opt, nil, metrics)
}

// compile sets the losses (one for every output, or one per output) and
// their weights (nil: all 1).
func (m *Model) compile(losses []loss.Loss, weights []float64, opt optim.Optimizer, names []string, metrics []loss.Metric) error {
	if opt == nil {
		return fmt.Errorf("model: Compile: nil optimizer")
	}
	seen := map[string]bool{"loss": true}
	for _, n := range names {
		if seen[n] {
			return fmt.Errorf("model: Compile: metric %q given twice (or named loss)", n)
		}
		seen[n] = true
	}
	for _, mt := range metrics {
		if seen[mt.Name()] {
			return fmt.Errorf("model: Compile: metric %q given twice (or named loss)", mt.Name())
		}
		seen[mt.Name()] = true
	}
	for _, w := range weights {
		if !(w >= 0) || math.IsInf(w, 1) {
			return fmt.Errorf("model: Compile: loss weight %v: want a finite number >= 0", w)
		}
	}
	if len(weights) == 0 {
		weights = nil
	}
	m.closeEvaluators()
	m.losses, m.lossWeights, m.opt, m.metricNames, m.custom = losses, weights, opt, names, metrics
	return nil
}

// closeEvaluators drops the compiled losses and the resolved metrics; they
// are made again, for the outputs as built, on first use.
func (m *Model) closeEvaluators() {
	for _, e := range m.evals {
		e.Close()
	}
	m.evals, m.metrics = nil, nil
}

// lossOf returns the loss of output k.
func (m *Model) lossOf(k int) loss.Loss {
	if len(m.losses) == 1 {
		return m.losses[0]
	}
	return m.losses[k]
}

// lossWeight returns the loss weight of output k.
func (m *Model) lossWeight(k int) float64 {
	if m.lossWeights == nil {
		return 1
	}
	return m.lossWeights[k]
}

// Optimizer returns the optimizer Compile set (nil before).
func (m *Model) Optimizer() optim.Optimizer { return m.opt }

// ResetStates resets every Stateful layer.
func (m *Model) ResetStates() error {
	for _, l := range m.layers {
		if s, ok := l.(graph.Stateful); ok && s.IsStateful() {
			if err := s.ResetStates(); err != nil {
				return fmt.Errorf("model: resetting states of %s: %w", l.Name(), err)
			}
		}
	}
	return nil
}

// stateful reports whether a layer carries state between batches.
func (m *Model) stateful() bool {
	for _, l := range m.layers {
		if s, ok := l.(graph.Stateful); ok && s.IsStateful() {
			return true
		}
	}
	return false
}
