package layers

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/golstm/golstm/graph"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// window is the geometry of a 1-D sliding window (a convolution kernel or a
// pooling window) over a sequence of steps, as TensorFlow computes it for
// Keras' padding modes:
//
//	valid:  out = ⌊(steps - span)/stride⌋ + 1, no padding
//	same:   out = ⌈steps/stride⌉, pad = max((out-1)·stride + span - steps, 0),
//	        ⌊pad/2⌋ steps on the left, the rest on the right
//	causal: out = ⌈steps/stride⌉, (size-1)·dilation steps on the left
//
// where span = (size-1)·dilation + 1. Output step t reads input steps
// t·stride + j·dilation - padLeft for j = 0..size-1; steps outside
// [0, steps) are padding.
type window struct {
	steps, size, stride, dilation int
	padLeft, out                  int
}

// newWindow computes the geometry, or an error when the input is shorter
// than the window with valid padding.
func newWindow(steps, size, stride, dilation int, padding string) (window, error) {
	w := window{steps: steps, size: size, stride: stride, dilation: dilation}
	span := (size-1)*dilation + 1
	switch padding {
	case "valid":
		if steps < span {
			return w, fmt.Errorf("%d steps are fewer than the window's span %d with padding \"valid\"", steps, span)
		}
		w.out = (steps-span)/stride + 1
	case "same":
		w.out = (steps + stride - 1) / stride
		w.padLeft = max((w.out-1)*stride+span-steps, 0) / 2
	case "causal":
		w.out = (steps + stride - 1) / stride
		w.padLeft = span - 1
	default:
		return w, fmt.Errorf("padding %q: want \"valid\", \"same\" or \"causal\"", padding)
	}
	return w, nil
}

// outSteps returns the output length for an input of steps (graph.None for
// None), or an error when it is too short.
func outSteps(steps, size, stride, dilation int, padding string) (int, error) {
	if steps < 0 {
		return steps, nil
	}
	w, err := newWindow(steps, size, stride, dilation, padding)
	return w.out, err
}

// src returns the input step that output step t reads at window position
// j, or -1 for padding.
func (w window) src(t, j int) int {
	s := t*w.stride + j*w.dilation - w.padLeft
	if s < 0 || s >= w.steps {
		return -1
	}
	return s
}

// im2colOp lays out the windows of a channels-last sequence as matrix
// rows, so that a 1-D convolution is one matrix product:
// x (batch, steps, channels) → cols (batch·out, size·channels), where row
// b·out + t holds x[b, src(t, j), :] for j = 0..size-1 side by side (zeros
// for padding). Its gradient is col2imOp, the adjoint: every column value
// added back to the input element it was copied from.
type im2colOp struct {
	w        window
	channels int
}

// col2imOp is the adjoint of im2colOp: dcols (batch·out, size·channels) →
// dx (batch, steps, channels), dx[b, src(t, j), c] += dcols[b·out+t,
// j·channels+c].
type col2imOp struct {
	w        window
	channels int
}

var (
	_ G.SDOp = im2colOp{}
	_ G.Op   = col2imOp{}
)

// Arity returns 1: the op takes one input (x).
func (op im2colOp) Arity() int { return 1 }

// Type returns the op's type signature: a 3-D tensor to a matrix.
func (op im2colOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 3, Of: a}, G.TensorType{Dims: 2, Of: a})
}

// InferShape returns (batch·out, size·channels), or an error when the
// input is not (batch, steps, channels).
func (op im2colOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("layers: %v wants 1 input, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 3 || s[1] != op.w.steps || s[2] != op.channels {
		return nil, fmt.Errorf("layers: %v: input shape %v: want (batch, %d, %d)", op, in[0], op.w.steps, op.channels)
	}
	return tensor.Shape{s[0] * op.w.out, op.w.size * op.channels}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op im2colOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op im2colOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op im2colOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op im2colOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op im2colOp) Hashcode() uint32 { return opHash(op) }

// String returns the op's name and geometry, as Gorgonia prints it.
func (op im2colOp) String() string {
	return fmt.Sprintf("im2col1d(steps %d, channels %d, size %d, stride %d, dilation %d, pad %d, out %d)",
		op.w.steps, op.channels, op.w.size, op.w.stride, op.w.dilation, op.w.padLeft, op.w.out)
}

