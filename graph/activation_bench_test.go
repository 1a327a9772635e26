package graph

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// composedHardSigmoid is clip(0.2x+0.5, 0, 1) = relu(a) - relu(a-1),
// a = 0.2x+0.5, from Gorgonia built-ins: the alternative to the one-node op.
func composedHardSigmoid(x *G.Node) (*G.Node, error) {
	a := G.Must(G.Add(G.Must(G.Mul(x, G.NewConstant(float32(0.2)))), G.NewConstant(float32(0.5))))
	b := G.Must(G.Sub(a, G.NewConstant(float32(1))))
	return G.Sub(G.Must(G.Rectify(a)), G.Must(G.Rectify(b)))
}

// benchActivation times forward and backward of act on a 32×64 float32
// batch (one LSTM gate) on a TapeMachine.
func benchActivation(b *testing.B, act Activation) {
	g := G.NewGraph()
	shape := []int{32, 64}
	n := shape[0] * shape[1]
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i%13)/2 - 3
	}
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(shape...), G.WithName("x"),
		G.WithValue(NewTensor(tensor.Float32, shape, xs)))
	dy := G.NewMatrix(g, tensor.Float32, G.WithShape(shape...), G.WithName("dy"),
		G.WithValue(NewTensor(tensor.Float32, shape, xs)))
	y, err := act(x)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := G.Backpropagate(G.Nodes{y}, G.Nodes{dy}, G.Nodes{x}); err != nil {
		b.Fatal(err)
	}
	m := G.NewTapeMachine(g)
	defer m.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.RunAll(); err != nil {
			b.Fatal(err)
		}
		m.Reset()
	}
}

func BenchmarkHardSigmoidOp(b *testing.B)       { benchActivation(b, elem(kindHardSigmoid)) }
func BenchmarkHardSigmoidComposed(b *testing.B) { benchActivation(b, composedHardSigmoid) }
func BenchmarkTanhOp(b *testing.B)              { benchActivation(b, elem(kindTanh)) }
func BenchmarkTanhGorgonia(b *testing.B)        { benchActivation(b, G.Tanh) }
func BenchmarkSigmoidOp(b *testing.B)           { benchActivation(b, elem(kindSigmoid)) }
func BenchmarkSigmoidGorgonia(b *testing.B)     { benchActivation(b, G.Sigmoid) }
