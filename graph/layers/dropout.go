package layers

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// DropoutConfig configures a Dropout layer.
type DropoutConfig struct {
	// Name is the layer's name; empty gives "dropout_<n>".
	Name string `json:"name,omitempty"`
	// Rate is the fraction of inputs set to zero in training, in [0, 1).
	Rate float64 `json:"rate"`
	// NoiseShape, when set, is the shape of the keep mask, batch first, as
	// Keras' noise_shape: one entry per input dimension, each 1 (one draw
	// shared along that axis), the input's size, or graph.None (the input's
	// size, whatever it is). (graph.None, 1, graph.None) drops whole
	// feature channels of a sequence, as SpatialDropout1D. Nil draws one
	// value per element.
	NoiseShape []int `json:"noise_shape,omitempty"`
	// Seed seeds the masks (NewRNG(Seed), one draw per element of the
	// noise shape and batch).
	Seed uint64 `json:"seed"`
}

// Dropout is Keras' inverted dropout: in training each element is kept
// with probability 1-rate and scaled by 1/(1-rate), so y = x ⊙ s with
// s = m/(1-rate), m ~ Bernoulli(1-rate) drawn in the noise shape and
// broadcast to x's; in inference y = x. It has no weights. y = x ⊙ s is a
// compiled Gorgonia graph (per input shape) and its gradient dy ⊙ s comes
// from Gorgonia's autodiff, as every gradient here.
type Dropout struct {
	cfg     DropoutConfig
	class   string     // "Dropout", or the class of a layer built on it
	src     *rand.PCG  // the masks' stream (its state is saved, see RandomState)
	rng     *rand.Rand // draws from src
	inShape []int
	progs   *graph.ProgramCache[tensorKey, *dropoutGraph]
}

// dropoutGraph is y = x ⊙ s and its VJP dx for a seed dy, compiled for one
// shape: the forward and the gradient as separate functions of one graph.
type dropoutGraph struct {
	x, s, seed, dx *G.Node
	y              G.Value
	fwd, bwd       G.VM
}

func newDropoutGraph(dt tensor.Dtype, shape tensor.Shape) (*dropoutGraph, error) {
	g := G.NewGraph()
	d := &dropoutGraph{}
	n := len(shape)
	d.x = G.NewTensor(g, dt, n, G.WithShape(shape...), G.WithName("x"))
	d.s = G.NewTensor(g, dt, n, G.WithShape(shape...), G.WithName("s"))
	d.seed = G.NewTensor(g, dt, n, G.WithShape(shape...), G.WithName("dy"))
	y, err := G.HadamardProd(d.x, d.s)
	if err != nil {
		return nil, err
	}
	grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{d.seed}, G.Nodes{d.x})
	if err != nil {
		return nil, err
	}
	d.dx = grads[0]
	read := G.Read(y, &d.y)
	prog, locs, err := G.CompileFunction(g, G.Nodes{d.x, d.s}, G.Nodes{read})
	if err != nil {
		return nil, err
	}
	d.fwd = G.NewTapeMachine(g, G.WithPrecompiled(prog, locs))
	prog, locs, err = G.CompileFunction(g, G.Nodes{d.s, d.seed}, G.Nodes{d.dx})
	if err != nil {
		return nil, err
	}
	d.bwd = G.NewTapeMachine(g, G.WithPrecompiled(prog, locs))
	return d, nil
}

// run binds the values in order to nodes and runs vm.
func run(vm G.VM, nodes []*G.Node, vals ...*tensor.Dense) error {
	for i, n := range nodes {
		if err := G.Let(n, vals[i]); err != nil {
			return err
		}
	}
	vm.Reset()
	return vm.RunAll()
}

var dropoutCount atomic.Int64

// NewDropout returns a Dropout layer; rate outside [0, 1) or a noise shape
// entry that is neither positive nor graph.None is an error.
func NewDropout(cfg DropoutConfig) (*Dropout, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("dropout_%d", dropoutCount.Add(1))
	}
	d := &Dropout{}
	if err := d.init("Dropout", cfg); err != nil {
		return nil, err
	}
	return d, nil
}

