package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// returned lists the tensors the activity regularizer applies to: every
// tensor the layer returns.
func returned(o *Outputs) []*tensor.Dense {
	ts := []*tensor.Dense{o.Output}
	if o.H != nil {
		ts = append(ts, o.H, o.C)
	}
	return ts
}

func (l *LSTM) penalty(t *tensor.Dense) (*graph.Penalty, error) {
	key := fmt.Sprint(t.Shape())
	if p, ok := l.actPen[key]; ok {
		return p, nil
	}
	p, err := graph.NewPenalty(l.cfg.ActivityRegularizer, l.dt, t.Shape())
	if err != nil {
		return nil, fmt.Errorf("lstm: activity_regularizer: %w", err)
	}
	l.actPen[key] = p
	return p, nil
}

// activity computes the activity penalty of a call's outputs (Keras 2:
// summed over the batch, one term per returned tensor).
func (l *LSTM) activity(o *Outputs) error {
	l.actVal = 0
	if l.cfg.ActivityRegularizer == nil {
		return nil
	}
	for _, t := range returned(o) {
		p, err := l.penalty(t)
		if err != nil {
			return err
		}
		v, _, err := p.Eval(t)
		if err != nil {
			return err
		}
		l.actVal += v
	}
	return nil
}

// addActivityGrad adds the activity penalty's gradient to the output
// gradients d.
func (l *LSTM) addActivityGrad(o *Outputs, d *Outputs) error {
	if l.cfg.ActivityRegularizer == nil {
		return nil
	}
	dst := []**tensor.Dense{&d.Output, &d.H, &d.C}
	for i, t := range returned(o) {
		p, err := l.penalty(t)
		if err != nil {
			return err
		}
		_, g, err := p.Eval(t)
		if err != nil {
			return err
		}
		if *dst[i] == nil {
			*dst[i] = g
		} else {
			sum := (*dst[i]).Clone().(*tensor.Dense)
			graph.AddInto(sum, g)
			*dst[i] = sum
		}
	}
	return nil
}

// ActivityPenalty is the activity-regularizer penalty of the last Call
// (0 without an activity regularizer).
func (l *LSTM) ActivityPenalty() float64 { return l.actVal }
