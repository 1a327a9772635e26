package lstm

import (
	"fmt"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// TestStatefulChunks feeds a stateful layer a return_sequences fixture in
// two calls (the first `split` timesteps, then the rest) and checks that the
// joined output sequences equal one call on the whole sequence (to 1e-12)
// and the Keras values (to 1e-9), and that the final states equal the full
// run's h_T and c_T.
//
// Keras' stateful + go_backwards processes each chunk reversed (so chunks
// are not a split of one reversed run); that mode is not a chunking identity
// and is not tested here.
func TestStatefulChunks(t *testing.T) {
	const tol, kerasTol = 1e-12, 1e-9
	for _, tc := range []struct {
		fixture string
		split   int
	}{
		{"sequences", 3},
		{"sequences_state", 2},
		{"saturating", 4},
		{"single_sample", 1},
	} {
		f := fixtureNamed(t, tc.fixture)
		for _, unroll := range []bool{true, false} {
			tc, f, unroll := tc, f, unroll
			t.Run(fmt.Sprintf("%s/unroll=%t", tc.fixture, unroll), func(t *testing.T) {
				t.Parallel()
				x := f.Input.dense(tensor.Float64)
				steps := x.Shape()[1]
				full, err := f.layer(unroll, tensor.Float64)
				if err != nil {
					t.Fatal(err)
				}
				want, err := full.Call(x, CallOptions{})
				if err != nil {
					t.Fatal(err)
				}
				s := f.statefulLayer(t, unroll)
				if s.States() != nil {
					t.Errorf("States before the first call = %v, want nil (zeros)", s.States())
				}
				first, err := s.Call(timeSlice(x, 0, tc.split), CallOptions{})
				if err != nil {
					t.Fatal(err)
				}
				second, err := s.Call(timeSlice(x, tc.split, steps), CallOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got := concatTime(first.Output, second.Output)
				if err := sameTensor(got, want.Output, tol); err != nil {
					t.Errorf("chunked output vs one call: %v", err)
				}
				if err := closeTo(got, f.Outputs["output"], kerasTol); err != nil {
					t.Errorf("chunked output vs Keras: %v", err)
				}
				st := s.States()
				if st == nil {
					t.Fatal("States after two calls is nil")
				}
				// The full run's final states: h_T is the last output; c_T
				// from a return_state copy of the layer.
				cfg := full.Settings()
				cfg.ReturnState = true
				rs := mustNew(t, cfg)
				if err := rs.SetWeights(full.Weights()...); err != nil {
					t.Fatal(err)
				}
				fs, err := rs.Call(x, CallOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if err := sameTensor(st.H, fs.H, tol); err != nil {
					t.Errorf("carried h: %v", err)
				}
				if err := sameTensor(st.C, fs.C, tol); err != nil {
					t.Errorf("carried c: %v", err)
				}
				if second.H != nil {
					if err := sameTensor(second.H, fs.H, tol); err != nil {
						t.Errorf("returned h of the second chunk: %v", err)
					}
					if err := sameTensor(second.C, fs.C, tol); err != nil {
						t.Errorf("returned c of the second chunk: %v", err)
					}
				}

				// ResetStates brings back the zero-state result.
				if err := s.ResetStates(); err != nil {
					t.Fatal(err)
				}
				if s.States() != nil {
					t.Errorf("States after ResetStates = %v, want nil (zeros)", s.States())
				}
				again, err := s.Call(timeSlice(x, 0, tc.split), CallOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if err := sameOutputs(again, first, 0); err != nil {
					t.Errorf("after ResetStates: %v", err)
				}
			})
		}
	}
}

// TestStatefulResetStatesTo checks that ResetStatesTo(s) followed by a call
// equals a call with InitialState s on a layer that is not stateful, that an
// explicit InitialState takes precedence over the carried state (Keras 2.2),
// and that inference calls carry states too.
func TestStatefulResetStatesTo(t *testing.T) {
	const tol = 1e-12
	f := fixtureNamed(t, "initial_state")
	for _, unroll := range []bool{true, false} {
		unroll := unroll
		t.Run(fmt.Sprintf("unroll=%t", unroll), func(t *testing.T) {
			t.Parallel()
			x := f.Input.dense(tensor.Float64)
			init := &State{H: f.InitialState.H.dense(tensor.Float64), C: f.InitialState.C.dense(tensor.Float64)}
			plain, err := f.layer(unroll, tensor.Float64)
			if err != nil {
				t.Fatal(err)
			}
			want, err := plain.Call(x, CallOptions{InitialState: init})
			if err != nil {
				t.Fatal(err)
			}
			s := f.statefulLayer(t, unroll)
			if err := s.ResetStatesTo(*init); err != nil {
				t.Fatal(err)
			}
			// ResetStatesTo copies: changing init afterwards changes nothing.
			init.H.Data().([]float64)[0] += 1
			got, err := s.Call(x, CallOptions{})
			init.H.Data().([]float64)[0] -= 1
			if err != nil {
				t.Fatal(err)
			}
			if err := sameOutputs(got, want, tol); err != nil {
				t.Errorf("ResetStatesTo then Call vs InitialState: %v", err)
			}
			// An explicit InitialState wins over the carried (non-zero) states.
			got2, err := s.Call(x, CallOptions{InitialState: init})
			if err != nil {
				t.Fatal(err)
			}
			if err := sameOutputs(got2, want, tol); err != nil {
				t.Errorf("InitialState on a stateful layer with carried states: %v", err)
			}
			if err := sameTensor(s.States().H, want.H, tol); err != nil {
				t.Errorf("states carried after an InitialState call: %v", err)
			}
		})
	}
}

// TestStatefulBatchSize checks that a stateful layer refuses a batch of
// another size, naming both sizes, and that ResetStatesTo refuses states of
// the wrong shape.
func TestStatefulBatchSize(t *testing.T) {
	f := fixtureNamed(t, "sequences") // batch 3
	x := f.Input.dense(tensor.Float64)
	for _, tc := range []struct {
		name      string
		batchSize int // Config.BatchSize (0: from the first call)
		calls     []int
	}{
		{"fixed by the first call", 0, []int{3, 2}},
		{"fixed by Config.BatchSize", 2, []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := f.statefulLayer(t, false)
			s.cfg.BatchSize = tc.batchSize
			var err error
			for _, b := range tc.calls {
				_, err = s.Call(batchSlice(x, b), CallOptions{})
			}
			if err == nil {
				t.Fatalf("batch of %d after batch size %d: no error", tc.calls[len(tc.calls)-1], s.Settings().BatchSize)
			}
			bad, fixed := tc.calls[len(tc.calls)-1], tc.calls[0]
			if tc.batchSize != 0 {
				fixed = tc.batchSize
			}
			for _, want := range []string{"batch size", fmt.Sprint(fixed), fmt.Sprint(bad)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	s := f.statefulLayer(t, false)
	if _, err := s.Call(x, CallOptions{}); err != nil {
		t.Fatal(err)
	}
	u := s.Settings().Units
	for _, st := range []State{
		{H: zeros(tensor.Float64, 2, u), C: zeros(tensor.Float64, 2, u)},
		{H: zeros(tensor.Float64, 3, u), C: zeros(tensor.Float64, 3, u+1)},
	} {
		if err := s.ResetStatesTo(st); err == nil {
			t.Errorf("ResetStatesTo(h %v, c %v) on batch size 3: no error", st.H.Shape(), st.C.Shape())
		}
	}
	plain, err := New(Default(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.ResetStates(); err == nil || !strings.Contains(err.Error(), "not stateful") {
		t.Errorf("ResetStates on a layer that is not stateful: error %v, want one saying so", err)
	}
}

// batchSlice copies the first n samples of x (batch, steps, width).
func batchSlice(x *tensor.Dense, n int) *tensor.Dense {
	s := x.Shape()
	v := x.Data().([]float64)
	return tensor.New(tensor.WithShape(n, s[1], s[2]), tensor.WithBacking(append([]float64(nil), v[:n*s[1]*s[2]]...)))
}
