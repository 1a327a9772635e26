package lstm

import (
	"fmt"
	"math"
	"testing"

	"github.com/golstm/golstm/graph"
)

// TestActivityRegularizer checks, for L2(0.01) on every returned tensor,
// that ActivityPenalty is 0.01·(Σout² + Σh² + Σc²) computed by hand (Keras
// 2: summed, not divided by the batch size; with return_sequences false the
// output and h_T are the same values and both count), and that VJP adds the
// penalty's gradient: central differences of Σ w·outputs + penalty.
func TestActivityRegularizer(t *testing.T) {
	const l2, eps, fdTol, valTol = 0.01, 1e-6, 1e-6, 1e-14
	for i, c := range []gradCase{
		{name: "sequences+state", units: 3, batch: 2, steps: 3, in: 2, initState: true,
			edit: func(c *Config) { c.ReturnSequences, c.ReturnState = true, true }},
		{name: "last+state/go_backwards", units: 2, batch: 3, steps: 2, in: 2,
			edit: func(c *Config) { c.ReturnState, c.GoBackwards = true, true }},
		{name: "sequences only", units: 2, batch: 2, steps: 3, in: 3,
			edit: func(c *Config) { c.ReturnSequences = true }},
	} {
		for _, unroll := range []bool{true, false} {
			c, unroll, seed := c, unroll, uint64(900+i)
			edit := c.edit
			c.edit = func(cfg *Config) {
				edit(cfg)
				cfg.ActivityRegularizer = graph.L2(l2)
			}
			t.Run(fmt.Sprintf("%s/unroll=%t", c.name, unroll), func(t *testing.T) {
				t.Parallel()
				s := c.setup(t, unroll, seed)
				out, err := s.call(s.state)
				if err != nil {
					t.Fatal(err)
				}
				want := l2 * sumSq(out.Output)
				if out.H != nil {
					want += l2 * (sumSq(out.H) + sumSq(out.C))
				}
				if got := s.l.ActivityPenalty(); !(math.Abs(got-want) <= valTol*math.Max(1, want)) || got == 0 {
					t.Errorf("ActivityPenalty = %.17g, want %.17g", got, want)
				}
				checkFD(t, s, eps, fdTol)
			})
		}
	}

	// Without an activity regularizer the penalty is 0.
	l := mustNew(t, Default(2))
	if _, err := l.Call(randDense(graph.NewRNG(1), 1, 2, 3, 2), CallOptions{}); err != nil {
		t.Fatal(err)
	}
	if p := l.ActivityPenalty(); p != 0 {
		t.Errorf("ActivityPenalty without a regularizer = %v, want 0", p)
	}
}
