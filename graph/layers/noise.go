package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// This file holds Keras 2.2.4's noise layers (keras/layers/noise.py):
// GaussianNoise, GaussianDropout and AlphaDropout, and ActivityRegularization
// (keras/layers/core.py). The noise layers are the identity in inference;
// in training each draws fresh noise from its seeded source for every
// batch, y = s ⊙ x + c element by element, and Backward returns dy ⊙ s with
// the s of that Forward. Plain Go, checked by finite differences with the
// noise held fixed. All of them pass a mask on, as Keras 2.2.4's
// (supports_masking = True), and have no weights.

// noiseLayer is what the noise layers share: one input of any shape, the
// seeded stream (restarted from the seed by Build, and saved with the
// training state as graph.RandomStream, as Dropout's), and
// draw, which returns s and c for a training batch of shape xs (a nil s
// means 1, a nil c 0), or nil, nil for the identity.
type noiseLayer struct {
	class, name string
	seed        uint64
	src         *rand.PCG  // the noise's stream (its state is saved, see RandomState)
	rng         *rand.Rand // draws from src
	inShape     []int
	draw        func(xs []int) (s, c []float64, err error)
}

// restart starts the noise's stream from the seed.
func (n *noiseLayer) restart() {
	n.src = graph.NewPCG(n.seed)
	n.rng = rand.New(n.src)
}

// RandomState returns the state of the noise's stream
// (graph.RandomStream), which model.Save keeps so that resumed training
// draws what it would have drawn.
func (n *noiseLayer) RandomState() ([]byte, error) { return graph.PCGStates(n.src) }

// SetRandomState restores the noise's stream from a RandomState.
func (n *noiseLayer) SetRandomState(state []byte) error {
	if err := graph.SetPCGStates(state, n.src); err != nil {
		return fmt.Errorf("layers: %s %s: %w", n.class, n.name, err)
	}
	return nil
}

// Name returns the layer's name.
func (n *noiseLayer) Name() string { return n.name }

// Type returns the layer's Keras class name.
func (n *noiseLayer) Type() string { return n.class }

// Params returns nil: the layer has no weights.
func (n *noiseLayer) Params() []*graph.Param { return nil }

// Build records the shape of the one input, of any rank; the noise source
// restarts from the seed.
func (n *noiseLayer) Build(in [][]int, dt tensor.Dtype) error {
	s, err := anyShape(n.class, n.name, in, dt)
	if err != nil {
		return err
	}
	n.inShape = s
	n.restart()
	return nil
}

// OutputShapes is the input shape.
func (n *noiseLayer) OutputShapes() [][]int {
	if n.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), n.inShape...)}
}

// Forward returns s ⊙ x + c with fresh noise in training and x otherwise;
// a mask passes on.
func (n *noiseLayer) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := checkedInput(n.class, n.name, n.inShape, in, masks)
	if err != nil {
		return nil, err
	}
	xs := []int(x.Shape())
	var s, c []float64
	if training {
		if s, c, err = n.draw(xs); err != nil {
			return nil, err
		}
	}
	pass := &graph.Pass{}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if s == nil && c == nil {
		pass.Outputs = []*tensor.Dense{x.Clone().(*tensor.Dense)}
	} else {
		y := graph.Float64s(x)
		for i := range y {
			if s != nil {
				y[i] *= s[i]
			}
			if c != nil {
				y[i] += c[i]
			}
		}
		pass.Outputs = []*tensor.Dense{graph.NewTensor(x.Dtype(), xs, y)}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad(n.class, n.name, dOut, x.Dtype(), xs)
			if err != nil {
				return nil, err
			}
			if s == nil {
				return []*tensor.Dense{dy.Clone().(*tensor.Dense)}, nil
			}
			g := graph.Float64s(dy)
			for i := range g {
				g[i] *= s[i]
			}
			return []*tensor.Dense{graph.NewTensor(x.Dtype(), xs, g)}, nil
		}
	}
	return pass, nil
}

