package loss

import (
	"fmt"
	"math"
	"slices"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// scalarLike returns a constant scalar of x's dtype.
func scalarLike(x *G.Node, v float64) *G.Node {
	if x.Dtype() == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// clipNode returns clip(x, lo, hi) = x + relu(lo-x) - relu(x-hi), whose
// gradient is 1 inside [lo, hi] and 0 outside, as K.clip. hi = +Inf
// leaves the upper side open.
func clipNode(x *G.Node, lo, hi float64) (*G.Node, error) {
	below, err := G.Rectify(G.Must(G.Sub(scalarLike(x, lo), x)))
	if err != nil {
		return nil, err
	}
	y, err := G.Add(x, below)
	if err != nil || math.IsInf(hi, 1) {
		return y, err
	}
	above, err := G.Rectify(G.Must(G.Sub(x, scalarLike(x, hi))))
	if err != nil {
		return nil, err
	}
	return G.Sub(y, above)
}

// rows2D reshapes x to (prod of leading dims, last dim).
func rows2D(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if len(s) < 2 {
		return nil, fmt.Errorf("predictions of shape %v: want at least 2 dimensions (batch, values)", s)
	}
	if len(s) == 2 {
		return x, nil
	}
	return G.Reshape(x, tensor.Shape{x.Shape().TotalSize() / s[len(s)-1], s[len(s)-1]})
}

// The row losses below take (rows, last axis) targets t and predictions p
// and return the loss of each row, a vector, as the Keras 2.2.4 loss
// functions of the same names (with the TensorFlow backend).

// rowMean returns the mean of each row of x.
func rowMean(x *G.Node) (*G.Node, error) { return G.Mean(x, 1) }

func mseRows(t, p *G.Node) (*G.Node, error) {
	d, err := G.Sub(p, t)
	if err != nil {
		return nil, err
	}
	return rowMean(G.Must(G.Square(d)))
}

func maeRows(t, p *G.Node) (*G.Node, error) {
	d, err := G.Sub(p, t)
	if err != nil {
		return nil, err
	}
	return rowMean(G.Must(G.Abs(d)))
}

func mapeRows(t, p *G.Node) (*G.Node, error) {
	den, err := clipNode(G.Must(G.Abs(t)), Epsilon, math.Inf(1))
	if err != nil {
		return nil, err
	}
	r, err := G.HadamardDiv(G.Must(G.Sub(t, p)), den)
	if err != nil {
		return nil, err
	}
	m, err := rowMean(G.Must(G.Abs(r)))
	if err != nil {
		return nil, err
	}
	return G.Mul(m, scalarLike(m, 100))
}

func huberRows(t, p *G.Node) (*G.Node, error) {
	const delta = 1.0
	a, err := G.Abs(G.Must(G.Sub(p, t)))
	if err != nil {
		return nil, err
	}
	// q = min(a, δ) = a - relu(a-δ); linear part a - q = relu(a-δ).
	lin, err := G.Rectify(G.Must(G.Sub(a, scalarLike(a, delta))))
	if err != nil {
		return nil, err
	}
	q, err := G.Sub(a, lin)
	if err != nil {
		return nil, err
	}
	quad, err := G.Mul(G.Must(G.Square(q)), scalarLike(q, 0.5))
	if err != nil {
		return nil, err
	}
	e, err := G.Add(quad, G.Must(G.Mul(lin, scalarLike(lin, delta))))
	if err != nil {
		return nil, err
	}
	return rowMean(e)
}

// bceRows is Keras 2.2.4's binary crossentropy, the sigmoid cross-entropy
// of the logit of p clipped to [ε, 1-ε], written in the equal form
// -t·log p - (1-t)·log(1-p).
func bceRows(t, p *G.Node) (*G.Node, error) {
	pc, err := clipNode(p, Epsilon, 1-Epsilon)
	if err != nil {
		return nil, err
	}
	one := scalarLike(p, 1)
	a, err := G.HadamardProd(t, G.Must(G.Log(pc)))
	if err != nil {
		return nil, err
	}
	b, err := G.HadamardProd(G.Must(G.Sub(one, t)), G.Must(G.Log(G.Must(G.Sub(one, pc)))))
	if err != nil {
		return nil, err
	}
	return G.Neg(G.Must(rowMean(G.Must(G.Add(a, b)))))
}

// xentRows returns -Σ_c t·log q of each row.
func xentRows(t, q *G.Node) (*G.Node, error) {
	s, err := G.Sum(G.Must(G.HadamardProd(t, G.Must(G.Log(q)))), 1)
	if err != nil {
		return nil, err
	}
	return G.Neg(s)
}

func cceRows(t, p *G.Node) (*G.Node, error) {
	norm, err := G.BroadcastHadamardDiv(p, G.Must(G.Sum(p, 1)), nil, []byte{1})
	if err != nil {
		return nil, err
	}
	q, err := clipNode(norm, Epsilon, 1-Epsilon)
	if err != nil {
		return nil, err
	}
	return xentRows(t, q)
}

// sparseCCERows gets one-hot targets (see oneHot): Keras 2.2 clips p, takes
// log p as logits of a softmax cross-entropy, so the loss of a row is
// -log q_y + log Σ_c q with q = clip(p, ε, 1-ε).
func sparseCCERows(t, p *G.Node) (*G.Node, error) {
	q, err := clipNode(p, Epsilon, 1-Epsilon)
	if err != nil {
		return nil, err
	}
	ce, err := xentRows(t, q)
	if err != nil {
		return nil, err
	}
	return G.Add(ce, G.Must(G.Log(G.Must(G.Sum(q, 1)))))
}

// oneHot turns integer class labels y, of shape predShape[:-1] or
// predShape[:-1]+[1], into one-hot rows of shape predShape.
func oneHot(y *tensor.Dense, predShape []int) (*tensor.Dense, error) {
	r := len(predShape)
	ys := []int(y.Shape())
	ok := r >= 2 && (slices.Equal(ys, predShape[:r-1]) || (len(ys) == r && slices.Equal(ys[:r-1], predShape[:r-1]) && ys[r-1] == 1))
	if !ok {
		return nil, fmt.Errorf("loss: sparse_categorical_crossentropy: labels of shape %v for predictions of shape %v: want shape %v or %v",
			ys, predShape, predShape[:max(r-1, 0)], append(append([]int(nil), predShape[:max(r-1, 0)]...), 1))
	}
	c := predShape[r-1]
	labels := graph.Float64s(y)
	out := make([]float64, len(labels)*c)
	for i, v := range labels {
		k := int(v)
		if float64(k) != v || k < 0 || k >= c {
			return nil, fmt.Errorf("loss: sparse_categorical_crossentropy: label %v at %d: want an integer in [0, %d)", v, i, c)
		}
		out[i*c+k] = 1
	}
	return graph.NewTensor(y.Dtype(), predShape, out), nil
}
