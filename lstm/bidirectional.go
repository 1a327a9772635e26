package lstm

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BidirectionalConfig holds the arguments of Keras 2.2's
// Bidirectional(layer, merge_mode) around an LSTM.
type BidirectionalConfig struct {
	// Name is the wrapper's name; empty gives "bidirectional_<n>", n
	// counting the wrappers made in this process, as Keras does.
	Name string
	// Layer is the wrapped LSTM's configuration. Its name (empty gives
	// "lstm_<n>") names the two inner layers "forward_<name>" and
	// "backward_<name>", as Keras.
	Layer Config
	// MergeMode combines the two outputs: "concat" (the Keras default; ""
	// means "concat" too), "sum", "ave", "mul", or "none" (Keras' None: no
	// merge, both outputs are returned).
	MergeMode string
}

// DefaultBidirectional returns the Keras defaults around layer: merge mode
// "concat".
func DefaultBidirectional(layer Config) BidirectionalConfig {
	return BidirectionalConfig{Layer: layer, MergeMode: MergeConcat}
}

// Validate checks the merge mode and the layer's arguments and returns an
// error that names the first bad one and the accepted values.
func (c BidirectionalConfig) Validate() error {
	switch c.MergeMode {
	case "", MergeConcat, MergeSum, MergeAve, MergeMul, MergeNone:
	default:
		return fmt.Errorf("lstm: bidirectional: merge_mode = %q: must be one of \"concat\", \"sum\", \"ave\", \"mul\" or \"none\" (Keras' None)", c.MergeMode)
	}
	if err := c.Layer.Validate(); err != nil {
		return fmt.Errorf("lstm: bidirectional: layer: %w", err)
	}
	return nil
}

// bidirectionalJSON is the saved form of BidirectionalConfig, as Keras'
// Bidirectional.get_config.
type bidirectionalJSON struct {
	Name  string `json:"name"`
	Layer struct {
		ClassName string          `json:"class_name"`
		Config    json.RawMessage `json:"config"`
	} `json:"layer"`
	MergeMode json.RawMessage `json:"merge_mode,omitempty"`
}

