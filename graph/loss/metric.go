package loss

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// Metric scores predictions; a model reports the sample-weighted mean of
// its batch values per epoch, under Name (and "val_"+Name on validation
// data).
type Metric interface {
	// Name is the name the metric was requested by, for example "mae".
	Name() string
	// Value returns the metric of one batch: targets y, predictions yPred.
	Value(y, yPred *tensor.Dense) (float64, error)
}

// lossMetric is a loss used as a metric.
type lossMetric struct {
	name string
	c    *Evaluator
}

// Name returns the Keras name of the loss used as a metric.
func (m *lossMetric) Name() string { return m.name }

// Value returns the loss of yPred against y, through a graph built once per dtype.
func (m *lossMetric) Value(y, yPred *tensor.Dense) (float64, error) {
	if m.c == nil || m.c.dt != yPred.Dtype() {
		loss, err := Get(m.name)
		if err != nil {
			return 0, err
		}
		m.c = NewEvaluator(loss, yPred.Dtype())
	}
	v, _, err := m.c.Eval(y, yPred)
	return v, err
}

// accuracy kinds.
const (
	accAuto = iota
	accBinary
	accCategorical
	accSparse
)

type accuracyMetric struct {
	name string
	kind int
}

// Name returns the metric's name as it was asked for.
func (m *accuracyMetric) Name() string { return m.name }

// Value computes Keras 2.2's binary_accuracy (mean of y == round(p), round
// half to even), categorical_accuracy (argmax y == argmax p) or
// sparse_categorical_accuracy (y == argmax p).
func (m *accuracyMetric) Value(y, yPred *tensor.Dense) (float64, error) {
	kind := m.kind
	ps := []int(yPred.Shape())
	if kind == accAuto {
		switch {
		case !slices.Equal(y.Shape(), ps):
			kind = accSparse
		case ps[len(ps)-1] == 1:
			kind = accBinary
		default:
			kind = accCategorical
		}
	}
	t, p := graph.Float64s(y), graph.Float64s(yPred)
	c := ps[len(ps)-1]
	switch kind {
	case accBinary:
		if !slices.Equal(y.Shape(), ps) {
			return 0, fmt.Errorf("loss: %s: targets of shape %v for predictions of shape %v: want equal shapes", m.name, []int(y.Shape()), ps)
		}
		hit := 0.0
		for i := range p {
			if math.RoundToEven(p[i]) == t[i] {
				hit++
			}
		}
		return hit / float64(len(p)), nil
	case accCategorical:
		if !slices.Equal(y.Shape(), ps) {
			return 0, fmt.Errorf("loss: %s: targets of shape %v for predictions of shape %v: want equal shapes", m.name, []int(y.Shape()), ps)
		}
		rows, hit := len(p)/c, 0.0
		for r := 0; r < rows; r++ {
			if argmax(t[r*c:(r+1)*c]) == argmax(p[r*c:(r+1)*c]) {
				hit++
			}
		}
		return hit / float64(rows), nil
	}
	rows := len(p) / c
	if len(t) != rows {
		return 0, fmt.Errorf("loss: %s: %d labels for %d prediction rows of shape %v", m.name, len(t), rows, ps)
	}
	hit := 0.0
	for r := 0; r < rows; r++ {
		if float64(argmax(p[r*c:(r+1)*c])) == t[r] {
			hit++
		}
	}
	return hit / float64(rows), nil
}

// argmax returns the index of the first largest value.
func argmax(v []float64) int {
	k := 0
	for i := range v {
		if v[i] > v[k] {
			k = i
		}
	}
	return k
}

var accuracyKinds = map[string]int{
	"accuracy": accAuto, "acc": accAuto,
	"binary_accuracy":             accBinary,
	"categorical_accuracy":        accCategorical,
	"sparse_categorical_accuracy": accSparse,
}

// MetricNames returns the accepted metric names, sorted: every loss name
// and the accuracies.
func MetricNames() []string {
	names := Names()
	for n := range accuracyKinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// GetMetric returns the metric named name: any loss name of Get (the
// loss's value as a metric), "binary_accuracy", "categorical_accuracy",
// "sparse_categorical_accuracy", or "accuracy"/"acc", which a model
// resolves as Keras 2.2 does from its loss (binary_crossentropy or one
// output unit: binary; sparse_categorical_crossentropy: sparse; else
// categorical). Used alone, "accuracy" picks from the shapes: labels of
// another shape than the predictions: sparse; one unit: binary; else
// categorical.
func GetMetric(name string) (Metric, error) {
	if k, ok := accuracyKinds[name]; ok {
		return &accuracyMetric{name: name, kind: k}, nil
	}
	if _, ok := losses[name]; ok {
		return &lossMetric{name: name}, nil
	}
	return nil, fmt.Errorf("loss: unknown metric %q: accepted are %s", name, strings.Join(MetricNames(), ", "))
}

// ResolveMetric returns GetMetric(name) with "accuracy" bound to the kind
// Keras 2.2 picks for loss and output units.
func ResolveMetric(name string, loss Loss, units int) (Metric, error) {
	m, err := GetMetric(name)
	if err != nil {
		return nil, err
	}
	if a, ok := m.(*accuracyMetric); ok && a.kind == accAuto && loss != nil {
		switch ln := loss.Name(); {
		case ln == "binary_crossentropy" || units == 1:
			a.kind = accBinary
		case ln == "sparse_categorical_crossentropy":
			a.kind = accSparse
		default:
			a.kind = accCategorical
		}
	}
	return m, nil
}
