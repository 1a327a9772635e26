package graph

import (
	"fmt"
	"math/rand/v2"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NewRNG returns the random source used for every draw in this library
// (initializers, dropout masks, shuffling): a PCG generator seeded with seed.
// The same seed gives the same sequence on every platform.
func NewRNG(seed uint64) *rand.Rand {
	return rand.New(NewPCG(seed))
}

// NewPCG returns NewRNG's source for seed: rand.New(NewPCG(seed)) draws
// what NewRNG(seed) draws, and the source's state can be saved
// (MarshalBinary) and restored, so that a stream continues where it
// stopped (model.Fit's shuffling across a Save and Load).
func NewPCG(seed uint64) *rand.PCG {
	return rand.NewPCG(seed, 0x9e3779b97f4a7c15)
}

// PCGStates returns the MarshalBinary states of srcs, one after another
// (RandomStream's form).
func PCGStates(srcs ...*rand.PCG) ([]byte, error) {
	var out []byte
	for _, s := range srcs {
		b, err := s.MarshalBinary()
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// SetPCGStates restores srcs from states made by PCGStates; a state of
// another length or form is an error naming what it holds, and leaves
// srcs unchanged.
func SetPCGStates(state []byte, srcs ...*rand.PCG) error {
	one, _ := NewPCG(0).MarshalBinary()
	if len(state) != len(one)*len(srcs) {
		return fmt.Errorf("random state of %d bytes: want %d (%d stream(s))", len(state), len(one)*len(srcs), len(srcs))
	}
	fresh := make([]*rand.PCG, len(srcs))
	for i := range srcs {
		fresh[i] = &rand.PCG{}
		if err := fresh[i].UnmarshalBinary(state[i*len(one) : (i+1)*len(one)]); err != nil {
			return fmt.Errorf("random state: %w", err)
		}
	}
	for i, s := range srcs {
		*s = *fresh[i]
	}
	return nil
}

// CheckDtype returns an error unless dt is tensor.Float32 or tensor.Float64.
func CheckDtype(dt tensor.Dtype) error {
	if dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("graph: dtype %v not supported: want float32 or float64", dt)
	}
	return nil
}

// NewTensor returns a tensor of the given dtype and shape holding values
// (row-major, converted from float64). A nil values gives zeros.
// It panics if dt is not Float32 or Float64 or if len(values) does not match
// the shape: both are programmer errors.
func NewTensor(dt tensor.Dtype, shape []int, values []float64) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if values != nil && len(values) != n {
		panic(fmt.Sprintf("graph: %d values for shape %v", len(values), shape))
	}
	switch dt {
	case tensor.Float64:
		b := make([]float64, n)
		copy(b, values)
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
	case tensor.Float32:
		b := make([]float32, n)
		for i, v := range values {
			b[i] = float32(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
	}
	panic(fmt.Sprintf("graph: dtype %v not supported", dt))
}

// Float64s returns a copy of t's values as float64, row-major. t is a
// tensor or a Gorgonia scalar value (*G.F64, *G.F32).
// It panics if t is not float32 or float64.
func Float64s(t G.Value) []float64 {
	if d, ok := t.(*tensor.Dense); ok && d.IsMaterializable() {
		// A view's Data is its backing array from the view's start.
		t = d.Materialize().(*tensor.Dense)
	}
	switch d := t.Data().(type) {
	case []float64:
		return append([]float64(nil), d...)
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case float64:
		return []float64{d}
	case float32:
		return []float64{float64(d)}
	}
	panic(fmt.Sprintf("graph: tensor of %v not supported", t.Dtype()))
}

// These aliases give gorgonia.org/tensor's names under this package's name,
// so that programs and notebooks can name them without importing
// gorgonia.org/tensor (which a gophernotes notebook cannot import beside
// gorgonia).
type (
	// Dtype is the element type of tensors (gorgonia.org/tensor's Dtype).
	Dtype = tensor.Dtype
	// Tensor is a dense tensor (gorgonia.org/tensor's Dense).
	Tensor = tensor.Dense
)

// The dtypes every block of this library supports.
var (
	// Float32 is the float32 dtype (tensor.Float32).
	Float32 = tensor.Float32
	// Float64 is the float64 dtype (tensor.Float64).
	Float64 = tensor.Float64
)

// CopyInto copies src's values into dst, row-major, converting between
// float32 and float64; src may be a view (x.Slice(...), a transpose).
// It panics if the sizes differ or a dtype is not float32 or float64: both
// are programmer errors.
func CopyInto(dst, src *tensor.Dense) {
	if dst.Shape().TotalSize() != src.Shape().TotalSize() {
		panic(fmt.Sprintf("graph: CopyInto of %v values into %v", src.Shape(), dst.Shape()))
	}
	if !src.IsMaterializable() && dst.Dtype() == src.Dtype() {
		switch s := src.Data().(type) {
		case []float64:
			copy(dst.Data().([]float64), s)
			return
		case []float32:
			copy(dst.Data().([]float32), s)
			return
		}
	}
	v := Float64s(src)
	switch d := dst.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i := range d {
			d[i] = float32(v[i])
		}
	default:
		panic(fmt.Sprintf("graph: CopyInto a tensor of %v", dst.Dtype()))
	}
}

// AddInto adds src to dst element-wise (dst += src, row-major); both have
// the same dtype, float32 or float64, and size; src may be a view, dst is
// not. It panics otherwise: a programmer error.
func AddInto(dst, src *tensor.Dense) {
	if dst.Shape().TotalSize() != src.Shape().TotalSize() || dst.IsMaterializable() {
		panic(fmt.Sprintf("graph: AddInto of %v values into %v", src.Shape(), dst.Shape()))
	}
	src = Contiguous(src)
	switch d := dst.Data().(type) {
	case []float64:
		s := src.Data().([]float64)
		for i := range d {
			d[i] += s[i]
		}
	case []float32:
		s := src.Data().([]float32)
		for i := range d {
			d[i] += s[i]
		}
	default:
		panic(fmt.Sprintf("graph: AddInto a tensor of %v", dst.Dtype()))
	}
}

// Contiguous returns t itself, or a row-major copy of it when t is a view (a
// slice, a transpose), whose backing array does not hold its values in
// order: layers read a tensor's backing array only through Contiguous. A
// nil t gives nil.
func Contiguous(t *tensor.Dense) *tensor.Dense {
	if t == nil {
		return nil
	}
	// IsMaterializable covers slices (IsView) and transposes (T), whose
	// backing array is still in the original order.
	if t.IsMaterializable() {
		return t.Materialize().(*tensor.Dense)
	}
	return t
}

// FitsShape reports whether shape, the shape of a batch (batch first),
// matches the per-sample shape perSample, where None matches any size of 1
// or more.
func FitsShape(shape, perSample []int) bool {
	if len(shape) != len(perSample)+1 || shape[0] < 1 {
		return false
	}
	for i, d := range perSample {
		if got := shape[i+1]; got < 1 || (d != None && got != d) {
			return false
		}
	}
	return true
}

// FormatShape formats a per-sample shape as Keras prints a layer's shape,
// with the batch dimension and every None: (None, None, 8).
func FormatShape(perSample []int) string {
	var b strings.Builder
	b.WriteString("(None")
	for _, d := range perSample {
		if d == None {
			b.WriteString(", None")
		} else {
			fmt.Fprintf(&b, ", %d", d)
		}
	}
	b.WriteString(")")
	return b.String()
}
