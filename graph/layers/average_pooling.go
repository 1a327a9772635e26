package layers

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// AveragePooling1DConfig configures an AveragePooling1D layer with Keras
// 2.2.4's arguments (pool_size and strides are single numbers here; Keras
// writes them as one-element lists).
type AveragePooling1DConfig struct {
	// Name is the layer's name; empty gives "average_pooling1d_<n>".
	Name string `json:"name,omitempty"`
	// PoolSize is the window length, at least 1 (0 means Keras' default 2).
	PoolSize int `json:"pool_size"`
	// Strides is the step between windows; 0 means PoolSize (Keras'
	// strides=None).
	Strides int `json:"strides"`
	// Padding is "valid" (the default) or "same" (output length
	// ⌈steps/strides⌉; each mean is over the window's steps inside the
	// input only).
	Padding string `json:"padding"`
	// DataFormat is "channels_last" (the default; "" means it).
	DataFormat string `json:"data_format,omitempty"`
}

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
type AveragePooling1D struct {
	cfg     AveragePooling1DConfig
	inShape []int
}

var averagePooling1DCount atomic.Int64

// NewAveragePooling1D returns an AveragePooling1D layer; a pool size or
// stride below 1, or an unknown padding or data format, is an error naming
// the argument.
func NewAveragePooling1D(cfg AveragePooling1DConfig) (*AveragePooling1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("average_pooling1d_%d", averagePooling1DCount.Add(1))
	}
	if cfg.PoolSize == 0 {
		cfg.PoolSize = 2
	}
	if cfg.Strides == 0 {
		cfg.Strides = cfg.PoolSize
	}
	if cfg.Padding == "" {
		cfg.Padding = "valid"
	}
	if cfg.DataFormat == "" {
		cfg.DataFormat = "channels_last"
	}
	if cfg.PoolSize < 1 || cfg.Strides < 1 {
		return nil, fmt.Errorf("layers: AveragePooling1D %s: pool_size %d, strides %d: want at least 1", cfg.Name, cfg.PoolSize, cfg.Strides)
	}
	if err := checkPadding("AveragePooling1D", cfg.Name, cfg.Padding, "valid", "same"); err != nil {
		return nil, err
	}
	if err := checkChannelsLast("AveragePooling1D", cfg.Name, cfg.DataFormat); err != nil {
		return nil, err
	}
	return &AveragePooling1D{cfg: cfg}, nil
}

func init() {
	register("AveragePooling1D", AveragePooling1DConfig{}, func(cfg AveragePooling1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewAveragePooling1D(cfg)
	})
}

// Name returns the layer's name.
func (a *AveragePooling1D) Name() string { return a.cfg.Name }

// Type returns "AveragePooling1D".
func (a *AveragePooling1D) Type() string { return "AveragePooling1D" }

// Config returns the AveragePooling1DConfig as JSON.
func (a *AveragePooling1D) Config() (json.RawMessage, error) { return json.Marshal(a.cfg) }

// Params returns nil: AveragePooling1D has no weights.
func (a *AveragePooling1D) Params() []*graph.Param { return nil }

// FreeShape leaves the steps open.
func (a *AveragePooling1D) FreeShape(example []int) []int {
	if len(example) != 2 {
		return example
	}
	return []int{graph.None, example[1]}
}

// Build checks that the one input is (steps, channels) and long enough.
func (a *AveragePooling1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) != 2 || (in[0][0] < 1 && in[0][0] != graph.None) || (in[0][1] < 1 && in[0][1] != graph.None) {
		return fmt.Errorf("layers: AveragePooling1D %s: inputs of shape %s: want one input (batch, steps, channels)", a.cfg.Name, formatShapes(in))
	}
	if _, err := a.window(in[0][0]); err != nil {
		return err
	}
	a.inShape = append([]int(nil), in[0]...)
	return nil
}

// window returns the pooling geometry for an input of steps (graph.None
// gives a window with out None).
func (a *AveragePooling1D) window(steps int) (window, error) {
	if steps == graph.None {
		return window{out: graph.None}, nil
	}
	w, err := newWindow(steps, a.cfg.PoolSize, a.cfg.Strides, 1, a.cfg.Padding)
	if err != nil {
		return w, fmt.Errorf("layers: AveragePooling1D %s: input of %d steps: %w", a.cfg.Name, steps, err)
	}
	return w, nil
}

// OutputShapes is (out steps, channels).
func (a *AveragePooling1D) OutputShapes() [][]int {
	if a.inShape == nil {
		return nil
	}
	w, _ := a.window(a.inShape[0])
	return [][]int{{w.out, a.inShape[1]}}
}

// Forward pools in[0], (batch, steps, channels), to (batch, out steps,
// channels).
func (a *AveragePooling1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("AveragePooling1D", a.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask("AveragePooling1D", a.cfg.Name, mask); err != nil {
		return nil, err
	}
	if a.inShape == nil || !graph.FitsShape(x.Shape(), a.inShape) {
		return nil, fmt.Errorf("layers: AveragePooling1D %s: input of shape %v: want %s", a.cfg.Name, []int(x.Shape()), graph.FormatShape(a.inShape))
	}
	b, steps, ch := x.Shape()[0], x.Shape()[1], x.Shape()[2]
	w, err := a.window(steps)
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
