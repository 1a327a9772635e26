package graph

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"gorgonia.org/tensor"
)

// DropoutConfig configures a Dropout layer.
type DropoutConfig struct {
	// Name is the layer's name; empty gives "dropout_<n>".
	Name string `json:"name,omitempty"`
	// Rate is the fraction of inputs set to zero in training, in [0, 1).
	Rate float64 `json:"rate"`
	// Seed seeds the masks (NewRNG(Seed), one draw per element and batch).
	Seed uint64 `json:"seed"`
}

// Dropout is Keras' inverted dropout: in training each element is kept
// with probability 1-rate and scaled by 1/(1-rate), so y = x·m/(1-rate)
// with m ~ Bernoulli(1-rate); in inference y = x. It has no weights; its
// gradient is dy·m/(1-rate), computed directly (no graph is needed for a
// fixed mask).
type Dropout struct {
	cfg     DropoutConfig
	rng     *rand.Rand
	inShape []int
	scale   []float64 // m/(1-rate) of the last training Forward
}

var dropoutCount atomic.Int64

// NewDropout returns a Dropout layer; rate outside [0, 1) is an error.
func NewDropout(cfg DropoutConfig) (*Dropout, error) {
	if !(cfg.Rate >= 0 && cfg.Rate < 1) {
		return nil, fmt.Errorf("graph: Dropout rate %v: want a value in [0, 1)", cfg.Rate)
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("dropout_%d", dropoutCount.Add(1))
	}
	return &Dropout{cfg: cfg, rng: NewRNG(cfg.Seed)}, nil
}

func init() {
	RegisterLayer("Dropout", func(name string, config json.RawMessage) (Layer, error) {
		var cfg DropoutConfig
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("graph: Dropout config: %w", err)
		}
		cfg.Name = name
		return NewDropout(cfg)
	})
}

// Name returns the layer's name.
func (d *Dropout) Name() string { return d.cfg.Name }

// Type returns "Dropout".
func (d *Dropout) Type() string { return "Dropout" }

// Config returns the DropoutConfig as JSON.
func (d *Dropout) Config() (json.RawMessage, error) { return json.Marshal(d.cfg) }

// Build records the input shape; the mask source restarts from Seed.
func (d *Dropout) Build(inShape []int, dt tensor.Dtype) error {
	if err := CheckDtype(dt); err != nil {
		return err
	}
	d.inShape = append([]int(nil), inShape...)
	d.rng = NewRNG(d.cfg.Seed)
	return nil
}

// OutputShape equals the input shape.
func (d *Dropout) OutputShape() []int { return append([]int(nil), d.inShape...) }

// Params returns nil: Dropout has no weights.
func (d *Dropout) Params() []*Param { return nil }

// ActivityPenalty returns 0.
func (d *Dropout) ActivityPenalty() float64 { return 0 }

// Forward applies a fresh mask in training and is the identity otherwise.
func (d *Dropout) Forward(x *tensor.Dense, training bool) (*tensor.Dense, error) {
	if !training || d.cfg.Rate == 0 {
		d.scale = nil
		return x.Clone().(*tensor.Dense), nil
	}
	xs := Float64s(x)
	d.scale = make([]float64, len(xs))
	keep := 1 - d.cfg.Rate
	for i := range xs {
		if d.rng.Float64() < keep {
			d.scale[i] = 1 / keep
		}
		xs[i] *= d.scale[i]
	}
	return NewDense(x.Dtype(), x.Shape(), xs), nil
}

// Backward returns dy·m/(1-rate) for the last training Forward's mask.
func (d *Dropout) Backward(dy *tensor.Dense) (*tensor.Dense, error) {
	if d.scale == nil {
		return dy.Clone().(*tensor.Dense), nil
	}
	g := Float64s(dy)
	if len(g) != len(d.scale) {
		return nil, fmt.Errorf("graph: Dropout %s: gradient of %d values for a forward of %d", d.cfg.Name, len(g), len(d.scale))
	}
	for i := range g {
		g[i] *= d.scale[i]
	}
	return NewDense(dy.Dtype(), dy.Shape(), g), nil
}