// MarshalJSON writes the configuration as Keras' get_config: {"name",
// "layer": {"class_name": "LSTM", "config": {...}}, "merge_mode"}, with
// merge mode "none" written as null (Keras' None).
func (c BidirectionalConfig) MarshalJSON() ([]byte, error) {
	var j bidirectionalJSON
	j.Name = c.Name
	j.Layer.ClassName = "LSTM"
	var err error
	if j.Layer.Config, err = json.Marshal(c.Layer); err != nil {
		return nil, err
	}
	switch c.MergeMode {
	case MergeNone:
		j.MergeMode = json.RawMessage("null")
	case "":
		j.MergeMode, _ = json.Marshal(MergeConcat)
	default:
		j.MergeMode, _ = json.Marshal(c.MergeMode)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes (and Keras' get_config):
// merge_mode null is "none", a missing merge_mode is "concat" (Keras'
// default). The layer's class_name must be "LSTM".
func (c *BidirectionalConfig) UnmarshalJSON(b []byte) error {
	var j bidirectionalJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("lstm: bidirectional config: %w", err)
	}
	if j.Layer.ClassName != "LSTM" {
		return fmt.Errorf("lstm: bidirectional config: layer class_name %q: only \"LSTM\" is supported", j.Layer.ClassName)
	}
	out := BidirectionalConfig{Name: j.Name, MergeMode: MergeConcat}
	if err := json.Unmarshal(j.Layer.Config, &out.Layer); err != nil {
		return fmt.Errorf("lstm: bidirectional config: layer: %w", err)
	}
	if len(j.MergeMode) > 0 {
		var m *string
		if err := json.Unmarshal(j.MergeMode, &m); err != nil {
			return fmt.Errorf("lstm: bidirectional config: merge_mode: %w", err)
		}
		out.MergeMode = MergeNone
		if m != nil {
			out.MergeMode = *m
		}
	}
	*c = out
	return nil
}

// Bidirectional is Keras 2.2's Bidirectional wrapper around an LSTM: a
// forward copy of the layer and a backward one with GoBackwards flipped run
// on the same input, and their outputs are merged. Create it with
// NewBidirectional. Once built, a wrapper whose layer is not stateful may
// run inference (Call with Training false) from several goroutines at
// once, as an LSTM may; other calls are not concurrent with anything else.
type Bidirectional struct {
	cfg    BidirectionalConfig
	fw, bw *LSTM
	actReg *activityPenalty
	merges *graph.ProgramCache[mergeKey, *mergeProgram]

	mu     sync.Mutex // guards last and actVal: Call writes them
	last   *biRecord  // the last training call, for VJP
	actVal float64    // activity penalty of the last call
}

// biCount numbers the wrappers made without a name.
var biCount atomic.Int64

// backwardSeedMix derives the backward layer's seed from the layer's, so
// that the two directions draw different initial weights and dropout masks
// (Keras rebuilds the backward layer from its config: a fresh draw).
const backwardSeedMix = 0x9e3779b97f4a7c15

// NewBidirectional validates cfg and returns the unbuilt wrapper. The
// forward layer is cfg.Layer named "forward_<name>"; the backward layer is
// cfg.Layer with GoBackwards flipped, named "backward_<name>", seeded with
// Layer.Seed ^ 0x9e3779b97f4a7c15. Layer's ActivityRegularizer applies to
// what the wrapper returns (as Keras' Wrapper), so the inner layers are
// made without it.
func NewBidirectional(cfg BidirectionalConfig) (*Bidirectional, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MergeMode == "" {
		cfg.MergeMode = MergeConcat
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("bidirectional_%d", biCount.Add(1))
	}
	if cfg.Layer.Name == "" {
		cfg.Layer.Name = fmt.Sprintf("lstm_%d", layerCount.Add(1))
	}
	inner := cfg.Layer
	inner.ActivityRegularizer = nil
	fc, bc := inner, inner
	fc.Name, bc.Name = "forward_"+inner.Name, "backward_"+inner.Name
	bc.GoBackwards, bc.Seed = !inner.GoBackwards, inner.Seed^backwardSeedMix
	b := &Bidirectional{cfg: cfg, actReg: newActivityPenalty(cfg.Layer.ActivityRegularizer),
		merges: graph.NewProgramCache(newMergeProgram, func(p *mergeProgram) { p.vm.Close() })}
	var err error
	if b.fw, err = New(fc); err != nil {
		return nil, err
	}
	if b.bw, err = New(bc); err != nil {
		return nil, err
	}
	return b, nil
}

// Settings returns the wrapper's configuration (names filled in, merge
// mode "" as "concat").
func (b *Bidirectional) Settings() BidirectionalConfig { return b.cfg }

// ForwardLayer is the forward LSTM (Keras' forward_layer).
func (b *Bidirectional) ForwardLayer() *LSTM { return b.fw }

// BackwardLayer is the backward LSTM, GoBackwards flipped (Keras'
// backward_layer).
func (b *Bidirectional) BackwardLayer() *LSTM { return b.bw }

// Built reports whether the weights exist.
func (b *Bidirectional) Built() bool { return b.fw.built && b.bw.built }

// BuildFor creates the weights of both layers for inputs of input_dim
// features in dtype dt (see LSTM.BuildFor).
func (b *Bidirectional) BuildFor(inputDim int, dt tensor.Dtype) error {
	if err := b.fw.BuildFor(inputDim, dt); err != nil {
		return err
	}
	return b.bw.BuildFor(inputDim, dt)
}

// Params lists the trainable weights in Keras order: the forward layer's
// kernel, recurrent_kernel and bias, then the backward layer's.
func (b *Bidirectional) Params() []*graph.Param {
	return append(append([]*graph.Param(nil), b.fw.Params()...), b.bw.Params()...)
}

// Weights returns copies of the weights in Keras get_weights() order: the
// forward layer's (kernel, recurrent_kernel, bias), then the backward
// layer's; 6 arrays, or 4 without use_bias.
func (b *Bidirectional) Weights() []*tensor.Dense {
	return append(b.fw.Weights(), b.bw.Weights()...)
}

// SetWeights sets the weights from Keras set_weights() order (see
// Weights). Arrays may be views and float32 or float64; an unbuilt wrapper
// is built from the kernels' shape. A wrong count or shape is an error and
// changes nothing.
func (b *Bidirectional) SetWeights(ws ...*tensor.Dense) error {
	per := 2
	if b.cfg.Layer.UseBias {
		per = 3
	}
	if len(ws) != 2*per {
		names := "kernel, recurrent_kernel"
		if per == 3 {
			names += ", bias"
		}
		return fmt.Errorf("lstm: bidirectional: set weights: got %d arrays, want %d (forward %s, then backward %s)", len(ws), 2*per, names, names)
	}
	fws, err := b.fw.checkWeights(ws[:per])
	if err != nil {
		return fmt.Errorf("lstm: bidirectional: forward layer: %w", err)
	}
	bws, err := b.bw.checkWeights(ws[per:])
	if err != nil {
		return fmt.Errorf("lstm: bidirectional: backward layer: %w", err)
	}
	if fws[0].Shape()[0] != bws[0].Shape()[0] {
		return fmt.Errorf("lstm: bidirectional: set weights: forward kernel has input_dim %d, backward kernel %d: want the same", fws[0].Shape()[0], bws[0].Shape()[0])
	}
	b.fw.setWeights(fws)
	b.bw.setWeights(bws)
	return nil
}

// IsStateful reports whether the layers carry their states across calls
// (Layer.Stateful).
func (b *Bidirectional) IsStateful() bool { return b.cfg.Layer.Stateful }

// ResetStates sets both layers' carried states to zeros (see
// LSTM.ResetStates).
func (b *Bidirectional) ResetStates() error {
	if err := b.fw.ResetStates(); err != nil {
		return err
	}
	return b.bw.ResetStates()
}

// ActivityPenalty is the activity-regularizer penalty of the last Call
// (Layer.ActivityRegularizer on every returned tensor; 0 without one).
func (b *Bidirectional) ActivityPenalty() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.actVal
}

// BiCallOptions are the per-call arguments of Bidirectional.Call. Every
// tensor may be a view.
type BiCallOptions struct {
	// Training applies dropout and records what VJP needs (see
	// CallOptions.Training).
	Training bool
	// InitialState is nil, or the four states in Keras' order: forward h,
	// forward c, backward h, backward c, each (batch, units).
	InitialState []*tensor.Dense
	// Mask marks the real timesteps (see CallOptions.Mask); the backward
	// layer reverses it with the input.
	Mask *tensor.Dense
	// ForwardMasks and BackwardMasks are each layer's dropout keep masks
	// (see CallOptions.Masks).
	ForwardMasks, BackwardMasks *DropoutMasks
}

// BiOutputs are what the wrapper returns (Keras returns, in order, the
// output or the two outputs, then with return_state the four states).
type BiOutputs struct {
	// Output is the merged output: (batch, units) or, with
	// ReturnSequences, (batch, timesteps, units) in input order, the
	// backward sequence reversed back before merging; the last axis is
	// 2·units with "concat". Nil with merge mode "none".
	Output *tensor.Dense
	// OutputForward and OutputBackward are the two outputs with merge
	// mode "none" (the backward one in input order with ReturnSequences).
	OutputForward, OutputBackward *tensor.Dense
	// The final states of each layer, with ReturnState.
	ForwardH, ForwardC, BackwardH, BackwardC *tensor.Dense
}

// returned lists the tensors the wrapper returns, in Keras' order.
func (o *BiOutputs) returned() []*tensor.Dense {
	var ts []*tensor.Dense
	for _, t := range []*tensor.Dense{o.Output, o.OutputForward, o.OutputBackward, o.ForwardH, o.ForwardC, o.BackwardH, o.BackwardC} {
		if t != nil {
			ts = append(ts, t)
		}
	}
	return ts
}

// fields lists pointers to the fields of o in the order of returned (all
// of them).
func (o *BiOutputs) fields() []**tensor.Dense {
	return []**tensor.Dense{&o.Output, &o.OutputForward, &o.OutputBackward, &o.ForwardH, &o.ForwardC, &o.BackwardH, &o.BackwardC}
}

// BiGrads are the gradients VJP returns.
type BiGrads struct {
	// Input is the gradient of the input (batch, timesteps, input_dim),
	// through both layers.
	Input *tensor.Dense
	// Forward and Backward are each layer's weight and initial-state
	// gradients (their Input is nil).
	Forward, Backward *Grads
}

// Weights returns the weight gradients in Keras order (see
// Bidirectional.Weights).
func (g *BiGrads) Weights() []*tensor.Dense {
	var ws []*tensor.Dense
	for _, d := range []*Grads{g.Forward, g.Backward} {
		ws = append(ws, d.Kernel, d.RecurrentKernel)
		if d.Bias != nil {
			ws = append(ws, d.Bias)
		}
	}
	return ws
}

// InitialState returns the initial-state gradients in Keras' order:
// forward h, forward c, backward h, backward c.
func (g *BiGrads) InitialState() []*tensor.Dense {
	return []*tensor.Dense{g.Forward.InitialH, g.Forward.InitialC, g.Backward.InitialH, g.Backward.InitialC}
}

// biRecord is one call of the wrapper: both layers' records and what the
// merge's VJP needs.
type biRecord struct {
	training bool
	fw, bw   *record
	yf, yb   *tensor.Dense // the outputs merged (backward in input order)
	outs     *BiOutputs
	actVal   float64
}

// Call runs both layers on x (batch, timesteps, input_dim) and merges their
// outputs, building the weights on the first call.
func (b *Bidirectional) Call(x *tensor.Dense, opt BiCallOptions) (*BiOutputs, error) {
	out, rec, err := b.call(x, opt)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.actVal = rec.actVal
	b.last = nil
	if rec.training {
		b.last = rec
	}
	b.mu.Unlock()
	return out, nil
}

// call is Call without keeping the record (see LSTM.call).
func (b *Bidirectional) call(x *tensor.Dense, opt BiCallOptions) (*BiOutputs, *biRecord, error) {
	if err := checkInput(x, opt.Mask); err != nil {
		return nil, nil, fmt.Errorf("lstm: bidirectional %q: %w", b.cfg.Name, err)
	}
	fo := CallOptions{Training: opt.Training, Mask: opt.Mask, Masks: opt.ForwardMasks}
	bo := CallOptions{Training: opt.Training, Mask: opt.Mask, Masks: opt.BackwardMasks}
	switch n := len(opt.InitialState); n {
	case 0:
	case 4:
		fo.InitialState = &State{H: opt.InitialState[0], C: opt.InitialState[1]}
		bo.InitialState = &State{H: opt.InitialState[2], C: opt.InitialState[3]}
	default:
		return nil, nil, fmt.Errorf("lstm: bidirectional: initial state has %d tensors: want 4 (forward h, forward c, backward h, backward c)", n)
	}
	fr, err := b.fw.prepare(x, fo)
	if err != nil {
		return nil, nil, fmt.Errorf("lstm: bidirectional %q, forward layer: %w", b.cfg.Name, err)
	}
	br, err := b.bw.prepare(x, bo)
	if err != nil {
		return nil, nil, fmt.Errorf("lstm: bidirectional %q, backward layer: %w", b.cfg.Name, err)
	}
	fout, err := b.fw.run(fr)
	if err != nil {
		return nil, nil, err
	}
	bout, err := b.bw.run(br)
	if err != nil {
		return nil, nil, err
	}
	rec := &biRecord{training: opt.Training, fw: fr, bw: br, yf: fout.Output, yb: bout.Output}
	if b.cfg.Layer.ReturnSequences {
		rec.yb = reverseSteps(rec.yb)
	}
	out := &BiOutputs{}
	if b.cfg.MergeMode == MergeNone {
		out.OutputForward, out.OutputBackward = rec.yf, rec.yb
	} else {
		p, put, err := b.merge(rec.yf, false)
		if err != nil {
			return nil, nil, err
		}
		err = p.run(asMatrix(rec.yf), asMatrix(rec.yb), nil)
		y := p.yVal
		put()
		if err != nil {
			return nil, nil, err
		}
		out.Output = withLeading(graph.Contiguous(owned(y)), rec.yf)
	}
	if b.cfg.Layer.ReturnState {
		out.ForwardH, out.ForwardC, out.BackwardH, out.BackwardC = fout.H, fout.C, bout.H, bout.C
	}
	rec.outs = out
	if b.actReg.reg != nil {
		if rec.actVal, err = b.actReg.value(out.returned()); err != nil {
			return nil, nil, err
		}
	}
	return out, rec, nil
}

// SetProgramCacheSize sets how many idle compiled programs each of the two
// layers and the merge keep (see LSTM.SetProgramCacheSize).
func (b *Bidirectional) SetProgramCacheSize(n int) error {
	for _, err := range []error{b.fw.SetProgramCacheSize(n), b.bw.SetProgramCacheSize(n), b.merges.SetCapacity(n)} {
		if err != nil {
			return err
		}
	}
	return nil
}

// merge takes the compiled merge for outputs shaped like y from the cache
// until the returned function gives it back.
func (b *Bidirectional) merge(y *tensor.Dense, grad bool) (*mergeProgram, func(), error) {
	s := y.Shape()
	return b.merges.Get(mergeKey{mode: b.cfg.MergeMode, units: s[len(s)-1], rows: s.TotalSize() / s[len(s)-1], dt: y.Dtype(), grad: grad})
}

// VJP returns the gradients of a scalar loss with respect to the input,
// both layers' weights and the four initial states of the last training
// Call, given the gradients of that loss with respect to what Call
// returned (a nil field counts as zeros; views are read as their copies).
// The activity regularizer's gradient is added. The merge's gradient and
// each layer's come from Gorgonia's autodiff (see LSTM.VJP).
func (b *Bidirectional) VJP(d BiOutputs) (*BiGrads, error) {
	b.mu.Lock()
	rec := b.last
	b.mu.Unlock()
	return b.vjpRecord(rec, d, true)
}

// vjpRecord is the VJP of the call recorded in rec; without needDX it
// leaves the input gradient out.
func (b *Bidirectional) vjpRecord(rec *biRecord, d BiOutputs, needDX bool) (*BiGrads, error) {
	if rec == nil || !rec.training {
		return nil, fmt.Errorf("lstm: bidirectional: VJP needs a preceding Call with Training true")
	}
	names := []string{"output", "output_forward", "output_backward", "forward_h", "forward_c", "backward_h", "backward_c"}
	got, returned := d.fields(), rec.outs.fields()
	for i, p := range got {
		*p = graph.Contiguous(*p)
		t, r := *p, *returned[i]
		switch {
		case t == nil:
		case r == nil:
			return nil, fmt.Errorf("lstm: bidirectional: VJP: gradient of %s given, but the layer does not return it (merge_mode %q, return_state %t)", names[i], b.cfg.MergeMode, b.cfg.Layer.ReturnState)
		case t.Dtype() != r.Dtype():
			return nil, fmt.Errorf("lstm: bidirectional: VJP: gradient of %s has dtype %v, want %v", names[i], t.Dtype(), r.Dtype())
		case !sameShape(t.Shape(), r.Shape()...):
			return nil, fmt.Errorf("lstm: bidirectional: VJP: gradient of %s has shape %v, want %v", names[i], t.Shape(), r.Shape())
		}
	}
	if b.actReg.reg != nil {
		var ds []**tensor.Dense
		for i, p := range got {
			if *returned[i] != nil {
				ds = append(ds, p)
			}
		}
		if err := b.actReg.addGrad(rec.outs.returned(), ds); err != nil {
			return nil, err
		}
	}
	df, db := d.OutputForward, d.OutputBackward
	if d.Output != nil {
		p, put, err := b.merge(rec.yf, true)
		if err != nil {
			return nil, err
		}
		err = p.run(asMatrix(rec.yf), asMatrix(rec.yb), asMatrix(d.Output))
		if err == nil {
			df, db = withLeading(copyOf(p.da.Value()), rec.yf), withLeading(copyOf(p.db.Value()), rec.yb)
		}
		put()
		if err != nil {
			return nil, err
		}
	}
	if db != nil && b.cfg.Layer.ReturnSequences {
		db = reverseSteps(db)
	}
	gf, err := b.fw.vjpRecord(rec.fw, Outputs{Output: df, H: d.ForwardH, C: d.ForwardC}, needDX)
	if err != nil {
		return nil, err
	}
	gb, err := b.bw.vjpRecord(rec.bw, Outputs{Output: db, H: d.BackwardH, C: d.BackwardC}, needDX)
	if err != nil {
		return nil, err
	}
	g := &BiGrads{Forward: gf, Backward: gb}
	if needDX {
		g.Input = gf.Input
		graph.AddInto(g.Input, gb.Input)
		gf.Input, gb.Input = nil, nil
	}
	return g, nil
}

// copyOf returns a contiguous copy of a value a run left in a node (which
// may be a view, or an input's own value).
func copyOf(v G.Value) *tensor.Dense {
	d := v.(*tensor.Dense)
	if d.IsMaterializable() {
		return d.Materialize().(*tensor.Dense)
	}
	return d.Clone().(*tensor.Dense)
}

// BiUnrolledOptions are the optional arguments of Bidirectional.Unrolled.
type BiUnrolledOptions struct {
	// InitialState is nil, or four (batch, units) nodes: forward h,
	// forward c, backward h, backward c.
	InitialState []*G.Node
	// Mask is a (batch, timesteps) 0/1 node (see UnrolledOptions.Mask).
	Mask *G.Node
}

// BiSymbolic holds the nodes Bidirectional.Unrolled adds to a graph.
type BiSymbolic struct {
	// Output is the merged output as Call returns it: with ReturnSequences
	// one (batch, units) node per timestep in input order (2·units with
	// "concat"), else one node. Nil with merge mode "none": take the two
	// layers' outputs from Forward and Backward.
	Output []*G.Node
	// Forward and Backward are each layer's nodes (see LSTM.UnrolledWith),
	// each in its processing order: Backward.H[k] is the output of input
	// step T-1-k (with Layer.GoBackwards false).
	Forward, Backward *Symbolic
}

// Unrolled builds the wrapper into the caller's Gorgonia graph g over the
// timesteps xs ((batch, input_dim) nodes in input order), as
// LSTM.UnrolledWith builds one layer: both layers, their weights as input
// nodes named after each layer, and the merge as graph nodes, to be
// differentiated with the rest of g. The nodes compute the numbers of Call
// (without dropout); the layers must be built.
func (b *Bidirectional) Unrolled(g *G.ExprGraph, xs []*G.Node, opt BiUnrolledOptions) (s *BiSymbolic, err error) {
	fo, bo := UnrolledOptions{Mask: opt.Mask}, UnrolledOptions{Mask: opt.Mask}
	switch n := len(opt.InitialState); n {
	case 0:
	case 4:
		fo.H0, fo.C0, bo.H0, bo.C0 = opt.InitialState[0], opt.InitialState[1], opt.InitialState[2], opt.InitialState[3]
	default:
		return nil, fmt.Errorf("lstm: bidirectional: Unrolled: initial state has %d nodes: want 4 (forward h, forward c, backward h, backward c)", n)
	}
	s = &BiSymbolic{}
	if s.Forward, err = b.fw.UnrolledWith(g, xs, fo); err != nil {
		return nil, fmt.Errorf("lstm: bidirectional %q, forward layer: %w", b.cfg.Name, err)
	}
	if s.Backward, err = b.bw.UnrolledWith(g, xs, bo); err != nil {
		return nil, fmt.Errorf("lstm: bidirectional %q, backward layer: %w", b.cfg.Name, err)
	}
	if b.cfg.MergeMode == MergeNone {
		return s, nil
	}
	steps := len(xs)
	// With ReturnSequences, input step t: the forward output of step t
	// and the backward one of step T-1-t (reversed back); else the last
	// outputs of both: the backward one is its last processed step.
	pairs := [][2]int{{steps - 1, steps - 1}}
	if b.cfg.Layer.ReturnSequences {
		pairs = pairs[:0]
		for t := 0; t < steps; t++ {
			pairs = append(pairs, [2]int{t, steps - 1 - t})
		}
	}
	for _, p := range pairs {
		y, err := mergeNodes(b.cfg.MergeMode, s.Forward.H[p[0]], s.Backward.H[p[1]])
		if err != nil {
			return nil, err
		}
		s.Output = append(s.Output, y)
	}
	return s, nil
}
