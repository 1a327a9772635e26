package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Symbolic holds the nodes Unrolled adds to a caller's graph: the output
// h_t of every step (in processing order), the final cell state, and the
// weight input nodes, bound to the layer's current weights, with respect to
// which the caller can differentiate.
type Symbolic struct {
	H                             []*G.Node
	C                             *G.Node
	Kernel, RecurrentKernel, Bias *G.Node // Bias is nil without use_bias
}

// Unrolled builds the layer, unrolled over the timesteps xs (each a
// (batch, input_dim) node of g, in input order), into the caller's
// Gorgonia graph g, so that the LSTM is part of a larger graph: any cost
// built on the outputs can be differentiated by G.Grad or G.Backpropagate
// with respect to xs, the weight nodes and the initial state. h0 and c0
// are (batch, units) nodes, or nil for zeros. The weights become input
// nodes of g named "<layer name>/kernel", "/recurrent_kernel" and "/bias",
// bound to copies of the layer's current weights (Let new values to
// change them). go_backwards is honoured; dropout is not applied (the
// graph computes inference), and the layer must be built.
func (l *LSTM) Unrolled(g *G.ExprGraph, xs []*G.Node, h0, c0 *G.Node) (s *Symbolic, err error) {
	if !l.built {
		return nil, fmt.Errorf("lstm: Unrolled: layer %q is not built", l.cfg.Name)
	}
	if len(xs) == 0 {
		return nil, fmt.Errorf("lstm: Unrolled: no timesteps")
	}
	batch := xs[0].Shape()[0]
	for t, x := range xs {
		if x.Dims() != 2 || x.Shape()[0] != batch || x.Shape()[1] != l.inputDim || x.Dtype() != l.dt {
			return nil, fmt.Errorf("lstm: Unrolled: timestep %d is %v %v: want a (%d, %d) %v matrix", t, x.Shape(), x.Dtype(), batch, l.inputDim, l.dt)
		}
	}
	defer recoverBuild(&err)
	u := l.cfg.Units
	for _, st := range []struct {
		name string
		n    **G.Node
	}{{"h0", &h0}, {"c0", &c0}} {
		if *st.n == nil {
			*st.n = G.NewMatrix(g, l.dt, G.WithShape(batch, u), G.WithName(l.cfg.Name+"/"+st.name), G.WithValue(zeros(l.dt, batch, u)))
		} else if !sameShape((*st.n).Shape(), batch, u) {
			return nil, fmt.Errorf("lstm: Unrolled: initial state %s has shape %v, want (%d, %d)", st.name, (*st.n).Shape(), batch, u)
		}
	}
	s = &Symbolic{}
	ps := l.Params()
	s.Kernel = G.NewMatrix(g, l.dt, G.WithShape(l.inputDim, 4*u), G.WithName(l.cfg.Name+"/kernel"), G.WithValue(ps[0].Value.Clone()))
	s.RecurrentKernel = G.NewMatrix(g, l.dt, G.WithShape(u, 4*u), G.WithName(l.cfg.Name+"/recurrent_kernel"), G.WithValue(ps[1].Value.Clone()))
	if l.bias != nil {
		s.Bias = G.NewVector(g, l.dt, G.WithShape(4*u), G.WithName(l.cfg.Name+"/bias"), G.WithValue(ps[2].Value.Clone()))
	}
	w := &weightNodes{}
	if l.gates() == 1 {
		w.kernel[0], w.recurrent[0], w.bias[0] = s.Kernel, s.RecurrentKernel, s.Bias
	} else {
		var b2 *G.Node
		if s.Bias != nil {
			b2 = G.Must(G.Reshape(s.Bias, []int{1, 4 * u}))
		}
		for k := 0; k < 4; k++ {
			w.kernel[k] = G.Must(gateBlock(s.Kernel, k, 4))
			w.recurrent[k] = G.Must(gateBlock(s.RecurrentKernel, k, 4))
			if b2 != nil {
				w.bias[k] = G.Must(G.Reshape(G.Must(gateBlock(b2, k, 4)), []int{u}))
			}
		}
	}
	m := &maskNodes{}
	h, c := h0, c0
	for t := range xs {
		zx, err := l.inputPart(w, m, xs[l.timeIndex(t, len(xs))])
		if err != nil {
			return nil, err
		}
		z, err := l.preActivation(w, m, zx, h)
		if err != nil {
			return nil, err
		}
		if h, c, err = l.gating(z, c); err != nil {
			return nil, err
		}
		s.H = append(s.H, h)
	}
	s.C = c
	return s, nil
}
