package lstm

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// The Bidirectional wrapper is a graph.Layer, so it stacks with other
// layers in a model.Model: Forward runs the wrapper's call and the Pass's
// Backward the VJP of that call.
var (
	_ graph.Layer             = (*Bidirectional)(nil)
	_ graph.Stateful          = (*Bidirectional)(nil)
	_ graph.LengthFree        = (*Bidirectional)(nil)
	_ graph.ProgramCacheSizer = (*Bidirectional)(nil)
)

// Name is the wrapper's name (BidirectionalConfig.Name).
func (b *Bidirectional) Name() string { return b.cfg.Name }

// Type is "Bidirectional", the name the wrapper is registered under in
// package graph.
func (b *Bidirectional) Type() string { return "Bidirectional" }

// Config returns the configuration as JSON, as Keras' get_config (see
// BidirectionalConfig.MarshalJSON).
func (b *Bidirectional) Config() (json.RawMessage, error) { return json.Marshal(b.cfg) }

// FreeShape leaves the timesteps of a (timesteps, input_dim) input open
// (see LSTM.FreeShape).
func (b *Bidirectional) FreeShape(example []int) []int { return b.fw.FreeShape(example) }

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): each direction's LSTM
// weights under "<wrapper>/forward_<layer>/" and "<wrapper>/backward_<layer>/".
func (b *Bidirectional) ParamShapes(in [][]int) (map[string][]int, error) {
	if err := b.checkStateInputs(in); err != nil {
		return nil, err
	}
	shapes := map[string][]int{}
	for _, l := range []*LSTM{b.fw, b.bw} {
		s, err := l.ParamShapes(in[:1])
		if err != nil {
			return nil, fmt.Errorf("lstm: bidirectional %q: %w", b.cfg.Name, err)
		}
		for name, shape := range s {
			shapes[b.cfg.Name+"/"+name] = shape
		}
	}
	return shapes, nil
}

// checkStateInputs checks the number of inputs and the initial states'
// shapes.
func (b *Bidirectional) checkStateInputs(in [][]int) error {
	if len(in) != 1 && len(in) != 5 {
		return fmt.Errorf("lstm: bidirectional %q: %d inputs: want the sequence, optionally followed by the initial forward h, forward c, backward h and backward c", b.cfg.Name, len(in))
	}
	u := b.cfg.Layer.Units
	for i, s := range in[1:] {
		if len(s) != 1 || s[0] != u {
			return fmt.Errorf("lstm: bidirectional %q: initial %s of shape %s: want (batch, %d)", b.cfg.Name, biStateNames[i], graph.FormatShape(s), u)
		}
	}
	return nil
}

// Build creates both layers' weights for a model input of per-sample shape
// (timesteps, input_dim), timesteps graph.None for any length, in dtype dt.
// Four more inputs of shape (units) are the initial states, in Keras'
// order: forward h, forward c, backward h, backward c. The weights are
// named as in Keras' weight files: "<wrapper>/forward_<layer>/kernel",
// ..., "<wrapper>/backward_<layer>/bias".
func (b *Bidirectional) Build(in [][]int, dt tensor.Dtype) error {
	if err := b.checkStateInputs(in); err != nil {
		return err
	}
	for _, l := range []*LSTM{b.fw, b.bw} {
		if err := l.Build(in[:1], dt); err != nil {
			return fmt.Errorf("lstm: bidirectional %q: %w", b.cfg.Name, err)
		}
	}
	for _, p := range b.Params() {
		if !strings.HasPrefix(p.Name, b.cfg.Name+"/") {
			p.Name = b.cfg.Name + "/" + p.Name
		}
	}
	return nil
}

// biStateNames are the wrapper's initial states, in Keras' order.
var biStateNames = []string{"forward h", "forward c", "backward h", "backward c"}

