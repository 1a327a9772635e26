package lstm_test

import (
	"fmt"
	"math"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/lstm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// seq returns a (batch, timesteps, features) float64 tensor holding vals.
func seq(batch, steps, features int, vals ...float64) *tensor.Dense {
	return graph.NewTensor(tensor.Float64, []int{batch, steps, features}, vals)
}

func ExampleNew() {
	cfg := lstm.Default(4) // Keras 2.2 defaults: tanh, hard_sigmoid, implementation 1, ...
	cfg.Seed = 1           // weights (and dropout masks) drawn from this seed
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	// 2 samples, 3 timesteps, 1 feature; the first call builds the weights.
	x := seq(2, 3, 1, 0.1, 0.2, 0.3, -0.5, 0.0, 0.5)
	out, err := l.Call(x, lstm.CallOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output shape:", out.Output.Shape())
	fmt.Printf("output: %.4f\n", graph.Float64s(out.Output))
	for _, w := range l.Weights() {
		fmt.Println("weight shape:", w.Shape())
	}

	_, err = lstm.New(lstm.Default(0))
	fmt.Println(err)
	// Output:
	// output shape: (2, 4)
	// output: [0.0532 0.0137 -0.0410 0.0716 0.0148 0.0109 -0.0052 0.0325]
	// weight shape: (1, 16)
	// weight shape: (4, 16)
	// weight shape: (16)
	// lstm: units = 0: must be at least 1
}

func ExampleLSTM_Call() {
	cfg := lstm.Default(3)
	cfg.Seed = 2
	cfg.ReturnSequences = true // every h_t, not only the last
	cfg.ReturnState = true     // also h_T and c_T
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := seq(2, 4, 1, 1, 2, 3, 4, 4, 3, 2, 1)
	out, err := l.Call(x, lstm.CallOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out.Output.Shape())
	fmt.Println("h:", out.H.Shape(), "c:", out.C.Shape())
	// The sequence's last step is h_T.
	for b := 0; b < 2; b++ {
		for j := 0; j < 3; j++ {
			y, _ := out.Output.At(b, 3, j)
			h, _ := out.H.At(b, j)
			fmt.Printf("sample %d unit %d: output[:, 3] %.4f  h_T %.4f\n", b, j, y, h)
		}
	}
	// Output:
	// output: (2, 4, 3)
	// h: (2, 3) c: (2, 3)
	// sample 0 unit 0: output[:, 3] 0.6196  h_T 0.6196
	// sample 0 unit 1: output[:, 3] -0.0503  h_T -0.0503
	// sample 0 unit 2: output[:, 3] -0.0115  h_T -0.0115
	// sample 1 unit 0: output[:, 3] 0.4019  h_T 0.4019
	// sample 1 unit 1: output[:, 3] 0.0308  h_T 0.0308
	// sample 1 unit 2: output[:, 3] -0.1066  h_T -0.1066
}

func ExampleLSTM_VJP() {
	cfg := lstm.Default(2)
	cfg.Seed = 3
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := seq(1, 3, 2, 0.5, -1, 1, 0, -0.5, 0.5)
	// A training call records what VJP needs.
	out, err := l.Call(x, lstm.CallOptions{Training: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Loss L = Σ output: its gradient with respect to the output is ones.
	ones := graph.NewTensor(tensor.Float64, out.Output.Shape(), []float64{1, 1})
	g, err := l.VJP(lstm.Outputs{Output: ones})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("dL/dx:", g.Input.Shape())
	fmt.Println("dL/dW:", g.Kernel.Shape(), "dL/dU:", g.RecurrentKernel.Shape(), "dL/db:", g.Bias.Shape())
	fmt.Printf("dL/dx = %.4f\n", graph.Float64s(g.Input))
	fmt.Printf("dL/dh0 = %.4f\n", graph.Float64s(g.InitialH))
	// Output:
	// dL/dx: (1, 3, 2)
	// dL/dW: (2, 8) dL/dU: (2, 8) dL/db: (8)
	// dL/dx = [-0.0909 -0.0688 -0.1048 -0.0504 -0.1402 -0.0889]
	// dL/dh0 = [-0.0033 0.1120]
}

func ExampleLSTM_SetWeights() {
	// One unit, one feature. Keras layout: kernel (input_dim, 4·units),
	// recurrent_kernel (units, 4·units), bias (4·units), gate blocks in the
	// order i, f, c, o.
	l, err := lstm.New(lstm.Default(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	kernel := graph.NewTensor(tensor.Float64, []int{1, 4}, []float64{0.5, 0, 1, 0.5})
	recurrent := graph.NewTensor(tensor.Float64, []int{1, 4}, []float64{0, 0, 0, 0})
	bias := graph.NewTensor(tensor.Float64, []int{4}, []float64{0, 1, 0, 0})
	if err := l.SetWeights(kernel, recurrent, bias); err != nil {
		fmt.Println(err)
		return
	}
	out, err := l.Call(seq(1, 1, 1, 1), lstm.CallOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	// By hand for x = 1, h0 = c0 = 0, hard_sigmoid(z) = clip(0.2z+0.5, 0, 1):
	// i = hs(0.5) = 0.6, f = hs(1) = 0.7, c̃ = tanh(1), o = hs(0.5) = 0.6,
	// c = f·0 + i·c̃, h = o·tanh(c).
	c := 0.6 * math.Tanh(1)
	fmt.Printf("layer:   h = %.6f\n", graph.Float64s(out.Output)[0])
	fmt.Printf("by hand: h = %.6f\n", 0.6*math.Tanh(c))

	err = l.SetWeights(kernel, recurrent)
	fmt.Println(err)
	// Output:
	// layer:   h = 0.256560
	// by hand: h = 0.256560
	// lstm: set weights: got 2 arrays, want 3 (kernel, recurrent_kernel, bias)
}

func ExampleLSTM_ResetStates() {
	cfg := lstm.Default(2)
	cfg.Name, cfg.Seed = "lstm", 4
	cfg.Stateful = true // the final states of a call start the next one
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := seq(1, 2, 1, 1, -1)
	for k := 0; k < 2; k++ {
		out, err := l.Call(x, lstm.CallOptions{})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("call %d: %.4f\n", k+1, graph.Float64s(out.Output))
	}
	if err := l.ResetStates(); err != nil { // back to zero states
		fmt.Println(err)
		return
	}
	out, err := l.Call(x, lstm.CallOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("after ResetStates: %.4f\n", graph.Float64s(out.Output))

	// The batch size of a stateful layer is fixed.
	_, err = l.Call(seq(2, 2, 1, 1, -1, 1, -1), lstm.CallOptions{})
	fmt.Println(err)
	// Output:
	// call 1: [-0.0051 0.0430]
	// call 2: [-0.0054 0.0567]
	// after ResetStates: [-0.0051 0.0430]
	// lstm: stateful layer "lstm" has batch size 1; got a batch of 2 (a stateful layer needs the same batch size on every call)
}

// ExampleLSTM_Unrolled puts the layer inside a caller's Gorgonia graph: a
// cost is built on its outputs with ordinary graph nodes and Gorgonia's
// Grad differentiates through the layer.
func ExampleLSTM_Unrolled() {
	cfg := lstm.Default(3)
	cfg.Seed = 1
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := l.BuildFor(2, graph.Float64); err != nil {
		fmt.Println(err)
		return
	}
	g := G.NewGraph()
	var xs G.Nodes
	for t := 0; t < 4; t++ {
		v := graph.NewTensor(graph.Float64, []int{5, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
		xs = append(xs, G.NewMatrix(g, graph.Float64, G.WithShape(5, 2), G.WithName(fmt.Sprint("x", t)), G.WithValue(v)))
	}
	s, err := l.Unrolled(g, xs, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	cost := G.Must(G.Mean(G.Must(G.Square(s.H[len(s.H)-1]))))
	grads, err := G.Grad(cost, s.Kernel, s.RecurrentKernel)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("h_T:", s.H[3].Shape(), "dcost/dW:", grads[0].Shape(), "dcost/dU:", grads[1].Shape())
	// Output:
	// h_T: (5, 3) dcost/dW: (2, 12) dcost/dU: (3, 12)
}
