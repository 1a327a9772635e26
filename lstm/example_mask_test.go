package lstm_test

import (
	"fmt"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/lstm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A batch of sequences of different lengths, padded to one length, with a
// mask marking the real steps: each sample gets the numbers it gets alone.
func ExampleLSTM_Call_mask() {
	cfg := lstm.Default(2)
	cfg.Seed = 7
	cfg.ReturnState = true
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Sample 0 has 3 steps; sample 1 has 2, post-padded with a third.
	x := seq(2, 3, 1, 0.5, -0.2, 0.9, 0.4, 0.1, 99)
	mask := tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int{
		1, 1, 1,
		1, 1, 0, // 0: padding; bool masks work too
	}))
	out, err := l.Call(x, lstm.CallOptions{Mask: mask})
	if err != nil {
		fmt.Println(err)
		return
	}
	alone, err := l.Call(seq(1, 2, 1, 0.4, 0.1), lstm.CallOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("h_T of sample 1, padded: %.6f\n", graph.Float64s(out.H)[2:])
	fmt.Printf("h_T of sample 1, alone:  %.6f\n", graph.Float64s(alone.H))

	// A float mask is refused: it is most often an input passed by mistake.
	_, err = l.Call(x, lstm.CallOptions{Mask: graph.NewTensor(graph.Float64, []int{2, 3}, nil)})
	fmt.Println(err)
	// Output:
	// h_T of sample 1, padded: [-0.051958 -0.039930]
	// h_T of sample 1, alone:  [-0.051958 -0.039930]
	// lstm: mask has dtype float64: mask must be a bool or integer tensor (true or non-zero: a real step; false or 0: padding)
}

// Keras 2.2.4's two unroll modes output different values at padded steps
// before a sample's first real step when the initial state is not zero:
// the carried initial h (unroll=false), or zeros (unroll=true). The states
// are the same.
func ExampleLSTM_Call_maskUnrollModes() {
	for _, unroll := range []bool{false, true} {
		cfg := lstm.Default(1)
		cfg.Seed, cfg.Unroll, cfg.ReturnSequences, cfg.ReturnState = 3, unroll, true, true
		l, err := lstm.New(cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		h0 := graph.NewTensor(graph.Float64, []int{1, 1}, []float64{0.5})
		c0 := graph.NewTensor(graph.Float64, []int{1, 1}, []float64{1})
		pre := tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]bool{false, true, true})) // pre-padded
		out, err := l.Call(seq(1, 3, 1, 0, 1, 2), lstm.CallOptions{Mask: pre, InitialState: &lstm.State{H: h0, C: c0}})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("unroll=%t: outputs %.4f, h_T %.4f\n", unroll, graph.Float64s(out.Output), graph.Float64s(out.H))
	}
	// Output:
	// unroll=false: outputs [0.5000 0.2181 -0.0107], h_T [-0.0107]
	// unroll=true: outputs [0.0000 0.2181 -0.0107], h_T [-0.0107]
}

func ExampleNewBidirectional() {
	layer := lstm.Default(3)
	layer.Name, layer.Seed = "encoder", 1
	layer.ReturnSequences = true
	cfg := lstm.DefaultBidirectional(layer) // merge_mode "concat"
	cfg.Name = "bi"
	b, err := lstm.NewBidirectional(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.ForwardLayer().Settings().Name, b.BackwardLayer().Settings().Name, b.BackwardLayer().Settings().GoBackwards)

	// 2 samples, 4 steps, 1 feature; sample 1 post-padded to 4 steps.
	x := seq(2, 4, 1, 1, 2, 3, 4, 4, 3, 0, 0)
	mask := tensor.New(tensor.WithShape(2, 4), tensor.WithBacking([]uint8{1, 1, 1, 1, 1, 1, 0, 0}))
	out, err := b.Call(x, lstm.BiCallOptions{Mask: mask})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output:", out.Output.Shape()) // [forward | backward] along the last axis
	var shapes []string
	for _, w := range b.Weights() { // Keras order: forward, then backward
		shapes = append(shapes, fmt.Sprint(w.Shape()))
	}
	fmt.Println(strings.Join(shapes, " "))
	js, _ := b.Settings().MarshalJSON()
	fmt.Println(string(js)[:79], "...")

	_, err = lstm.NewBidirectional(lstm.BidirectionalConfig{Layer: layer, MergeMode: "avg"})
	fmt.Println(err)
	// Output:
	// forward_encoder backward_encoder true
	// output: (2, 4, 6)
	// (1, 12) (3, 12) (12) (1, 12) (3, 12) (12)
	// {"name":"bi","layer":{"class_name":"LSTM","config":{"name":"encoder","units":3, ...
	// lstm: bidirectional: merge_mode = "avg": must be one of "concat", "sum", "ave", "mul" or "none" (Keras' None)
}

