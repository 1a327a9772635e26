package lstm

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// TestConcurrentInference: 16 goroutines call built layers for inference
// at once (run it with -race): every result equals, bit for bit, the same
// call made alone. Layers in both unroll modes, both implementations,
// with return_sequences and return_state, an activity regularizer, masks,
// and a Bidirectional wrapper; each goroutine cycles through batch sizes
// and lengths, so the programs of one key are also compiled concurrently.
func TestConcurrentInference(t *testing.T) {
	reg, err := graph.GetRegularizer("l2")
	if err != nil {
		t.Fatal(err)
	}
	type caller struct {
		name string
		call func(x, mask *tensor.Dense) ([]*tensor.Dense, error)
	}
	var callers []caller
	for _, unroll := range []bool{false, true} {
		for _, impl := range []int{1, 2} {
			cfg := Default(5)
			cfg.Unroll, cfg.Implementation, cfg.ReturnSequences, cfg.ReturnState = unroll, impl, impl == 1, true
			cfg.Dropout, cfg.RecurrentDropout, cfg.Seed, cfg.ActivityRegularizer = 0.3, 0.2, 9, reg
			l := mustNew(t, cfg)
			if err := l.BuildFor(3, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			callers = append(callers, caller{fmt.Sprintf("unroll %v impl %d", unroll, impl), func(x, mask *tensor.Dense) ([]*tensor.Dense, error) {
				out, err := l.Call(x, CallOptions{Mask: mask})
				if err != nil {
					return nil, err
				}
				p, err := l.Forward([]*tensor.Dense{x}, nil, false)
				if err != nil {
					return nil, err
				}
				pen := graph.NewTensor(tensor.Float64, []int{1}, []float64{p.ActivityPenalty})
				return append([]*tensor.Dense{out.Output, out.H, out.C, pen}, p.Outputs...), nil
			}})
		}
	}
	bcfg := DefaultBidirectional(Default(4))
	bcfg.Layer.ReturnSequences, bcfg.Layer.Seed = true, 3
	bi, err := NewBidirectional(bcfg)
	if err != nil {
		t.Fatal(err)
	}
	callers = append(callers, caller{"bidirectional", func(x, mask *tensor.Dense) ([]*tensor.Dense, error) {
		out, err := bi.Call(x, BiCallOptions{Mask: mask})
		if err != nil {
			return nil, err
		}
		return []*tensor.Dense{out.Output}, nil
	}})
	// Inputs: batch sizes 2 and 3, lengths 4 and 6, with and without a mask.
	rng := graph.NewRNG(5)
	type input struct{ x, mask *tensor.Dense }
	var inputs []input
	for _, b := range []int{2, 3} {
		for _, steps := range []int{4, 6} {
			x := randDense(rng, 1, b, steps, 3)
			keep := make([]bool, b*steps)
			for i := range keep {
				keep[i] = i%steps < steps-i/steps // sample i keeps its first steps−i
			}
			inputs = append(inputs, input{x, nil}, input{x, graph.NewMask(b, steps, keep)})
		}
	}
	if _, err := bi.Call(inputs[0].x, BiCallOptions{}); err != nil { // builds it
		t.Fatal(err)
	}
	for _, c := range callers {
		want := make([][]*tensor.Dense, len(inputs))
		for i, in := range inputs {
			if want[i], err = c.call(in.x, in.mask); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range 2 * len(inputs) {
					i := (g + k) % len(inputs)
					got, err := c.call(inputs[i].x, inputs[i].mask)
					if err != nil {
						errs <- err
						return
					}
					for j := range got {
						if !slices.Equal(graph.Float64s(got[j]), graph.Float64s(want[i][j])) {
							errs <- fmt.Errorf("goroutine %d, input %d: result %d differs from the lone call's", g, i, j)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