// Do lays out the windows of x into a new matrix.
func (op im2colOp) Do(in ...G.Value) (G.Value, error) {
	x, ok := in[0].(*tensor.Dense)
	if !ok || x.Dims() != 3 {
		return nil, fmt.Errorf("layers: %v wants a 3-D tensor, got %v", op, in[0])
	}
	x = graph.Contiguous(x)
	b := x.Shape()[0]
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(b*op.w.out, op.w.size*op.channels))
	switch o := out.Data().(type) {
	case []float64:
		im2col(o, x.Data().([]float64), b, op.w, op.channels)
	case []float32:
		im2col(o, x.Data().([]float32), b, op.w, op.channels)
	default:
		return nil, fmt.Errorf("layers: %v: dtype %v not supported", op, x.Dtype())
	}
	return out, nil
}

// DiffWRT reports that the input is differentiable.
func (op im2colOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff returns the gradient of x: a col2imOp node of the output's
// gradient.
func (op im2colOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(col2imOp(op), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

// Arity returns 1: the op takes one input (dcols).
func (op col2imOp) Arity() int { return 1 }

// Type returns the op's type signature: a matrix to a 3-D tensor.
func (op col2imOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(G.TensorType{Dims: 2, Of: a}, G.TensorType{Dims: 3, Of: a})
}

// InferShape returns (batch, steps, channels), or an error when the input
// is not (batch·out, size·channels).
func (op col2imOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("layers: %v wants 1 input, got %d", op, len(in))
	}
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[0]%op.w.out != 0 || s[1] != op.w.size*op.channels {
		return nil, fmt.Errorf("layers: %v: input shape %v: want (batch·%d, %d)", op, in[0], op.w.out, op.w.size*op.channels)
	}
	return tensor.Shape{s[0] / op.w.out, op.w.steps, op.channels}, nil
}

// ReturnsPtr returns false: the output is not a pointer into an input.
func (op col2imOp) ReturnsPtr() bool { return false }

// CallsExtern returns false: the op runs in Go, without an external device.
func (op col2imOp) CallsExtern() bool { return false }

// OverwritesInput returns -1: the op overwrites none of its inputs.
func (op col2imOp) OverwritesInput() int { return -1 }

// WriteHash writes the op's name and parameters, which identify it, to h.
func (op col2imOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "golstm.%v", op) }

// Hashcode returns the FNV-1a hash of what WriteHash writes.
func (op col2imOp) Hashcode() uint32 { return opHash(op) }

// String returns the op's name and geometry, as Gorgonia prints it.
func (op col2imOp) String() string { return "col2im_of_" + im2colOp(op).String() }

// Do adds every column value back into a new zero input.
func (op col2imOp) Do(in ...G.Value) (G.Value, error) {
	d, ok := in[0].(*tensor.Dense)
	if !ok || d.Dims() != 2 {
		return nil, fmt.Errorf("layers: %v wants a matrix, got %v", op, in[0])
	}
	d = graph.Contiguous(d)
	b := d.Shape()[0] / op.w.out
	out := tensor.New(tensor.Of(d.Dtype()), tensor.WithShape(b, op.w.steps, op.channels))
	switch o := out.Data().(type) {
	case []float64:
		col2im(o, d.Data().([]float64), b, op.w, op.channels)
	case []float32:
		col2im(o, d.Data().([]float32), b, op.w, op.channels)
	default:
		return nil, fmt.Errorf("layers: %v: dtype %v not supported", op, d.Dtype())
	}
	return out, nil
}

func im2col[T float32 | float64](cols, x []T, batch int, w window, ch int) {
	width := w.size * ch
	for b := 0; b < batch; b++ {
		for t := 0; t < w.out; t++ {
			row := cols[(b*w.out+t)*width:]
			for j := 0; j < w.size; j++ {
				if s := w.src(t, j); s >= 0 {
					copy(row[j*ch:(j+1)*ch], x[(b*w.steps+s)*ch:])
				}
			}
		}
	}
}

func col2im[T float32 | float64](dx, cols []T, batch int, w window, ch int) {
	width := w.size * ch
	for b := 0; b < batch; b++ {
		for t := 0; t < w.out; t++ {
			row := cols[(b*w.out+t)*width:]
			for j := 0; j < w.size; j++ {
				if s := w.src(t, j); s >= 0 {
					dst := dx[(b*w.steps+s)*ch : (b*w.steps+s+1)*ch]
					for c, v := range row[j*ch : (j+1)*ch] {
						dst[c] += v
					}
				}
			}
		}
	}
}

func opHash(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