func ExampleBidirectional_VJP() {
	layer := lstm.Default(2)
	layer.Seed, layer.ReturnState = 2, true
	b, err := lstm.NewBidirectional(lstm.BidirectionalConfig{Layer: layer, MergeMode: lstm.MergeSum})
	if err != nil {
		fmt.Println(err)
		return
	}
	x := seq(1, 3, 1, 0.5, -1, 1)
	out, err := b.Call(x, lstm.BiCallOptions{Training: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Keras returns [output, forward_h, forward_c, backward_h, backward_c].
	fmt.Println(out.Output.Shape(), out.ForwardH.Shape(), out.BackwardC.Shape())
	// L = Σ output: its gradient is ones.
	ones := graph.NewTensor(graph.Float64, []int{1, 2}, []float64{1, 1})
	g, err := b.VJP(lstm.BiOutputs{Output: ones})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("dL/dx = %.4f\n", graph.Float64s(g.Input))
	fmt.Println(len(g.Weights()), "weight gradients,", len(g.InitialState()), "initial-state gradients")
	// Output:
	// (1, 2) (1, 2) (1, 2)
	// dL/dx = [-0.1674 -0.0437 -0.2472]
	// 6 weight gradients, 4 initial-state gradients
}

// UnrolledWith takes the mask as a node of the caller's graph (0/1 in the
// layer's dtype), so that new masks can be Let in between runs.
func ExampleLSTM_UnrolledWith() {
	cfg := lstm.Default(2)
	cfg.Seed = 1
	l, err := lstm.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := l.BuildFor(1, graph.Float64); err != nil {
		fmt.Println(err)
		return
	}
	g := G.NewGraph()
	var xs G.Nodes
	for t := 0; t < 3; t++ {
		v := graph.NewTensor(graph.Float64, []int{2, 1}, []float64{float64(t), 1})
		xs = append(xs, G.NewMatrix(g, graph.Float64, G.WithShape(2, 1), G.WithName(fmt.Sprint("x", t)), G.WithValue(v)))
	}
	m := graph.NewTensor(graph.Float64, []int{2, 3}, []float64{1, 1, 1, 1, 0, 0})
	mask := G.NewMatrix(g, graph.Float64, G.WithShape(2, 3), G.WithName("mask"), G.WithValue(m))
	s, err := l.UnrolledWith(g, xs, lstm.UnrolledOptions{Mask: mask})
	if err != nil {
		fmt.Println(err)
		return
	}
	cost := G.Must(G.Sum(s.FinalH))
	if _, err := G.Grad(cost, s.Kernel); err != nil {
		fmt.Println(err)
		return
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		fmt.Println(err)
		return
	}
	// Sample 1's state is that after its one real step, as Call gives.
	out, err := l.Call(graph.NewTensor(graph.Float64, []int{2, 3, 1}, []float64{0, 1, 2, 1, 1, 1}),
		lstm.CallOptions{Mask: tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]int{1, 1, 1, 1, 0, 0}))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("graph: %.6f\n", graph.Float64s(s.FinalH.Value()))
	fmt.Printf("Call:  %.6f\n", graph.Float64s(out.Output))
	// Output:
	// graph: [-0.107434 0.064392 -0.065500 0.020361]
	// Call:  [-0.107434 0.064392 -0.065500 0.020361]
}