// normals returns k draws of N(mean, stddev²) from rng.
func normals(rng *rand.Rand, k int, mean, stddev float64) []float64 {
	v := make([]float64, k)
	for i := range v {
		v[i] = mean + stddev*rng.NormFloat64()
	}
	return v
}

// checkRate returns an error naming the layer and the argument unless rate
// is in [0, 1).
func checkRate(class, name, arg string, rate float64) error {
	if !(rate >= 0 && rate < 1) {
		return fmt.Errorf("layers: %s %s: %s %v: want a value in [0, 1)", class, name, arg, rate)
	}
	return nil
}

// GaussianNoiseConfig configures a GaussianNoise layer (Keras 2.2.4's
// GaussianNoise(stddev); tf.keras and Keras 3 add seed).
type GaussianNoiseConfig struct {
	// Name is the layer's name; empty gives "gaussian_noise_<n>".
	Name string `json:"name,omitempty"`
	// Stddev is the noise's standard deviation, >= 0.
	Stddev float64 `json:"stddev"`
	// Seed seeds the noise (NewRNG(Seed), one draw per element of each
	// training batch, row-major).
	Seed uint64 `json:"seed"`
}

// GaussianNoise adds zero-centred Gaussian noise in training:
// y = x + n, n ~ N(0, stddev²) drawn per element and batch; dy/dx = 1.
// In inference y = x.
type GaussianNoise struct {
	noiseLayer
	cfg GaussianNoiseConfig
}

var gaussianNoiseCount atomic.Int64

// NewGaussianNoise returns a GaussianNoise layer; a negative or non-finite
// stddev is an error.
func NewGaussianNoise(cfg GaussianNoiseConfig) (*GaussianNoise, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("gaussian_noise_%d", gaussianNoiseCount.Add(1))
	}
	if err := finite("GaussianNoise", cfg.Name, "stddev", cfg.Stddev, true); err != nil {
		return nil, err
	}
	g := &GaussianNoise{cfg: cfg}
	g.noiseLayer = noiseLayer{class: "GaussianNoise", name: cfg.Name, seed: cfg.Seed,
		draw: func(xs []int) ([]float64, []float64, error) {
			if cfg.Stddev == 0 {
				return nil, nil, nil
			}
			return nil, normals(g.rng, tensor.Shape(xs).TotalSize(), 0, cfg.Stddev), nil
		}}
	g.restart()
	return g, nil
}

// Config returns the GaussianNoiseConfig as JSON.
func (g *GaussianNoise) Config() (json.RawMessage, error) { return json.Marshal(g.cfg) }

// GaussianDropoutConfig configures a GaussianDropout layer (Keras 2.2.4's
// GaussianDropout(rate); tf.keras and Keras 3 add seed).
type GaussianDropoutConfig struct {
	// Name is the layer's name; empty gives "gaussian_dropout_<n>".
	Name string `json:"name,omitempty"`
	// Rate is the drop probability it mimics, in [0, 1).
	Rate float64 `json:"rate"`
	// Seed seeds the noise (NewRNG(Seed), one draw per element of each
	// training batch, row-major).
	Seed uint64 `json:"seed"`
}

// GaussianDropout multiplies by one-centred Gaussian noise in training:
// y = x ⊙ s, s ~ N(1, rate/(1−rate)) drawn per element and batch;
// dy/dx = s. In inference, and for rate 0, y = x.
type GaussianDropout struct {
	noiseLayer
	cfg GaussianDropoutConfig
}

var gaussianDropoutCount atomic.Int64

// NewGaussianDropout returns a GaussianDropout layer; a rate outside
// [0, 1) is an error. (Keras 2.2.4 makes rate 1 the identity, Keras 3
// infinite noise: both are refused.)
func NewGaussianDropout(cfg GaussianDropoutConfig) (*GaussianDropout, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("gaussian_dropout_%d", gaussianDropoutCount.Add(1))
	}
	if err := checkRate("GaussianDropout", cfg.Name, "rate", cfg.Rate); err != nil {
		return nil, err
	}
	g := &GaussianDropout{cfg: cfg}
	g.noiseLayer = noiseLayer{class: "GaussianDropout", name: cfg.Name, seed: cfg.Seed,
		draw: func(xs []int) ([]float64, []float64, error) {
			if cfg.Rate == 0 {
				return nil, nil, nil
			}
			return normals(g.rng, tensor.Shape(xs).TotalSize(), 1, math.Sqrt(cfg.Rate/(1-cfg.Rate))), nil, nil
		}}
	g.restart()
	return g, nil
}

