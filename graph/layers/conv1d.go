package layers

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// Conv1DConfig configures a Conv1D layer with Keras 2.2.4's arguments
// (kernel_size, strides and dilation_rate are single numbers here; Keras
// writes them as one-element lists). Initializers, regularizers and
// constraints are Specs; a nil regularizer or constraint means none.
type Conv1DConfig struct {
	// Name is the layer's name; empty gives "conv1d_<n>" as Keras does.
	Name string `json:"name,omitempty"`
	// Filters is the number of output channels, at least 1.
	Filters int `json:"filters"`
	// KernelSize is the window length, at least 1.
	KernelSize int `json:"kernel_size"`
	// Strides is the step between windows, at least 1 (default 1).
	Strides int `json:"strides"`
	// Padding is "valid" (the default; no padding), "same" (output length
	// ⌈steps/strides⌉, zeros on both sides, one more on the right when the
	// padding is odd) or "causal" ((kernel_size-1)·dilation_rate zeros on
	// the left: output t sees input steps up to t only).
	Padding string `json:"padding"`
	// DataFormat is "channels_last" (the default; "" means it): inputs
	// are (batch, steps, channels).
	DataFormat string `json:"data_format,omitempty"`
	// DilationRate is the step between the taps of a window, at least 1
	// (default 1); with a rate above 1 Strides must be 1, as in Keras.
	DilationRate int `json:"dilation_rate"`
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

// Conv1DDefaults returns Keras' Conv1D(filters, kernel_size) defaults:
// strides 1, valid padding, channels_last, dilation 1, linear activation,
// use_bias, glorot_uniform kernel, zeros bias, no regularizers or
// constraints, seed 0.
func Conv1DDefaults(filters, kernelSize int) Conv1DConfig {
	return Conv1DConfig{
		Filters: filters, KernelSize: kernelSize, Strides: 1, Padding: "valid",
		DataFormat: "channels_last", DilationRate: 1, Activation: "linear", UseBias: true,
		KernelInitializer: graph.Spec{Name: "glorot_uniform"},
		BiasInitializer:   graph.Spec{Name: "zeros"},
	}
}

// Conv1D is Keras' 1-D convolution over the steps of a sequence:
//
//	y[b, t, f] = activation(Σ_j Σ_c x[b, t·s + j·d - p, c]·W[j, c, f] + bias[f])
//
// for input (batch, steps, channels), kernel W of shape (kernel_size,
// channels, filters) (Keras' layout), stride s, dilation d and left padding
// p (see Conv1DConfig.Padding; padded steps are zeros). It is computed as
// one matrix product of the windows laid out as rows (an im2col op whose
// gradient is its adjoint) with W viewed as (kernel_size·channels,
// filters), all in a compiled Gorgonia graph: the gradients of the input,
// kernel and bias come from Gorgonia's autodiff. It does not support
// masking, as in Keras 2.2.4.
type Conv1D struct {
	cfg     Conv1DConfig
	kb      kernelBias
	dt      tensor.Dtype
	inShape []int
	kernel  *graph.Param
	bias    *graph.Param
	progs   *graph.ProgramCache[convKey, *convGraph]
}

var conv1dCount atomic.Int64

// NewConv1D returns an unbuilt Conv1D layer. A zero Strides or
// DilationRate means 1, an empty Padding "valid". It returns an error that
// names the argument for filters, kernel_size, strides or dilation_rate
// below 1, strides and dilation_rate both above 1, an unknown padding or
// data format, or an unknown activation, initializer, regularizer or
// constraint.
func NewConv1D(cfg Conv1DConfig) (*Conv1D, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("conv1d_%d", conv1dCount.Add(1))
	}
	if cfg.Strides == 0 {
		cfg.Strides = 1
	}
	if cfg.DilationRate == 0 {
		cfg.DilationRate = 1
	}
	if cfg.Padding == "" {
		cfg.Padding = "valid"
	}
	if cfg.DataFormat == "" {
		cfg.DataFormat = "channels_last"
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
	for _, a := range []struct {
		arg string
		v   int
	}{{"filters", cfg.Filters}, {"kernel_size", cfg.KernelSize}, {"strides", cfg.Strides}, {"dilation_rate", cfg.DilationRate}} {
		if a.v < 1 {
			return nil, fmt.Errorf("layers: Conv1D %s: %s %d: want at least 1", cfg.Name, a.arg, a.v)
		}
	}
	if cfg.Strides > 1 && cfg.DilationRate > 1 {
		return nil, fmt.Errorf("layers: Conv1D %s: strides %d with dilation_rate %d: a dilated convolution takes strides 1 (as in Keras)", cfg.Name, cfg.Strides, cfg.DilationRate)
	}
	if err := checkPadding("Conv1D", cfg.Name, cfg.Padding, "valid", "same", "causal"); err != nil {
		return nil, err
	}
	if cfg.DataFormat != "channels_last" {
		return nil, fmt.Errorf("layers: Conv1D %s: data_format %q: only \"channels_last\" is supported (inputs (batch, steps, channels))", cfg.Name, cfg.DataFormat)
	}
	c := &Conv1D{cfg: cfg}
	var err error
	c.kb, err = newKernelBias("Conv1D", cfg.Name, kernelBiasSpecs{activation: cfg.Activation,
		kinit: cfg.KernelInitializer, binit: cfg.BiasInitializer,
		kreg: cfg.KernelRegularizer, breg: cfg.BiasRegularizer, areg: cfg.ActivityRegularizer,
		kcon: cfg.KernelConstraint, bcon: cfg.BiasConstraint})
	if err != nil {
		return nil, err
	}
	c.progs = graph.NewProgramCache(c.newGraph, func(cg *convGraph) { cg.vm.Close() })
	return c, nil
}

func init() {
	register("Conv1D", Conv1DConfig{}, func(cfg Conv1DConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewConv1D(cfg)
	})
}

// Name returns the layer's name.
func (c *Conv1D) Name() string { return c.cfg.Name }

// Type returns "Conv1D".
func (c *Conv1D) Type() string { return "Conv1D" }

// Config returns the Conv1DConfig as JSON.
func (c *Conv1D) Config() (json.RawMessage, error) { return json.Marshal(c.cfg) }

// Params returns the kernel ("<name>/kernel", (kernel_size, channels,
// filters)) and, with use_bias, the bias ("<name>/bias", (filters)).
func (c *Conv1D) Params() []*graph.Param { return kernelBiasParams(c.kernel, c.bias) }

// SetProgramCacheSize sets how many compiled graphs the layer keeps (one
// per batch size, sequence length and use); see graph.ProgramCache.
func (c *Conv1D) SetProgramCacheSize(n int) error { return c.progs.SetCapacity(n) }

// FreeShape leaves the steps open: a model built from data takes
// sequences of any length.
func (c *Conv1D) FreeShape(example []int) []int {
	if len(example) != 2 {
		return example
	}
	return []int{graph.None, example[1]}
}

// Build creates the kernel (kernel_size, channels, filters) and bias
// (filters) in dt, drawing from NewRNG(Seed), for one input (steps,
// channels); steps may be graph.None.
func (c *Conv1D) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	if err := c.checkInput(in); err != nil {
		return err
	}
	k, b, err := c.kb.params("Conv1D", c.cfg.Name, []int{c.cfg.KernelSize, in[0][1], c.cfg.Filters}, c.cfg.Filters, c.cfg.UseBias, dt, c.cfg.Seed)
	if err != nil {
		return err
	}
	c.kernel, c.bias, c.dt = k, b, dt
	c.inShape = append([]int(nil), in[0]...)
	c.progs.Clear()
	return nil
}

