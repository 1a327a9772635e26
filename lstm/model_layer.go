package lstm

import (
	"encoding/json"
	"fmt"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// The LSTM is a graph.Layer, so it stacks with other layers in a
// model.Model: Forward runs Call and the Pass's Backward runs the VJP of
// that call.
var _ graph.Layer = (*LSTM)(nil)
var _ graph.Stateful = (*LSTM)(nil)
var _ graph.LengthFree = (*LSTM)(nil)
var _ graph.ProgramCacheSizer = (*LSTM)(nil)
var _ graph.ParamShaper = (*LSTM)(nil)

// Name is the layer's name (Config.Name).
func (l *LSTM) Name() string { return l.cfg.Name }

// Type is "LSTM", the name the layer is registered under in package graph.
func (l *LSTM) Type() string { return "LSTM" }

// Build creates the weights for a model input of per-sample shape
// (timesteps, input_dim), timesteps graph.None for any length, in dtype dt.
// Two more inputs of shape (units) are the initial h and c, as Keras'
// initial_state passed as extra inputs.
func (l *LSTM) Build(in [][]int, dt tensor.Dtype) error {
	seq, err := l.modelInput(in)
	if err != nil {
		return err
	}
	l.steps = seq[0]
	if l.built {
		if seq[1] != l.inputDim || dt != l.dt {
			return fmt.Errorf("lstm: layer %q has weights for input_dim %d in %v: got input_dim %d in %v", l.cfg.Name, l.inputDim, l.dt, seq[1], dt)
		}
		return nil
	}
	return l.BuildFor(seq[1], dt)
}

// modelInput checks the per-sample input shapes of a model: the sequence
// (timesteps, input_dim), optionally followed by the initial h and c, and
// returns the sequence's.
func (l *LSTM) modelInput(in [][]int) ([]int, error) {
	if len(in) != 1 && len(in) != 3 {
		return nil, fmt.Errorf("lstm: layer %q: %d inputs: want the sequence, optionally followed by the initial h and c", l.cfg.Name, len(in))
	}
	seq := in[0]
	if len(seq) != 2 || seq[1] < 1 || (seq[0] < 1 && seq[0] != graph.None) {
		return nil, fmt.Errorf("lstm: layer %q: input shape %s: want (batch, timesteps, input_dim), timesteps None for any length", l.cfg.Name, graph.FormatShape(seq))
	}
	for i, s := range in[1:] {
		if len(s) != 1 || s[0] != l.cfg.Units {
			return nil, fmt.Errorf("lstm: layer %q: initial %s of shape %s: want (batch, %d)", l.cfg.Name, []string{"h", "c"}[i], graph.FormatShape(s), l.cfg.Units)
		}
	}
	return seq, nil
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): "<name>/kernel"
// (input_dim, 4·units), "<name>/recurrent_kernel" (units, 4·units) and,
// with use_bias, "<name>/bias" (4·units).
func (l *LSTM) ParamShapes(in [][]int) (map[string][]int, error) {
	seq, err := l.modelInput(in)
	if err != nil {
		return nil, err
	}
	u, name := l.cfg.Units, l.cfg.Name
	shapes := map[string][]int{name + "/kernel": {seq[1], 4 * u}, name + "/recurrent_kernel": {u, 4 * u}}
	if l.cfg.UseBias {
		shapes[name+"/bias"] = []int{4 * u}
	}
	return shapes, nil
}

// FreeShape leaves the timesteps of a (timesteps, input_dim) input open:
// a model built from data takes sequences of any length.
func (l *LSTM) FreeShape(example []int) []int {
	if len(example) != 2 {
		return example
	}
	return []int{graph.None, example[1]}
}

// OutputShapes are the output, (units) or (timesteps, units) with
// ReturnSequences (timesteps graph.None for any length), then with
// ReturnState the final h and c, each (units).
func (l *LSTM) OutputShapes() [][]int {
	out := [][]int{{l.cfg.Units}}
	if l.cfg.ReturnSequences {
		out[0] = []int{l.steps, l.cfg.Units}
	}
	if l.cfg.ReturnState {
		out = append(out, []int{l.cfg.Units}, []int{l.cfg.Units})
	}
	return out
}

// Forward runs the layer on in[0], as Call does, with in[1] and in[2] as
// the initial state when given and masks[0] as the sequence mask, and
// returns the outputs of OutputShapes (with ReturnSequences the output
// keeps the input's mask);
// the Pass's Backward is the VJP of this call. It leaves the layer's last
// call (VJP, ActivityPenalty) alone, so inference Forwards of a built layer
// that is not stateful may run from several goroutines at once.
func (l *LSTM) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if len(in) != 1 && len(in) != 3 {
		return nil, fmt.Errorf("lstm: layer %q: %d inputs: want 1 or 3", l.cfg.Name, len(in))
	}
	opt := CallOptions{Training: training}
	if len(in) == 3 {
		opt.InitialState = &State{H: in[1], C: in[2]}
	}
	mask, err := sequenceMask(masks)
	if err != nil {
		return nil, fmt.Errorf("lstm: layer %q: %w", l.cfg.Name, err)
	}
	opt.Mask = mask
	out, rec, err := l.call(in[0], opt)
	if err != nil {
		return nil, err
	}
	p := &graph.Pass{Outputs: []*tensor.Dense{out.Output}, ActivityPenalty: rec.actVal}
	if l.cfg.ReturnState {
		p.Outputs = append(p.Outputs, out.H, out.C)
	}
	if opt.Mask != nil && l.cfg.ReturnSequences {
		// The sequence output keeps the input's mask (Keras' compute_mask
		// with return_sequences); the states have none.
		p.Masks = make([]*tensor.Dense, len(p.Outputs))
		p.Masks[0] = opt.Mask
	}
	if training {
		p.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
			d := Outputs{}
			for i, g := range dOut {
				switch i {
				case 0:
					d.Output = g
				case 1:
					d.H = g
				case 2:
					d.C = g
				}
			}
			g, err := l.vjpRecord(rec, d, len(needIn) == 0 || needIn[0])
			if err != nil {
				return nil, err
			}
			// Backward runs once: the record's arrays serve the next pass.
			l.release(rec)
			graph.AddInto(l.kernel.Grad, g.Kernel)
			graph.AddInto(l.rec.Grad, g.RecurrentKernel)
			if l.bias != nil {
				graph.AddInto(l.bias.Grad, g.Bias)
			}
			dIn := []*tensor.Dense{g.Input}
			if len(in) == 3 {
				dIn = append(dIn, g.InitialH, g.InitialC)
			}
			return dIn, nil
		}
	}
	return p, nil
}

