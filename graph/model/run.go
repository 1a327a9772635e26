package model

import (
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/loss"

	"gorgonia.org/tensor"
)

// run is one forward pass of the model over a batch: every node's value and
// mask, and each layer application's Pass (aligned with Model.apps).
type run struct {
	vals     map[*Node]*tensor.Dense
	masks    map[*Node]*tensor.Dense
	passes   []*graph.Pass
	activity float64
}

// forward runs the batch xs (one tensor per input) through every layer
// application in topological order.
func (m *Model) forward(xs []*tensor.Dense, training bool) (*run, error) {
	r := &run{vals: map[*Node]*tensor.Dense{}, masks: map[*Node]*tensor.Dense{}, passes: make([]*graph.Pass, len(m.apps))}
	for i, in := range m.inputs {
		r.vals[in] = xs[i]
	}
	for k, a := range m.apps {
		in := make([]*tensor.Dense, len(a.in))
		var masks []*tensor.Dense
		for i, x := range a.in {
			in[i] = r.vals[x]
			if mk := r.masks[x]; mk != nil {
				if masks == nil {
					masks = make([]*tensor.Dense, len(a.in))
				}
				masks[i] = mk
			}
		}
		p, err := a.layer.Forward(in, masks, training)
		if err != nil {
			return nil, fmt.Errorf("model: layer %s forward: %w", a.layer.Name(), err)
		}
		if n := len(a.layer.OutputShapes()); len(p.Outputs) != n {
			return nil, fmt.Errorf("model: layer %s returned %d outputs: it has %d", a.layer.Name(), len(p.Outputs), n)
		}
		for i, o := range a.outs {
			r.vals[o] = p.Outputs[i]
			if i < len(p.Masks) && p.Masks[i] != nil {
				r.masks[o] = p.Masks[i]
			}
		}
		r.passes[k] = p
		r.activity += p.ActivityPenalty
	}
	return r, nil
}

// outputs returns the values of the model's output nodes.
func (r *run) outputs(m *Model) []*tensor.Dense {
	out := make([]*tensor.Dense, len(m.outputs))
	for i, o := range m.outputs {
		out[i] = r.vals[o]
	}
	return out
}

// backward takes the loss gradient of each model output, runs every
// application's Backward in reverse topological order, summing the
// gradients of a node that feeds several applications, and leaves each
// weight's gradient in its Param.Grad (zeroed first).
func (m *Model) backward(r *run, dOuts []*tensor.Dense) error {
	for _, p := range m.Params() {
		zero(p.Grad)
	}
	grads := map[*Node]*tensor.Dense{}
	add := func(n *Node, g *tensor.Dense) {
		if g == nil {
			return
		}
		if old := grads[n]; old != nil {
			graph.AddInto(old, graph.Contiguous(g))
		} else {
			grads[n] = graph.Contiguous(g).Clone().(*tensor.Dense)
		}
	}
	for i, o := range m.outputs {
		add(o, dOuts[i])
	}
	for k := len(m.apps) - 1; k >= 0; k-- {
		a, p := m.apps[k], r.passes[k]
		dOut := make([]*tensor.Dense, len(p.Outputs))
		any := p.ActivityPenalty != 0
		for i, o := range a.outs {
			if g := grads[o]; g != nil {
				dOut[i], any = g, true
			}
		}
		need := make([]bool, len(a.in))
		wanted := len(a.layer.Params()) > 0
		for i, x := range a.in {
			need[i] = m.needs[x]
			wanted = wanted || need[i]
		}
		if !any || !wanted {
			continue // nothing reaches the loss through this application, or nothing upstream learns
		}
		if p.Backward == nil {
			return fmt.Errorf("model: layer %s: no Backward on a training pass", a.layer.Name())
		}
		dIn, err := p.Backward(dOut, need)
		if err != nil {
			return fmt.Errorf("model: layer %s backward: %w", a.layer.Name(), err)
		}
		for i, x := range a.in {
			if i < len(dIn) && need[i] {
				add(x, dIn[i])
			}
		}
	}
	return nil
}

// zero sets every value of a float tensor to 0.
func zero(t *tensor.Dense) {
	switch d := t.Data().(type) {
	case []float64:
		clear(d)
	case []float32:
		clear(d)
	}
}

