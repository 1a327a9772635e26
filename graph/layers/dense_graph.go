package layers

import (
	"fmt"

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

// denseKey identifies a compiled Dense graph: the number of input rows
// (batch·timesteps) and whether it computes gradients.
type denseKey struct {
	rows  int
	train bool
}

func (d *Dense) newGraph(key denseKey) (*denseGraph, error) {
	rows, train := key.rows, key.train
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
	if dg.y, err = d.kb.act(z); err != nil {
		return nil, fmt.Errorf("layers: Dense %s activation %s: %w", d.name, d.cfg.Activation, err)
	}
	if d.kb.areg != nil {
		if dg.pen, err = d.kb.areg.Penalty(dg.y); err != nil {
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

// Forward computes activation(x·W + b) on the last axis of in[0]; a mask
// passes through unchanged (Keras' Dense supports masking).
func (d *Dense) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if d.kernel == nil {
		return nil, fmt.Errorf("layers: Dense %s: Forward before Build", d.name)
	}
	x, mask, err := oneInput("Dense", d.name, in, masks)
	if err != nil {
		return nil, err
	}
	xs := []int(x.Shape())
	if x.Dtype() != d.dt || !graph.FitsShape(xs, d.inShape) {
		return nil, fmt.Errorf("layers: Dense %s: input %v of shape %v: want %v of shape %s", d.name, x.Dtype(), xs, d.dt, graph.FormatShape(d.inShape))
	}
	xv, err := rowsView(x)
	if err != nil {
		return nil, err
	}
	rows := xv.Shape()[0]
	dg, put, err := d.progs.Get(denseKey{rows: rows})
	if err != nil {
		return nil, err
	}
	defer put()
	defer dg.vm.Reset()
	if err := d.bind(dg, xv, nil); err != nil {
		return nil, err
	}
	if err := dg.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("layers: Dense %s forward: %w", d.name, err)
	}
	y := dg.y.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if dg.pen != nil {
		pass.ActivityPenalty = graph.Float64s(dg.pen.Value())[0]
	}
	out := append(append([]int(nil), xs[:len(xs)-1]...), d.cfg.Units)
	if err := y.Reshape(out...); err != nil {
		return nil, err
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
			return d.backward(xv, xs, dOut)
		}
	}
	return pass, nil
}

// backward adds the kernel and bias gradients of one training Forward (its
// input rows xv, of shape xs) into their Grad and returns the gradient with
// respect to its input.
func (d *Dense) backward(xv *tensor.Dense, xs []int, dOut []*tensor.Dense) ([]*tensor.Dense, error) {
	rows := xv.Shape()[0]
	if len(dOut) != 1 {
		return nil, fmt.Errorf("layers: Dense %s: %d output gradients: want 1", d.name, len(dOut))
	}
	dy := dOut[0]
	if dy == nil {
		dy = graph.NewTensor(d.dt, []int{rows, d.cfg.Units}, nil)
	}
	if dy.Shape().TotalSize() != rows*d.cfg.Units || dy.Dtype() != d.dt {
		return nil, fmt.Errorf("layers: Dense %s: output gradient %v of shape %v: want %v with %d rows of %d", d.name, dy.Dtype(), []int(dy.Shape()), d.dt, rows, d.cfg.Units)
	}
	dyv, err := rowsView(dy)
	if err != nil {
		return nil, err
	}
	dg, put, err := d.progs.Get(denseKey{rows: rows, train: true})
	if err != nil {
		return nil, err
	}
	defer put()
	defer dg.vm.Reset()
	if err := d.bind(dg, xv, dyv); err != nil {
		return nil, err
	}
	if err := dg.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("layers: Dense %s backward: %w", d.name, err)
	}
	graph.AddInto(d.kernel.Grad, dg.gw.Value().(*tensor.Dense))
	if dg.gb != nil {
		graph.AddInto(d.bias.Grad, dg.gb.Value().(*tensor.Dense))
	}
	gx := dg.gx.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	if err := gx.Reshape(xs...); err != nil {
		return nil, err
	}
	return []*tensor.Dense{gx}, nil
}

// oneInput checks that a single-input layer got one input (and at most one
// mask) and returns it, contiguous, with its mask.
func oneInput(class, name string, in, masks []*tensor.Dense) (*tensor.Dense, *tensor.Dense, error) {
	if len(in) != 1 || in[0] == nil {
		return nil, nil, fmt.Errorf("layers: %s %s: %d inputs: want 1", class, name, len(in))
	}
	if len(masks) > 1 {
		return nil, nil, fmt.Errorf("layers: %s %s: %d masks for 1 input", class, name, len(masks))
	}
	var mask *tensor.Dense
	if len(masks) == 1 {
		mask = masks[0]
	}
	return graph.Contiguous(in[0]), mask, nil
}
