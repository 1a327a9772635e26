package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// weightNodes are the weight input nodes of one graph, with the per-gate
// column blocks that implementation 1 multiplies by (built once per graph,
// so every step of an unrolled graph shares them).
type weightNodes struct {
	kernel, recurrent, bias *G.Node    // bias is nil without use_bias
	kernelGate, recGate     [4]*G.Node // implementation 1 only
	biasGate                [4]*G.Node // implementation 1 with bias only
}

// maskNodes are the dropout multipliers (mask/(1-rate)) of one graph, shared
// by every step: x[g] is (batch, input_dim), h[g] is (batch, units). A nil
// entry means no dropout on that path; implementation 2 uses index 0 only.
type maskNodes struct {
	x, h [4]*G.Node
}

func (l *LSTM) newWeightNodes(g *G.ExprGraph) (*weightNodes, error) {
	u := l.cfg.Units
	w := &weightNodes{
		kernel:    G.NewMatrix(g, l.dt, G.WithShape(l.inputDim, 4*u), G.WithName("kernel")),
		recurrent: G.NewMatrix(g, l.dt, G.WithShape(u, 4*u), G.WithName("recurrent_kernel")),
	}
	if l.cfg.UseBias {
		w.bias = G.NewVector(g, l.dt, G.WithShape(4*u), G.WithName("bias"))
	}
	if l.cfg.Implementation == 2 {
		return w, nil
	}
	var err error
	for k := 0; k < 4; k++ {
		if w.kernelGate[k], err = sliceCols(w.kernel, k*u, (k+1)*u); err != nil {
			return nil, err
		}
		if w.recGate[k], err = sliceCols(w.recurrent, k*u, (k+1)*u); err != nil {
			return nil, err
		}
		if w.bias != nil {
			if w.biasGate[k], err = sliceCols(w.bias, k*u, (k+1)*u); err != nil {
				return nil, err
			}
		}
	}
	return w, nil
}

// sliceCols returns the columns [from, to) of n's last axis (n is a vector
// or a matrix). Gorgonia's Slice drops an axis sliced to length 1, so with
// units = 1 the result is reshaped back to keep that axis.
func sliceCols(n *G.Node, from, to int) (*G.Node, error) {
	var s *G.Node
	var err error
	if n.Dims() == 1 {
		s, err = G.Slice(n, G.S(from, to))
	} else {
		s, err = G.Slice(n, nil, G.S(from, to))
	}
	if err != nil {
		return nil, err
	}
	want := n.Shape().Clone()
	want[len(want)-1] = to - from
	if sameShape(s.Shape(), want...) { // not Shape.Eq: it equates (n) and (n, 1)
		return s, nil
	}
	return G.Reshape(s, want)
}

func (l *LSTM) newMaskNodes(g *G.ExprGraph, batch int, input, recurrent bool) *maskNodes {
	m := &maskNodes{}
	n := 4
	if l.cfg.Implementation == 2 {
		n = 1
	}
	for k := 0; k < n; k++ {
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
		zz := G.Must(G.Add(G.Must(G.Mul(masked(x, m.x[0]), w.kernel)), G.Must(G.Mul(masked(h, m.h[0]), w.recurrent))))
		if w.bias != nil {
			zz = G.Must(G.BroadcastAdd(zz, w.bias, nil, []byte{0}))
		}
		u := l.cfg.Units
		for k := range z {
			z[k] = G.Must(sliceCols(zz, k*u, (k+1)*u))
		}
	} else {
		for k := range z {
			xk := G.Must(G.Mul(masked(x, m.x[k]), w.kernelGate[k]))
			if w.bias != nil {
				xk = G.Must(G.BroadcastAdd(xk, w.biasGate[k], nil, []byte{0}))
			}
			z[k] = G.Must(G.Add(xk, G.Must(G.Mul(masked(h, m.h[k]), w.recGate[k]))))
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
