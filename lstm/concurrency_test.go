package lstm

import (
	"sync"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// TestConcurrentInference: 16 goroutines calling a built LSTM and a
// Bidirectional in inference, in both unroll modes, with and without a
// mask, get exactly the single-goroutine results (run with -race: no data
// race).
func TestConcurrentInference(t *testing.T) {
	for _, unroll := range []bool{false, true} {
		cfg := Default(4)
		cfg.Seed, cfg.Unroll, cfg.ReturnSequences = 3, unroll, true
		l := mustNew(t, cfg)
		bi, err := NewBidirectional(DefaultBidirectional(cfg))
		if err != nil {
			t.Fatal(err)
		}
		rng := graph.NewRNG(1)
		x := randDense(rng, 1, 3, 5, 2)
		mask := graph.NewMask(3, 5, []bool{true, true, true, true, true, true, true, true, false, false, true, true, true, true, true})
		opts := []CallOptions{{}, {Mask: mask}}
		var want []*tensor.Dense
		for _, o := range opts {
			out, err := l.Call(x, o)
			if err != nil {
				t.Fatal(err)
			}
			bo, err := bi.Call(x, BiCallOptions{Mask: o.Mask})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, out.Output, bo.Output)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 4; i++ {
					k := (g + i) % 2
					out, err := l.Call(x, opts[k])
					if err != nil {
						errs <- err
						return
					}
					bo, err := bi.Call(x, BiCallOptions{Mask: opts[k].Mask})
					if err != nil {
						errs <- err
						return
					}
					if !out.Output.Eq(want[2*k]) || !bo.Output.Eq(want[2*k+1]) {
						t.Errorf("unroll=%t goroutine %d: a concurrent call differs from the single-goroutine one", unroll, g)
					}
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
}
