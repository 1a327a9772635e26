package encdec

import (
	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

func rowsOf(ts []*graph.Tensor, from, to int) []*graph.Tensor {
	out := make([]*graph.Tensor, len(ts))
	for i, t := range ts {
		s, _ := t.Slice(tensor.S(from, to))
		out[i] = s.(*tensor.Dense).Materialize().(*tensor.Dense)
	}
	return out
}
