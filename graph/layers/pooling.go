package layers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// Pooling1DConfig configures a MaxPooling1D or AveragePooling1D layer
// with Keras 2.2.4's arguments (pool_size and strides are single numbers
// here; Keras writes them as one-element lists).
type Pooling1DConfig struct {
	// Name is the layer's name; empty gives "max_pooling1d_<n>" or
	// "average_pooling1d_<n>".
	Name string `json:"name,omitempty"`
	// PoolSize is the window length, at least 1 (0 means Keras' default 2).
	PoolSize int `json:"pool_size"`
	// Strides is the step between windows; 0 means PoolSize (Keras'
	// strides=None).
	Strides int `json:"strides"`
	// Padding is "valid" (the default) or "same" (output length
	// ⌈steps/strides⌉; padded steps never win the max and are left out of
	// the mean).
	Padding string `json:"padding"`
	// DataFormat is "channels_last" (the default; "" means it).
	DataFormat string `json:"data_format,omitempty"`
}

// MaxPooling1DConfig configures a MaxPooling1D layer.
type MaxPooling1DConfig = Pooling1DConfig

// AveragePooling1DConfig configures an AveragePooling1D layer.
type AveragePooling1DConfig = Pooling1DConfig

// pool1D is what MaxPooling1D and AveragePooling1D share: the arguments,
// the window geometry and the checks of Build and Forward.
type pool1D struct {
	class   string // "MaxPooling1D" or "AveragePooling1D"
	cfg     Pooling1DConfig
	inShape []int
}

// newPool1D checks cfg and fills in Keras' defaults; the name, when
// empty, is prefix_<count>.
func newPool1D(class, prefix string, count *atomic.Int64, cfg Pooling1DConfig) (pool1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("%s_%d", prefix, count.Add(1))
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
		return pool1D{}, fmt.Errorf("layers: %s %s: pool_size %d, strides %d: want at least 1", class, cfg.Name, cfg.PoolSize, cfg.Strides)
	}
	if err := checkPadding(class, cfg.Name, cfg.Padding, "valid", "same"); err != nil {
		return pool1D{}, err
	}
	if err := checkChannelsLast(class, cfg.Name, cfg.DataFormat); err != nil {
		return pool1D{}, err
	}
	return pool1D{class: class, cfg: cfg}, nil
}

// MaxPooling1D is Keras' max pooling over the steps of a sequence:
// y[b, t, c] = max_j x[b, t·strides + j - p, c] over the window's steps
// inside the input (p: the left padding of Padding). The gradient goes to
// the element that gave the max (the first one on ties), so dx is dy
// scattered to those positions. It has no weights and does not support
// masking, as in Keras 2.2.4. Pooling only moves values, so it is plain
// Go, checked by finite differences.
type MaxPooling1D struct{ pool1D }

var maxPooling1DCount atomic.Int64

// NewMaxPooling1D returns a MaxPooling1D layer; a pool size or stride
// below 1, or an unknown padding or data format, is an error naming the
// argument.
func NewMaxPooling1D(cfg MaxPooling1DConfig) (*MaxPooling1D, error) {
	p, err := newPool1D("MaxPooling1D", "max_pooling1d", &maxPooling1DCount, cfg)
	if err != nil {
		return nil, err
	}
	return &MaxPooling1D{p}, nil
}

// checkPadding returns an error naming the layer unless padding is one of
// accepted.
func checkPadding(class, name, padding string, accepted ...string) error {
	if slices.Contains(accepted, padding) {
		return nil
	}
	return fmt.Errorf("layers: %s %s: padding %q: want one of %q", class, name, padding, strings.Join(accepted, `", "`))
}

func init() {
	register("MaxPooling1D", MaxPooling1DConfig{}, func(cfg MaxPooling1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewMaxPooling1D(cfg)
	})
}

// Name returns the layer's name.
func (p *pool1D) Name() string { return p.cfg.Name }

// Type returns the class: "MaxPooling1D" or "AveragePooling1D".
func (p *pool1D) Type() string { return p.class }

