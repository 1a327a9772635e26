package lstm

import (
	"fmt"
	"testing"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// unrolledGraph is a caller's graph for the symbolic tests: the inputs as
// nodes and the loss Σ outputs ⊙ loss_weights built as ordinary nodes.
type unrolledGraph struct {
	g      *G.ExprGraph
	xs     []*G.Node
	terms  G.Nodes
	batch  int
	steps  int
	inputs int
}

func newUnrolledGraph(in *tensor.Dense) *unrolledGraph {
	u := &unrolledGraph{g: G.NewGraph(), batch: in.Shape()[0], steps: in.Shape()[1], inputs: in.Shape()[2]}
	for i := 0; i < u.steps; i++ {
		u.xs = append(u.xs, G.NewMatrix(u.g, tensor.Float64, G.WithShape(u.batch, u.inputs), G.WithName(fmt.Sprintf("x%d", i)), G.WithValue(stepSlice(in, i))))
	}
	return u
}

// input adds an input node holding v.
func (u *unrolledGraph) input(name string, v *tensor.Dense) *G.Node {
	return G.NewMatrix(u.g, tensor.Float64, G.WithShape(v.Shape()...), G.WithName(name), G.WithValue(v))
}

// weigh adds Σ n ⊙ w to the loss.
func (u *unrolledGraph) weigh(n *G.Node, w *tensor.Dense) {
	c := u.input(fmt.Sprintf("lw%d", len(u.terms)), w)
	u.terms = append(u.terms, G.Must(G.Sum(G.Must(G.HadamardProd(n, c)))))
}

// weighSeq adds the loss of a (batch, steps, units) output whose step t is
// node(t).
func (u *unrolledGraph) weighSeq(node func(t int) *G.Node, w *tensor.Dense) {
	for t := 0; t < u.steps; t++ {
		u.weigh(node(t), stepSlice(w, t))
	}
}

// grad differentiates the loss with respect to wrt, runs the graph and
// returns the loss and the gradients' values.
func (u *unrolledGraph) grad(t *testing.T, wrt G.Nodes) (float64, []*tensor.Dense) {
	t.Helper()
	cost := u.terms[0]
	for _, term := range u.terms[1:] {
		cost = G.Must(G.Add(cost, term))
	}
	grads, err := G.Grad(cost, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(u.g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	out := make([]*tensor.Dense, len(grads))
	for i, gr := range grads {
		out[i] = gr.Value().(*tensor.Dense)
	}
	return graph.Float64s(cost.Value())[0], out
}

// inputGrad assembles the gradients of the xs (the first steps of grads)
// into (batch, steps, input_dim).
func (u *unrolledGraph) inputGrad(grads []*tensor.Dense) *tensor.Dense {
	dx := zeros(tensor.Float64, u.batch, u.steps, u.inputs)
	for i := 0; i < u.steps; i++ {
		setStep(dx, i, grads[i])
	}
	return dx
}

// maskNode adds a fixture mask as a float64 0/1 node (nil for none).
func (u *unrolledGraph) maskNode(m *fixtureTensor) *G.Node {
	if m == nil {
		return nil
	}
	return u.input("mask", m.dense(tensor.Float64))
}

// checkLossValue compares a loss with the case's (tol 1e-9).
func checkLossValue(t *testing.T, got, want float64) {
	t.Helper()
	if !(abs(got-want) <= 1e-9*max(1, abs(want))) {
		t.Errorf("loss %.17g, want %.17g", got, want)
	}
}

// TestUnrolledInGraph builds each golden case without dropout (Keras
// cases, and masking cases with their mask as a node, for a layer with
// Unroll true and false: the output rule at padded steps follows it) into
// a caller's Gorgonia graph with UnrolledWith, adds the case's loss
// Σ outputs ⊙ loss_weights as ordinary graph nodes, differentiates it with
// G.Grad and compares loss, outputs and gradients with Keras (tol 1e-9,
// float64).
func TestUnrolledInGraph(t *testing.T) {
	fs := loadFixtures(t)
	for _, p := range casePaths(t, seqFixtureDir("masking")) {
		fs = append(fs, readFixture(t, p))
	}
	for _, f := range fs {
		if f.DropoutMasks != nil {
			continue // Unrolled computes inference: no dropout
		}
		modes := []bool{true}
		if f.Mask != nil {
			modes = []bool{true, false}
		}
		for _, unroll := range modes {
			f, unroll := f, unroll
			t.Run(fmt.Sprintf("%s/unroll=%t", f.Name, unroll), func(t *testing.T) {
				t.Parallel()
				dt := tensor.Float64
				l, err := f.layer(unroll, dt)
				if err != nil {
					t.Fatal(err)
				}
				in := f.Input.dense(dt)
				u := newUnrolledGraph(in)
				opt := UnrolledOptions{Mask: u.maskNode(f.Mask)}
				if f.InitialState != nil {
					opt.H0, opt.C0 = u.input("h0", f.InitialState.H.dense(dt)), u.input("c0", f.InitialState.C.dense(dt))
				}
				s, err := l.UnrolledWith(u.g, u.xs, opt)
				if err != nil {
					t.Fatal(err)
				}
				lw := func(name string) *tensor.Dense {
					w := f.LossWeights[name]
					return w.dense(dt)
				}
				if f.Config.ReturnSequences {
					u.weighSeq(func(t int) *G.Node { return s.H[t] }, lw("output"))
				} else {
					u.weigh(s.H[u.steps-1], lw("output"))
				}
				if f.Config.ReturnState {
					u.weigh(s.FinalH, lw("h"))
					u.weigh(s.C, lw("c"))
				}
				wrt := append(append(G.Nodes{}, u.xs...), s.Kernel, s.RecurrentKernel)
				if s.Bias != nil {
					wrt = append(wrt, s.Bias)
				}
				if opt.H0 != nil {
					wrt = append(wrt, opt.H0, opt.C0)
				}
				loss, grads := u.grad(t, wrt)
				want := f.expected(unroll)
				checkLossValue(t, loss, want.Loss)
				got := map[string]*tensor.Dense{"input": u.inputGrad(grads), "kernel": grads[u.steps], "recurrent_kernel": grads[u.steps+1]}
				rest := grads[u.steps+2:]
				if s.Bias != nil {
					got["bias"], rest = rest[0], rest[1:]
				}
				if opt.H0 != nil {
					got["initial_h"], got["initial_c"] = rest[0], rest[1]
				}
				for name, w := range want.Gradients {
					if err := closeTo(got[name], w, 1e-9); err != nil {
						t.Errorf("gradient %s: %v", name, err)
					}
				}
			})
		}
	}
}

// TestBidirectionalUnrolledInGraph builds each golden Bidirectional case
// into a caller's graph with Bidirectional.Unrolled (mask and initial
// states as nodes, Unroll true and false), adds the loss over every
// returned output as graph nodes, differentiates with G.Grad and compares
// the loss and the gradients of the input, both layers' weights and the
// initial states with Keras (tol 1e-9, float64).
func TestBidirectionalUnrolledInGraph(t *testing.T) {
	for _, p := range casePaths(t, seqFixtureDir("bidirectional")) {
		f := &biFixture{}
		readCase(t, p, f, &f.Name)
		for _, unroll := range []bool{true, false} {
			unroll := unroll
			t.Run(fmt.Sprintf("%s/unroll=%t", f.Name, unroll), func(t *testing.T) {
				t.Parallel()
				dt := tensor.Float64
				b, err := f.wrapper(unroll, dt)
				if err != nil {
					t.Fatal(err)
				}
				u := newUnrolledGraph(f.Input.dense(dt))
				opt := BiUnrolledOptions{Mask: u.maskNode(f.Mask)}
				for k, st := range f.InitialState {
					opt.InitialState = append(opt.InitialState, u.input(fmt.Sprintf("state%d", k), st.dense(dt)))
				}
				s, err := b.Unrolled(u.g, u.xs, opt)
				if err != nil {
					t.Fatal(err)
				}
				seqs, last := f.Layer.ReturnSequences, u.steps-1
				for name, w := range f.LossWeights {
					lw := w.dense(dt)
					var node func(t int) *G.Node
					switch name {
					case "output":
						node = func(t int) *G.Node { return s.Output[t] }
						if !seqs {
							node = func(int) *G.Node { return s.Output[0] }
						}
					case "output_forward":
						node = func(t int) *G.Node { return s.Forward.H[t] }
						if !seqs {
							node = func(int) *G.Node { return s.Forward.H[last] }
						}
					case "output_backward":
						node = func(t int) *G.Node { return s.Backward.H[last-t] }
						if !seqs {
							node = func(int) *G.Node { return s.Backward.H[last] }
						}
					case "forward_h", "forward_c", "backward_h", "backward_c":
						u.weigh(map[string]*G.Node{"forward_h": s.Forward.FinalH, "forward_c": s.Forward.C,
							"backward_h": s.Backward.FinalH, "backward_c": s.Backward.C}[name], lw)
						continue
					default:
						t.Fatalf("unknown loss_weights entry %q", name)
					}
					if seqs {
						u.weighSeq(node, lw)
					} else {
						u.weigh(node(0), lw)
					}
				}
				wrt := append(G.Nodes{}, u.xs...)
				type weight struct{ dir, name string }
				var weights []weight
				for _, sy := range []struct {
					dir string
					s   *Symbolic
				}{{"forward", s.Forward}, {"backward", s.Backward}} {
					for k, n := range []*G.Node{sy.s.Kernel, sy.s.RecurrentKernel, sy.s.Bias} {
						if n != nil {
							wrt = append(wrt, n)
							weights = append(weights, weight{sy.dir, []string{"kernel", "recurrent_kernel", "bias"}[k]})
						}
					}
				}
				wrt = append(wrt, opt.InitialState...)
				loss, grads := u.grad(t, wrt)
				want := &f.biResult
				if unroll && f.UnrollTrue != nil {
					want = f.UnrollTrue
				}
				checkLossValue(t, loss, want.Loss)
				if err := closeTo(u.inputGrad(grads), *want.Gradients.Input, 1e-9); err != nil {
					t.Errorf("gradient input: %v", err)
				}
				for i, w := range weights {
					dir := map[string]map[string]fixtureTensor{"forward": want.Gradients.Forward, "backward": want.Gradients.Backward}[w.dir]
					if err := closeTo(grads[u.steps+i], dir[w.name], 1e-9); err != nil {
						t.Errorf("gradient %s %s: %v", w.dir, w.name, err)
					}
				}
				for k, w := range want.Gradients.InitialState {
					if err := closeTo(grads[u.steps+len(weights)+k], w, 1e-9); err != nil {
						t.Errorf("gradient initial_state[%d]: %v", k, err)
					}
				}
			})
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