// ready builds an unbuilt Sequential model from the first input's shape
// (see graph.LengthFree) and checks xs against the model's inputs.
func (m *Model) ready(xs []*tensor.Dense) error {
	if !m.built {
		if !m.sequential || len(xs) != 1 || xs[0] == nil {
			return fmt.Errorf("model: model not built")
		}
		s := []int(xs[0].Shape())
		if len(s) < 2 {
			return fmt.Errorf("model: input x of shape %v: want (samples, features...)", s)
		}
		shape := s[1:]
		if len(m.layers) > 0 {
			if lf, ok := m.layers[0].(graph.LengthFree); ok {
				shape = lf.FreeShape(shape)
			}
		}
		if err := m.Build(shape...); err != nil {
			return err
		}
	}
	if len(xs) != len(m.inputs) {
		return fmt.Errorf("model: %d input arrays for a model with %d inputs (%s)", len(xs), len(m.inputs), nodeNames(m.inputs))
	}
	n := -1
	for i, x := range xs {
		in := m.inputs[i]
		if x == nil {
			return fmt.Errorf("model: input %q is nil", in.name)
		}
		if x.Dtype() != m.dt && !isIntegral(x.Dtype()) {
			return fmt.Errorf("model: input %q of dtype %v: want the model's dtype %v (or integer ids)", in.name, x.Dtype(), m.dt)
		}
		if !graph.FitsShape(x.Shape(), in.shape) {
			return fmt.Errorf("model: input %q of shape %v: want %s", in.name, []int(x.Shape()), graph.FormatShape(in.shape))
		}
		if n >= 0 && x.Shape()[0] != n {
			return fmt.Errorf("model: input %q has %d samples, input %q %d", in.name, x.Shape()[0], m.inputs[0].name, n)
		}
		n = x.Shape()[0]
	}
	return nil
}

// isIntegral reports whether dt is an integer or bool dtype (ids, masks).
func isIntegral(dt tensor.Dtype) bool {
	switch dt {
	case tensor.Int, tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
		tensor.Uint, tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64, tensor.Bool:
		return true
	}
	return false
}

// readyLoss checks that m is compiled and resolves the evaluators and
// metrics of every output.
func (m *Model) readyLoss() error {
	if m.losses == nil {
		return fmt.Errorf("model: model not compiled: call Compile first")
	}
	if len(m.losses) != 1 && len(m.losses) != len(m.outputs) {
		return fmt.Errorf("model: %d losses for %d outputs", len(m.losses), len(m.outputs))
	}
	if m.lossWeights != nil && len(m.lossWeights) != len(m.outputs) {
		return fmt.Errorf("model: %d loss weights for %d outputs", len(m.lossWeights), len(m.outputs))
	}
	if m.evals != nil {
		return nil
	}
	for k, o := range m.outputs {
		ev := loss.NewEvaluator(m.lossOf(k), m.dt)
		if m.cacheSizeSet {
			if err := ev.SetProgramCacheSize(m.cacheSize); err != nil {
				return err
			}
		}
		m.evals = append(m.evals, ev)
		ms := append([]loss.Metric(nil), m.custom...)
		units := 1
		if s := o.shape; len(s) > 0 {
			units = s[len(s)-1]
		}
		for _, name := range m.metricNames {
			mt, err := loss.ResolveMetric(name, m.lossOf(k), units)
			if err != nil {
				return err
			}
			ms = append(ms, mt)
		}
		m.metrics = append(m.metrics, ms)
	}
	return nil
}

// checkTargets checks the targets ys against the inputs and the outputs.
func (m *Model) checkTargets(xs, ys []*tensor.Dense) error {
	if len(ys) != len(m.outputs) {
		return fmt.Errorf("model: %d target arrays for a model with %d outputs (%s)", len(ys), len(m.outputs), nodeNames(m.outputs))
	}
	n := xs[0].Shape()[0]
	for k, y := range ys {
		o := m.outputs[k]
		if y == nil {
			return fmt.Errorf("model: targets of output %s are nil", o.Name())
		}
		if y.Dtype() != m.dt {
			return fmt.Errorf("model: targets of output %s of dtype %v: model dtype is %v", o.Name(), y.Dtype(), m.dt)
		}
		if y.Shape()[0] != n {
			return fmt.Errorf("model: %d targets of output %s for %d samples", y.Shape()[0], o.Name(), n)
		}
		want := append([]int{1}, o.shape...)
		for i, d := range want {
			if d == graph.None && i < y.Dims() {
				want[i] = y.Shape()[i]
			}
		}
		if _, err := m.lossOf(k).Target(rows(y, []int{0}), want); err != nil {
			return fmt.Errorf("model: targets of output %s of shape %v for outputs %s: %w", o.Name(), []int(y.Shape()), graph.FormatShape(o.shape), err)
		}
	}
	return nil
}

