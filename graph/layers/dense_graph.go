package layers

import (
	"fmt"
	"slices"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// denseGraph is a Dense layer compiled for one number of input rows. The
// training variant also takes the output gradient dy and computes
// gx, gw, gb as the gradients of Σ(y⊙dy) + activity penalty.
type denseGraph struct {
	vm          G.VM
	x, w, b, dy *G.Node
	y, pen      *G.Node
	gx, gw, gb  *G.Node
}

func (d *Dense) newGraph(rows int, train bool) (*denseGraph, error) {
	g := G.NewGraph()
	in, units := d.inShape[len(d.inShape)-1], d.cfg.Units
	dg := &denseGraph{}
	dg.x = G.NewMatrix(g, d.dt, G.WithShape(rows, in), G.WithName("dense_x"))
	dg.w = G.NewMatrix(g, d.dt, G.WithShape(in, units), G.WithName("dense_kernel"))
	z, err := G.Mul(dg.x, dg.w)
	if err != nil {
		return nil, err
	}
	wrt := G.Nodes{dg.x, dg.w}
	if d.cfg.UseBias {
		dg.b = G.NewVector(g, d.dt, G.WithShape(units), G.WithName("dense_bias"))
		if z, err = G.BroadcastAdd(z, dg.b, nil, []byte{0}); err != nil {
			return nil, err
		}
		wrt = append(wrt, dg.b)
	}
	if dg.y, err = d.act(z); err != nil {
		return nil, fmt.Errorf("layers: Dense %s activation %s: %w", d.name, d.cfg.Activation, err)
	}
	if d.areg != nil {
		if dg.pen, err = d.areg.Penalty(dg.y); err != nil {
			return nil, fmt.Errorf("layers: Dense %s activity regularizer: %w", d.name, err)
		}
	}
	if train {
		dg.dy = G.NewMatrix(g, d.dt, G.WithShape(rows, units), G.WithName("dense_dy"))
		s, err := G.Sum(G.Must(G.HadamardProd(dg.y, dg.dy)))
		if err != nil {
			return nil, err
		}
		if dg.pen != nil {
			if s, err = G.Add(s, dg.pen); err != nil {
				return nil, err
			}
		}
		grads, err := G.Grad(s, wrt...)
		if err != nil {
			return nil, fmt.Errorf("layers: Dense %s gradient: %w", d.name, err)
		}
		dg.gx, dg.gw = grads[0], grads[1]
		if d.cfg.UseBias {
			dg.gb = grads[2]
		}
	}
	dg.vm = G.NewTapeMachine(g)
	return dg, nil
}

// graphFor returns the cached graph for rows, compiling it on first use.
func (d *Dense) graphFor(rows int, train bool) (*denseGraph, error) {
	cache := &d.fwd
	if train {
		cache = &d.train
	}
	if *cache == nil {
		*cache = map[int]*denseGraph{}
	}
	if dg, ok := (*cache)[rows]; ok {
		return dg, nil
	}
	dg, err := d.newGraph(rows, train)
	if err != nil {
		return nil, err
	}
	(*cache)[rows] = dg
	return dg, nil
}

func (d *Dense) closeGraphs() {
	for _, c := range []map[int]*denseGraph{d.fwd, d.train} {
		for _, dg := range c {
			dg.vm.Close()
		}
	}
	d.fwd, d.train = nil, nil
}

// bind lets the weights and x (and dy) into dg.
func (d *Dense) bind(dg *denseGraph, x, dy *tensor.Dense) error {
	if err := G.Let(dg.x, x); err != nil {
		return err
	}
	if err := G.Let(dg.w, d.kernel.Value); err != nil {
		return err
	}
	if dg.b != nil {
		if err := G.Let(dg.b, d.bias.Value); err != nil {
			return err
		}
	}
	if dy != nil {
		return G.Let(dg.dy, dy)
	}
	return nil
}

// rowsView returns t viewed as (rows, last dim) without copying.
func rowsView(t *tensor.Dense) (*tensor.Dense, error) {
	s := t.Shape()
	last := s[len(s)-1]
	v := t.ShallowClone()
	if err := v.Reshape(s.TotalSize()/last, last); err != nil {
		return nil, err
	}
	return v, nil
}

// Forward computes activation(x·W + b) on the last axis of x.
func (d *Dense) Forward(x *tensor.Dense, training bool) (*tensor.Dense, error) {
	if d.kernel == nil {
		return nil, fmt.Errorf("layers: Dense %s: Forward before Build", d.name)
	}
	xs := []int(x.Shape())
	if x.Dtype() != d.dt || len(xs) != len(d.inShape)+1 || !slices.Equal(xs[1:], d.inShape) {
		return nil, fmt.Errorf("layers: Dense %s: input %v of shape %v: want %v of shape (batch, %v)", d.name, x.Dtype(), xs, d.dt, d.inShape)
	}
	xv, err := rowsView(x)
	if err != nil {
		return nil, err
	}
	dg, err := d.graphFor(xv.Shape()[0], false)
	if err != nil {
		return nil, err
	}
	defer dg.vm.Reset()
	if err := d.bind(dg, xv, nil); err != nil {
		return nil, err
	}
	if err := dg.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("layers: Dense %s forward: %w", d.name, err)
	}
	y := dg.y.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	d.penalty = 0
	if dg.pen != nil {
		d.penalty = graph.Float64s(dg.pen.Value())[0]
	}
	out := append(append([]int(nil), xs[:len(xs)-1]...), d.cfg.Units)
	if err := y.Reshape(out...); err != nil {
		return nil, err
	}
	if training {
		d.lastX, d.lastShape = xv, xs
	}
	return y, nil
}

// Backward writes the kernel and bias gradients for the last training
// Forward and returns the gradient with respect to its input.
func (d *Dense) Backward(dy *tensor.Dense) (*tensor.Dense, error) {
	if d.lastX == nil {
		return nil, fmt.Errorf("layers: Dense %s: Backward without a training Forward", d.name)
	}
	rows := d.lastX.Shape()[0]
	if dy.Shape().TotalSize() != rows*d.cfg.Units || dy.Dtype() != d.dt {
		return nil, fmt.Errorf("layers: Dense %s: output gradient %v of shape %v: want %v with %d rows of %d", d.name, dy.Dtype(), []int(dy.Shape()), d.dt, rows, d.cfg.Units)
	}
	dyv, err := rowsView(dy)
	if err != nil {
		return nil, err
	}
	dg, err := d.graphFor(rows, true)
	if err != nil {
		return nil, err
	}
	defer dg.vm.Reset()
	if err := d.bind(dg, d.lastX, dyv); err != nil {
		return nil, err
	}
	if err := dg.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("layers: Dense %s backward: %w", d.name, err)
	}
	graph.CopyInto(d.kernel.Grad, dg.gw.Value().(*tensor.Dense))
	if dg.gb != nil {
		graph.CopyInto(d.bias.Grad, dg.gb.Value().(*tensor.Dense))
	}
	gx := dg.gx.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	if err := gx.Reshape(d.lastShape...); err != nil {
		return nil, err
	}
	return gx, nil
}
