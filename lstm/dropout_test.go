package lstm

import (
	"fmt"
	"math"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// dropoutLayer returns a float64 layer with the given rates, seed and
// implementation whose weights are set to ws (so that layers with
// different seeds differ only in their dropout masks).
func dropoutLayer(t *testing.T, rate, recRate float64, seed uint64, impl int, unroll bool, ws []*tensor.Dense) *LSTM {
	t.Helper()
	cfg := Default(3)
	cfg.Dropout, cfg.RecurrentDropout, cfg.Seed, cfg.Implementation, cfg.Unroll = rate, recRate, seed, impl, unroll
	cfg.ReturnSequences, cfg.ReturnState = true, true
	l := mustNew(t, cfg)
	if err := l.SetWeights(ws...); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDropoutCalls checks, for both implementations and unroll modes:
// inference ignores the rates (equal to a layer without dropout); a
// training call with rate 0 equals inference; training draws the same masks
// for the same Config.Seed (identical outputs, call after call) and other
// masks for another seed; and the drawn masks are the ones used (a call
// with those masks given explicitly gives the same outputs).
func TestDropoutCalls(t *testing.T) {
	rng := graph.NewRNG(3)
	x := randDense(rng, 1, 4, 5, 2)
	ws := []*tensor.Dense{randDense(rng, 0.8, 2, 12), randDense(rng, 0.8, 3, 12), randDense(rng, 0.8, 12)}
	for _, impl := range []int{1, 2} {
		for _, unroll := range []bool{true, false} {
			impl, unroll := impl, unroll
			t.Run(fmt.Sprintf("impl%d/unroll=%t", impl, unroll), func(t *testing.T) {
				t.Parallel()
				call := func(l *LSTM, opt CallOptions) *Outputs {
					t.Helper()
					out, err := l.Call(x, opt)
					if err != nil {
						t.Fatal(err)
					}
					return out
				}
				train := CallOptions{Training: true}
				plain := call(dropoutLayer(t, 0, 0, 1, impl, unroll, ws), CallOptions{})
				if err := sameOutputs(call(dropoutLayer(t, 0.3, 0.4, 1, impl, unroll, ws), CallOptions{}), plain, 0); err != nil {
					t.Errorf("inference with rates vs without: %v", err)
				}
				if err := sameOutputs(call(dropoutLayer(t, 0, 0, 1, impl, unroll, ws), train), plain, 0); err != nil {
					t.Errorf("training with rate 0 vs inference: %v", err)
				}

				a, b := dropoutLayer(t, 0.3, 0.4, 7, impl, unroll, ws), dropoutLayer(t, 0.3, 0.4, 7, impl, unroll, ws)
				c := dropoutLayer(t, 0.3, 0.4, 8, impl, unroll, ws)
				for k := 0; k < 2; k++ { // masks are redrawn per call, in the same sequence
					oa, ob, oc := call(a, train), call(b, train), call(c, train)
					if err := sameOutputs(oa, ob, 0); err != nil {
						t.Errorf("call %d, same seed: %v", k, err)
					}
					if sameOutputs(oa, oc, 1e-6) == nil {
						t.Errorf("call %d: seeds 7 and 8 give the same training outputs", k)
					}
					if sameOutputs(oa, plain, 1e-6) == nil {
						t.Errorf("call %d: training with dropout equals inference", k)
					}
				}

				// The masks a fresh seed-7 layer draws, given explicitly to
				// another layer, reproduce that layer's training call.
				d := dropoutLayer(t, 0.3, 0.4, 7, impl, unroll, ws)
				drawn, err := d.dropoutMasks(4, train)
				if err != nil {
					t.Fatal(err)
				}
				given := &DropoutMasks{}
				for k := 0; k < 4; k++ {
					given.Input[k], given.Recurrent[k] = keepOf(drawn.x[k]), keepOf(drawn.h[k])
				}
				e := dropoutLayer(t, 0.3, 0.4, 99, impl, unroll, ws)
				fresh := dropoutLayer(t, 0.3, 0.4, 7, impl, unroll, ws)
				if err := sameOutputs(call(e, CallOptions{Training: true, Masks: given}), call(fresh, train), 0); err != nil {
					t.Errorf("explicit drawn masks vs drawn: %v", err)
				}
			})
		}
	}
}

// keepOf turns a multiplier mask (0 or 1/(1-rate)) back into a keep mask.
func keepOf(m *tensor.Dense) *tensor.Dense {
	if m == nil {
		return nil
	}
	v := graph.Float64s(m)
	for i := range v {
		if v[i] != 0 {
			v[i] = 1
		}
	}
	return graph.NewTensor(m.Dtype(), m.Shape(), v)
}

// TestDropoutMaskStatistics draws the masks of a large batch and checks
// that every entry is 0 or 1/(1-rate), that the kept fraction of each mask
// is 1-rate within 5 standard deviations (sqrt(r(1-r)/n)), that the four
// masks of implementation 1 differ, and that implementation 2 uses one.
func TestDropoutMaskStatistics(t *testing.T) {
	const batch, dim, units = 2000, 5, 4
	for _, tc := range []struct {
		rate, recRate float64
		impl          int
	}{{0.3, 0.6, 1}, {0.1, 0.5, 2}, {0.9, 0.05, 1}} {
		cfg := Default(units)
		cfg.Dropout, cfg.RecurrentDropout, cfg.Implementation, cfg.Seed = tc.rate, tc.recRate, tc.impl, 5
		l := mustNew(t, cfg)
		if err := l.BuildFor(dim, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		m, err := l.dropoutMasks(batch, CallOptions{Training: true})
		if err != nil {
			t.Fatal(err)
		}
		n := 4
		if tc.impl == 2 {
			n = 1
		}
		for _, path := range []struct {
			name  string
			rate  float64
			masks [4]*tensor.Dense
			width int
		}{{"input", tc.rate, m.x, dim}, {"recurrent", tc.recRate, m.h, units}} {
			for k := 0; k < 4; k++ {
				mk := path.masks[k]
				if k >= n {
					if mk != nil {
						t.Errorf("impl %d: %s mask %d is set, want nil", tc.impl, path.name, k)
					}
					continue
				}
				if mk == nil || !sameShape(mk.Shape(), batch, path.width) {
					t.Fatalf("%s mask %d: %v, want shape (%d, %d)", path.name, k, mk, batch, path.width)
				}
				scale := 1 / (1 - path.rate)
				kept := 0
				for _, v := range graph.Float64s(mk) {
					switch v {
					case 0:
					case scale:
						kept++
					default:
						t.Fatalf("%s mask %d has %v, want 0 or %v", path.name, k, v, scale)
					}
				}
				size := float64(batch * path.width)
				frac, want := float64(kept)/size, 1-path.rate
				if sd := math.Sqrt(path.rate * (1 - path.rate) / size); math.Abs(frac-want) > 5*sd {
					t.Errorf("rate %v: %s mask %d keeps %.4f, want %.4f ± %.4f", path.rate, path.name, k, frac, want, 5*sd)
				}
				if k > 0 && sameTensor(mk, path.masks[0], 0) == nil {
					t.Errorf("%s masks 0 and %d are equal", path.name, k)
				}
			}
		}
	}
}
