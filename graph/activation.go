package graph

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
)

// activationNames lists the accepted names in the order ActivationNames
// returns them.
var activationNames = []string{
	"linear", "tanh", "sigmoid", "hard_sigmoid", "hard_sigmoid_keras3",
	"relu", "elu", "selu", "softplus", "softsign", "exponential", "softmax",
}

var activations = map[string]Activation{
	"linear":              linear,
	"":                    linear,
	"None":                linear,
	"tanh":                elem(kindTanh),
	"sigmoid":             elem(kindSigmoid),
	"hard_sigmoid":        elem(kindHardSigmoid),
	"hard_sigmoid_keras3": elem(kindHardSigmoidK3),
	"relu":                elem(kindRelu),
	"elu":                 elem(kindElu),
	"selu":                elem(kindSelu),
	"softplus":            elem(kindSoftplus),
	"softsign":            elem(kindSoftsign),
	"exponential":         exponential,
	"softmax":             softmax,
}

// GetActivation returns the activation with the given Keras name:
//
//	linear               x ("" and "None" are accepted too, as Keras' None)
//	tanh                 tanh(x)
//	sigmoid              1/(1+exp(-x))
//	hard_sigmoid         clip(0.2·x+0.5, 0, 1) (Keras 2 and tf.keras)
//	hard_sigmoid_keras3  clip(x/6+0.5, 0, 1) = relu6(x+3)/6 (Keras 3)
//	relu                 max(x, 0)
//	elu                  x if x > 0, else exp(x)-1 (alpha 1)
//	selu                 scale·x if x > 0, else scale·alpha·(exp(x)-1),
//	                     alpha = 1.6732632423543772848170429916717,
//	                     scale = 1.0507009873554804934193349852946
//	softplus             log(1+exp(x))
//	softsign             x/(1+|x|)
//	exponential          exp(x)
//	softmax              exp(x)/Σexp(x) along the last axis
//
// All but linear, exponential and softmax are one Gorgonia node whose
// gradient is one node too. Derivatives at kinks follow TensorFlow (Keras 2
// backend): hard_sigmoid's gradient is the slope on the closed interval
// [-2.5, 2.5] ([-3, 3] for Keras 3) and 0 outside; relu's gradient at 0 is
// 0; selu's at 0 is scale·alpha (Keras 2 selects the negative branch for
// x <= 0). An unknown name is an error that lists the accepted names.
func GetActivation(name string) (Activation, error) {
	if a, ok := activations[name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("graph: unknown activation %q: want one of %s (or \"\" or \"None\" for linear)",
		name, strings.Join(activationNames, ", "))
}

// ActivationNames returns the names GetActivation accepts (without the
// aliases "" and "None" of linear).
func ActivationNames() []string {
	return append([]string(nil), activationNames...)
}

// linear is the identity activation: it returns x itself.
func linear(x *G.Node) (*G.Node, error) {
	if err := CheckDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("graph: activation linear: %w", err)
	}
	return x, nil
}

func elem(k elemKind) Activation {
	return func(x *G.Node) (*G.Node, error) { return applyElem(k, x) }
}

// exponential is exp(x) (Gorgonia's Exp; gradient exp(x)·dy).
func exponential(x *G.Node) (*G.Node, error) {
	if err := CheckDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("graph: activation exponential: %w", err)
	}
	return G.Exp(x)
}

// softmax is Gorgonia's SoftMax along the last axis (as Keras' default
// axis=-1, also for column vectors).
func softmax(x *G.Node) (*G.Node, error) {
	if err := CheckDtype(x.Dtype()); err != nil {
		return nil, fmt.Errorf("graph: activation softmax: %w", err)
	}
	if x.Dims() == 0 {
		return nil, fmt.Errorf("graph: activation softmax: input must have at least 1 dimension, got a scalar")
	}
	return G.SoftMax(x, x.Dims()-1)
}