// init sets up d as a layer of class (Dropout or a layer built on it) from
// cfg.
func (d *Dropout) init(class string, cfg DropoutConfig) error {
	if !(cfg.Rate >= 0 && cfg.Rate < 1) {
		return fmt.Errorf("layers: %s %s: rate %v: want a value in [0, 1)", class, cfg.Name, cfg.Rate)
	}
	if len(cfg.NoiseShape) > len(tensorKey{}.dims) {
		return fmt.Errorf("layers: %s %s: noise_shape %v: at most %d dimensions", class, cfg.Name, cfg.NoiseShape, len(tensorKey{}.dims))
	}
	for _, v := range cfg.NoiseShape {
		if v < 1 && v != graph.None {
			return fmt.Errorf("layers: %s %s: noise_shape %v: want entries of 1 or more, or graph.None (Keras' None)", class, cfg.Name, cfg.NoiseShape)
		}
	}
	if cfg.NoiseShape != nil {
		cfg.NoiseShape = append([]int(nil), cfg.NoiseShape...)
	}
	d.cfg, d.class = cfg, class
	d.restart()
	d.progs = graph.NewProgramCache(d.newGraph, func(dg *dropoutGraph) { dg.fwd.Close(); dg.bwd.Close() })
	return nil
}

func init() {
	register("Dropout", DropoutConfig{}, func(cfg DropoutConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewDropout(cfg)
	})
}

// Name returns the layer's name.
func (d *Dropout) Name() string { return d.cfg.Name }

// Type returns "Dropout".
func (d *Dropout) Type() string { return d.class }

// Config returns the DropoutConfig as JSON.
func (d *Dropout) Config() (json.RawMessage, error) { return json.Marshal(d.cfg) }

// Build records the shape of the one input; the mask source restarts from
// Seed.
func (d *Dropout) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if len(in) != 1 {
		return fmt.Errorf("layers: %s %s: %d inputs: want 1", d.class, d.cfg.Name, len(in))
	}
	if ns := d.cfg.NoiseShape; ns != nil && len(ns) != len(in[0])+1 {
		return fmt.Errorf("layers: %s %s: noise_shape %v for inputs of shape %s: want one entry per dimension, batch first", d.class, d.cfg.Name, ns, graph.FormatShape(in[0]))
	}
	d.inShape = append([]int(nil), in[0]...)
	d.restart()
	return nil
}

// restart starts the masks' stream from Seed.
func (d *Dropout) restart() {
	d.src = graph.NewPCG(d.cfg.Seed)
	d.rng = rand.New(d.src)
}

// RandomState returns the state of the masks' stream (graph.RandomStream).
func (d *Dropout) RandomState() ([]byte, error) { return graph.PCGStates(d.src) }

// SetRandomState restores the masks' stream from a RandomState.
func (d *Dropout) SetRandomState(state []byte) error {
	if err := graph.SetPCGStates(state, d.src); err != nil {
		return fmt.Errorf("layers: %s %s: %w", d.class, d.cfg.Name, err)
	}
	return nil
}

// OutputShapes is the input shape.
func (d *Dropout) OutputShapes() [][]int { return [][]int{append([]int(nil), d.inShape...)} }

// Params returns nil: Dropout has no weights.
func (d *Dropout) Params() []*graph.Param { return nil }

// SetProgramCacheSize sets how many compiled graphs (one per input shape)
// the layer keeps; see graph.ProgramCache.
func (d *Dropout) SetProgramCacheSize(n int) error { return d.progs.SetCapacity(n) }

// Forward applies a fresh mask in training and is the identity otherwise;
// a mask (of timesteps) passes through.
func (d *Dropout) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput(d.class, d.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	pass := &graph.Pass{}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if !training || d.cfg.Rate == 0 {
		pass.Outputs = []*tensor.Dense{x.Clone().(*tensor.Dense)}
		if training {
			pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
				if len(dOut) != 1 || dOut[0] == nil {
					return []*tensor.Dense{graph.NewTensor(x.Dtype(), x.Shape(), nil)}, nil
				}
				return []*tensor.Dense{dOut[0].Clone().(*tensor.Dense)}, nil
			}
		}
		return pass, nil
	}
	s, err := d.scale(x.Shape())
	if err != nil {
		return nil, err
	}
	scale := graph.NewTensor(x.Dtype(), x.Shape(), s)
	y, err := scaled(d.progs, x, scale)
	if err != nil {
		return nil, fmt.Errorf("layers: %s %s: %w", d.class, d.cfg.Name, err)
	}
	pass.Outputs = []*tensor.Dense{y}
	pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
		dx, err := scaledGrad(d.progs, scale, dOut)
		if err != nil {
			return nil, fmt.Errorf("layers: %s %s: %w", d.class, d.cfg.Name, err)
		}
		return []*tensor.Dense{dx}, nil
	}
	return pass, nil
}

