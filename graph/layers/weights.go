package layers

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// kernelBias holds the resolved Keras arguments of a layer with a kernel
// and an optional bias (Dense, Conv1D): its activation, initializers,
// regularizers and constraints (nil: none).
type kernelBias struct {
	act          graph.Activation
	kinit, binit graph.Initializer
	kreg, breg   graph.Regularizer
	areg         graph.Regularizer
	kcon, bcon   graph.Constraint
}

// kernelBiasSpecs are the Keras arguments that kernelBias resolves.
type kernelBiasSpecs struct {
	activation                   string
	kinit, binit                 graph.Spec
	kreg, breg, areg, kcon, bcon *graph.Spec
}

// newKernelBias resolves s, or returns an error naming the layer (class
// name) and the argument that is wrong.
func newKernelBias(class, name string, s kernelBiasSpecs) (kernelBias, error) {
	var kb kernelBias
	var err error
	if kb.act, err = graph.GetActivation(s.activation); err != nil {
		return kb, fmt.Errorf("layers: %s %s: activation: %w", class, name, err)
	}
	inits := []struct {
		arg string
		s   graph.Spec
		dst *graph.Initializer
	}{{"kernel_initializer", s.kinit, &kb.kinit}, {"bias_initializer", s.binit, &kb.binit}}
	for _, i := range inits {
		if *i.dst, err = graph.NewInitializer(i.s); err != nil {
			return kb, fmt.Errorf("layers: %s %s: %s: %w", class, name, i.arg, err)
		}
	}
	regs := []struct {
		arg string
		s   *graph.Spec
		dst *graph.Regularizer
	}{{"kernel_regularizer", s.kreg, &kb.kreg}, {"bias_regularizer", s.breg, &kb.breg}, {"activity_regularizer", s.areg, &kb.areg}}
	for _, r := range regs {
		if r.s != nil {
			if *r.dst, err = graph.NewRegularizer(*r.s); err != nil {
				return kb, fmt.Errorf("layers: %s %s: %s: %w", class, name, r.arg, err)
			}
		}
	}
	cons := []struct {
		arg string
		s   *graph.Spec
		dst *graph.Constraint
	}{{"kernel_constraint", s.kcon, &kb.kcon}, {"bias_constraint", s.bcon, &kb.bcon}}
	for _, c := range cons {
		if c.s != nil {
			if *c.dst, err = graph.NewConstraint(*c.s); err != nil {
				return kb, fmt.Errorf("layers: %s %s: %s: %w", class, name, c.arg, err)
			}
		}
	}
	return kb, nil
}

// params draws the kernel of kshape and, with useBias, the bias of units
// values in dt from NewRNG(seed), kernel first, and returns them as the
// Params "<name>/kernel" and "<name>/bias" (nil without a bias).
func (kb *kernelBias) params(class, name string, kshape []int, units int, useBias bool, dt tensor.Dtype, seed uint64) (kernel, bias *graph.Param, err error) {
	rng := graph.NewRNG(seed)
	k, err := graph.InitTensor(kb.kinit, kshape, dt, rng)
	if err != nil {
		return nil, nil, fmt.Errorf("layers: %s %s kernel: %w", class, name, err)
	}
	kernel = &graph.Param{Name: name + "/kernel", Value: k, Grad: graph.NewTensor(dt, kshape, nil),
		Regularizer: kb.kreg, Constraint: kb.kcon}
	if useBias {
		b, err := graph.InitTensor(kb.binit, []int{units}, dt, rng)
		if err != nil {
			return nil, nil, fmt.Errorf("layers: %s %s bias: %w", class, name, err)
		}
		bias = &graph.Param{Name: name + "/bias", Value: b, Grad: graph.NewTensor(dt, []int{units}, nil),
			Regularizer: kb.breg, Constraint: kb.bcon}
	}
	return kernel, bias, nil
}

// kernelBiasParams returns the kernel and, when not nil, the bias (nil
// before Build).
func kernelBiasParams(kernel, bias *graph.Param) []*graph.Param {
	switch {
	case kernel == nil:
		return nil
	case bias == nil:
		return []*graph.Param{kernel}
	}
	return []*graph.Param{kernel, bias}
}
