package lstm

import (
	"fmt"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// transposedView returns a tensor with v's values whose memory holds them
// transposed: a T() of a contiguous tensor (IsView is false, but its Data
// is not its row-major values).
func transposedView(v *tensor.Dense) *tensor.Dense {
	c := v.Clone().(*tensor.Dense)
	if err := c.T(); err != nil {
		panic(err)
	}
	base := c.Materialize().(*tensor.Dense)
	if err := base.T(); err != nil {
		panic(err)
	}
	return base
}

// slicedView returns a view with v's values that is not contiguous: the
// leading columns of a wider tensor (last axis one longer), or, for a
// vector, every other element of a vector twice as long.
func slicedView(v *tensor.Dense) *tensor.Dense {
	s := v.Shape()
	ws := append([]int(nil), s...)
	last := len(s) - 1
	idx := make([]tensor.Slice, len(s))
	if len(s) == 1 {
		ws[0] *= 2
		idx[0] = tensor.S(0, ws[0], 2)
	} else {
		ws[last]++
		idx[last] = tensor.S(0, s[last])
	}
	wide := tensor.New(tensor.Of(v.Dtype()), tensor.WithShape(ws...))
	view, err := wide.Slice(idx...)
	if err != nil {
		panic(err)
	}
	vd := view.(*tensor.Dense)
	if err := tensor.Copy(vd, v); err != nil {
		panic(err)
	}
	return vd
}

// checkViews fails unless each view in pairs (copy, view, copy, view, ...)
// is a view holding its copy's values, and unless at least one view's
// backing array differs from its values, so that a raw read would be seen.
func checkViews(t *testing.T, name string, pairs []*tensor.Dense) {
	t.Helper()
	raw := false
	for i := 0; i < len(pairs); i += 2 {
		want, view := pairs[i], pairs[i+1]
		if !view.IsMaterializable() {
			t.Fatalf("%s %d: not a view", name, i/2)
		}
		if got := fmt.Sprint(graph.Contiguous(view).Data()); got != fmt.Sprint(want.Data()) {
			t.Fatalf("%s %d: view values %s differ from the copy's %v", name, i/2, got, want.Data())
		}
		raw = raw || fmt.Sprint(view.Data()) != fmt.Sprint(want.Data())
	}
	if !raw {
		t.Fatalf("%s: every view's backing array is its values: the test would not see a raw read", name)
	}
}

// viewCall is one training call and VJP of a layer whose inputs may be
// views.
type viewCall struct {
	x, h0, c0, mask, dOut, dH, dC *tensor.Dense
	ws                            []*tensor.Dense
	drop                          *DropoutMasks
}

func (v viewCall) run(t *testing.T, unroll bool) (*Outputs, *Grads) {
	t.Helper()
	cfg := Default(3)
	cfg.ReturnSequences, cfg.ReturnState, cfg.Unroll = true, true, unroll
	cfg.Dropout, cfg.RecurrentDropout = 0.3, 0.4
	l := mustNew(t, cfg)
	if err := l.SetWeights(v.ws...); err != nil {
		t.Fatal(err)
	}
	out, err := l.Call(v.x, CallOptions{Training: true, InitialState: &State{H: v.h0, C: v.c0}, Mask: v.mask, Masks: v.drop})
	if err != nil {
		t.Fatal(err)
	}
	g, err := l.VJP(Outputs{Output: v.dOut, H: v.dH, C: v.dC})
	if err != nil {
		t.Fatal(err)
	}
	return out, g
}

// TestViews checks every place a tensor enters the LSTM (the input, the
// initial state, the sequence mask, SetWeights, the dropout masks, the
// VJP's output gradients, ResetStatesTo) and the Bidirectional (input,
// initial states, mask, SetWeights, VJP): a transposed tensor (x.T()) and
// a sliced view give exactly (tol 0) the outputs and gradients of their
// materialized copies, in both unroll modes.
func TestViews(t *testing.T) {
	const batch, steps, in, u = 2, 4, 2, 3
	rng := graph.NewRNG(31)
	base := viewCall{
		x: randDense(rng, 1, batch, steps, in), h0: randDense(rng, 0.5, batch, u), c0: randDense(rng, 0.5, batch, u),
		mask: tensor.New(tensor.WithShape(batch, steps), tensor.WithBacking([]int{1, 1, 1, 0, 0, 1, 1, 1})),
		ws:   []*tensor.Dense{randDense(rng, 0.7, in, 4*u), randDense(rng, 0.7, u, 4*u), randDense(rng, 0.7, 4*u)},
		dOut: randDense(rng, 1, batch, steps, u), dH: randDense(rng, 1, batch, u), dC: randDense(rng, 1, batch, u),
		drop: &DropoutMasks{},
	}
	for k := 0; k < 4; k++ {
		base.drop.Input[k], base.drop.Recurrent[k] = randMask(rng, batch, in), randMask(rng, batch, u)
	}
	views := []struct {
		name string
		view func(*tensor.Dense) *tensor.Dense
	}{{"transposed", transposedView}, {"sliced", slicedView}}
	entries := []struct {
		name string
		set  func(c *viewCall, view func(*tensor.Dense) *tensor.Dense) []*tensor.Dense // returns the copies replaced
	}{
		{"input", func(c *viewCall, v func(*tensor.Dense) *tensor.Dense) []*tensor.Dense {
			old := c.x
			c.x = v(c.x)
			return []*tensor.Dense{old, c.x}
		}},
		{"initial_state", func(c *viewCall, v func(*tensor.Dense) *tensor.Dense) []*tensor.Dense {
			oh, oc := c.h0, c.c0
			c.h0, c.c0 = v(c.h0), v(c.c0)
			return []*tensor.Dense{oh, c.h0, oc, c.c0}
		}},
		{"mask", func(c *viewCall, v func(*tensor.Dense) *tensor.Dense) []*tensor.Dense {
			old := c.mask
			c.mask = v(c.mask)
			return []*tensor.Dense{old, c.mask}
		}},
		{"set_weights", func(c *viewCall, v func(*tensor.Dense) *tensor.Dense) []*tensor.Dense {
			var pairs []*tensor.Dense
			ws := make([]*tensor.Dense, len(c.ws))
			for i, w := range c.ws {
				if w.Dims() == 1 {
					ws[i] = slicedView(w) // a vector's transpose is itself
				} else {
					ws[i] = v(w)
				}
				pairs = append(pairs, w, ws[i])
			}
			c.ws = ws
			return pairs
		}},
		{"dropout_masks", func(c *viewCall, v func(*tensor.Dense) *tensor.Dense) []*tensor.Dense {
			var pairs []*tensor.Dense
			d := &DropoutMasks{}
			for k := 0; k < 4; k++ {
				d.Input[k], d.Recurrent[k] = v(c.drop.Input[k]), v(c.drop.Recurrent[k])
				pairs = append(pairs, c.drop.Input[k], d.Input[k], c.drop.Recurrent[k], d.Recurrent[k])
			}
			c.drop = d
			return pairs
		}},
		{"vjp_seeds", func(c *viewCall, v func(*tensor.Dense) *tensor.Dense) []*tensor.Dense {
			o, h, cc := c.dOut, c.dH, c.dC
			c.dOut, c.dH, c.dC = v(c.dOut), v(c.dH), v(c.dC)
			return []*tensor.Dense{o, c.dOut, h, c.dH, cc, c.dC}
		}},
	}
	for _, unroll := range []bool{true, false} {
		wantOut, wantG := base.run(t, unroll)
		for _, e := range entries {
			for _, v := range views {
				unroll, e, v := unroll, e, v
				t.Run(fmt.Sprintf("%s/%s/unroll=%t", e.name, v.name, unroll), func(t *testing.T) {
					c := base
					checkViews(t, e.name, e.set(&c, v.view))
					out, g := c.run(t, unroll)
					if err := sameOutputs(out, wantOut, 0); err != nil {
						t.Errorf("outputs: %v", err)
					}
					if err := sameGrads(g, wantG, 0); err != nil {
						t.Errorf("gradients: %v", err)
					}
				})
			}
		}
	}

	t.Run("ResetStatesTo", func(t *testing.T) {
		for _, v := range views {
			var outs []*Outputs
			for _, useView := range []bool{false, true} {
				cfg := Default(u)
				cfg.Stateful = true
				l := mustNew(t, cfg)
				if err := l.SetWeights(base.ws...); err != nil {
					t.Fatal(err)
				}
				st := State{H: base.h0, C: base.c0}
				if useView {
					st = State{H: v.view(base.h0), C: v.view(base.c0)}
				}
				if err := l.ResetStatesTo(st); err != nil {
					t.Fatal(err)
				}
				out, err := l.Call(base.x, CallOptions{})
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, out)
			}
			if err := sameOutputs(outs[1], outs[0], 0); err != nil {
				t.Errorf("%s: %v", v.name, err)
			}
		}
	})

	t.Run("Bidirectional", func(t *testing.T) {
		for _, v := range views {
			for _, unroll := range []bool{true, false} {
				var grads []*BiGrads
				var outs []*BiOutputs
				for _, useView := range []bool{false, true} {
					cfg := Default(u)
					cfg.ReturnSequences, cfg.ReturnState, cfg.Unroll = true, true, unroll
					b, err := NewBidirectional(BidirectionalConfig{Layer: cfg, MergeMode: MergeMul})
					if err != nil {
						t.Fatal(err)
					}
					in := func(x *tensor.Dense) *tensor.Dense {
						if useView && x.Dims() > 1 {
							return v.view(x)
						}
						if useView {
							return slicedView(x)
						}
						return x
					}
					ws := append(slices.Clone(base.ws), base.ws...)
					for i := range ws {
						ws[i] = in(ws[i])
					}
					if err := b.SetWeights(ws...); err != nil {
						t.Fatal(err)
					}
					out, err := b.Call(in(base.x), BiCallOptions{Training: true, Mask: in(base.mask),
						InitialState: []*tensor.Dense{in(base.h0), in(base.c0), in(base.c0), in(base.h0)}})
					if err != nil {
						t.Fatal(err)
					}
					g, err := b.VJP(BiOutputs{Output: in(base.dOut), ForwardH: in(base.dH), BackwardC: in(base.dC)})
					if err != nil {
						t.Fatal(err)
					}
					outs, grads = append(outs, out), append(grads, g)
				}
				for i, p := range outs[1].fields() {
					if err := sameTensor(*p, *outs[0].fields()[i], 0); err != nil {
						t.Errorf("%s/unroll=%t: output %s: %v", v.name, unroll, outputNames[i], err)
					}
				}
				if err := sameTensor(grads[1].Input, grads[0].Input, 0); err != nil {
					t.Errorf("%s/unroll=%t: input gradient: %v", v.name, unroll, err)
				}
				for i, w := range grads[1].Weights() {
					if err := sameTensor(w, grads[0].Weights()[i], 0); err != nil {
						t.Errorf("%s/unroll=%t: weight gradient %d: %v", v.name, unroll, i, err)
					}
				}
				for i, s := range grads[1].InitialState() {
					if err := sameTensor(s, grads[0].InitialState()[i], 0); err != nil {
						t.Errorf("%s/unroll=%t: initial state gradient %d: %v", v.name, unroll, i, err)
					}
				}
			}
		}
	})
}
