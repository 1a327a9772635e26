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
	err = resolveWeightArgs(class, name,
		weightArgs{weight: "kernel", init: &s.kinit, reg: s.kreg, con: s.kcon, initTo: &kb.kinit, regTo: &kb.kreg, conTo: &kb.kcon},
		weightArgs{weight: "bias", init: &s.binit, reg: s.breg, con: s.bcon, initTo: &kb.binit, regTo: &kb.breg, conTo: &kb.bcon},
		weightArgs{weight: "activity", reg: s.areg, regTo: &kb.areg})
	return kb, err
}

// weightArgs are the Keras arguments of one weight (or, for "activity",
// of the layer's output): the initializer, regularizer and constraint
// specs (nil: none given) and where their resolved objects go.
type weightArgs struct {
	weight         string // Keras' prefix of the arguments: "kernel", "gamma", ...
	init, reg, con *graph.Spec
	initTo         *graph.Initializer
	regTo          *graph.Regularizer
	conTo          *graph.Constraint
}

// resolveWeightArgs resolves the specs of each weight into their
// objects, or returns an error naming the layer (class name) and the
// argument that is wrong ("gamma_regularizer"). A nil spec leaves its
// object nil; an initializer spec with a nil destination is only checked.
func resolveWeightArgs(class, name string, ws ...weightArgs) error {
	for _, w := range ws {
		var err error
		if w.init != nil {
			var init graph.Initializer
			if init, err = graph.NewInitializer(*w.init); err != nil {
				return fmt.Errorf("layers: %s %s: %s_initializer: %w", class, name, w.weight, err)
			}
			if w.initTo != nil {
				*w.initTo = init
			}
		}
		if w.reg != nil {
			if *w.regTo, err = graph.NewRegularizer(*w.reg); err != nil {
				return fmt.Errorf("layers: %s %s: %s_regularizer: %w", class, name, w.weight, err)
			}
		}
		if w.con != nil {
			if *w.conTo, err = graph.NewConstraint(*w.con); err != nil {
				return fmt.Errorf("layers: %s %s: %s_constraint: %w", class, name, w.weight, err)
			}
		}
	}
	return nil
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
