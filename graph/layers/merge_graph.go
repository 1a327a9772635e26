package layers

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mergeGraph is a merge layer's graph compiled for one set of input
// shapes: y of the inputs x, and the inputs' gradients dx for an output
// gradient (the seed) dy; fwd computes y alone, bwd the whole graph.
type mergeGraph struct {
	x        []*G.Node
	seed     *G.Node
	dx       G.Nodes
	y        G.Value
	fwd, bwd G.VM
	// zeros feeds the node that broadcasts an input to the output shape
	// (nil when no input is broadcast).
	zeros     *G.Node
	zerosVal  *tensor.Dense
	fwdInputs G.Nodes
}

func closeMergeGraph(mg *mergeGraph) { mg.fwd.Close(); mg.bwd.Close() }

// newMergeGraph compiles y = combine(x₁, …, xₙ) for inputs of the given
// batch shapes and its VJP.
func newMergeGraph(dt tensor.Dtype, shapes [][]int, outShape []int, combine func(mg *mergeGraph, g *G.ExprGraph, xs G.Nodes) (*G.Node, error)) (*mergeGraph, error) {
	g := G.NewGraph()
	mg := &mergeGraph{}
	xs := make(G.Nodes, len(shapes))
	for i, s := range shapes {
		mg.x = append(mg.x, G.NewTensor(g, dt, len(s), G.WithShape(s...), G.WithName(fmt.Sprintf("x%d", i))))
		xs[i] = mg.x[i]
	}
	mg.fwdInputs = append(G.Nodes(nil), mg.x...)
	y, err := combine(mg, g, xs)
	if err != nil {
		return nil, err
	}
	if !y.Shape().Eq(tensor.Shape(outShape)) {
		return nil, fmt.Errorf("merge graph of shape %v: want %v", y.Shape(), outShape)
	}
	mg.seed = G.NewTensor(g, dt, len(outShape), G.WithShape(outShape...), G.WithName("dy"))
	if mg.dx, err = G.Backpropagate(G.Nodes{y}, G.Nodes{mg.seed}, mg.x); err != nil {
		return nil, err
	}
	read := G.Read(y, &mg.y)
	prog, locs, err := G.CompileFunction(g, mg.fwdInputs, G.Nodes{read})
	if err != nil {
		return nil, err
	}
	mg.fwd = G.NewTapeMachine(g, G.WithPrecompiled(prog, locs))
	// The gradient runs the whole graph: a function of only what it uses
	// would leave out inputs (an Add's gradient does not read them), which
	// CompileFunction refuses.
	mg.bwd = G.NewTapeMachine(g)
	return mg, nil
}

// broadcastTo returns x broadcast to the batch shape out (sizes of 1
// repeated), or x itself when it has that shape: x + zeros(out) with
// Gorgonia's broadcast, whose gradient sums over the repeated axes.
func (mg *mergeGraph) broadcastTo(g *G.ExprGraph, x *G.Node, out []int) (*G.Node, error) {
	var axes []byte
	for k, d := range x.Shape() {
		if d != out[k] {
			axes = append(axes, byte(k))
		}
	}
	if len(axes) == 0 {
		return x, nil
	}
	if mg.zeros == nil {
		mg.zeros = G.NewTensor(g, x.Dtype(), len(out), G.WithShape(out...), G.WithName("zeros"))
		mg.zerosVal = graph.NewTensor(x.Dtype(), out, nil)
		mg.fwdInputs = append(mg.fwdInputs, mg.zeros)
	}
	return G.BroadcastAdd(x, mg.zeros, axes, nil)
}

// bind lets the inputs (and the broadcasting zeros) into the graph.
func (mg *mergeGraph) bind(xs []*tensor.Dense) error {
	for i, x := range xs {
		if err := G.Let(mg.x[i], x); err != nil {
			return err
		}
	}
	if mg.zeros != nil {
		return G.Let(mg.zeros, mg.zerosVal)
	}
	return nil
}

// forward returns y for the inputs xs, a tensor the caller owns.
func (mg *mergeGraph) forward(xs []*tensor.Dense) (*tensor.Dense, error) {
	if err := mg.bind(xs); err != nil {
		return nil, err
	}
	mg.y = nil // a fresh value
	mg.fwd.Reset()
	if err := mg.fwd.RunAll(); err != nil {
		return nil, err
	}
	return mg.y.(*tensor.Dense), nil
}

// backward returns the gradient of each input for the output gradient dy.
func (mg *mergeGraph) backward(xs []*tensor.Dense, dy *tensor.Dense) ([]*tensor.Dense, error) {
	if err := mg.bind(xs); err != nil {
		return nil, err
	}
	if err := G.Let(mg.seed, dy); err != nil {
		return nil, err
	}
	mg.bwd.Reset()
	if err := mg.bwd.RunAll(); err != nil {
		return nil, err
	}
	out := make([]*tensor.Dense, len(xs))
	for i, n := range mg.dx {
		out[i] = n.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	}
	return out, nil
}

// compile builds the graph of a Merge for the input shapes of key.
func (m *Merge) compile(key string) (*mergeGraph, error) {
	dt, shapes, err := parseKey(key)
	if err != nil {
		return nil, err
	}
	out := append([]int(nil), shapes[0]...)
	for _, s := range shapes[1:] {
		for k, d := range s {
			if d != 1 {
				out[k] = d
			}
		}
	}
	return newMergeGraph(dt, shapes, out, func(mg *mergeGraph, g *G.ExprGraph, xs G.Nodes) (*G.Node, error) {
		for i, x := range xs {
			b, err := mg.broadcastTo(g, x, out)
			if err != nil {
				return nil, err
			}
			xs[i] = b
		}
		y := xs[0]
		var err error
		for _, x := range xs[1:] {
			switch m.op {
			case addOp, averageOp:
				y, err = G.Add(y, x)
			case subtractOp:
				y, err = G.Sub(y, x)
			case multiplyOp:
				y, err = G.HadamardProd(y, x)
			case maximumOp:
				y, err = G.MaxBetween(y, x)
			case minimumOp:
				y, err = G.MinBetween(y, x)
			}
			if err != nil {
				return nil, err
			}
		}
		if m.op == averageOp {
			var n *G.Node
			if dt == tensor.Float32 {
				n = G.NewConstant(float32(len(xs)))
			} else {
				n = G.NewConstant(float64(len(xs)))
			}
			return G.HadamardDiv(y, n)
		}
		return y, nil
	})
}

// compile builds the graph of a Concatenate for the input shapes of key.
func (c *Concatenate) compile(key string) (*mergeGraph, error) {
	dt, shapes, err := parseKey(key)
	if err != nil {
		return nil, err
	}
	out := append([]int(nil), shapes[0]...)
	for _, s := range shapes[1:] {
		out[c.axis+1] += s[c.axis+1]
	}
	return newMergeGraph(dt, shapes, out, func(_ *mergeGraph, _ *G.ExprGraph, xs G.Nodes) (*G.Node, error) {
		return G.Concat(c.axis+1, xs...)
	})
}
