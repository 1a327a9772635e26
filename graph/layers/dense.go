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
	kb      kernelBias
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
	d.kb, err = newKernelBias("Dense", d.name, kernelBiasSpecs{activation: cfg.Activation,
		kinit: cfg.KernelInitializer, binit: cfg.BiasInitializer,
		kreg: cfg.KernelRegularizer, breg: cfg.BiasRegularizer, areg: cfg.ActivityRegularizer,
		kcon: cfg.KernelConstraint, bcon: cfg.BiasConstraint})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func init() {
	// Keys left out of a config take Keras' defaults.
	register("Dense", DenseDefaults(0), func(cfg DenseConfig, name string) (graph.Layer, error) {
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
func (d *Dense) Params() []*graph.Param { return kernelBiasParams(d.kernel, d.bias) }

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
	k, b, err := d.kb.params("Dense", d.name, []int{inDim, d.cfg.Units}, d.cfg.Units, d.cfg.UseBias, dt, d.cfg.Seed)
	if err != nil {
		return err
	}
	d.kernel, d.bias = k, b
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
