package model

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// penaltyGraph is Σ Regularizer.Penalty(w) over the weights that have a
// regularizer, compiled once, with its gradients.
type penaltyGraph struct {
	vm     G.VM
	params []*graph.Param
	ws     G.Nodes
	total  *G.Node
	grads  G.Nodes
}

func newPenaltyGraph(params []*graph.Param) (*penaltyGraph, error) {
	pg := &penaltyGraph{}
	g := G.NewGraph()
	for _, p := range params {
		if p.Regularizer == nil {
			continue
		}
		s := []int(p.Value.Shape())
		w := G.NewTensor(g, p.Value.Dtype(), len(s), G.WithShape(s...), G.WithName("penalty_w_"+p.Name))
		pen, err := p.Regularizer.Penalty(w)
		if err != nil {
			return nil, fmt.Errorf("model: regularizer of %s: %w", p.Name, err)
		}
		if !pen.IsScalar() {
			return nil, fmt.Errorf("model: regularizer of %s returned shape %v: want a scalar", p.Name, pen.Shape())
		}
		if pg.total == nil {
			pg.total = pen
		} else if pg.total, err = G.Add(pg.total, pen); err != nil {
			return nil, err
		}
		pg.params = append(pg.params, p)
		pg.ws = append(pg.ws, w)
	}
	if pg.total == nil {
		return pg, nil
	}
	var err error
	if pg.grads, err = G.Grad(pg.total, pg.ws...); err != nil {
		return nil, fmt.Errorf("model: gradient of the weight penalties: %w", err)
	}
	pg.vm = G.NewTapeMachine(g)
	return pg, nil
}

// run returns the total penalty; with addGrads it adds each gradient to
// its Param.Grad.
func (pg *penaltyGraph) run(addGrads bool) (float64, error) {
	if pg.total == nil {
		return 0, nil
	}
	defer pg.vm.Reset()
	for i, p := range pg.params {
		if err := G.Let(pg.ws[i], p.Value); err != nil {
			return 0, err
		}
	}
	if err := pg.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("model: weight penalties: %w", err)
	}
	if addGrads {
		for i, p := range pg.params {
			graph.AddInto(p.Grad, pg.grads[i].Value().(*tensor.Dense))
		}
	}
	return graph.Float64s(pg.total.Value())[0], nil
}

// penalties returns the weight-penalty graph, compiling it on first use.
func (m *Model) penalties() (*penaltyGraph, error) {
	if m.pen == nil {
		pg, err := newPenaltyGraph(m.Params())
		if err != nil {
			return nil, err
		}
		m.pen = pg
	}
	return m.pen, nil
}
