package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// activityPenalty applies an activity regularizer to the tensors a layer
// returns (Keras 2: one term per returned tensor, each summed over the
// batch, not divided by its size). It keeps one compiled penalty per dtype
// and shape.
type activityPenalty struct {
	reg  graph.Regularizer // nil: none
	pens *graph.ProgramCache[penaltyKey, *graph.Penalty]
}

// penaltyKey is the dtype and shape (rank 2 or 3: the layer's outputs) a
// penalty is compiled for.
type penaltyKey struct {
	dt   tensor.Dtype
	rank int
	dims [3]int
}

func newActivityPenalty(reg graph.Regularizer) *activityPenalty {
	a := &activityPenalty{reg: reg}
	a.pens = graph.NewProgramCache(func(k penaltyKey) (*graph.Penalty, error) {
		p, err := graph.NewPenalty(a.reg, k.dt, k.dims[:k.rank])
		if err != nil {
			return nil, fmt.Errorf("lstm: activity_regularizer: %w", err)
		}
		return p, nil
	}, nil)
	return a
}

// eval returns the penalty of t and its gradient, with a compiled penalty
// of t's dtype and shape taken from the cache for the time of the run.
func (a *activityPenalty) eval(t *tensor.Dense) (float64, *tensor.Dense, error) {
	s := t.Shape()
	if len(s) > 3 {
		return 0, nil, fmt.Errorf("lstm: activity_regularizer on a tensor of shape %v", s)
	}
	key := penaltyKey{dt: t.Dtype(), rank: len(s)}
	copy(key.dims[:], s)
	p, put, err := a.pens.Get(key)
	if err != nil {
		return 0, nil, err
	}
	defer put()
	return p.Eval(t)
}

// value is the penalty of the returned tensors ts (0 without a
// regularizer).
func (a *activityPenalty) value(ts []*tensor.Dense) (float64, error) {
	if a.reg == nil {
		return 0, nil
	}
	sum := 0.0
	for _, t := range ts {
		v, _, err := a.eval(t)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

// addGrad adds the penalty's gradient with respect to ts[i] to *ds[i] (a
// nil *ds[i] counts as zeros; the tensor it points to is not changed).
func (a *activityPenalty) addGrad(ts []*tensor.Dense, ds []**tensor.Dense) error {
	if a.reg == nil {
		return nil
	}
	for i, t := range ts {
		_, g, err := a.eval(t)
		if err != nil {
			return err
		}
		if *ds[i] == nil {
			*ds[i] = g
		} else {
			sum := (*ds[i]).Clone().(*tensor.Dense)
			graph.AddInto(sum, g)
			*ds[i] = sum
		}
	}
	return nil
}

// returned lists the tensors the activity regularizer applies to: every
// tensor the layer returns.
func returned(o *Outputs) []*tensor.Dense {
	ts := []*tensor.Dense{o.Output}
	if o.H != nil {
		ts = append(ts, o.H, o.C)
	}
	return ts
}

// ActivityPenalty is the activity-regularizer penalty of the last Call
// (0 without an activity regularizer).
func (l *LSTM) ActivityPenalty() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.actVal
}
