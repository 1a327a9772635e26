package model

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// rows returns a new, contiguous tensor holding rows idx (along the first
// axis) of t, of any dtype; t may be a view.
func rows(t *tensor.Dense, idx []int) *tensor.Dense {
	t = graph.Contiguous(t)
	s := []int(t.Shape())
	row := 1
	for _, d := range s[1:] {
		row *= d
	}
	shape := append([]int{len(idx)}, s[1:]...)
	var backing any
	switch d := t.Data().(type) {
	case []float64:
		backing = gather(d, idx, row)
	case []float32:
		backing = gather(d, idx, row)
	case []int:
		backing = gather(d, idx, row)
	case []int8:
		backing = gather(d, idx, row)
	case []int16:
		backing = gather(d, idx, row)
	case []int32:
		backing = gather(d, idx, row)
	case []int64:
		backing = gather(d, idx, row)
	case []uint:
		backing = gather(d, idx, row)
	case []uint8:
		backing = gather(d, idx, row)
	case []uint16:
		backing = gather(d, idx, row)
	case []uint32:
		backing = gather(d, idx, row)
	case []uint64:
		backing = gather(d, idx, row)
	case []bool:
		backing = gather(d, idx, row)
	default:
		panic(fmt.Sprintf("model: rows of a %v tensor", t.Dtype()))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing))
}

func gather[T any](d []T, idx []int, row int) []T {
	out := make([]T, len(idx)*row)
	for i, r := range idx {
		copy(out[i*row:(i+1)*row], d[r*row:(r+1)*row])
	}
	return out
}

// rowsAll applies rows to every tensor of ts.
func rowsAll(ts []*tensor.Dense, idx []int) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ts))
	for i, t := range ts {
		out[i] = rows(t, idx)
	}
	return out
}

func span(from, to int) []int {
	idx := make([]int, to-from)
	for i := range idx {
		idx[i] = from + i
	}
	return idx
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

// one checks that the model has one input and one output, for the methods
// that take and return single tensors.
func (m *Model) one(method string) error {
	if m.built && (len(m.inputs) != 1 || len(m.outputs) != 1) {
		return fmt.Errorf("model: %s takes one input and one target array: this model has %d inputs and %d outputs: use %sMulti", method, len(m.inputs), len(m.outputs), method)
	}
	return nil
}

// Predict returns the output for x in batches of batchSize (the last batch
// may be smaller; with a stateful layer len(x) must divide by batchSize),
// for a model of one input and one output. Stateful layers carry their
// states across batches.
func (m *Model) Predict(x *tensor.Dense, batchSize int) (*tensor.Dense, error) {
	if err := m.one("Predict"); err != nil {
		return nil, err
	}
	out, err := m.PredictMulti([]*tensor.Dense{x}, batchSize)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// PredictMulti returns the outputs, one tensor per output node, for the
// inputs xs (one tensor per input node, the same number of samples each),
// in batches of batchSize.
func (m *Model) PredictMulti(xs []*tensor.Dense, batchSize int) ([]*tensor.Dense, error) {
	if err := m.ready(xs); err != nil {
		return nil, err
	}
	n := xs[0].Shape()[0]
	if err := checkBatch(batchSize, n, m.stateful(), "x"); err != nil {
		return nil, err
	}
	outs := make([][]float64, len(m.outputs))
	var shapes [][]int
	for from := 0; from < n; from += batchSize {
		r, err := m.forward(rowsAll(xs, span(from, min(from+batchSize, n))), false)
		if err != nil {
			return nil, err
		}
		for k, y := range r.outputs(m) {
			if shapes == nil {
				shapes = make([][]int, len(m.outputs))
			}
			if shapes[k] == nil {
				shapes[k] = append([]int{n}, y.Shape()[1:]...)
			}
			outs[k] = append(outs[k], graph.Float64s(y)...)
		}
	}
	res := make([]*tensor.Dense, len(outs))
	for k := range outs {
		res[k] = graph.NewTensor(m.dt, shapes[k], outs[k])
	}
	return res, nil
}

// Evaluate returns the loss (with regularization penalties, as Keras) and
// the metrics on x, y, keyed "loss" and by metric name (see FitConfig for
// the names with several outputs): the means over batches weighted by batch
// size.
func (m *Model) Evaluate(x, y *tensor.Dense, batchSize int) (map[string]float64, error) {
	if err := m.one("Evaluate"); err != nil {
		return nil, err
	}
	return m.EvaluateMulti([]*tensor.Dense{x}, []*tensor.Dense{y}, batchSize)
}

// EvaluateMulti is Evaluate for a model of several inputs or outputs: xs
// holds one tensor per input node, ys one per output node.
func (m *Model) EvaluateMulti(xs, ys []*tensor.Dense, batchSize int) (map[string]float64, error) {
	names, vals, err := m.evaluate(xs, ys, batchSize)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for i, n := range names {
		out[n] = vals[i]
	}
	return out, nil
}

func (m *Model) evaluate(xs, ys []*tensor.Dense, batchSize int) ([]string, []float64, error) {
	if err := m.readyData(xs, ys); err != nil {
		return nil, nil, err
	}
	n := xs[0].Shape()[0]
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
		r, err := m.forward(rowsAll(xs, idx), false)
		if err != nil {
			return nil, nil, err
		}
		vals, _, err := m.lossValues(r, rowsAll(ys, idx), false)
		if err != nil {
			return nil, nil, err
		}
		vals[0] += wpen + r.activity
		acc.add(len(idx), vals)
	}
	return acc.names, acc.means(), nil
}

// readyData readies the model, its loss and the data xs, ys.
func (m *Model) readyData(xs, ys []*tensor.Dense) error {
	if err := m.ready(xs); err != nil {
		return err
	}
	if err := m.readyLoss(); err != nil {
		return err
	}
	return m.checkTargets(xs, ys)
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
