package layers

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TimeDistributed applies a layer to every timestep of a sequence, as
// Keras' TimeDistributed(layer): an input (batch, timesteps, d...) is
// folded to (batch·timesteps, d...), given to the inner layer, and its
// output (batch·timesteps, e...) unfolded to (batch, timesteps, e...). The
// inner layer's weights are shared by all timesteps; the gradients are the
// inner layer's, unfolded the same way. The inner layer takes one input
// and gives one output; a mask passes through to the output and is not
// given to the inner layer, as in Keras.
//
// The inner layer's weights are the wrapper's: Params returns them named
// "<wrapper name>/<weight>" (time_distributed_1/kernel), as Keras names
// them in model files.
type TimeDistributed struct {
	name    string
	inner   graph.Layer
	inShape []int
}

// TimeDistributedConfig is the saved form of a TimeDistributed layer: its
// name and the inner layer's type, name and Config.
type TimeDistributedConfig struct {
	Name  string      `json:"name,omitempty"`
	Layer LayerConfig `json:"layer"`
}

// LayerConfig describes a layer inside another one (Keras'
// {"class_name", "config"}): its registered type, its name and its Config.
type LayerConfig struct {
	ClassName string          `json:"class_name"`
	Name      string          `json:"name"`
	Config    json.RawMessage `json:"config"`
}

var timeDistributedCount atomic.Int64

// NewTimeDistributed wraps inner, an unbuilt layer of one input and one
// output, under the given name (empty: "time_distributed_<n>").
func NewTimeDistributed(name string, inner graph.Layer) (*TimeDistributed, error) {
	if name == "" {
		name = fmt.Sprintf("time_distributed_%d", timeDistributedCount.Add(1))
	}
	if inner == nil {
		return nil, fmt.Errorf("layers: TimeDistributed %s: nil inner layer", name)
	}
	return &TimeDistributed{name: name, inner: inner}, nil
}

func init() {
	graph.RegisterLayer("TimeDistributed", func(name string, config json.RawMessage) (graph.Layer, error) {
		var cfg TimeDistributedConfig
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("layers: TimeDistributed config: %w", err)
		}
		inner, err := graph.NewLayer(cfg.Layer.ClassName, cfg.Layer.Name, cfg.Layer.Config)
		if err != nil {
			return nil, fmt.Errorf("layers: TimeDistributed %s: %w", name, err)
		}
		return NewTimeDistributed(name, inner)
	})
}

// Name returns the layer's name.
func (t *TimeDistributed) Name() string { return t.name }

// Type returns "TimeDistributed".
func (t *TimeDistributed) Type() string { return "TimeDistributed" }

// Inner returns the wrapped layer.
func (t *TimeDistributed) Inner() graph.Layer { return t.inner }

// Config returns the TimeDistributedConfig as JSON.
func (t *TimeDistributed) Config() (json.RawMessage, error) {
	c, err := t.inner.Config()
	if err != nil {
		return nil, fmt.Errorf("layers: TimeDistributed %s: %w", t.name, err)
	}
	return json.Marshal(TimeDistributedConfig{Name: t.name,
		Layer: LayerConfig{ClassName: t.inner.Type(), Name: t.inner.Name(), Config: c}})
}

// Build builds the inner layer for one timestep, (d...), of the one input
// (timesteps, d...), and names its weights after the wrapper.
func (t *TimeDistributed) Build(in [][]int, dt tensor.Dtype) error {
	if err := t.checkInput(in); err != nil {
		return err
	}
	if err := t.inner.Build([][]int{in[0][1:]}, dt); err != nil {
		return fmt.Errorf("layers: TimeDistributed %s: %w", t.name, err)
	}
	if n := len(t.inner.OutputShapes()); n != 1 {
		return fmt.Errorf("layers: TimeDistributed %s: inner layer %s (%s) has %d outputs: want 1", t.name, t.inner.Name(), t.inner.Type(), n)
	}
	for _, p := range t.inner.Params() {
		p.Name = t.weightName(p.Name)
	}
	t.inShape = append([]int(nil), in[0]...)
	return nil
}

// checkInput checks the input shapes given to Build.
func (t *TimeDistributed) checkInput(in [][]int) error {
	if len(in) != 1 || len(in[0]) < 2 {
		return fmt.Errorf("layers: TimeDistributed %s: inputs of shape %s: want one input of at least (batch, timesteps, features)", t.name, formatShapes(in))
	}
	return nil
}

