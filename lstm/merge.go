package lstm

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The merge modes of Bidirectional (Keras' merge_mode), for the forward
// output y_f and the backward one y_b.
const (
	// MergeConcat is [y_f | y_b] along the last axis (Keras' default).
	MergeConcat = "concat"
	// MergeSum is y_f + y_b.
	MergeSum = "sum"
	// MergeAve is (y_f + y_b) / 2.
	MergeAve = "ave"
	// MergeMul is y_f ⊙ y_b.
	MergeMul = "mul"
	// MergeNone merges nothing: both outputs are returned (Keras' None).
	MergeNone = "none"
)

// mergeNodes merges the outputs a (forward) and b (backward) of
// Bidirectional, (rows, units) each, as Keras' Bidirectional.call.
func mergeNodes(mode string, a, b *G.Node) (y *G.Node, err error) {
	switch mode {
	case MergeConcat:
		return G.Concat(1, a, b)
	case MergeSum:
		return G.Add(a, b)
	case MergeAve:
		defer recoverBuild(&err)
		two := G.NewConstant(2.0)
		if a.Dtype() == tensor.Float32 {
			two = G.NewConstant(float32(2))
		}
		return G.HadamardDiv(G.Must(G.Add(a, b)), two)
	case MergeMul:
		return G.HadamardProd(a, b)
	}
	return nil, fmt.Errorf("lstm: no merge for merge_mode %q", mode)
}

// mergeKey identifies a compiled merge: mode, shape (rows, units) of each
// input, dtype, and forward only or with the VJP.
type mergeKey struct {
	mode        string
	rows, units int
	dt          tensor.Dtype
	grad        bool
}

// mergeProgram is a compiled merge graph: y = merge(a, b), and with grad
// the VJP (da, db) for a seed dy, from Gorgonia's Backpropagate.
type mergeProgram struct {
	vm            G.VM
	a, b, seed, y *G.Node
	yVal          G.Value
	da, db        *G.Node
}

func newMergeProgram(key mergeKey) (p *mergeProgram, err error) {
	defer recoverBuild(&err)
	g := G.NewGraph()
	p = &mergeProgram{}
	p.a = G.NewMatrix(g, key.dt, G.WithShape(key.rows, key.units), G.WithName("forward"))
	p.b = G.NewMatrix(g, key.dt, G.WithShape(key.rows, key.units), G.WithName("backward"))
	if p.y, err = mergeNodes(key.mode, p.a, p.b); err != nil {
		return nil, err
	}
	if key.grad {
		p.seed = G.NewMatrix(g, key.dt, G.WithShape(p.y.Shape()...), G.WithName("seed"))
		grads, err := G.Backpropagate(G.Nodes{p.y}, G.Nodes{p.seed}, G.Nodes{p.a, p.b})
		if err != nil {
			return nil, fmt.Errorf("lstm: merge gradient graph: %w", err)
		}
		p.da, p.db = grads[0], grads[1]
	} else {
		G.Read(p.y, &p.yVal)
	}
	p.vm = G.NewTapeMachine(g)
	return p, nil
}

// run binds a, b (and the seed with grad) and runs the graph.
func (p *mergeProgram) run(a, b, seed *tensor.Dense) error {
	for _, nv := range []struct {
		n *G.Node
		v *tensor.Dense
	}{{p.a, a}, {p.b, b}, {p.seed, seed}} {
		if nv.n == nil {
			continue
		}
		if err := G.Let(nv.n, nv.v); err != nil {
			return fmt.Errorf("lstm: merge: binding %s: %w", nv.n.Name(), err)
		}
	}
	p.yVal = nil
	p.vm.Reset()
	return p.vm.RunAll()
}

// asMatrix views a (batch, units) or (batch, steps, units) tensor as a
// (rows, units) matrix sharing its memory (t is contiguous).
func asMatrix(t *tensor.Dense) *tensor.Dense {
	s := t.Shape()
	w := s[len(s)-1]
	return tensor.New(tensor.WithShape(t.Shape().TotalSize()/w, w), tensor.WithBacking(t.Data()))
}

// withLeading views a matrix (rows, w) as shaped like like, except the last
// axis, w, sharing its memory.
func withLeading(m, like *tensor.Dense) *tensor.Dense {
	s := append([]int(nil), like.Shape()...)
	s[len(s)-1] = m.Shape()[1]
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(m.Data()))
}
