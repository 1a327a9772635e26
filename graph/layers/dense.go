package layers

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// DenseConfig configures a Dense layer with Keras 2.2's arguments.
// Initializers, regularizers and constraints are Specs (Keras name plus
// arguments); a nil regularizer or constraint means none.
type DenseConfig struct {
	// Name is the layer's name; empty gives "dense_<n>" as Keras does.
	Name string `json:"name,omitempty"`
	// Units is the output size, at least 1.
	Units int `json:"units"`
	// Activation is a name of GetActivation; "" means "linear".
	Activation          string      `json:"activation"`
	UseBias             bool        `json:"use_bias"`
	KernelInitializer   graph.Spec  `json:"kernel_initializer"`
	BiasInitializer     graph.Spec  `json:"bias_initializer"`
	KernelRegularizer   *graph.Spec `json:"kernel_regularizer,omitempty"`
	BiasRegularizer     *graph.Spec `json:"bias_regularizer,omitempty"`
	ActivityRegularizer *graph.Spec `json:"activity_regularizer,omitempty"`
	KernelConstraint    *graph.Spec `json:"kernel_constraint,omitempty"`
	BiasConstraint      *graph.Spec `json:"bias_constraint,omitempty"`
	// Seed seeds the initializers (NewRNG(Seed); kernel drawn first).
	Seed uint64 `json:"seed"`
}

// DenseDefaults returns Keras' Dense(units) defaults: linear activation,
// use_bias, glorot_uniform kernel, zeros bias, no regularizers or
// constraints, seed 0.
func DenseDefaults(units int) DenseConfig {
	return DenseConfig{
		Units:             units,
		Activation:        "linear",
		UseBias:           true,
		KernelInitializer: graph.Spec{Name: "glorot_uniform"},
		BiasInitializer:   graph.Spec{Name: "zeros"},
	}
}

// Dense is Keras' densely connected layer, y = activation(x·W + b), with
// kernel W of shape (input_dim, units) and bias b of shape (units).
// It acts on the last axis: an input (batch, T, D) is treated as
// (batch·T, D) rows, giving (batch, T, units), as Keras does.
type Dense struct {
	cfg     DenseConfig
	name    string
	act     graph.Activation
	kreg    graph.Regularizer
	breg    graph.Regularizer
	areg    graph.Regularizer
	kcon    graph.Constraint
	bcon    graph.Constraint
	dt      tensor.Dtype
	inShape []int
	kernel  *graph.Param
	bias    *graph.Param
	progs   *graph.ProgramCache[denseKey, *denseGraph]
}

var denseCount atomic.Int64

// NewDense returns an unbuilt Dense layer. It returns an error for
// units < 1 or an unknown activation, initializer, regularizer or
// constraint.
func NewDense(cfg DenseConfig) (*Dense, error) {
	if cfg.Units < 1 {
		return nil, fmt.Errorf("layers: Dense units %d: want at least 1", cfg.Units)
	}
	if cfg.Activation == "" {
		cfg.Activation = "linear"
	}
	if cfg.KernelInitializer.Name == "" {
		cfg.KernelInitializer.Name = "glorot_uniform"
	}
	if cfg.BiasInitializer.Name == "" {
		cfg.BiasInitializer.Name = "zeros"
	}
	d := &Dense{cfg: cfg, name: cfg.Name}
	d.progs = graph.NewProgramCache(d.newGraph, func(dg *denseGraph) { dg.vm.Close() })
	if d.name == "" {
		d.name = fmt.Sprintf("dense_%d", denseCount.Add(1))
		d.cfg.Name = d.name
	}
	var err error
	if d.act, err = graph.GetActivation(cfg.Activation); err != nil {
		return nil, fmt.Errorf("layers: Dense %s: %w", d.name, err)
	}
	for _, s := range []graph.Spec{cfg.KernelInitializer, cfg.BiasInitializer} {
		if _, err := graph.NewInitializer(s); err != nil {
			return nil, fmt.Errorf("layers: Dense %s: %w", d.name, err)
		}
	}
	regs := []struct {
		s   *graph.Spec
		dst *graph.Regularizer
	}{{cfg.KernelRegularizer, &d.kreg}, {cfg.BiasRegularizer, &d.breg}, {cfg.ActivityRegularizer, &d.areg}}
	for _, r := range regs {
		if r.s != nil {
			if *r.dst, err = graph.NewRegularizer(*r.s); err != nil {
				return nil, fmt.Errorf("layers: Dense %s: %w", d.name, err)
			}
		}
	}
	cons := []struct {
		s   *graph.Spec
		dst *graph.Constraint
	}{{cfg.KernelConstraint, &d.kcon}, {cfg.BiasConstraint, &d.bcon}}
	for _, c := range cons {
		if c.s != nil {
			if *c.dst, err = graph.NewConstraint(*c.s); err != nil {
				return nil, fmt.Errorf("layers: Dense %s: %w", d.name, err)
			}
		}
	}
	return d, nil
}

