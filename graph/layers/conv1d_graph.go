package layers

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convGraph is a Conv1D layer compiled for one batch size and sequence
// length. The training variant also takes the output gradient dy and
// computes gx, gw, gb as the gradients of Σ(y⊙dy) + activity penalty.
type convGraph struct {
	vm          G.VM
	w           window
	x, k, b, dy *G.Node
	y, pen      *G.Node
	gx, gk, gb  *G.Node
}

// convKey identifies a compiled Conv1D graph.
type convKey struct {
	batch, steps int
	train        bool
}

func (c *Conv1D) newGraph(key convKey) (*convGraph, error) {
	ch, f := c.inShape[1], c.cfg.Filters
	w, err := newWindow(key.steps, c.cfg.KernelSize, c.cfg.Strides, c.cfg.DilationRate, c.cfg.Padding)
	if err != nil {
		return nil, err
	}
	g := G.NewGraph()
	cg := &convGraph{w: w}
	cg.x = G.NewTensor(g, c.dt, 3, G.WithShape(key.batch, key.steps, ch), G.WithName("conv1d_x"))
	cg.k = G.NewMatrix(g, c.dt, G.WithShape(c.cfg.KernelSize*ch, f), G.WithName("conv1d_kernel"))
	cols, err := G.ApplyOp(im2colOp{w: w, channels: ch}, cg.x)
	if err != nil {
		return nil, err
	}
	z, err := G.Mul(cols, cg.k)
	if err != nil {
		return nil, err
	}
	wrt := G.Nodes{cg.x, cg.k}
	if c.cfg.UseBias {
		cg.b = G.NewVector(g, c.dt, G.WithShape(f), G.WithName("conv1d_bias"))
		if z, err = G.BroadcastAdd(z, cg.b, nil, []byte{0}); err != nil {
			return nil, err
		}
		wrt = append(wrt, cg.b)
	}
	if cg.y, err = c.kb.act(z); err != nil {
		return nil, fmt.Errorf("layers: Conv1D %s activation %s: %w", c.cfg.Name, c.cfg.Activation, err)
	}
	if c.kb.areg != nil {
		if cg.pen, err = c.kb.areg.Penalty(cg.y); err != nil {
			return nil, fmt.Errorf("layers: Conv1D %s activity regularizer: %w", c.cfg.Name, err)
		}
	}
	if key.train {
		cg.dy = G.NewMatrix(g, c.dt, G.WithShape(key.batch*w.out, f), G.WithName("conv1d_dy"))
		s, err := G.Sum(G.Must(G.HadamardProd(cg.y, cg.dy)))
		if err != nil {
			return nil, err
		}
		if cg.pen != nil {
			if s, err = G.Add(s, cg.pen); err != nil {
				return nil, err
			}
		}
		grads, err := G.Grad(s, wrt...)
		if err != nil {
			return nil, fmt.Errorf("layers: Conv1D %s gradient: %w", c.cfg.Name, err)
		}
		cg.gx, cg.gk = grads[0], grads[1]
		if c.cfg.UseBias {
			cg.gb = grads[2]
		}
	}
	cg.vm = G.NewTapeMachine(g)
	return cg, nil
}

// run binds x (and dy) and the weights into the graph of key and runs it.
// The caller gives the graph back with put after reading its values.
func (c *Conv1D) run(key convKey, x, dy *tensor.Dense) (*convGraph, func(), error) {
	cg, put, err := c.progs.Get(key)
	if err != nil {
		return nil, nil, fmt.Errorf("layers: Conv1D %s: %w", c.cfg.Name, err)
	}
	k, err := reshaped(c.kernel.Value, []int{c.cfg.KernelSize * c.inShape[1], c.cfg.Filters})
	if err == nil {
		err = G.Let(cg.x, x)
	}
	if err == nil {
		err = G.Let(cg.k, k)
	}
	if err == nil && cg.b != nil {
		err = G.Let(cg.b, c.bias.Value)
	}
	if err == nil && dy != nil {
		err = G.Let(cg.dy, dy)
	}
	if err == nil {
		err = cg.vm.RunAll()
	}
	done := func() { cg.vm.Reset(); put() }
	if err != nil {
		done()
		return nil, nil, fmt.Errorf("layers: Conv1D %s: %w", c.cfg.Name, err)
	}
	return cg, done, nil
}

// Forward convolves in[0], (batch, steps, channels), giving (batch, out
// steps, filters). A mask is an error: Conv1D does not support masking.
func (c *Conv1D) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if c.kernel == nil {
		return nil, fmt.Errorf("layers: Conv1D %s: Forward before Build", c.cfg.Name)
	}
	x, mask, err := oneInput("Conv1D", c.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if err := noMask("Conv1D", c.cfg.Name, mask); err != nil {
		return nil, err
	}
	if x.Dtype() != c.dt || !graph.FitsShape(x.Shape(), c.inShape) {
		return nil, fmt.Errorf("layers: Conv1D %s: input %v of shape %v: want %v of shape %s", c.cfg.Name, x.Dtype(), []int(x.Shape()), c.dt, graph.FormatShape(c.inShape))
	}
	key := convKey{batch: x.Shape()[0], steps: x.Shape()[1]}
	if _, err := c.outSteps(key.steps); err != nil {
		return nil, err
	}
	cg, done, err := c.run(key, x, nil)
	if err != nil {
		return nil, err
	}
	y := cg.y.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	out := cg.w.out
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if cg.pen != nil {
		pass.ActivityPenalty = graph.Float64s(cg.pen.Value())[0]
	}
	done()
	if err := y.Reshape(key.batch, out, c.cfg.Filters); err != nil {
		return nil, err
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			dy, err := outGrad("Conv1D", c.cfg.Name, dOut, c.dt, []int{key.batch, out, c.cfg.Filters})
			if err != nil {
				return nil, err
			}
			if dy, err = reshaped(dy, []int{key.batch * out, c.cfg.Filters}); err != nil {
				return nil, err
			}
			key := key
			key.train = true
			cg, done, err := c.run(key, x, dy)
			if err != nil {
				return nil, err
			}
			defer done()
			graph.AddInto(c.kernel.Grad, cg.gk.Value().(*tensor.Dense))
			if cg.gb != nil {
				graph.AddInto(c.bias.Grad, cg.gb.Value().(*tensor.Dense))
			}
			return []*tensor.Dense{cg.gx.Value().(*tensor.Dense).Clone().(*tensor.Dense)}, nil
		}
	}
	return pass, nil
}
