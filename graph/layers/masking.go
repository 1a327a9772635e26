package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// MaskingConfig configures a Masking layer with Keras 2.2.4's argument.
type MaskingConfig struct {
	// Name is the layer's name; empty gives "masking_<n>".
	Name string `json:"name,omitempty"`
	// MaskValue marks padding: a timestep whose features all equal it is
	// masked (Keras' default 0.0).
	MaskValue float64 `json:"mask_value"`
}

// Masking is Keras' Masking layer: for an input x of shape (batch,
// timesteps, features) it computes the mask
//
//	m[b, t] = any_f(x[b, t, f] ≠ mask_value)
//
// that the layers after it honour (an LSTM skips the masked steps, the
// loss leaves them out), and outputs y = x ⊙ m (m broadcast over the
// features), so a masked step is all zeros. y = x ⊙ m is a compiled
// Gorgonia graph and its gradient dy ⊙ m comes from Gorgonia's autodiff
// (the graph of Dropout, with m in place of the dropout scale); m itself
// takes no gradient, as K.not_equal has none. A mask given with the input
// is replaced by the layer's own, as in Keras.
type Masking struct {
	cfg     MaskingConfig
	inShape []int
	progs   *graph.ProgramCache[tensorKey, *dropoutGraph]
}

var maskingCount atomic.Int64

var (
	_ graph.Layer             = (*Masking)(nil)
	_ graph.LengthFree        = (*Masking)(nil)
	_ graph.ProgramCacheSizer = (*Masking)(nil)
)

// NewMasking returns a Masking layer. A NaN mask_value is an error: NaN
// equals nothing, so no step would ever be masked.
func NewMasking(cfg MaskingConfig) (*Masking, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("masking_%d", maskingCount.Add(1))
	}
	if math.IsNaN(cfg.MaskValue) {
		return nil, fmt.Errorf("layers: Masking %s: mask_value NaN: NaN equals nothing, so no step would be masked; pad with a number", cfg.Name)
	}
	m := &Masking{cfg: cfg}
	m.progs = graph.NewProgramCache(func(k tensorKey) (*dropoutGraph, error) {
		return newDropoutGraph(k.dt, k.shape())
	}, func(dg *dropoutGraph) { dg.fwd.Close(); dg.bwd.Close() })
	return m, nil
}

func init() {
	register("Masking", MaskingConfig{}, func(cfg MaskingConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewMasking(cfg)
	})
}

// Name returns the layer's name.
func (m *Masking) Name() string { return m.cfg.Name }

// Type returns "Masking".
func (m *Masking) Type() string { return "Masking" }

// Config returns the MaskingConfig as JSON.
func (m *Masking) Config() (json.RawMessage, error) { return json.Marshal(m.cfg) }

// Params returns nil: Masking has no weights.
func (m *Masking) Params() []*graph.Param { return nil }

// SetProgramCacheSize sets how many compiled graphs (one per input shape)
// the layer keeps; see graph.ProgramCache.
func (m *Masking) SetProgramCacheSize(n int) error { return m.progs.SetCapacity(n) }

// FreeShape leaves the timesteps of a (timesteps, features) input open.
func (m *Masking) FreeShape(example []int) []int {
	out := append([]int(nil), example...)
	if len(out) > 1 {
		out[0] = graph.None
	}
	return out
}

// Build records the per-sample shape of the one input: (timesteps,
// features), timesteps graph.None for any length (any rank of at least 1
// is taken; the mask is over the last axis).
func (m *Masking) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 {
		return fmt.Errorf("layers: Masking %s: %d inputs: want 1", m.cfg.Name, len(in))
	}
	s := in[0]
	if len(s) < 1 || s[len(s)-1] < 1 {
		return fmt.Errorf("layers: Masking %s: input shape %s: want (batch, timesteps, features), features fixed", m.cfg.Name, graph.FormatShape(s))
	}
	m.inShape = append([]int(nil), s...)
	m.progs.Clear()
	return nil
}

// OutputShapes is the input shape.
func (m *Masking) OutputShapes() [][]int {
	if m.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), m.inShape...)}
}

// Forward returns x ⊙ m and the mask m (shape: x's without its last axis).
func (m *Masking) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, _, err := oneInput("Masking", m.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if m.inShape == nil {
		return nil, fmt.Errorf("layers: Masking %s: Forward before Build", m.cfg.Name)
	}
	xs := []int(x.Shape())
	if err := graph.CheckDtype(x.Dtype()); err != nil || !graph.FitsShape(xs, m.inShape) {
		return nil, fmt.Errorf("layers: Masking %s: input %v of shape %v: want float32 or float64 of shape %s", m.cfg.Name, x.Dtype(), xs, graph.FormatShape(m.inShape))
	}
	vals := graph.Float64s(x)
	mv := m.cfg.MaskValue
	if x.Dtype() == tensor.Float32 {
		mv = float64(float32(mv)) // compared in the input's dtype, as Keras casts mask_value
	}
	f := xs[len(xs)-1]
	keep := make([]bool, len(vals)/f)
	scale := make([]float64, len(vals))
	for r := range keep {
		for _, v := range vals[r*f : (r+1)*f] {
			if v != mv {
				keep[r] = true
				break
			}
		}
		if keep[r] {
			for j := r * f; j < (r+1)*f; j++ {
				scale[j] = 1
			}
		}
	}
	s := graph.NewTensor(x.Dtype(), xs, scale)
	y, err := scaled(m.progs, x, s)
	if err != nil {
		return nil, fmt.Errorf("layers: Masking %s: %w", m.cfg.Name, err)
	}
	pass := &graph.Pass{
		Outputs: []*tensor.Dense{y},
		Masks:   []*tensor.Dense{tensor.New(tensor.WithShape(xs[:len(xs)-1]...), tensor.WithBacking(keep))},
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dx, err := scaledGrad(m.progs, s, dOut)
			if err != nil {
				return nil, fmt.Errorf("layers: Masking %s: %w", m.cfg.Name, err)
			}
			return []*tensor.Dense{dx}, nil
		}
	}
	return pass, nil
}