func init() {
	graph.RegisterLayer("Dense", func(name string, config json.RawMessage) (graph.Layer, error) {
		cfg := DenseDefaults(0) // keys left out take Keras' defaults
		if err := json.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("layers: Dense config: %w", err)
		}
		cfg.Name = name
		return NewDense(cfg)
	})
}

// Name returns the layer's name.
func (d *Dense) Name() string { return d.name }

// Type returns "Dense".
func (d *Dense) Type() string { return "Dense" }

// Config returns the DenseConfig as JSON.
func (d *Dense) Config() (json.RawMessage, error) { return json.Marshal(d.cfg) }

// OutputShapes is the input shape with its last dimension replaced by
// units.
func (d *Dense) OutputShapes() [][]int {
	if d.inShape == nil {
		return nil
	}
	out := append([]int(nil), d.inShape...)
	out[len(out)-1] = d.cfg.Units
	return [][]int{out}
}

// SetProgramCacheSize sets how many compiled graphs the layer keeps (one
// per number of input rows, batch·timesteps, and use); see
// graph.ProgramCache.
func (d *Dense) SetProgramCacheSize(n int) error { return d.progs.SetCapacity(n) }

// Params returns the kernel ("<name>/kernel") and, with use_bias, the bias
// ("<name>/bias").
func (d *Dense) Params() []*graph.Param {
	if d.kernel == nil {
		return nil
	}
	if d.bias == nil {
		return []*graph.Param{d.kernel}
	}
	return []*graph.Param{d.kernel, d.bias}
}

// Build creates the kernel (input_dim, units) and bias (units) in dt,
// drawing from NewRNG(Seed), for one input whose last dimension is
// input_dim; the other dimensions may be graph.None (any timesteps).
func (d *Dense) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	inDim, err := d.inputDim(in)
	if err != nil {
		return err
	}
	inShape := in[0]
	rng := graph.NewRNG(d.cfg.Seed)
	kinit, _ := graph.NewInitializer(d.cfg.KernelInitializer)
	k, err := graph.InitTensor(kinit, []int{inDim, d.cfg.Units}, dt, rng)
	if err != nil {
		return fmt.Errorf("layers: Dense %s kernel: %w", d.name, err)
	}
	d.kernel = &graph.Param{Name: d.name + "/kernel", Value: k, Grad: graph.NewTensor(dt, []int{inDim, d.cfg.Units}, nil),
		Regularizer: d.kreg, Constraint: d.kcon}
	d.bias = nil
	if d.cfg.UseBias {
		binit, _ := graph.NewInitializer(d.cfg.BiasInitializer)
		b, err := graph.InitTensor(binit, []int{d.cfg.Units}, dt, rng)
		if err != nil {
			return fmt.Errorf("layers: Dense %s bias: %w", d.name, err)
		}
		d.bias = &graph.Param{Name: d.name + "/bias", Value: b, Grad: graph.NewTensor(dt, []int{d.cfg.Units}, nil),
			Regularizer: d.breg, Constraint: d.bcon}
	}
	d.dt = dt
	d.inShape = append([]int(nil), inShape...)
	d.progs.Clear()
	return nil
}

// inputDim checks the input shapes given to Build and returns input_dim.
func (d *Dense) inputDim(in [][]int) (int, error) {
	if len(in) != 1 {
		return 0, fmt.Errorf("layers: Dense %s: %d inputs: want 1", d.name, len(in))
	}
	inShape := in[0]
	if len(inShape) < 1 || inShape[len(inShape)-1] < 1 {
		return 0, fmt.Errorf("layers: Dense %s: input shape %v: want at least one dimension, the last one fixed and positive", d.name, inShape)
	}
	for _, v := range inShape {
		if v < 1 && v != graph.None {
			return 0, fmt.Errorf("layers: Dense %s: input shape %v: want positive dimensions (or graph.None)", d.name, inShape)
		}
	}
	return inShape[len(inShape)-1], nil
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): "<name>/kernel"
// (input_dim, units) and, with use_bias, "<name>/bias" (units).
func (d *Dense) ParamShapes(in [][]int) (map[string][]int, error) {
	inDim, err := d.inputDim(in)
	if err != nil {
		return nil, err
	}
	shapes := map[string][]int{d.name + "/kernel": {inDim, d.cfg.Units}}
	if d.cfg.UseBias {
		shapes[d.name+"/bias"] = []int{d.cfg.Units}
	}
	return shapes, nil
}
