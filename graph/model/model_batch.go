package model

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// gatherRows returns a new tensor holding rows idx (along the first axis)
// of t.
func gatherRows(t *tensor.Dense, idx []int) *tensor.Dense {
	s := []int(t.Shape())
	row := s2size(s[1:])
	shape := append([]int{len(idx)}, s[1:]...)
	switch d := t.Data().(type) {
	case []float64:
		out := make([]float64, len(idx)*row)
		for i, r := range idx {
			copy(out[i*row:(i+1)*row], d[r*row:(r+1)*row])
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out))
	case []float32:
		out := make([]float32, len(idx)*row)
		for i, r := range idx {
			copy(out[i*row:(i+1)*row], d[r*row:(r+1)*row])
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(out))
	}
	panic(fmt.Sprintf("model: rows of %v", t.Dtype()))
}

func s2size(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func span(from, to int) []int {
	idx := make([]int, to-from)
	for i := range idx {
		idx[i] = from + i
	}
	return idx
}

// forward runs x through every layer.
func (m *Model) forward(x *tensor.Dense, training bool) (*tensor.Dense, error) {
	var err error
	for _, l := range m.layers {
		if x, err = l.Forward(x, training); err != nil {
			return nil, fmt.Errorf("model: layer %s forward: %w", l.Name(), err)
		}
	}
	return x, nil
}

// activityPenalty sums the layers' activity penalties of the last Forward.
func (m *Model) activityPenalty() float64 {
	s := 0.0
	for _, l := range m.layers {
		s += l.ActivityPenalty()
	}
	return s
}

func checkBatch(batchSize, n int, stateful bool, what string) error {
	if batchSize < 1 {
		return fmt.Errorf("model: batch size %d: want at least 1", batchSize)
	}
	if n < 1 {
		return fmt.Errorf("model: %s has no samples", what)
	}
	if stateful && n%batchSize != 0 {
		return fmt.Errorf("model: %s has %d samples, not a multiple of batch size %d: a model with a stateful layer needs full batches", what, n, batchSize)
	}
	return nil
}

// Predict returns the model's output for x in batches of batchSize (the
// last batch may be smaller; with a stateful layer len(x) must divide by
// batchSize). Stateful layers carry their states across batches.
func (m *Model) Predict(x *tensor.Dense, batchSize int) (*tensor.Dense, error) {
	if err := m.ready(x, false); err != nil {
		return nil, err
	}
	n := x.Shape()[0]
	if err := checkBatch(batchSize, n, m.stateful(), "x"); err != nil {
		return nil, err
	}
	var outs []float64
	for from := 0; from < n; from += batchSize {
		y, err := m.forward(gatherRows(x, span(from, min(from+batchSize, n))), false)
		if err != nil {
			return nil, err
		}
		outs = append(outs, graph.Float64s(y)...)
	}
	return graph.NewTensor(m.dt, append([]int{n}, m.OutputShape()...), outs), nil
}

// Evaluate returns the loss (with regularization penalties, as Keras) and
// the metrics on x, y, keyed "loss" and by metric name: the means over
// batches weighted by batch size.
func (m *Model) Evaluate(x, y *tensor.Dense, batchSize int) (map[string]float64, error) {
	names, vals, err := m.evaluate(x, y, batchSize)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for i, n := range names {
		out[n] = vals[i]
	}
	return out, nil
}

func (m *Model) evaluate(x, y *tensor.Dense, batchSize int) ([]string, []float64, error) {
	if err := m.ready(x, true); err != nil {
		return nil, nil, err
	}
	n := x.Shape()[0]
	if err := m.checkTargets(x, y); err != nil {
		return nil, nil, err
	}
	if err := checkBatch(batchSize, n, m.stateful(), "x"); err != nil {
		return nil, nil, err
	}
	pg, err := m.penalties()
	if err != nil {
		return nil, nil, err
	}
	wpen, err := pg.run(false)
	if err != nil {
		return nil, nil, err
	}
	acc := newAccumulator(m.logNames())
	for from := 0; from < n; from += batchSize {
		idx := span(from, min(from+batchSize, n))
		yb := gatherRows(y, idx)
		out, err := m.forward(gatherRows(x, idx), false)
		if err != nil {
			return nil, nil, err
		}
		lv, _, err := m.lossC.Eval(yb, out)
		if err != nil {
			return nil, nil, err
		}
		vals, err := m.metricValues(yb, out)
		if err != nil {
			return nil, nil, err
		}
		acc.add(len(idx), append([]float64{lv + wpen + m.activityPenalty()}, vals...))
	}
	return acc.names, acc.means(), nil
}

// checkTargets checks y against x and the output shape.
func (m *Model) checkTargets(x, y *tensor.Dense) error {
	if y == nil {
		return fmt.Errorf("model: targets y are nil")
	}
	if y.Dtype() != m.dt {
		return fmt.Errorf("model: targets y of dtype %v: model dtype is %v", y.Dtype(), m.dt)
	}
	if y.Shape()[0] != x.Shape()[0] {
		return fmt.Errorf("model: %d targets y for %d samples x", y.Shape()[0], x.Shape()[0])
	}
	if _, err := m.loss.Target(gatherRows(y, []int{0}), append([]int{1}, m.OutputShape()...)); err != nil {
		return fmt.Errorf("model: targets y of shape %v for outputs (samples, %s): %w", []int(y.Shape()), joinInts(m.OutputShape()), err)
	}
	return nil
}

func (m *Model) logNames() []string {
	names := []string{"loss"}
	for _, mt := range m.metrics {
		names = append(names, mt.Name())
	}
	return names
}

func (m *Model) metricValues(y, out *tensor.Dense) ([]float64, error) {
	vals := make([]float64, len(m.metrics))
	for i, mt := range m.metrics {
		v, err := mt.Value(y, out)
		if err != nil {
			return nil, fmt.Errorf("model: metric %s: %w", mt.Name(), err)
		}
		vals[i] = v
	}
	return vals, nil
}

// accumulator keeps sample-weighted sums of per-batch values.
type accumulator struct {
	names []string
	sums  []float64
	n     int
}

func newAccumulator(names []string) *accumulator {
	return &accumulator{names: names, sums: make([]float64, len(names))}
}

func (a *accumulator) add(samples int, vals []float64) {
	for i, v := range vals {
		a.sums[i] += v * float64(samples)
	}
	a.n += samples
}

func (a *accumulator) means() []float64 {
	out := make([]float64, len(a.sums))
	for i, s := range a.sums {
		out[i] = s / float64(a.n)
	}
	return out
}