// sequenceMask returns the mask of a recurrent layer's first input, the
// sequence (nil when none), and an error when another input, an initial
// state, has one: only the sequence takes a mask.
func sequenceMask(masks []*tensor.Dense) (*tensor.Dense, error) {
	if len(masks) == 0 {
		return nil, nil
	}
	for i, mk := range masks[1:] {
		if mk != nil {
			return nil, fmt.Errorf("a mask on initial state input %d: only the sequence takes a mask", i+1)
		}
	}
	return masks[0], nil
}

// Config returns the configuration as JSON (see Config.MarshalJSON).
func (l *LSTM) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// RandomState returns the state of the layer's random stream, which draws
// the dropout masks (graph.RandomStream); the layer must be built.
func (l *LSTM) RandomState() ([]byte, error) {
	if l.src == nil {
		return nil, fmt.Errorf("lstm: layer %q is not built", l.cfg.Name)
	}
	return graph.PCGStates(l.src)
}

// SetRandomState restores the layer's random stream from a RandomState;
// the layer must be built.
func (l *LSTM) SetRandomState(state []byte) error {
	if l.src == nil {
		return fmt.Errorf("lstm: layer %q is not built", l.cfg.Name)
	}
	if err := graph.SetPCGStates(state, l.src); err != nil {
		return fmt.Errorf("lstm: layer %q: %w", l.cfg.Name, err)
	}
	return nil
}