// Config returns the GaussianDropoutConfig as JSON.
func (g *GaussianDropout) Config() (json.RawMessage, error) { return json.Marshal(g.cfg) }

// AlphaDropoutConfig configures an AlphaDropout layer (Keras 2.2.4's
// AlphaDropout(rate, noise_shape=None, seed=None)).
type AlphaDropoutConfig struct {
	// Name is the layer's name; empty gives "alpha_dropout_<n>".
	Name string `json:"name,omitempty"`
	// Rate is the drop probability, in [0, 1).
	Rate float64 `json:"rate"`
	// NoiseShape, when set, is the shape of the keep mask, batch first, as
	// Dropout's: each entry 1 (one draw shared along that axis), the
	// input's size, or graph.None (the input's size). Nil draws one value
	// per element.
	NoiseShape []int `json:"noise_shape,omitempty"`
	// Seed seeds the masks (NewRNG(Seed), one uniform draw per element of
	// the noise shape and batch).
	Seed uint64 `json:"seed"`
}

// The SELU constants of Keras' AlphaDropout.
const (
	seluAlpha = 1.6732632423543772848170429916717
	seluScale = 1.0507009873554804934193349852946
)

// AlphaDropout is Keras' dropout for SELU networks, which keeps the mean
// and variance: in training, with keep k = [u ≥ rate], u ~ U[0, 1) drawn in
// the noise shape and broadcast, α' = −1.6732632…·1.0507009…,
// a = ((1−rate)(1 + rate·α'²))^(−1/2) and b = −a·α'·rate,
// y = a·(x·k + α'·(1−k)) + b; dy/dx = a·k. In inference, and for rate 0,
// y = x.
type AlphaDropout struct {
	noiseLayer
	cfg AlphaDropoutConfig
}

var alphaDropoutCount atomic.Int64

// NewAlphaDropout returns an AlphaDropout layer; a rate outside [0, 1) or
// a noise shape entry that is neither positive nor graph.None is an error.
func NewAlphaDropout(cfg AlphaDropoutConfig) (*AlphaDropout, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("alpha_dropout_%d", alphaDropoutCount.Add(1))
	}
	if err := checkRate("AlphaDropout", cfg.Name, "rate", cfg.Rate); err != nil {
		return nil, err
	}
	if len(cfg.NoiseShape) > len(tensorKey{}.dims) {
		return nil, fmt.Errorf("layers: AlphaDropout %s: noise_shape %v: at most %d dimensions", cfg.Name, cfg.NoiseShape, len(tensorKey{}.dims))
	}
	for _, v := range cfg.NoiseShape {
		if v < 1 && v != graph.None {
			return nil, fmt.Errorf("layers: AlphaDropout %s: noise_shape %v: want entries of 1 or more, or graph.None (Keras' None)", cfg.Name, cfg.NoiseShape)
		}
	}
	if cfg.NoiseShape != nil {
		cfg.NoiseShape = append([]int(nil), cfg.NoiseShape...)
	}
	d := &AlphaDropout{cfg: cfg}
	d.noiseLayer = noiseLayer{class: "AlphaDropout", name: cfg.Name, seed: cfg.Seed, draw: d.draw}
	d.restart()
	return d, nil
}

// Build checks the noise shape against the input's rank and records the
// input shape; the mask source restarts from Seed.
func (d *AlphaDropout) Build(in [][]int, dt tensor.Dtype) error {
	if err := d.noiseLayer.Build(in, dt); err != nil {
		return err
	}
	if ns := d.cfg.NoiseShape; ns != nil && len(ns) != len(in[0])+1 {
		d.inShape = nil
		return fmt.Errorf("layers: AlphaDropout %s: noise_shape %v for inputs of shape %s: want one entry per dimension, batch first", d.cfg.Name, ns, graph.FormatShape(in[0]))
	}
	return nil
}