// checkInput checks the input shapes given to Build.
func (c *Conv1D) checkInput(in [][]int) error {
	if len(in) != 1 || len(in[0]) != 2 || in[0][1] < 1 || (in[0][0] < 1 && in[0][0] != graph.None) {
		return fmt.Errorf("layers: Conv1D %s: inputs of shape %s: want one input (batch, steps, channels), channels fixed", c.cfg.Name, formatShapes(in))
	}
	_, err := c.outSteps(in[0][0])
	return err
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): "<name>/kernel"
// (kernel_size, channels, filters) and, with use_bias, "<name>/bias"
// (filters).
func (c *Conv1D) ParamShapes(in [][]int) (map[string][]int, error) {
	if err := c.checkInput(in); err != nil {
		return nil, err
	}
	shapes := map[string][]int{c.cfg.Name + "/kernel": {c.cfg.KernelSize, in[0][1], c.cfg.Filters}}
	if c.cfg.UseBias {
		shapes[c.cfg.Name+"/bias"] = []int{c.cfg.Filters}
	}
	return shapes, nil
}

// outSteps returns the output length for an input of steps (graph.None:
// None).
func (c *Conv1D) outSteps(steps int) (int, error) {
	n, err := outSteps(steps, c.cfg.KernelSize, c.cfg.Strides, c.cfg.DilationRate, c.cfg.Padding)
	if err != nil {
		return 0, fmt.Errorf("layers: Conv1D %s: input of %d steps: %w", c.cfg.Name, steps, err)
	}
	return n, nil
}

// OutputShapes is (out steps, filters).
func (c *Conv1D) OutputShapes() [][]int {
	if c.inShape == nil {
		return nil
	}
	n, _ := c.outSteps(c.inShape[0])
	return [][]int{{n, c.cfg.Filters}}
}
