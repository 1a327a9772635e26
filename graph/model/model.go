package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/loss"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

// Model is a Keras Sequential model: layers applied in order, trained with
// a loss, an Optimizer and metrics.
//
// The training loss of a batch is the data loss (Loss, a compiled graph)
// plus Σ Param.Regularizer penalties of all weights (one compiled graph,
// whose gradients are added to Param.Grad) plus Σ Layer.ActivityPenalty,
// as Keras 2.2 adds layer losses. A Model is not safe for concurrent use.
type Model struct {
	dt          tensor.Dtype
	layers      []graph.Layer
	inShape     []int
	built       bool
	loss        loss.Loss
	lossC       *loss.Evaluator
	opt         optim.Optimizer
	metricNames []string
	metrics     []loss.Metric
	pen         *penaltyGraph
}

// NewSequential returns a Sequential model of dtype dt (tensor.Float32 or tensor.Float64)
// with the given layers, whose names must be unique.
func NewSequential(dt tensor.Dtype, layers ...graph.Layer) (*Model, error) {
	if err := graph.CheckDtype(dt); err != nil {
		return nil, err
	}
	m := &Model{dt: dt}
	for _, l := range layers {
		if err := m.Add(l); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Add appends a layer; it is an error after Build or for a duplicate name.
func (m *Model) Add(l graph.Layer) error {
	if l == nil {
		return fmt.Errorf("model: Model.Add: nil layer")
	}
	if m.built {
		return fmt.Errorf("model: Model.Add(%s): model already built", l.Name())
	}
	for _, o := range m.layers {
		if o.Name() == l.Name() {
			return fmt.Errorf("model: Model.Add: layer name %q used twice: names must be unique", l.Name())
		}
	}
	m.layers = append(m.layers, l)
	return nil
}

// Build builds every layer for per-sample input shape inShape (without the
// batch dimension), for example (timesteps, features) for an LSTM. Fit,
// Evaluate and Predict build an unbuilt model from their input.
func (m *Model) Build(inShape ...int) error {
	if len(m.layers) == 0 {
		return fmt.Errorf("model: Model.Build: model has no layers")
	}
	if len(inShape) == 0 {
		return fmt.Errorf("model: Model.Build: empty input shape")
	}
	shape := append([]int(nil), inShape...)
	for _, l := range m.layers {
		if err := l.Build(shape, m.dt); err != nil {
			return fmt.Errorf("model: building layer %s (%s) for input %v: %w", l.Name(), l.Type(), shape, err)
		}
		shape = l.OutputShape()
	}
	seen := map[string]bool{}
	for _, p := range m.Params() {
		if seen[p.Name] {
			return fmt.Errorf("model: Model.Build: weight name %q used twice", p.Name)
		}
		seen[p.Name] = true
	}
	m.inShape = append([]int(nil), inShape...)
	m.built = true
	m.pen = nil
	return nil
}

// Dtype returns the model's dtype.
func (m *Model) Dtype() tensor.Dtype { return m.dt }

// Layers returns the layers in order.
func (m *Model) Layers() []graph.Layer { return append([]graph.Layer(nil), m.layers...) }

// InputShape returns the per-sample input shape (nil before Build).
func (m *Model) InputShape() []int { return append([]int(nil), m.inShape...) }

// OutputShape returns the per-sample output shape (nil before Build).
func (m *Model) OutputShape() []int {
	if !m.built {
		return nil
	}
	return m.layers[len(m.layers)-1].OutputShape()
}

// Params returns every layer's weights, in layer order.
func (m *Model) Params() []*graph.Param {
	var ps []*graph.Param
	for _, l := range m.layers {
		ps = append(ps, l.Params()...)
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

// Summary returns a Keras-like table: layer name and type, output shape
// (None for the batch) and number of weight values.
func (m *Model) Summary() string {
	var b strings.Builder
	line := strings.Repeat("_", 65) + "\n"
	fmt.Fprintf(&b, "%s%-30s %-22s %10s\n%s", line, "Layer (type)", "Output Shape", "Param #", strings.Repeat("=", 65)+"\n")
	for _, l := range m.layers {
		n := 0
		for _, p := range l.Params() {
			n += p.Value.Shape().TotalSize()
		}
		shape := "(unbuilt)"
		if m.built {
			parts := []string{"None"}
			for _, d := range l.OutputShape() {
				parts = append(parts, fmt.Sprint(d))
			}
			shape = "(" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&b, "%-30s %-22s %10d\n", l.Name()+" ("+l.Type()+")", shape, n)
	}
	fmt.Fprintf(&b, "%sTotal params: %d\n%s", strings.Repeat("=", 65)+"\n", m.CountParams(), line)
	return b.String()
}

// Compile sets the loss (a GetLoss name), the optimizer and the metrics
// (GetMetric names; "accuracy" is resolved from the loss as Keras 2.2 does).
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
	return m.compile(l, opt, metrics, nil)
}

// CompileWith is Compile with a Loss and Metrics of the caller's own.
func (m *Model) CompileWith(l loss.Loss, opt optim.Optimizer, metrics ...loss.Metric) error {
	if l == nil {
		return fmt.Errorf("model: CompileWith: nil loss")
	}
	return m.compile(l, opt, nil, metrics)
}

func (m *Model) compile(l loss.Loss, opt optim.Optimizer, names []string, metrics []loss.Metric) error {
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
	if m.lossC != nil {
		m.lossC.Close()
	}
	m.loss, m.opt, m.metricNames, m.metrics = l, opt, names, metrics
	m.lossC = loss.NewEvaluator(l, m.dt)
	return nil
}

// ready builds the model from x if needed, resolves the metrics and checks
// x against the input shape.
func (m *Model) ready(x *tensor.Dense, needLoss bool) error {
	if x == nil {
		return fmt.Errorf("model: input x is nil")
	}
	xs := []int(x.Shape())
	if !m.built {
		if len(xs) < 2 {
			return fmt.Errorf("model: input x of shape %v: want (samples, features...)", xs)
		}
		if err := m.Build(xs[1:]...); err != nil {
			return err
		}
	}
	if x.Dtype() != m.dt {
		return fmt.Errorf("model: input x of dtype %v: model dtype is %v", x.Dtype(), m.dt)
	}
	if len(xs) != len(m.inShape)+1 || !slices.Equal(xs[1:], m.inShape) {
		return fmt.Errorf("model: input x of shape %v: want (samples, %s) as built", xs, joinInts(m.inShape))
	}
	if needLoss {
		if m.loss == nil {
			return fmt.Errorf("model: model not compiled: call Compile first")
		}
		if m.metrics == nil && len(m.metricNames) > 0 {
			out := m.OutputShape()
			for _, n := range m.metricNames {
				mt, err := loss.ResolveMetric(n, m.loss, out[len(out)-1])
				if err != nil {
					return err
				}
				m.metrics = append(m.metrics, mt)
			}
		}
	}
	return nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, d := range v {
		s[i] = fmt.Sprint(d)
	}
	return strings.Join(s, ", ")
}

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
