package loss

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossGraph is a loss compiled for one prediction shape: it returns the
// loss value and the gradient with respect to the predictions.
type lossGraph struct {
	g        *G.ExprGraph
	vm       G.VM
	yt, yp   *G.Node
	out, grd *G.Node
}

func newLossGraph(loss Loss, dt tensor.Dtype, shape []int) (*lossGraph, error) {
	g := G.NewGraph()
	lg := &lossGraph{g: g}
	lg.yt = G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("loss_y_true"))
	lg.yp = G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("loss_y_pred"))
	out, err := loss.Node(lg.yt, lg.yp)
	if err != nil {
		return nil, err
	}
	if !out.IsScalar() {
		return nil, fmt.Errorf("loss: loss %s returned shape %v: want a scalar", loss.Name(), out.Shape())
	}
	lg.out = out
	grads, err := G.Grad(out, lg.yp)
	if err != nil {
		return nil, fmt.Errorf("loss: gradient of loss %s: %w", loss.Name(), err)
	}
	lg.grd = grads[0]
	lg.vm = G.NewTapeMachine(g)
	return lg, nil
}

// run returns the loss of predictions yp for targets yt (already through
// Loss.Target) and a copy of d loss / d yp.
func (lg *lossGraph) run(yt, yp *tensor.Dense) (float64, *tensor.Dense, error) {
	defer lg.vm.Reset()
	// The graph gets copies: Gorgonia may run an op in place on a
	// Reshape view of an input, which would overwrite the caller's data.
	if err := G.Let(lg.yt, yt.Clone()); err != nil {
		return 0, nil, err
	}
	if err := G.Let(lg.yp, yp.Clone()); err != nil {
		return 0, nil, err
	}
	if err := lg.vm.RunAll(); err != nil {
		return 0, nil, err
	}
	v := graph.Float64s(lg.out.Value())[0]
	gd := lg.grd.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	return v, gd, nil
}

// Evaluator computes a loss and its gradient with respect to the
// predictions, through one compiled graph per prediction shape (a partial
// last batch has its own). An Evaluator is not safe for concurrent use.
type Evaluator struct {
	loss   Loss
	dt     tensor.Dtype
	graphs map[string]*lossGraph
}

// NewEvaluator returns an Evaluator of loss in dtype dt.
func NewEvaluator(loss Loss, dt tensor.Dtype) *Evaluator {
	return &Evaluator{loss: loss, dt: dt, graphs: map[string]*lossGraph{}}
}

// Eval returns the loss of predictions yp for raw targets y, and its
// gradient with respect to yp.
func (c *Evaluator) Eval(y, yp *tensor.Dense) (float64, *tensor.Dense, error) {
	shape := []int(yp.Shape())
	yt, err := c.loss.Target(y, shape)
	if err != nil {
		return 0, nil, err
	}
	if yt.Dtype() != c.dt {
		return 0, nil, fmt.Errorf("loss: targets of dtype %v for a model of dtype %v", yt.Dtype(), c.dt)
	}
	key := fmt.Sprint(shape)
	lg, ok := c.graphs[key]
	if !ok {
		if lg, err = newLossGraph(c.loss, c.dt, shape); err != nil {
			return 0, nil, err
		}
		c.graphs[key] = lg
	}
	return lg.run(yt, yp)
}

// Close releases the compiled machines.
func (c *Evaluator) Close() {
	for _, lg := range c.graphs {
		lg.vm.Close()
	}
	c.graphs = map[string]*lossGraph{}
}
