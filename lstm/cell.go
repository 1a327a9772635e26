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
// inside the graph on every run. bias is all nil without use_bias.
type weightNodes struct {
	kernel, recurrent, bias [4]*G.Node
	// nodes lists the inputs in binding order: kernels, recurrent kernels,
	// biases (see LSTM.weightValues).
	nodes []*G.Node
}

func (l *LSTM) newWeightNodes(g *G.ExprGraph) *weightNodes {
	u, n, w := l.cfg.Units, l.gates(), l.cfg.Units
	if n == 1 {
		w = 4 * u
	}
	ws := &weightNodes{}
	for k := 0; k < n; k++ {
		ws.kernel[k] = G.NewMatrix(g, l.dt, G.WithShape(l.inputDim, w), G.WithName(fmt.Sprintf("kernel_%d", k)))
		ws.recurrent[k] = G.NewMatrix(g, l.dt, G.WithShape(u, w), G.WithName(fmt.Sprintf("recurrent_kernel_%d", k)))
	}
	ws.nodes = append(append(ws.nodes, ws.kernel[:n]...), ws.recurrent[:n]...)
	if l.cfg.UseBias {
		for k := 0; k < n; k++ {
			ws.bias[k] = G.NewVector(g, l.dt, G.WithShape(w), G.WithName(fmt.Sprintf("bias_%d", k)))
		}
		ws.nodes = append(ws.nodes, ws.bias[:n]...)
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

// maskNodes are the dropout multipliers (mask/(1-rate)) of one graph, shared
// by every step: x[g] is (batch, input_dim), h[g] is (batch, units). A nil
// entry means no dropout on that path; implementation 2 uses index 0 only.
type maskNodes struct {
	x, h [4]*G.Node
}

func (l *LSTM) newMaskNodes(g *G.ExprGraph, batch int, input, recurrent bool) *maskNodes {
	m := &maskNodes{}
	for k := 0; k < l.gates(); k++ {
		if input {
			m.x[k] = G.NewMatrix(g, l.dt, G.WithShape(batch, l.inputDim), G.WithName(fmt.Sprintf("mask_x_%d", k)))
		}
		if recurrent {
			m.h[k] = G.NewMatrix(g, l.dt, G.WithShape(batch, l.cfg.Units), G.WithName(fmt.Sprintf("mask_h_%d", k)))
		}
	}
	return m
}

// step builds one LSTM step (Keras 2.2 LSTMCell.call, row-vector form):
//
//	i = σ(x W_i + b_i + h U_i)    f = σ(x W_f + b_f + h U_f)
//	c̃ = φ(x W_c + b_c + h U_c)    o = σ(x W_o + b_o + h U_o)
//	c' = f⊙c + i⊙c̃               h' = o⊙φ(c')
//
// with x and h multiplied by their dropout masks first, when given.
func (l *LSTM) step(w *weightNodes, m *maskNodes, x, h, c *G.Node) (h2, c2 *G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lstm: building step: %v", r)
		}
	}()
	masked := func(v, mask *G.Node) *G.Node {
		if mask == nil {
			return v
		}
		return G.Must(G.HadamardProd(v, mask))
	}
	var z [4]*G.Node
	if l.cfg.Implementation == 2 {
		// z = x W + h U + b, then split into the four gate blocks.
		zz := G.Must(G.Add(G.Must(G.Mul(masked(x, m.x[0]), w.kernel[0])), G.Must(G.Mul(masked(h, m.h[0]), w.recurrent[0]))))
		if w.bias[0] != nil {
			zz = G.Must(G.BroadcastAdd(zz, w.bias[0], nil, []byte{0}))
		}
		for k := range z {
			z[k] = G.Must(gateBlock(zz, k, 4))
		}
	} else {
		for k := range z {
			xk := G.Must(G.Mul(masked(x, m.x[k]), w.kernel[k]))
			if w.bias[k] != nil {
				xk = G.Must(G.BroadcastAdd(xk, w.bias[k], nil, []byte{0}))
			}
			z[k] = G.Must(G.Add(xk, G.Must(G.Mul(masked(h, m.h[k]), w.recurrent[k]))))
		}
	}
	i := G.Must(l.recAct(z[0]))
	f := G.Must(l.recAct(z[1]))
	cand := G.Must(l.act(z[2]))
	o := G.Must(l.recAct(z[3]))
	c2 = G.Must(G.Add(G.Must(G.HadamardProd(f, c)), G.Must(G.HadamardProd(i, cand))))
	h2 = G.Must(G.HadamardProd(o, G.Must(l.act(c2))))
	return h2, c2, nil
}

// isFloat reports whether dt is one of the dtypes the layer supports.
func isFloat(dt tensor.Dtype) bool { return dt == tensor.Float32 || dt == tensor.Float64 }