// OutputShapes are, in Keras' order, the merged output, or with merge mode
// "none" the forward and the backward output, each (units) or (timesteps,
// units) with ReturnSequences, the last axis 2·units with "concat"; then
// with ReturnState the four final states, each (units).
func (b *Bidirectional) OutputShapes() [][]int {
	one := b.fw.OutputShapes()[0]
	var out [][]int
	switch b.cfg.MergeMode {
	case MergeNone:
		out = [][]int{one, append([]int(nil), one...)}
	case MergeConcat:
		merged := append([]int(nil), one...)
		merged[len(merged)-1] *= 2
		out = [][]int{merged}
	default:
		out = [][]int{one}
	}
	if b.cfg.Layer.ReturnState {
		u := b.cfg.Layer.Units
		out = append(out, []int{u}, []int{u}, []int{u}, []int{u})
	}
	return out
}

// Forward runs both layers on in[0] (with in[1:5] as the initial states
// when given) and returns the outputs of OutputShapes. masks[0], the
// input's mask, makes both layers skip the padded steps (the backward one
// reversed with the input); only the sequence takes a mask. As Keras
// 2.2.4's Bidirectional.compute_mask: with ReturnSequences the output (each
// output, with merge mode "none") carries the input's mask, without it
// none; the states carry none. Each Forward keeps its own record, and
// inference Forward calls may run from several goroutines at once (not on
// a stateful wrapper).
func (b *Bidirectional) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if len(in) != 1 && len(in) != 5 {
		return nil, fmt.Errorf("lstm: bidirectional %q: %d inputs: want 1 or 5", b.cfg.Name, len(in))
	}
	mask, err := sequenceMask(masks)
	if err != nil {
		return nil, fmt.Errorf("lstm: bidirectional %q: %w", b.cfg.Name, err)
	}
	opt := BiCallOptions{Training: training, Mask: mask}
	if len(in) == 5 {
		opt.InitialState = in[1:]
	}
	out, rec, err := b.call(in[0], opt)
	if err != nil {
		return nil, err
	}
	p := &graph.Pass{Outputs: out.returned(), ActivityPenalty: rec.actVal}
	if opt.Mask != nil && b.cfg.Layer.ReturnSequences {
		p.Masks = make([]*tensor.Dense, len(p.Outputs))
		p.Masks[0] = opt.Mask
		if b.cfg.MergeMode == MergeNone {
			p.Masks[1] = opt.Mask
		}
	}
	if training {
		p.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
			return b.backward(rec, dOut, len(in), len(needIn) == 0 || needIn[0])
		}
	}
	return p, nil
}

// backward runs the VJP of one training Forward (its record rec) for the
// output gradients dOut (in the order of the outputs; nil counts as
// zeros), adds the weight gradients into the Params' Grad and returns the
// gradients of the n inputs.
func (b *Bidirectional) backward(rec *biRecord, dOut []*tensor.Dense, n int, needDX bool) ([]*tensor.Dense, error) {
	var d BiOutputs
	k := 0
	returned := rec.outs.fields()
	for i, f := range d.fields() {
		if *returned[i] == nil {
			continue
		}
		if k < len(dOut) {
			*f = dOut[k]
		}
		k++
	}
	if len(dOut) > k {
		return nil, fmt.Errorf("lstm: bidirectional %q: %d output gradients for %d outputs", b.cfg.Name, len(dOut), k)
	}
	g, err := b.vjpRecord(rec, d, needDX)
	if err != nil {
		return nil, err
	}
	for i, p := range b.Params() {
		graph.AddInto(p.Grad, g.Weights()[i])
	}
	dIn := []*tensor.Dense{g.Input}
	if n == 5 {
		dIn = append(dIn, g.InitialState()...)
	}
	return dIn, nil
}

// RandomState returns the states of the forward and the backward layer's
// random streams, one after the other (graph.RandomStream); the layer must
// be built.
func (b *Bidirectional) RandomState() ([]byte, error) {
	if !b.Built() {
		return nil, fmt.Errorf("lstm: Bidirectional %q is not built", b.Name())
	}
	return graph.PCGStates(b.fw.src, b.bw.src)
}

// SetRandomState restores both layers' random streams from a RandomState;
// the layer must be built.
func (b *Bidirectional) SetRandomState(state []byte) error {
	if !b.Built() {
		return fmt.Errorf("lstm: Bidirectional %q is not built", b.Name())
	}
	if err := graph.SetPCGStates(state, b.fw.src, b.bw.src); err != nil {
		return fmt.Errorf("lstm: Bidirectional %q: %w", b.Name(), err)
	}
	return nil
}