// scale draws the keep mask in the noise shape resolved against the input
// shape xs, one draw per element in row-major order, and returns it
// broadcast to xs and scaled by 1/(1-rate).
func (d *Dropout) scale(xs []int) ([]float64, error) {
	noise := append([]int(nil), xs...)
	if ns := d.cfg.NoiseShape; ns != nil {
		if len(ns) != len(xs) {
			return nil, fmt.Errorf("layers: %s %s: noise_shape %v for an input of shape %v: want one entry per dimension", d.class, d.cfg.Name, ns, xs)
		}
		for i, v := range ns {
			switch {
			case v == graph.None:
			case v == 1 || v == xs[i]:
				noise[i] = v
			default:
				return nil, fmt.Errorf("layers: %s %s: noise_shape %v does not broadcast to the input's shape %v: want each entry 1, None or the input's size", d.class, d.cfg.Name, ns, xs)
			}
		}
	}
	n := 1
	for _, v := range noise {
		n *= v
	}
	keep := 1 - d.cfg.Rate
	m := make([]float64, n)
	for i := range m {
		if d.rng.Float64() < keep {
			m[i] = 1 / keep
		}
	}
	if n == tensor.Shape(xs).TotalSize() {
		return m, nil
	}
	// Broadcast: the mask index of each input element drops the axes of
	// size 1 in the noise shape.
	out := make([]float64, tensor.Shape(xs).TotalSize())
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
	return out, nil
}

// scaled returns y = x ⊙ s (s of x's shape) through progs' graph for x's
// shape: the forward of Dropout and of Masking.
func scaled(progs *graph.ProgramCache[tensorKey, *dropoutGraph], x, s *tensor.Dense) (*tensor.Dense, error) {
	key := keyOf(x)
	if key.rank > len(key.dims) {
		return nil, fmt.Errorf("input of rank %d: at most %d supported", key.rank, len(key.dims))
	}
	dg, put, err := progs.Get(key)
	if err != nil {
		return nil, err
	}
	defer put()
	dg.y = nil // a fresh value the caller owns
	if err := run(dg.fwd, []*G.Node{dg.x, dg.s}, x, s); err != nil {
		return nil, err
	}
	return dg.y.(*tensor.Dense), nil
}

// scaledGrad returns dx = dy ⊙ s, the gradient of scaled for the output
// gradient dOut[0] (nil: zeros), from Gorgonia's autodiff of its graph.
func scaledGrad(progs *graph.ProgramCache[tensorKey, *dropoutGraph], s *tensor.Dense, dOut []*tensor.Dense) (*tensor.Dense, error) {
	if len(dOut) != 1 || dOut[0] == nil {
		return graph.NewTensor(s.Dtype(), s.Shape(), nil), nil
	}
	dy := graph.Contiguous(dOut[0])
	if !dy.Shape().Eq(s.Shape()) || dy.Dtype() != s.Dtype() {
		return nil, fmt.Errorf("gradient of shape %v %v for a forward of %v %v", dy.Shape(), dy.Dtype(), s.Shape(), s.Dtype())
	}
	dg, put, err := progs.Get(keyOf(s))
	if err != nil {
		return nil, err
	}
	defer put()
	if err := run(dg.bwd, []*G.Node{dg.s, dg.seed}, s, dy); err != nil {
		return nil, err
	}
	return dg.dx.Value().(*tensor.Dense).Clone().(*tensor.Dense), nil
}

// tensorKey identifies a compiled graph by the dtype and shape of its
// input (rank at most 8).
type tensorKey struct {
	dt   tensor.Dtype
	rank int
	dims [8]int
}

func keyOf(x *tensor.Dense) tensorKey {
	k := tensorKey{dt: x.Dtype(), rank: x.Dims()}
	copy(k.dims[:], x.Shape())
	return k
}

func (k tensorKey) shape() []int { return append([]int(nil), k.dims[:k.rank]...) }

// newGraph compiles the graph for a key.
func (d *Dropout) newGraph(k tensorKey) (*dropoutGraph, error) {
	return newDropoutGraph(k.dt, k.shape())
}