// weightName renames a weight of the inner layer after the wrapper.
func (t *TimeDistributed) weightName(name string) string {
	return t.name + "/" + strings.TrimPrefix(name, t.inner.Name()+"/")
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): the inner layer's for one
// timestep, named after the wrapper. It is an error when the inner layer
// cannot tell them (it does not implement graph.ParamShaper).
func (t *TimeDistributed) ParamShapes(in [][]int) (map[string][]int, error) {
	if err := t.checkInput(in); err != nil {
		return nil, err
	}
	ps, ok := t.inner.(graph.ParamShaper)
	if !ok {
		return nil, fmt.Errorf("layers: TimeDistributed %s: inner layer %s (%s) does not tell its weights' shapes before it is built (graph.ParamShaper)", t.name, t.inner.Name(), t.inner.Type())
	}
	inner, err := ps.ParamShapes([][]int{in[0][1:]})
	if err != nil {
		return nil, fmt.Errorf("layers: TimeDistributed %s: %w", t.name, err)
	}
	shapes := make(map[string][]int, len(inner))
	for name, s := range inner {
		shapes[t.weightName(name)] = s
	}
	return shapes, nil
}

// OutputShapes is (timesteps, e...) for the inner layer's output (e...).
func (t *TimeDistributed) OutputShapes() [][]int {
	if t.inShape == nil {
		return nil
	}
	return [][]int{append([]int{t.inShape[0]}, t.inner.OutputShapes()[0]...)}
}

// Params returns the inner layer's weights.
func (t *TimeDistributed) Params() []*graph.Param { return t.inner.Params() }

// FreeShape leaves the timesteps open: a model built from data takes
// sequences of any length.
func (t *TimeDistributed) FreeShape(example []int) []int {
	out := append([]int(nil), example...)
	if len(out) > 0 {
		out[0] = graph.None
	}
	return out
}

// SetProgramCacheSize sets the inner layer's cache size, when it keeps
// compiled programs.
func (t *TimeDistributed) SetProgramCacheSize(n int) error {
	if s, ok := t.inner.(graph.ProgramCacheSizer); ok {
		return s.SetProgramCacheSize(n)
	}
	return nil
}

// Forward runs the inner layer on every timestep at once.
func (t *TimeDistributed) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("TimeDistributed", t.name, in, masks)
	if err != nil {
		return nil, err
	}
	if t.inShape == nil || !graph.FitsShape(x.Shape(), t.inShape) {
		return nil, fmt.Errorf("layers: TimeDistributed %s: input of shape %v: want %s", t.name, []int(x.Shape()), graph.FormatShape(t.inShape))
	}
	xs := []int(x.Shape())
	b, steps := xs[0], xs[1]
	xv, err := reshaped(x, append([]int{b * steps}, xs[2:]...))
	if err != nil {
		return nil, err
	}
	p, err := t.inner.Forward([]*tensor.Dense{xv}, nil, training)
	if err != nil {
		return nil, fmt.Errorf("layers: TimeDistributed %s: %w", t.name, err)
	}
	if len(p.Outputs) != 1 {
		return nil, fmt.Errorf("layers: TimeDistributed %s: inner layer gave %d outputs: want 1", t.name, len(p.Outputs))
	}
	ys := []int(p.Outputs[0].Shape())
	y, err := reshaped(p.Outputs[0], append([]int{b, steps}, ys[1:]...))
	if err != nil {
		return nil, err
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}, ActivityPenalty: p.ActivityPenalty}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("TimeDistributed", t.name, dOut, y.Dtype(), y.Shape())
			if err != nil {
				return nil, err
			}
			if dy, err = reshaped(dy, ys); err != nil {
				return nil, err
			}
			g, err := p.Backward([]*tensor.Dense{dy}, needIn)
			if err != nil {
				return nil, fmt.Errorf("layers: TimeDistributed %s: %w", t.name, err)
			}
			if len(g) != 1 || g[0] == nil {
				return []*tensor.Dense{nil}, nil
			}
			dx, err := reshaped(g[0], xs)
			if err != nil {
				return nil, err
			}
			return []*tensor.Dense{dx}, nil
		}
	}
	return pass, nil
}

// reshaped returns x's values viewed in another shape of the same size,
// without changing x.
func reshaped(x *tensor.Dense, shape []int) (*tensor.Dense, error) {
	v := graph.Contiguous(x).ShallowClone()
	if err := v.Reshape(shape...); err != nil {
		return nil, err
	}
	return v, nil
}
