package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// dropoutMasks returns the multipliers of one call: none in inference or
// without rates; else Keras 2.2's inverted masks (keep/(1-rate)), four per
// active rate (implementation 2 uses the first), drawn from the layer's
// seeded source unless opt.Masks gives the keep masks.
func (l *LSTM) dropoutMasks(batch int, opt CallOptions) (*maskValues, error) {
	m := &maskValues{}
	if !opt.Training {
		return m, nil
	}
	n := 4
	if l.cfg.Implementation == 2 {
		n = 1
	}
	for _, path := range []struct {
		rate  float64
		width int
		name  string
		given *[4]*tensor.Dense
		dst   *[4]*tensor.Dense
	}{
		{l.cfg.Dropout, l.inputDim, "input", maskField(opt.Masks, true), &m.x},
		{l.cfg.RecurrentDropout, l.cfg.Units, "recurrent", maskField(opt.Masks, false), &m.h},
	} {
		if path.rate <= 0 {
			continue
		}
		scale := 1 / (1 - path.rate)
		for k := 0; k < 4; k++ {
			var keep []float64
			if path.given != nil {
				t := path.given[k]
				if k >= n {
					continue
				}
				if t == nil || !sameShape(t.Shape(), batch, path.width) || !isFloat(t.Dtype()) {
					return nil, fmt.Errorf("lstm: %s dropout mask %d: want a (%d, %d) float32 or float64 tensor of keep values (1 keep, 0 drop)", path.name, k, batch, path.width)
				}
				keep = graph.Float64s(graph.Contiguous(t))
			} else {
				// Keras draws four masks whatever the implementation.
				keep = make([]float64, batch*path.width)
				for i := range keep {
					if l.rng.Float64() >= path.rate {
						keep[i] = 1
					}
				}
				if k >= n {
					continue
				}
			}
			for i := range keep {
				keep[i] *= scale
			}
			path.dst[k] = graph.NewTensor(l.dt, []int{batch, path.width}, keep)
		}
	}
	return m, nil
}

// maskField returns the given masks of one path, or nil when none is given.
func maskField(m *DropoutMasks, input bool) *[4]*tensor.Dense {
	if m == nil {
		return nil
	}
	a := &m.Recurrent
	if input {
		a = &m.Input
	}
	for _, t := range a {
		if t != nil {
			return a
		}
	}
	return nil
}
