package layers

import (
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// AveragePooling1D is Keras' average pooling over the steps of a sequence:
//
//	y[b, t, c] = (1/n_t)·Σ_j x[b, t·strides + j - p, c]
//
// over the n_t window positions j whose step lies inside the input (p: the
// left padding of Padding, the same geometry as MaxPooling1D). With
// "valid" padding n_t is pool_size; with "same" the padding is left out of
// the mean, as TensorFlow's avg_pool (which Keras 2.2.4's pool2d calls with
// pool_mode "avg") counts only the real elements (Eigen's
// AvgPoolMeanReducer), Theano's backend uses mode "average_exc_pad", and
// Keras 3's backends divide by the count of real entries. The gradient is
// dx[b, s, c] = Σ_t dy[b, t, c]/n_t over the windows that hold step s. It
// has no weights and does not support masking, as in Keras 2.2.4.
type AveragePooling1D struct{ pool1D }

var averagePooling1DCount atomic.Int64

// NewAveragePooling1D returns an AveragePooling1D layer; a pool size or
// stride below 1, or an unknown padding or data format, is an error naming
// the argument.
func NewAveragePooling1D(cfg AveragePooling1DConfig) (*AveragePooling1D, error) {
	p, err := newPool1D("AveragePooling1D", "average_pooling1d", &averagePooling1DCount, cfg)
	if err != nil {
		return nil, err
	}
	return &AveragePooling1D{p}, nil
}

func init() {
	register("AveragePooling1D", AveragePooling1DConfig{}, func(cfg AveragePooling1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewAveragePooling1D(cfg)
	})
}

// Forward averages in[0], (batch, steps, channels), to (batch, out steps,
// channels).
func (a *AveragePooling1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, b, steps, ch, w, err := a.input(in, masks)
	if err != nil {
		return nil, err
	}
	// Output step t averages the input steps lo[t] ≤ s < hi[t]: its window
	// (w.src(t, j) for j < size) without the padding; never empty (a
	// "same" window always holds a real step).
	lo, hi := make([]int, w.out), make([]int, w.out)
	for t := range lo {
		start := t*w.stride - w.padLeft
		lo[t], hi[t] = max(start, 0), min(start+w.size, steps)
	}
	vals := graph.Float64s(x)
	y := make([]float64, b*w.out*ch)
	for bi := 0; bi < b; bi++ {
		for t := range lo {
			row := y[(bi*w.out+t)*ch : (bi*w.out+t+1)*ch]
			for s := lo[t]; s < hi[t]; s++ {
				for c := range row {
					row[c] += vals[(bi*steps+s)*ch+c]
				}
			}
			for c := range row {
				row[c] /= float64(hi[t] - lo[t])
			}
		}
	}
	out := []int{b, w.out, ch}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(x.Dtype(), out, y)}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("AveragePooling1D", a.cfg.Name, dOut, x.Dtype(), out)
			if err != nil {
				return nil, err
			}
			dyv := graph.Float64s(dy)
			dx := make([]float64, b*steps*ch)
			for bi := 0; bi < b; bi++ {
				for t := range lo {
					for s := lo[t]; s < hi[t]; s++ {
						for c := 0; c < ch; c++ {
							dx[(bi*steps+s)*ch+c] += dyv[(bi*w.out+t)*ch+c] / float64(hi[t]-lo[t])
						}
					}
				}
			}
			return []*tensor.Dense{graph.NewTensor(x.Dtype(), x.Shape(), dx)}, nil
		}
	}
	return pass, nil
}
