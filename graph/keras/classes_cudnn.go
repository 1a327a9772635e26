package keras

import (
	"fmt"
	"slices"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
	"github.com/golstm/golstm/graph/model"
)

// This file reads Keras' CuDNNLSTM (Keras 2.1–2.3, tf.keras 1.x, and
// tf.compat.v1.keras.layers.CuDNNLSTM of tf.keras 2.x) as this library's
// LSTM, and converts CuDNN-layout LSTM weights as Keras' loader does
// (keras/engine/saving.py of Keras 2.2.4, _convert_rnn_weights, the same in
// tensorflow's keras/saving/hdf5_format.py).
//
// CuDNNLSTM computes the LSTM of sigmoid gates and tanh (cuDNN's fixed
// activations) with two biases per gate, one added to x_t W and one to
// h_{t-1} U; its kernels are stored in the order cuDNN reads them. Keras
// loads its weights into an LSTM (activation tanh, recurrent_activation
// sigmoid) by converting them, which is what this loader does for a
// CuDNNLSTM in a model config (the layer becomes that LSTM, under its own
// name) and for any LSTM given weights with a bias of 8·units.

// classAlias reads a Keras layer class as another class of this library,
// with some of its arguments fixed.
type classAlias struct {
	class  string         // the class of this library's layer
	fixed  map[string]any // arguments set on the translated config
	noMask bool           // the Keras class refuses masks (see checkAliasMasks)
}

// classAliases holds the classes read as another class, by Keras class
// name; layerClasses holds their rules.
var classAliases = map[string]classAlias{}

// apply makes t, read with the rules of its Keras class, a config of the
// alias's class.
func (a classAlias) apply(t *translated) {
	for k, v := range a.fixed {
		t.config[k] = v
	}
	if a.noMask {
		t.noMask = t.class
	}
	t.class = a.class
}

func init() {
	// Keras 2.2.4 keras/layers/cudnn_recurrent.py: CuDNNLSTM(units,
	// kernel_initializer, recurrent_initializer, bias_initializer,
	// unit_forget_bias, the four regularizers, the three constraints,
	// return_sequences, return_state, stateful, and _CuDNNRNN's
	// go_backwards); get_config writes these and the base layer's keys.
	layerClasses["CuDNNLSTM"] = classRules{
		"units":                 {kind: keep},
		"kernel_initializer":    {kind: initializer},
		"recurrent_initializer": {kind: initializer},
		"bias_initializer":      {kind: initializer},
		"unit_forget_bias":      {kind: keep},
		"kernel_regularizer":    {kind: regularizer},
		"recurrent_regularizer": {kind: regularizer},
		"bias_regularizer":      {kind: regularizer},
		"activity_regularizer":  {kind: regularizer},
		"kernel_constraint":     {kind: constraint},
		"recurrent_constraint":  {kind: constraint},
		"bias_constraint":       {kind: constraint},
		"return_sequences":      {kind: keep},
		"return_state":          {kind: keep},
		"go_backwards":          {kind: keep},
		"stateful":              {kind: keep},
	}
	// cuDNN's LSTM: sigmoid gates, tanh, always a bias, no dropout.
	// Implementation 2 (one fused product) is tf.keras' and Keras 3's
	// default, the LSTM those versions run on cuDNN; without dropout it
	// computes the numbers of implementation 1.
	classAliases["CuDNNLSTM"] = classAlias{
		class: "LSTM",
		fixed: map[string]any{
			"activation":           "tanh",
			"recurrent_activation": "sigmoid",
			"use_bias":             true,
			"implementation":       2,
		},
		noMask: true,
	}
	sizeRules["CuDNNLSTM"] = func(cfg map[string]any, in [][]int) ([][]int, int64, error) {
		return estimate("LSTM", cfg, in)
	}
}

// fromCuDNN returns the file weights ws of layer l, converted from
// CuDNNLSTM's layout when l is an LSTM (or a Bidirectional or
// TimeDistributed of one) and ws are CuDNNLSTM weights, as Keras 2.2.4's
// preprocess_weights_for_loading does for an LSTM target: it recognizes
// them by the bias, of 8·units values (units being the rows of the
// recurrent kernel) where an LSTM has 4·units. Other weights are returned
// as they are; their shapes are checked by the caller.
func fromCuDNN(l graph.Layer, ws []fileWeight) []fileWeight {
	switch l.Type() {
	case "LSTM":
		if len(ws) == 3 {
			return cudnnToLSTM(ws)
		}
	case "Bidirectional":
		// convert_nested_bidirectional: each half, forward then backward.
		if len(ws) == 6 {
			return append(cudnnToLSTM(ws[:3]), cudnnToLSTM(ws[3:])...)
		}
	case "TimeDistributed":
		if td, ok := l.(*layers.TimeDistributed); ok {
			return fromCuDNN(td.Inner(), ws)
		}
	}
	return ws
}

// cudnnToLSTM converts the kernel, recurrent kernel and bias of a
// CuDNNLSTM to an LSTM's when the bias has 8·units values and the kernels
// are (input_dim, 4·units) and (units, 4·units); otherwise it returns ws.
// The values are converted when read (convert_weights with from_cudnn
// True):
//
//	kernel:           per gate g, K_g ← K_g.T.reshape(K_g.shape, order='F')
//	recurrent kernel: per gate g, U_g ← U_g.T
//	bias:             b ← b[:4·units] + b[4·units:]
func cudnnToLSTM(ws []fileWeight) []fileWeight {
	k, u, b := ws[0], ws[1], ws[2]
	if len(u.shape) != 2 || len(k.shape) != 2 || len(b.shape) != 1 {
		return ws
	}
	units := u.shape[0]
	if units < 1 || b.shape[0] != 8*units || u.shape[1] != 4*units || k.shape[1] != 4*units {
		return ws
	}
	rows := k.shape[0]
	kernel := func(w fileWeight, rows int) fileWeight {
		read := w.read
		w.read = func() ([]float64, error) {
			v, err := read()
			if err != nil {
				return nil, err
			}
			if len(v) != rows*4*units {
				return nil, fmt.Errorf("%d values, want %d", len(v), rows*4*units)
			}
			return cudnnKernel(v, rows, units), nil
		}
		return w
	}
	bias := b
	bias.shape = []int{4 * units}
	bias.read = func() ([]float64, error) {
		v, err := b.read()
		if err != nil {
			return nil, err
		}
		if len(v) != 8*units {
			return nil, fmt.Errorf("%d values, want %d", len(v), 8*units)
		}
		out := make([]float64, 4*units)
		for i := range out {
			out[i] = v[i] + v[4*units+i]
		}
		return out, nil
	}
	return []fileWeight{kernel(k, rows), kernel(u, units), bias}
}

// cudnnKernel converts a CuDNN kernel v, (rows, 4·units) row-major, gate by
// gate: cuDNN reads each gate's (rows, units) block, flattened row-major,
// as its (units, rows) matrix W_g (z = W_g x), so the LSTM's kernel is
// K_g[i][j] = W_g[j][i] = block[(i + j·rows) / units][(i + j·rows) % units],
// which is Keras' transpose_input(from_cudnn=True):
// K_g.T.reshape(K_g.shape, order='F'). For the recurrent kernel (rows =
// units) this is the transpose.
func cudnnKernel(v []float64, rows, units int) []float64 {
	width := 4 * units
	out := make([]float64, len(v))
	for g := range 4 {
		for i := range rows {
			for j := range units {
				f := i + j*rows
				out[i*width+g*units+j] = v[(f/units)*width+g*units+f%units]
			}
		}
	}
	return out
}

// checkAliasMasks refuses a model in which a mask reaches a layer read
// from a class that refuses masks: Keras' CuDNNLSTM (and a Bidirectional
// of one) raises "Masking is not supported for CuDNN RNNs." when its call
// gets a mask, so Keras cannot build such a model, while the LSTM it is
// read as would honour the mask. The masks are followed through the
// graph by the classes' rules (Keras 2.2.4's compute_mask): Masking and
// Embedding(mask_zero) make one; the classes of passesMask (Dense,
// Dropout, Activation, BatchNormalization, ...) pass it on; an LSTM or Bidirectional with
// return_sequences passes it to its sequence output; the merge layers pass
// any input's; other layers pass none.
func checkAliasMasks(outputs []*model.Node, configs map[graph.Layer]*translated) error {
	calls := map[*model.Node][]string{} // by a call's output 0: the layer whose mask each output carries, "" none
	var visit func(n *model.Node) (string, error)
	visit = func(n *model.Node) (string, error) {
		if n.IsInput() {
			return "", nil
		}
		c := n.Output(0)
		out, ok := calls[c]
		if !ok {
			var in []string
			for _, x := range c.Inputs() {
				m, err := visit(x)
				if err != nil {
					return "", err
				}
				in = append(in, m)
			}
			t := configs[c.Layer()]
			if t == nil {
				return "", fmt.Errorf("layer %q has no config", c.Layer().Name())
			}
			if t.noMask != "" && len(in) > 0 && in[0] != "" {
				return "", fmt.Errorf("layer %q (%s): the mask of layer %q reaches it, and Keras' %s does not support masking (\"Masking is not supported for CuDNN RNNs.\"); use an LSTM with activation tanh and recurrent_activation sigmoid, which takes masks",
					t.name, t.noMask, in[0], t.noMask)
			}
			out = outputMasks(t, in)
			calls[c] = out
		}
		if n.Index() < len(out) {
			return out[n.Index()], nil
		}
		return "", nil
	}
	for _, o := range outputs {
		if _, err := visit(o); err != nil {
			return err
		}
	}
	return nil
}

// passesMask holds the classes whose output carries their input's mask
// unchanged (Keras 2.2.4: supports_masking and the default compute_mask);
// the files of other classes (classes_*.go) add theirs in their init.
var passesMask = map[string]bool{"Dense": true, "Dropout": true, "SpatialDropout1D": true, "Activation": true, "TimeDistributed": true}

// outputMasks returns, for a call of the layer t on inputs carrying the
// masks in (by the name of the layer that made each, "" none), the masks
// of its first outputs; outputs past the list carry none.
func outputMasks(t *translated, in []string) []string {
	first := ""
	if len(in) > 0 {
		first = in[0]
	}
	seq := func(cfg map[string]any) bool { b, _ := asBool(cfg["return_sequences"]); return b }
	if passesMask[t.class] {
		return []string{first}
	}
	switch t.class {
	case "Masking":
		return []string{t.name}
	case "Embedding":
		if mz, _ := asBool(t.config["mask_zero"]); mz {
			return []string{t.name}
		}
	case "LSTM":
		if seq(t.config) {
			return []string{first}
		}
	case "Bidirectional":
		inner, _ := asObject(t.config["layer"])
		icfg, _ := asObject(inner["config"])
		if !seq(icfg) {
			return nil
		}
		if mode, has := t.config["merge_mode"]; has && mode == nil {
			return []string{first, first} // merge_mode None: both outputs
		}
		return []string{first}
	case "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate":
		if i := slices.IndexFunc(in, func(m string) bool { return m != "" }); i >= 0 {
			return []string{in[i]}
		}
	}
	return nil
}