// Config returns the Pooling1DConfig as JSON.
func (p *pool1D) Config() (json.RawMessage, error) { return json.Marshal(p.cfg) }

// Params returns nil: a pooling layer has no weights.
func (p *pool1D) Params() []*graph.Param { return nil }

// FreeShape leaves the steps open.
func (p *pool1D) FreeShape(example []int) []int {
	if len(example) != 2 {
		return example
	}
	return []int{graph.None, example[1]}
}

// Build checks that the one input is (steps, channels) and long enough.
func (p *pool1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 || len(in[0]) != 2 || (in[0][0] < 1 && in[0][0] != graph.None) || (in[0][1] < 1 && in[0][1] != graph.None) {
		return fmt.Errorf("layers: %s %s: inputs of shape %s: want one input (batch, steps, channels)", p.class, p.cfg.Name, formatShapes(in))
	}
	if _, err := p.window(in[0][0]); err != nil {
		return err
	}
	p.inShape = append([]int(nil), in[0]...)
	return nil
}

// window returns the pooling geometry for an input of steps (graph.None
// gives a window with out None).
func (p *pool1D) window(steps int) (window, error) {
	if steps == graph.None {
		return window{out: graph.None}, nil
	}
	w, err := newWindow(steps, p.cfg.PoolSize, p.cfg.Strides, 1, p.cfg.Padding)
	if err != nil {
		return w, fmt.Errorf("layers: %s %s: input of %d steps: %w", p.class, p.cfg.Name, steps, err)
	}
	return w, nil
}

// OutputShapes is (out steps, channels).
func (p *pool1D) OutputShapes() [][]int {
	if p.inShape == nil {
		return nil
	}
	w, _ := p.window(p.inShape[0])
	return [][]int{{w.out, p.inShape[1]}}
}

// input checks a Forward's input, (batch, steps, channels) without a mask,
// and returns it with its sizes and window.
func (p *pool1D) input(in, masks []*tensor.Dense) (x *tensor.Dense, b, steps, ch int, w window, err error) {
	x, mask, err := oneInput(p.class, p.cfg.Name, in, masks)
	if err != nil {
		return nil, 0, 0, 0, w, err
	}
	if err := noMask(p.class, p.cfg.Name, mask); err != nil {
		return nil, 0, 0, 0, w, err
	}
	if p.inShape == nil || !graph.FitsShape(x.Shape(), p.inShape) {
		return nil, 0, 0, 0, w, fmt.Errorf("layers: %s %s: input of shape %v: want %s", p.class, p.cfg.Name, []int(x.Shape()), graph.FormatShape(p.inShape))
	}
	b, steps, ch = x.Shape()[0], x.Shape()[1], x.Shape()[2]
	if w, err = p.window(steps); err != nil {
		return nil, 0, 0, 0, w, err
	}
	return x, b, steps, ch, w, nil
}

// Forward pools in[0], (batch, steps, channels), to (batch, out steps,
// channels).
func (m *MaxPooling1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, b, steps, ch, w, err := m.input(in, masks)
	if err != nil {
		return nil, err
	}
	vals := graph.Float64s(x)
	// src[i] is the input element that output element i takes.
	src := make([]int, b*w.out*ch)
	for bi := 0; bi < b; bi++ {
		for t := 0; t < w.out; t++ {
			for c := 0; c < ch; c++ {
				best := -1
				for j := 0; j < w.size; j++ {
					s := w.src(t, j)
					if s < 0 {
						continue
					}
					k := (bi*steps+s)*ch + c
					if best < 0 || vals[k] > vals[best] {
						best = k
					}
				}
				src[(bi*w.out+t)*ch+c] = best
			}
		}
	}
	y := gatherElems(x, src, []int{b, w.out, ch})
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("MaxPooling1D", m.cfg.Name, dOut, x.Dtype(), []int{b, w.out, ch})
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{scatterElems(dy, src, x.Shape())}, nil
		}
	}
	return pass, nil
}
