package graph

import (
	"fmt"

	"gorgonia.org/tensor"
)

// NewMask returns a (batch, steps) mask of tensor.Bool holding keep
// (row-major; true at the real steps), the form in which layers pass masks
// to each other (Pass.Masks). It panics if len(keep) is not batch·steps: a
// programmer error.
func NewMask(batch, steps int, keep []bool) *tensor.Dense {
	if len(keep) != batch*steps {
		panic(fmt.Sprintf("graph: NewMask: %d values for (%d, %d)", len(keep), batch, steps))
	}
	return tensor.New(tensor.WithShape(batch, steps), tensor.WithBacking(append([]bool(nil), keep...)))
}

// MaskValues returns the values of a mask given as a tensor.Bool tensor or
// as an integer tensor (any signed or unsigned width; non-zero counts as
// true, as Keras casts a mask to bool), row-major, reading views (a slice, a
// transpose) correctly. A float tensor is an error that says so: a mask
// holds which steps are real, not weights.
func MaskValues(m *tensor.Dense) ([]bool, error) {
	if m == nil {
		return nil, fmt.Errorf("graph: mask is nil")
	}
	m = Contiguous(m)
	out := make([]bool, m.Shape().TotalSize())
	switch d := m.Data().(type) {
	case []bool:
		copy(out, d)
	case []int:
		nonZero(out, d)
	case []int8:
		nonZero(out, d)
	case []int16:
		nonZero(out, d)
	case []int32:
		nonZero(out, d)
	case []int64:
		nonZero(out, d)
	case []uint:
		nonZero(out, d)
	case []uint8:
		nonZero(out, d)
	case []uint16:
		nonZero(out, d)
	case []uint32:
		nonZero(out, d)
	case []uint64:
		nonZero(out, d)
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return nil, fmt.Errorf("graph: mask is a scalar: want a (batch, timesteps) tensor")
	default:
		return nil, fmt.Errorf("graph: mask of dtype %v: a mask must be a bool or integer tensor (1 or true at the real steps)", m.Dtype())
	}
	return out, nil
}

func nonZero[T int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64](dst []bool, src []T) {
	for i, v := range src {
		dst[i] = v != 0
	}
}