// draw returns s = a·k and c = a·α'·(1−k) + b for a batch of shape xs.
func (d *AlphaDropout) draw(xs []int) ([]float64, []float64, error) {
	rate := d.cfg.Rate
	if rate == 0 {
		return nil, nil, nil
	}
	noise, err := noiseShapeFor(d.class, d.name, d.cfg.NoiseShape, xs)
	if err != nil {
		return nil, nil, err
	}
	ap := -seluAlpha * seluScale
	a := math.Pow((1-rate)*(1+rate*ap*ap), -0.5)
	b := -a * ap * rate
	k := make([]float64, tensor.Shape(noise).TotalSize())
	for i := range k {
		if d.rng.Float64() >= rate {
			k[i] = 1
		}
	}
	k = broadcastNoise(k, noise, xs)
	s, c := make([]float64, len(k)), make([]float64, len(k))
	for i, v := range k {
		s[i] = a * v
		c[i] = a*ap*(1-v) + b
	}
	return s, c, nil
}

// Config returns the AlphaDropoutConfig as JSON.
func (d *AlphaDropout) Config() (json.RawMessage, error) { return json.Marshal(d.cfg) }

// noiseShapeFor resolves a noise shape (nil: xs) against a batch of shape
// xs: None takes the input's size; each entry must be 1 or the input's
// size.
func noiseShapeFor(class, name string, ns, xs []int) ([]int, error) {
	noise := append([]int(nil), xs...)
	if ns == nil {
		return noise, nil
	}
	if len(ns) != len(xs) {
		return nil, fmt.Errorf("layers: %s %s: noise_shape %v for an input of shape %v: want one entry per dimension", class, name, ns, xs)
	}
	for i, v := range ns {
		switch {
		case v == graph.None:
		case v == 1 || v == xs[i]:
			noise[i] = v
		default:
			return nil, fmt.Errorf("layers: %s %s: noise_shape %v does not broadcast to the input's shape %v: want each entry 1, None or the input's size", class, name, ns, xs)
		}
	}
	return noise, nil
}

// broadcastNoise returns m, values in the shape noise, broadcast to the
// shape xs along the axes where noise has size 1.
func broadcastNoise(m []float64, noise, xs []int) []float64 {
	n := tensor.Shape(xs).TotalSize()
	if len(m) == n {
		return m
	}
	out := make([]float64, n)
	idx := make([]int, len(xs))
	for i := range out {
		k := 0
		for a, v := range idx {
			if noise[a] != 1 {
				k = k*noise[a] + v
			}
		}
		out[i] = m[k]
		for a := len(idx) - 1; a >= 0; a-- {
			if idx[a]++; idx[a] < xs[a] {
				break
			}
			idx[a] = 0
		}
	}
	return out
}

// ActivityRegularizationConfig configures an ActivityRegularization layer
// (Keras' ActivityRegularization(l1=0, l2=0)).
type ActivityRegularizationConfig struct {
	// Name is the layer's name; empty gives "activity_regularization_<n>".
	Name string `json:"name,omitempty"`
	// L1 and L2 are the factors of the penalty, each >= 0.
	L1 float64 `json:"l1"`
	L2 float64 `json:"l2"`
}

// ActivityRegularization is the identity, y = x, that adds the penalty
// l1·Σ|x| + l2·Σx² of its input (over the whole batch, not divided by its
// size, as Keras 2.2.4) to the loss through Pass.ActivityPenalty; its
// gradient is dy + l1·sign(x) + 2·l2·x (sign(0) = 0). The penalty is
// graph's L1L2 regularizer, a compiled Gorgonia graph per input shape. A
// mask passes on.
type ActivityRegularization struct {
	cfg     ActivityRegularizationConfig
	reg     graph.Regularizer
	inShape []int
	progs   *graph.ProgramCache[tensorKey, *graph.Penalty]
}

var activityRegularizationCount atomic.Int64

