package lstm

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// The LSTM is a graph.Layer, so it stacks with other layers in a
// model.Model: Forward returns the Output of Call and Backward feeds its
// gradient to VJP.
var _ graph.Layer = (*LSTM)(nil)
var _ graph.Stateful = (*LSTM)(nil)
var _ graph.ParamBackward = (*LSTM)(nil)

// Name is the layer's name (Config.Name).
func (l *LSTM) Name() string { return l.cfg.Name }

// Type is "LSTM", the name the layer is registered under in package graph.
func (l *LSTM) Type() string { return "LSTM" }

// Build creates the weights for per-sample inputs of shape
// (timesteps, input_dim) or (input_dim) in dtype dt.
func (l *LSTM) Build(inShape []int, dt tensor.Dtype) error {
	if len(inShape) != 1 && len(inShape) != 2 {
		return fmt.Errorf("lstm: input shape %v: want (timesteps, input_dim)", inShape)
	}
	if len(inShape) == 2 {
		l.steps = inShape[0]
	}
	return l.BuildFor(inShape[len(inShape)-1], dt)
}

// OutputShape is (units), or (timesteps, units) with ReturnSequences, for
// the timesteps given to Build (0 when unknown).
func (l *LSTM) OutputShape() []int {
	if l.cfg.ReturnSequences {
		return []int{l.steps, l.cfg.Units}
	}
	return []int{l.cfg.Units}
}

// Forward is Call in the given mode, returning the output only.
func (l *LSTM) Forward(x *tensor.Dense, training bool) (*tensor.Dense, error) {
	out, err := l.Call(x, CallOptions{Training: training})
	if err != nil {
		return nil, err
	}
	return out.Output, nil
}

// Backward runs VJP with dy as the output's gradient, writes the weight
// gradients into Params' Grad and returns the input's gradient.
func (l *LSTM) Backward(dy *tensor.Dense) (*tensor.Dense, error) {
	g, err := l.vjp(Outputs{Output: dy}, true)
	if err != nil {
		return nil, err
	}
	l.setGrads(g)
	return g.Input, nil
}

// BackwardParams is Backward without the input gradient (graph.ParamBackward):
// a model's first layer skips the products that only the input gradient
// needs.
func (l *LSTM) BackwardParams(dy *tensor.Dense) error {
	g, err := l.vjp(Outputs{Output: dy}, false)
	if err != nil {
		return err
	}
	l.setGrads(g)
	return nil
}

func (l *LSTM) setGrads(g *Grads) {
	graph.CopyInto(l.kernel.Grad, g.Kernel)
	graph.CopyInto(l.rec.Grad, g.RecurrentKernel)
	if l.bias != nil {
		graph.CopyInto(l.bias.Grad, g.Bias)
	}
}

// Config returns the configuration as JSON (see Config.MarshalJSON).
func (l *LSTM) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }
