package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// weightNodes are the weight input nodes of one graph. With implementation
// 2, index 0 of each array holds the whole weight (kernel (input_dim, 4u),
// recurrent (u, 4u), bias (4u)). With implementation 1 the graph takes the
// four gate blocks (input_dim, u), (u, u), (u) as separate inputs: the four
// per-gate products of Keras' implementation 1, without slicing the weights
// inside the graph on every run. A graph may hold only the input part
// (kernel, bias) or only the recurrent part; missing entries are nil.
type weightNodes struct {
	kernel, recurrent, bias [4]*G.Node
	// nodes lists the weight inputs of the graph; idx[i] is the position of
	// nodes[i] in the full list of weight values: kernel blocks, recurrent
	// blocks, bias blocks (see LSTM.weightValues).
	nodes []*G.Node
	idx   []int
}

func (l *LSTM) newWeightNodes(g *G.ExprGraph, input, recurrent bool) *weightNodes {
	u, n, w := l.cfg.Units, l.gates(), l.cfg.Units
	if n == 1 {
		w = 4 * u
	}
	ws := &weightNodes{}
	add := func(dst *[4]*G.Node, part int, shape []int, name string) {
		for k := 0; k < n; k++ {
			s := G.WithShape(shape...)
			nm := G.WithName(fmt.Sprintf("%s_%d", name, k))
			if len(shape) == 1 {
				dst[k] = G.NewVector(g, l.dt, s, nm)
			} else {
				dst[k] = G.NewMatrix(g, l.dt, s, nm)
			}
			ws.nodes, ws.idx = append(ws.nodes, dst[k]), append(ws.idx, part*n+k)
		}
	}
	if input {
		add(&ws.kernel, 0, []int{l.inputDim, w}, "kernel")
	}
	if recurrent {
		add(&ws.recurrent, 1, []int{u, w}, "recurrent_kernel")
	}
	if input && l.cfg.UseBias {
		add(&ws.bias, 2, []int{w}, "bias")
	}
	return ws
}

// gates is the number of weight blocks a graph takes: 4 for
// implementation 1, 1 (fused) for implementation 2.
func (l *LSTM) gates() int {
	if l.cfg.Implementation == 2 {
		return 1
	}
	return 4
}

// gateWidth is the width of one weight block: units, or 4·units fused.
func (l *LSTM) gateWidth() int {
	if l.gates() == 1 {
		return 4 * l.cfg.Units
	}
	return l.cfg.Units
}

// maskNodes are the dropout multipliers (mask/(1-rate)) of one graph, shared
// by every step: x[g] is (rows, input_dim), h[g] is (batch, units). A nil
// entry means no dropout on that path; implementation 2 uses index 0 only.
type maskNodes struct {
	x, h [4]*G.Node
}

func (l *LSTM) newMaskNodes(g *G.ExprGraph, xRows, hRows int) *maskNodes {
	m := &maskNodes{}
	for k := 0; k < l.gates(); k++ {
		if xRows > 0 {
			m.x[k] = G.NewMatrix(g, l.dt, G.WithShape(xRows, l.inputDim), G.WithName(fmt.Sprintf("mask_x_%d", k)))
		}
		if hRows > 0 {
			m.h[k] = G.NewMatrix(g, l.dt, G.WithShape(hRows, l.cfg.Units), G.WithName(fmt.Sprintf("mask_h_%d", k)))
		}
	}
	return m
}

func masked(v, mask *G.Node) *G.Node {
	if mask == nil {
		return v
	}
	return G.Must(hadamard(v, mask))
}

// inputPart builds the input projection of Keras 2.2 LSTMCell.call: per
// weight block k, (x ⊙ m_x[k]) W_k + b_k. x is (rows, input_dim): one step
// in the unrolled graph, or every step at once in the loop mode.
func (l *LSTM) inputPart(w *weightNodes, m *maskNodes, x *G.Node) (zx [4]*G.Node, err error) {
	defer recoverBuild(&err)
	for k := 0; k < l.gates(); k++ {
		zx[k] = G.Must(matMul(masked(x, m.x[k]), w.kernel[k]))
		if w.bias[k] != nil {
			zx[k] = G.Must(addRow(zx[k], w.bias[k]))
		}
	}
	return zx, nil
}

// preActivation adds the recurrent product to the input projection zx:
// z_k = zx_k + (h ⊙ m_h[k]) U_k per weight block k (Keras 2.2
// LSTMCell.call).
func (l *LSTM) preActivation(w *weightNodes, m *maskNodes, zx [4]*G.Node, h *G.Node) (z [4]*G.Node, err error) {
	defer recoverBuild(&err)
	for k := 0; k < l.gates(); k++ {
		z[k] = G.Must(add(zx[k], G.Must(matMul(masked(h, m.h[k]), w.recurrent[k]))))
	}
	return z, nil
}

// gating builds the rest of one LSTM step from the pre-activations z
// (Keras 2.2 LSTMCell.call, row-vector form):
//
//	i = σ(x W_i + b_i + h U_i)    f = σ(x W_f + b_f + h U_f)
//	c̃ = φ(x W_c + b_c + h U_c)    o = σ(x W_o + b_o + h U_o)
//	c' = f⊙c + i⊙c̃               h' = o⊙φ(c')
//
// With implementation 2 the fused (batch, 4u) pre-activation z[0] is split
// into the four gate blocks.
func (l *LSTM) gating(z [4]*G.Node, c *G.Node) (h2, c2 *G.Node, err error) {
	defer recoverBuild(&err)
	if l.gates() == 1 {
		zz := z[0]
		for k := range z {
			z[k] = G.Must(gateBlock(zz, k, 4))
		}
	}
	i := G.Must(l.recAct(z[0]))
	f := G.Must(l.recAct(z[1]))
	cand := G.Must(l.act(z[2]))
	o := G.Must(l.recAct(z[3]))
	c2 = G.Must(add(G.Must(hadamard(f, c)), G.Must(hadamard(i, cand))))
	h2 = G.Must(hadamard(o, G.Must(l.act(c2))))
	return h2, c2, nil
}

// seqMaskNodes are the sequence-mask inputs of a graph, one per step (see
// seqMask): m and n are (batch, units); r is nil unless the graph applies
// the unroll=true output rule.
type seqMaskNodes struct {
	m, n, r []*G.Node
}

func (l *LSTM) newSeqMaskNodes(g *G.ExprGraph, rows, steps int, seen bool) *seqMaskNodes {
	s := &seqMaskNodes{}
	node := func(name string, t int) *G.Node {
		return G.NewMatrix(g, l.dt, G.WithShape(rows, l.cfg.Units), G.WithName(fmt.Sprintf("%s_%d", name, t)))
	}
	for t := 0; t < steps; t++ {
		s.m = append(s.m, node("seq_real", t))
		s.n = append(s.n, node("seq_padded", t))
		if seen {
			s.r = append(s.r, node("seq_seen", t))
		}
	}
	return s
}

// maskedStep is Keras 2.2's masked step (tensorflow_backend.rnn): a padded
// step carries both states unchanged,
//
//	h_t = m ⊙ h'_t + n ⊙ h_{t-1}    c_t = m ⊙ c'_t + n ⊙ c_{t-1}
//
// with m the step's mask and n = 1 − m (exact: each product is by 0 or 1).
func maskedStep(m, n, h2, c2, h, c *G.Node) (hOut, cOut *G.Node, err error) {
	defer recoverBuild(&err)
	blend := func(a, b *G.Node) *G.Node {
		return G.Must(add(G.Must(hadamard(m, a)), G.Must(hadamard(n, b))))
	}
	return blend(h2, h), blend(c2, c), nil
}

// unrollSteps builds the recurrence over steps timesteps, x(t) giving the
// input of processing step t (called in step order, so that the graph's
// nodes are created step by step), from the state (h, c): per step the input projection, the pre-activation, the
// gating and, with a sequence mask, the masked step. It returns the output
// of each step and the final states. With the mask's r (unroll=true), a
// step's output is r_t ⊙ h_t: Keras' unrolled loop outputs the previous
// output at a padded step, zeros before the first real one, which is h_t
// once a real step has been seen and zeros before; without r it is h_t,
// the carried state (Keras' while loop).
func (l *LSTM) unrollSteps(w *weightNodes, m *maskNodes, sm *seqMaskNodes, steps int, x func(t int) *G.Node, h, c *G.Node) (outs []*G.Node, hT, cT *G.Node, err error) {
	for t := 0; t < steps; t++ {
		zx, err := l.inputPart(w, m, x(t))
		if err != nil {
			return nil, nil, nil, err
		}
		z, err := l.preActivation(w, m, zx, h)
		if err != nil {
			return nil, nil, nil, err
		}
		h2, c2, err := l.gating(z, c)
		if err != nil {
			return nil, nil, nil, err
		}
		if sm != nil {
			if h2, c2, err = maskedStep(sm.m[t], sm.n[t], h2, c2, h, c); err != nil {
				return nil, nil, nil, err
			}
		}
		h, c = h2, c2
		out := h
		if sm != nil && sm.r != nil {
			if out, err = hadamard(sm.r[t], h); err != nil {
				return nil, nil, nil, fmt.Errorf("lstm: building graph: %w", err)
			}
		}
		outs = append(outs, out)
	}
	return outs, h, c, nil
}

// recoverBuild turns a panic of Gorgonia's Must while building a graph
// into an error.
func recoverBuild(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("lstm: building graph: %v", r)
	}
}

// isFloat reports whether dt is one of the dtypes the layer supports.
func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float32 || dt == tensor.Float64 }
