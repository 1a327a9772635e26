package lstm

import (
	"fmt"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// TestRecordsSelfContained keeps the records of two calls of one layer
// alive (other batch sizes and lengths, one masked, as a layer applied
// twice in a model) and checks that the VJP of each, run after both calls
// and in either order, equals (exactly) that of a lone Call and VJP; the
// same for the Bidirectional wrapper. Both unroll modes, with dropout.
func TestRecordsSelfContained(t *testing.T) {
	rng := graph.NewRNG(41)
	x1, x2 := randDense(rng, 1, 2, 3, 2), randDense(rng, 1, 3, 5, 2)
	m2 := maskPattern("holes", 3, 5)
	d1, d2 := randDense(rng, 1, 2, 3, 2), randDense(rng, 1, 3, 5, 2)
	drop := func(batch int) *DropoutMasks {
		d := &DropoutMasks{}
		for k := 0; k < 4; k++ {
			d.Input[k], d.Recurrent[k] = randMask(rng, batch, 2), randMask(rng, batch, 2)
		}
		return d
	}
	dr1, dr2 := drop(2), drop(3)
	ws := []*tensor.Dense{randDense(rng, 0.7, 2, 8), randDense(rng, 0.7, 2, 8), randDense(rng, 0.7, 8)}
	for _, unroll := range []bool{true, false} {
		unroll := unroll
		t.Run(fmt.Sprintf("unroll=%t", unroll), func(t *testing.T) {
			t.Parallel()
			cfg := Default(2)
			cfg.ReturnSequences, cfg.Unroll, cfg.Dropout, cfg.RecurrentDropout = true, unroll, 0.2, 0.3
			layer := func() *LSTM {
				l := mustNew(t, cfg)
				if err := l.SetWeights(ws...); err != nil {
					t.Fatal(err)
				}
				return l
			}
			opts := []CallOptions{{Training: true, Masks: dr1}, {Training: true, Masks: dr2, Mask: m2}}
			xs, ds := []*tensor.Dense{x1, x2}, []*tensor.Dense{d1, d2}
			var want []*Grads
			for i := range xs {
				l := layer()
				if _, err := l.Call(xs[i], opts[i]); err != nil {
					t.Fatal(err)
				}
				g, err := l.VJP(Outputs{Output: ds[i]})
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, g)
			}
			for _, order := range [][]int{{0, 1}, {1, 0}} {
				l := layer()
				var recs []*record
				for i := range xs {
					_, rec, err := l.call(xs[i], opts[i])
					if err != nil {
						t.Fatal(err)
					}
					recs = append(recs, rec)
				}
				for _, i := range order {
					g, err := l.vjpRecord(recs[i], Outputs{Output: ds[i]}, true)
					if err != nil {
						t.Fatal(err)
					}
					if err := sameGrads(g, want[i], 0); err != nil {
						t.Errorf("order %v, call %d: %v", order, i, err)
					}
				}
			}

			bcfg := DefaultBidirectional(cfg)
			bcfg.MergeMode = MergeAve
			wrapper := func() *Bidirectional {
				b, err := NewBidirectional(bcfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := b.SetWeights(append(append([]*tensor.Dense(nil), ws...), ws...)...); err != nil {
					t.Fatal(err)
				}
				return b
			}
			bopts := []BiCallOptions{{Training: true, ForwardMasks: dr1, BackwardMasks: dr1}, {Training: true, ForwardMasks: dr2, BackwardMasks: dr2, Mask: m2}}
			var bwant []*BiGrads
			for i := range xs {
				b := wrapper()
				if _, err := b.Call(xs[i], bopts[i]); err != nil {
					t.Fatal(err)
				}
				g, err := b.VJP(BiOutputs{Output: ds[i]})
				if err != nil {
					t.Fatal(err)
				}
				bwant = append(bwant, g)
			}
			b := wrapper()
			var brecs []*biRecord
			for i := range xs {
				_, rec, err := b.call(xs[i], bopts[i])
				if err != nil {
					t.Fatal(err)
				}
				brecs = append(brecs, rec)
			}
			for _, i := range []int{1, 0} {
				g, err := b.vjpRecord(brecs[i], BiOutputs{Output: ds[i]}, true)
				if err != nil {
					t.Fatal(err)
				}
				if err := sameTensor(g.Input, bwant[i].Input, 0); err != nil {
					t.Errorf("Bidirectional call %d: input gradient: %v", i, err)
				}
				for k, w := range g.Weights() {
					if err := sameTensor(w, bwant[i].Weights()[k], 0); err != nil {
						t.Errorf("Bidirectional call %d: weight gradient %d: %v", i, k, err)
					}
				}
			}
		})
	}
}

// TestPooledArrays checks the reuse of the loop mode's arrays (see
// arrayPool): two model passes of one shape alive at once, differentiated
// in reverse order (the second's record and VJP take arrays the first's do
// not give back before its Backward), and inference calls in between, give
// exactly the gradients of lone passes; a second Backward of a pass, whose
// record went back to the pool, is an error, as is any VJP of a released
// record.
func TestPooledArrays(t *testing.T) {
	rng := graph.NewRNG(43)
	xs := []*tensor.Dense{randDense(rng, 1, 3, 4, 2), randDense(rng, 1, 3, 4, 2)}
	ds := []*tensor.Dense{randDense(rng, 1, 3, 2), randDense(rng, 1, 3, 2)}
	ws := []*tensor.Dense{randDense(rng, 0.7, 2, 8), randDense(rng, 0.7, 2, 8), randDense(rng, 0.7, 8)}
	for _, impl := range []int{1, 2} {
		cfg := Default(2)
		cfg.Implementation = impl
		layer := func() *LSTM {
			l := mustNew(t, cfg)
			if err := l.SetWeights(ws...); err != nil {
				t.Fatal(err)
			}
			return l
		}
		var want [][]*tensor.Dense
		for i := range xs {
			l := layer()
			p, err := l.Forward([]*tensor.Dense{xs[i]}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			dIn, err := p.Backward([]*tensor.Dense{ds[i]}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, append([]*tensor.Dense{dIn[0]}, gradsOf(l)...))
		}
		l := layer()
		var passes []*graph.Pass
		for i := range xs {
			p, err := l.Forward([]*tensor.Dense{xs[i]}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			passes = append(passes, p)
			if _, err := l.Call(xs[1-i], CallOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range []int{1, 0} {
			for _, p := range l.Params() {
				clearTensor(p.Grad)
			}
			dIn, err := passes[i].Backward([]*tensor.Dense{ds[i]}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, g := range append([]*tensor.Dense{dIn[0]}, gradsOf(l)...) {
				if err := sameTensor(g, want[i][k], 0); err != nil {
					t.Errorf("impl %d, pass %d, gradient %d: %v", impl, i, k, err)
				}
			}
		}
		if _, err := passes[0].Backward([]*tensor.Dense{ds[0]}, nil); err == nil {
			t.Errorf("impl %d: a second Backward of a pass: no error", impl)
		}
		_, rec, err := l.call(xs[0], CallOptions{Training: true})
		if err != nil {
			t.Fatal(err)
		}
		l.release(rec)
		if _, err := l.vjpRecord(rec, Outputs{Output: ds[0]}, true); err == nil {
			t.Errorf("impl %d: VJP of a released record: no error", impl)
		}
	}
}

// gradsOf returns copies of the layer's weight gradients.
func gradsOf(l *LSTM) []*tensor.Dense {
	var gs []*tensor.Dense
	for _, p := range l.Params() {
		gs = append(gs, p.Grad.Clone().(*tensor.Dense))
	}
	return gs
}
