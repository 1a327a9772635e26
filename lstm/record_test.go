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
