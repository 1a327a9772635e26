package lstm

import (
	"fmt"
	"testing"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestUnrolledInGraph builds each golden case without dropout into a
// caller's Gorgonia graph with Unrolled, adds the case's loss
// Σ outputs ⊙ loss_weights as ordinary graph nodes, differentiates it with
// G.Grad and compares loss, outputs and gradients with Keras (tol 1e-9,
// float64).
func TestUnrolledInGraph(t *testing.T) {
	for _, f := range loadFixtures(t) {
		if f.DropoutMasks != nil {
			continue // Unrolled computes inference: no dropout
		}
		t.Run(f.Name, func(t *testing.T) {
			dt := tensor.Float64
			l, err := f.layer(true, dt)
			if err != nil {
				t.Fatal(err)
			}
			g := G.NewGraph()
			in := f.Input.dense(dt)
			b, steps, d := in.Shape()[0], in.Shape()[1], in.Shape()[2]
			xs := make([]*G.Node, steps)
			for i := range xs {
				xs[i] = G.NewMatrix(g, dt, G.WithShape(b, d), G.WithName(fmt.Sprintf("x%d", i)), G.WithValue(stepSlice(in, i)))
			}
			var h0, c0 *G.Node
			if f.InitialState != nil {
				h0 = G.NewMatrix(g, dt, G.WithShape(b, f.Config.Units), G.WithName("h0"), G.WithValue(f.InitialState.H.dense(dt)))
				c0 = G.NewMatrix(g, dt, G.WithShape(b, f.Config.Units), G.WithName("c0"), G.WithValue(f.InitialState.C.dense(dt)))
			}
			s, err := l.Unrolled(g, xs, h0, c0)
			if err != nil {
				t.Fatal(err)
			}
			var terms G.Nodes
			weigh := func(n *G.Node, w *tensor.Dense, name string) {
				c := G.NewMatrix(g, dt, G.WithShape(w.Shape()...), G.WithName(name), G.WithValue(w))
				terms = append(terms, G.Must(G.Sum(G.Must(G.HadamardProd(n, c)))))
			}
			lwOut, lwH, lwC := f.LossWeights["output"], f.LossWeights["h"], f.LossWeights["c"]
			lw := lwOut.dense(dt)
			if f.Config.ReturnSequences {
				for k, h := range s.H {
					weigh(h, stepSlice(lw, k), fmt.Sprintf("lw%d", k))
				}
			} else {
				weigh(s.H[steps-1], lw, "lw")
			}
			if f.Config.ReturnState {
				weigh(s.H[steps-1], lwH.dense(dt), "lwh")
				weigh(s.C, lwC.dense(dt), "lwc")
			}
			cost := terms[0]
			for _, term := range terms[1:] {
				cost = G.Must(G.Add(cost, term))
			}
			wrt := append(append(G.Nodes{}, xs...), s.Kernel, s.RecurrentKernel)
			if s.Bias != nil {
				wrt = append(wrt, s.Bias)
			}
			if h0 != nil {
				wrt = append(wrt, h0, c0)
			}
			grads, err := G.Grad(cost, wrt...)
			if err != nil {
				t.Fatal(err)
			}
			vm := G.NewTapeMachine(g)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			const tol = 1e-9
			if got := graph.Float64s(cost.Value())[0]; !(abs(got-f.Loss) <= tol*max(1, abs(f.Loss))) {
				t.Errorf("loss %v, want %v", got, f.Loss)
			}
			dx := zeros(dt, b, steps, d)
			for i := range xs {
				setStep(dx, i, grads[i].Value().(*tensor.Dense))
			}
			got := map[string]*tensor.Dense{"input": dx, "kernel": grads[steps].Value().(*tensor.Dense),
				"recurrent_kernel": grads[steps+1].Value().(*tensor.Dense)}
			rest := grads[steps+2:]
			if s.Bias != nil {
				got["bias"], rest = rest[0].Value().(*tensor.Dense), rest[1:]
			}
			if h0 != nil {
				got["initial_h"], got["initial_c"] = rest[0].Value().(*tensor.Dense), rest[1].Value().(*tensor.Dense)
			}
			for name, want := range f.Gradients {
				if err := closeTo(got[name], want, tol); err != nil {
					t.Errorf("gradient %s: %v", name, err)
				}
			}
		})
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
