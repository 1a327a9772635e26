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

// Metric scores predictions. As a Keras metric function, it gives the
// metric of each sample, or of each step of a sequence output; a model
// reduces them to the batch value with MaskedMean (with the output's mask,
// as Keras 2.2.4 masks metrics) and reports the sample-weighted mean of the
// batch values per epoch, under Name (and "val_"+Name on validation data).
type Metric interface {
	// Name is the name the metric was requested by, for example "mae".
	Name() string
	// Scores returns the metric of each sample (each step): targets y,
	// predictions yPred; one value per row of yPred's last axis,
	// row-major.
	Scores(y, yPred *tensor.Dense) ([]float64, error)
}

// lossMetric is a loss used as a metric.
type lossMetric struct {
	name string
	c    *Evaluator
}

// Name returns the Keras name of the loss used as a metric.
func (m *lossMetric) Name() string { return m.name }

// Scores returns the loss of each sample (step) of yPred against y,
// through a graph compiled once per dtype and shape.
func (m *lossMetric) Scores(y, yPred *tensor.Dense) ([]float64, error) {
	if m.c == nil || m.c.dt != yPred.Dtype() {
		loss, err := Get(m.name)
		if err != nil {
			return nil, err
		}
		m.c = NewEvaluator(loss, yPred.Dtype())
	}
	return m.c.Scores(y, yPred)
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

// Scores computes, per row of yPred's last axis, Keras 2.2's
// binary_accuracy (the mean over the row of y == round(p), round half to
// even), categorical_accuracy (argmax y == argmax p) or
// sparse_categorical_accuracy (y == argmax p), as 0 or 1 (binary: the
// fraction of the row).
func (m *accuracyMetric) Scores(y, yPred *tensor.Dense) ([]float64, error) {
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
	rows := len(p) / c
	out := make([]float64, rows)
	switch kind {
	case accBinary, accCategorical:
		if !slices.Equal(y.Shape(), ps) {
			return nil, fmt.Errorf("loss: %s: targets of shape %v for predictions of shape %v: want equal shapes", m.name, []int(y.Shape()), ps)
		}
		for r := range out {
			tr, pr := t[r*c:(r+1)*c], p[r*c:(r+1)*c]
			if kind == accCategorical {
				if argmax(tr) == argmax(pr) {
					out[r] = 1
				}
				continue
			}
			hit := 0.0
			for i := range pr {
				if math.RoundToEven(pr[i]) == tr[i] {
					hit++
				}
			}
			out[r] = hit / float64(c)
		}
		return out, nil
	}
	if len(t) != rows {
		return nil, fmt.Errorf("loss: %s: %d labels for %d prediction rows of shape %v", m.name, len(t), rows, ps)
	}
	for r := range out {
		if float64(argmax(p[r*c:(r+1)*c])) == t[r] {
			out[r] = 1
		}
	}
	return out, nil
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
