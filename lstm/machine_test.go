package lstm

import (
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestMachine runs a graph whose values share and reuse buffers (a
// diamond, values dead at different points, a gradient graph from
// Backpropagate, one output computed into a caller's tensor) on the machine
// and on G.TapeMachine, for two sets of inputs in turn, and checks that the
// values agree exactly, that the machine allocates nothing per run, and that
// an unbound input is an error; an input created with a value uses it.
func TestMachine(t *testing.T) {
	build := func() (g *G.ExprGraph, a, b, seed *G.Node, outs G.Nodes) {
		g = G.NewGraph()
		a = G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("a"))
		b = G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("b"))
		w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 4), G.WithName("w"), G.WithValue(randDense(graph.NewRNG(5), 1, 4, 4)))
		s := G.Must(add(a, b))
		p := G.Must(hadamard(a, b))
		h := G.Must(tanhOf(G.Must(add(G.Must(matMul(s, w)), p))))
		y := G.Must(hadamard(h, G.Must(add(s, p))))
		seed = G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("seed"))
		grads, err := G.Backpropagate(G.Nodes{y}, G.Nodes{seed}, G.Nodes{a, b})
		if err != nil {
			t.Fatal(err)
		}
		return g, a, b, seed, append(G.Nodes{y, h}, grads...)
	}
	rng := graph.NewRNG(9)
	inputs := [][3]*tensor.Dense{}
	for i := 0; i < 2; i++ {
		inputs = append(inputs, [3]*tensor.Dense{randDense(rng, 1, 3, 4), randDense(rng, 1, 3, 4), randDense(rng, 1, 3, 4)})
	}
	var want [][]*tensor.Dense
	for _, in := range inputs {
		g, a, b, seed, outs := build()
		for i, n := range []*G.Node{a, b, seed} {
			if err := G.Let(n, in[i]); err != nil {
				t.Fatal(err)
			}
		}
		vm := G.NewTapeMachine(g)
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		var vs []*tensor.Dense
		for _, o := range outs {
			vs = append(vs, o.Value().(*tensor.Dense).Clone().(*tensor.Dense))
		}
		want = append(want, vs)
		vm.Close()
	}
	_, a, b, seed, outs := build()
	m, err := newMachine(outs)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.run(); err == nil || !strings.Contains(err.Error(), "no value bound to a") {
		t.Errorf("run with no inputs bound: error %v, want one naming a", err)
	}
	dst := zeros(tensor.Float64, 3, 4)
	for k, in := range inputs {
		bind := func() {
			m.bind(a, in[0])
			m.bind(b, in[1])
			m.bind(seed, in[2])
			m.bindOut(outs[1], dst)
		}
		bind()
		if err := m.run(); err != nil {
			t.Fatal(err)
		}
		for i, o := range outs {
			got := m.value(o)
			if i == 1 {
				got = dst
			}
			if err := sameTensor(got, want[k][i], 0); err != nil {
				t.Errorf("inputs %d, output %d: %v", k, i, err)
			}
		}
	}
	// The machine allocates nothing of its own: a run of ops that compute
	// into their outputs without allocating (the forward part here; the
	// gradient sums of Backpropagate are G.Add nodes, which allocate)
	// allocates nothing.
	if raceEnabled {
		return // the race detector drops the pooled packing buffers of the products
	}
	fm, err := newMachine(outs[:2])
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(10, func() {
		fm.bind(a, inputs[0][0])
		fm.bind(b, inputs[0][1])
		fm.bindOut(outs[1], dst)
		if err := fm.run(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// tanhOf applies the graph package's tanh (the cell's activation).
func tanhOf(x *G.Node) (*G.Node, error) {
	act, err := graph.GetActivation("tanh")
	if err != nil {
		return nil, err
	}
	return act(x)
}