// logNames returns the names of the values a batch reports: "loss", then
// per output its loss (with several outputs) and metrics, as Keras 2.2
// names them ("<output layer>_loss", "<output layer>_<metric>").
func (m *Model) logNames() []string {
	names := []string{"loss"}
	multi := len(m.outputs) > 1
	if multi {
		for _, o := range m.outputs {
			names = append(names, outputName(o)+"_loss")
		}
	}
	for k, o := range m.outputs {
		for _, mt := range m.metrics[k] {
			if multi {
				names = append(names, outputName(o)+"_"+mt.Name())
			} else {
				names = append(names, mt.Name())
			}
		}
	}
	return names
}

// outputName names an output in logs: its layer's name (with the output
// index when the layer has several).
func outputName(o *Node) string {
	if o.app == nil {
		return o.name
	}
	if o.index > 0 {
		return fmt.Sprintf("%s_%d", o.app.layer.Name(), o.index)
	}
	return o.app.layer.Name()
}

// lossValues computes, for one batch's outputs and targets, the logged
// values (logNames order, without weight and activity penalties) and, with
// grads, the loss gradient of each output. An output that carries a mask
// (a return_sequences LSTM after Embedding(mask_zero) or Masking, for
// example) has its loss and metrics reduced as Keras 2.2.4's
// weighted_masked_objective does: per-step values s, mask m,
// mean(s ⊙ m / mean(m)) (see loss.Evaluator.Eval).
func (m *Model) lossValues(r *run, ys []*tensor.Dense, grads bool) ([]float64, []*tensor.Dense, error) {
	outs := r.outputs(m)
	total := 0.0
	var per, mets []float64
	var dOuts []*tensor.Dense
	if grads {
		dOuts = make([]*tensor.Dense, len(outs))
	}
	for k, out := range outs {
		o := m.outputs[k]
		mask := r.masks[o]
		var keep []bool
		if mask != nil {
			var err error
			if keep, err = outputMask(o, out, mask); err != nil {
				return nil, nil, err
			}
		}
		lv, dy, err := m.evals[k].Eval(ys[k], out, mask)
		if err != nil {
			return nil, nil, fmt.Errorf("model: loss of output %s: %w", o.Name(), err)
		}
		w := m.lossWeight(k)
		total += w * lv
		per = append(per, lv)
		if grads {
			if w != 1 {
				scale(dy, w)
			}
			dOuts[k] = dy
		}
		for _, mt := range m.metrics[k] {
			s, err := mt.Scores(ys[k], out)
			if err != nil {
				return nil, nil, fmt.Errorf("model: metric %s of output %s: %w", mt.Name(), o.Name(), err)
			}
			v, err := loss.MaskedMean(s, keep)
			if err != nil {
				return nil, nil, fmt.Errorf("model: metric %s of output %s: %w", mt.Name(), o.Name(), err)
			}
			mets = append(mets, v)
		}
	}
	vals := []float64{total}
	if len(outs) > 1 {
		vals = append(vals, per...)
	}
	return append(vals, mets...), dOuts, nil
}

// outputMask returns the values of the mask of output o, whose value is
// out: one per step, out's shape without its last axis.
func outputMask(o *Node, out, mask *tensor.Dense) ([]bool, error) {
	s := []int(out.Shape())
	if want := tensor.Shape(s[:len(s)-1]); !want.Eq(mask.Shape()) {
		return nil, fmt.Errorf("model: output %s of shape %v carries a mask of shape %v: a masked loss needs one mask value per step, shape %v", o.Name(), s, []int(mask.Shape()), []int(want))
	}
	keep, err := graph.MaskValues(mask)
	if err != nil {
		return nil, fmt.Errorf("model: mask of output %s: %w", o.Name(), err)
	}
	return keep, nil
}

// scale multiplies a float tensor by s in place.
func scale(t *tensor.Dense, s float64) {
	switch d := t.Data().(type) {
	case []float64:
		for i := range d {
			d[i] *= s
		}
	case []float32:
		for i := range d {
			d[i] *= float32(s)
		}
	}
}