// NewActivityRegularization returns an ActivityRegularization layer; a
// negative or non-finite l1 or l2 is an error naming it.
func NewActivityRegularization(cfg ActivityRegularizationConfig) (*ActivityRegularization, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("activity_regularization_%d", activityRegularizationCount.Add(1))
	}
	for _, a := range []struct {
		arg string
		v   float64
	}{{"l1", cfg.L1}, {"l2", cfg.L2}} {
		if err := finite("ActivityRegularization", cfg.Name, a.arg, a.v, true); err != nil {
			return nil, err
		}
	}
	reg, err := graph.NewRegularizer(graph.Spec{Name: "l1_l2", Args: map[string]float64{"l1": cfg.L1, "l2": cfg.L2}})
	if err != nil {
		return nil, fmt.Errorf("layers: ActivityRegularization %s: %w", cfg.Name, err)
	}
	a := &ActivityRegularization{cfg: cfg, reg: reg}
	a.progs = graph.NewProgramCache(func(k tensorKey) (*graph.Penalty, error) {
		return graph.NewPenalty(reg, k.dt, k.shape())
	}, func(*graph.Penalty) {})
	return a, nil
}

func init() {
	register("GaussianNoise", GaussianNoiseConfig{}, func(cfg GaussianNoiseConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewGaussianNoise(cfg)
	})
	register("GaussianDropout", GaussianDropoutConfig{}, func(cfg GaussianDropoutConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewGaussianDropout(cfg)
	})
	register("AlphaDropout", AlphaDropoutConfig{}, func(cfg AlphaDropoutConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewAlphaDropout(cfg)
	})
	register("ActivityRegularization", ActivityRegularizationConfig{}, func(cfg ActivityRegularizationConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewActivityRegularization(cfg)
	})
}

// Name returns the layer's name.
func (a *ActivityRegularization) Name() string { return a.cfg.Name }

// Type returns "ActivityRegularization".
func (a *ActivityRegularization) Type() string { return "ActivityRegularization" }

// Config returns the ActivityRegularizationConfig as JSON.
func (a *ActivityRegularization) Config() (json.RawMessage, error) { return json.Marshal(a.cfg) }

// Params returns nil: ActivityRegularization has no weights.
func (a *ActivityRegularization) Params() []*graph.Param { return nil }

// SetProgramCacheSize sets how many compiled penalty graphs (one per input
// shape) the layer keeps; see graph.ProgramCache.
func (a *ActivityRegularization) SetProgramCacheSize(n int) error { return a.progs.SetCapacity(n) }

// Build records the shape of the one input, of any rank.
func (a *ActivityRegularization) Build(in [][]int, dt tensor.Dtype) error {
	s, err := anyShape("ActivityRegularization", a.cfg.Name, in, dt)
	if err != nil {
		return err
	}
	a.inShape = s
	a.progs.Clear()
	return nil
}

// OutputShapes is the input shape.
func (a *ActivityRegularization) OutputShapes() [][]int {
	if a.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), a.inShape...)}
}

// Forward returns x and its penalty (Pass.ActivityPenalty); a mask passes
// on.
func (a *ActivityRegularization) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := checkedInput("ActivityRegularization", a.cfg.Name, a.inShape, in, masks)
	if err != nil {
		return nil, err
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{x.Clone().(*tensor.Dense)}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	var dpen *tensor.Dense
	if a.cfg.L1 != 0 || a.cfg.L2 != 0 {
		p, put, err := a.progs.Get(keyOf(x))
		if err != nil {
			return nil, fmt.Errorf("layers: ActivityRegularization %s: %w", a.cfg.Name, err)
		}
		pass.ActivityPenalty, dpen, err = p.Eval(x)
		put()
		if err != nil {
			return nil, fmt.Errorf("layers: ActivityRegularization %s: %w", a.cfg.Name, err)
		}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("ActivityRegularization", a.cfg.Name, dOut, x.Dtype(), x.Shape())
			if err != nil {
				return nil, err
			}
			dx := dy.Clone().(*tensor.Dense)
			if dpen != nil {
				graph.AddInto(dx, dpen)
			}
			return []*tensor.Dense{dx}, nil
		}
	}
	return pass, nil
}
