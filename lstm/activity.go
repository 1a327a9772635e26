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
	pens map[string]*graph.Penalty
}

func newActivityPenalty(reg graph.Regularizer) *activityPenalty {
	return &activityPenalty{reg: reg, pens: map[string]*graph.Penalty{}}
}

func (a *activityPenalty) penalty(t *tensor.Dense) (*graph.Penalty, error) {
	key := fmt.Sprint(t.Dtype(), t.Shape())
	if p, ok := a.pens[key]; ok {
		return p, nil
	}
	p, err := graph.NewPenalty(a.reg, t.Dtype(), t.Shape())
	if err != nil {
		return nil, fmt.Errorf("lstm: activity_regularizer: %w", err)
	}
	a.pens[key] = p
	return p, nil
}

// value is the penalty of the returned tensors ts (0 without a
// regularizer).
func (a *activityPenalty) value(ts []*tensor.Dense) (float64, error) {
	if a.reg == nil {
		return 0, nil
	}
	sum := 0.0
	for _, t := range ts {
		p, err := a.penalty(t)
		if err != nil {
			return 0, err
		}
		v, _, err := p.Eval(t)
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
		p, err := a.penalty(t)
		if err != nil {
			return err
		}
		_, g, err := p.Eval(t)
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
