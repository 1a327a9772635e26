package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Symbolic holds the nodes Unrolled adds to a caller's graph: the output of
// every step (in processing order), the final states, and the weight input
// nodes, bound to the layer's current weights, with respect to which the
// caller can differentiate.
type Symbolic struct {
	// H is the output of each step, in processing order: h_t, or, with a
	// mask, what Call outputs at a padded step (see UnrolledOptions.Mask).
	H []*G.Node
	// FinalH and C are the final states h_T and c_T (Keras' return_state).
	// FinalH is H[len(H)-1] except with a mask and Unroll true, where the
	// output of a sample that has had no real step is zeros.
	FinalH, C                     *G.Node
	Kernel, RecurrentKernel, Bias *G.Node // Bias is nil without use_bias
}

// UnrolledOptions are the optional arguments of UnrolledWith.
type UnrolledOptions struct {
	// H0 and C0 are the initial state, (batch, units) nodes; nil is zeros.
	H0, C0 *G.Node
	// Mask, when set, is a (batch, timesteps) node in the layer's dtype,
	// in input order, holding 1 for a real step and 0 for a padded one
	// (unlike CallOptions.Mask, which takes bool or integer tensors: graph
	// arithmetic needs the layer's dtype). Let new values into it between
	// runs as into the inputs. A padded step carries h and c unchanged;
	// its output follows the layer's Unroll setting, as Call: the carried
	// h with Unroll false, the previous output (zeros before the first
	// real step) with Unroll true. Do not differentiate with respect to it.
	Mask *G.Node
}

// Unrolled is UnrolledWith without a mask: h0 and c0 are the initial state
// nodes, or nil for zeros.
func (l *LSTM) Unrolled(g *G.ExprGraph, xs []*G.Node, h0, c0 *G.Node) (*Symbolic, error) {
	return l.UnrolledWith(g, xs, UnrolledOptions{H0: h0, C0: c0})
}

// UnrolledWith builds the layer, unrolled over the timesteps xs (each a
// (batch, input_dim) node of g, in input order), into the caller's
// Gorgonia graph g, so that the LSTM is part of a larger graph: any cost
// built on the outputs can be differentiated by G.Grad or G.Backpropagate
// with respect to xs, the weight nodes and the initial state. The weights
// become input nodes of g named "<layer name>/kernel", "/recurrent_kernel"
// and "/bias", bound to copies of the layer's current weights (Let new
// values to change them). go_backwards is honoured; dropout is not applied
// (the graph computes inference), and the layer must be built. The nodes
// compute the numbers of Call.
func (l *LSTM) UnrolledWith(g *G.ExprGraph, xs []*G.Node, opt UnrolledOptions) (s *Symbolic, err error) {
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
	steps := len(xs)
	if m := opt.Mask; m != nil && (m.Dims() != 2 || !sameShape(m.Shape(), batch, steps) || m.Dtype() != l.dt) {
		return nil, fmt.Errorf("lstm: Unrolled: mask is %v %v: want a (%d, %d) %v matrix (batch, timesteps) of 0s and 1s", m.Shape(), m.Dtype(), batch, steps, l.dt)
	}
	defer recoverBuild(&err)
	u := l.cfg.Units
	h0, c0 := opt.H0, opt.C0
	for _, st := range []struct {
		name string
		n    **G.Node
	}{{"h0", &h0}, {"c0", &c0}} {
		if *st.n == nil {
			*st.n = G.NewMatrix(g, l.dt, G.WithShape(batch, u), G.WithName(l.cfg.Name+"/"+st.name), G.WithValue(zeros(l.dt, batch, u)))
		} else if !sameShape((*st.n).Shape(), batch, u) || (*st.n).Dtype() != l.dt {
			return nil, fmt.Errorf("lstm: Unrolled: initial state %s is %v %v: want a (%d, %d) %v matrix", st.name, (*st.n).Shape(), (*st.n).Dtype(), batch, u, l.dt)
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
	var sm *seqMaskNodes
	if opt.Mask != nil {
		sm = l.symbolicSeqMask(g, opt.Mask, batch, steps)
	}
	if s.H, s.FinalH, s.C, err = l.unrollSteps(w, &maskNodes{}, sm, steps, func(t int) *G.Node { return xs[l.timeIndex(t, steps)] }, h0, c0); err != nil {
		return nil, err
	}
	return s, nil
}

// symbolicSeqMask builds the per-step mask nodes of seqMaskNodes from a
// (batch, timesteps) 0/1 mask node: m_t = mask · E_t, with E_t the constant
// (timesteps, units) matrix whose row t(k) is ones and the others zeros,
// tiles the mask's column of processing step k over the units (exactly:
// one product by 1, the others by 0); n_t likewise from 1 − mask; with
// Unroll, r_k = m_k + n_k ⊙ r_{k-1} from r_0 = m_0 (1 once a real step has
// been seen).
func (l *LSTM) symbolicSeqMask(g *G.ExprGraph, mask *G.Node, batch, steps int) *seqMaskNodes {
	u := l.cfg.Units
	var one *G.Node
	if l.dt == G.Float32 {
		one = G.NewConstant(float32(1))
	} else {
		one = G.NewConstant(1.0)
	}
	padded := G.Must(G.Sub(one, mask))
	sm := &seqMaskNodes{}
	for k := 0; k < steps; k++ {
		ti := l.timeIndex(k, steps)
		e := zeros(l.dt, steps, u)
		fillOnes(e, ti)
		// Named by what it holds: equal nodes of two layers may merge.
		sel := G.NewMatrix(g, l.dt, G.WithShape(steps, u), G.WithName(fmt.Sprintf("golstm/mask_column_%d_of_%d", ti, steps)), G.WithValue(e))
		sm.m = append(sm.m, G.Must(G.Mul(mask, sel)))
		sm.n = append(sm.n, G.Must(G.Mul(padded, sel)))
		if l.cfg.Unroll {
			r := sm.m[k]
			if k > 0 {
				r = G.Must(G.Add(sm.m[k], G.Must(G.HadamardProd(sm.n[k], sm.r[k-1]))))
			}
			sm.r = append(sm.r, r)
		}
	}
	return sm
}
