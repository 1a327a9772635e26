package lstm

import (
	"fmt"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// maskPattern returns a (batch, steps) int64 sequence mask in input order:
//
//	"post":  sample b real for its first steps-b%steps steps (post-padding);
//	"pre":   the same lengths, padding first (pre-padding);
//	"holes": padded steps scattered, (t+b)%3 == 1 padded;
//	"empty": "post", with the last sample fully padded.
//
// Every pattern but a one-step "holes" has a padded step when batch > 1.
func maskPattern(kind string, batch, steps int) *tensor.Dense {
	v := make([]int64, batch*steps)
	for b := 0; b < batch; b++ {
		n := steps - b%steps
		for t := 0; t < steps; t++ {
			var on bool
			switch kind {
			case "post", "empty":
				on = t < n && !(kind == "empty" && b == batch-1)
			case "pre":
				on = t >= steps-n
			case "holes":
				on = (t+b)%3 != 1
			default:
				panic("maskPattern: " + kind)
			}
			if on {
				v[b*steps+t] = 1
			}
		}
	}
	return tensor.New(tensor.WithShape(batch, steps), tensor.WithBacking(v))
}

// maskGradCases are masked configurations for the finite-difference and
// unroll-mode tests: both implementations, initial state (with padded
// leading steps, where the modes' outputs differ), return_state,
// go_backwards, dropout and an activity regularizer.
var maskGradCases = []gradCase{
	{name: "post+impl1+sequences+state+initial_state", units: 2, batch: 3, steps: 4, in: 2, initState: true, mask: "post",
		edit: func(c *Config) { c.ReturnSequences, c.ReturnState = true, true }},
	{name: "pre+impl2+state+initial_state", units: 3, batch: 2, steps: 4, in: 2, initState: true, mask: "pre",
		edit: func(c *Config) { c.Implementation, c.ReturnState = 2, true }},
	{name: "pre+impl1+sequences+initial_state", units: 2, batch: 3, steps: 3, in: 2, initState: true, mask: "pre",
		edit: func(c *Config) { c.ReturnSequences = true }},
	{name: "holes+go_backwards+sequences+state+initial_state", units: 2, batch: 2, steps: 4, in: 3, initState: true, mask: "holes",
		edit: func(c *Config) { c.GoBackwards, c.ReturnSequences, c.ReturnState = true, true, true }},
	{name: "empty+impl2+sequences+state+initial_state", units: 2, batch: 3, steps: 3, in: 2, initState: true, mask: "empty",
		edit: func(c *Config) { c.Implementation, c.ReturnSequences, c.ReturnState = 2, true, true }},
	{name: "empty+last", units: 2, batch: 2, steps: 3, in: 2, mask: "empty",
		edit: func(c *Config) {}},
	{name: "holes+dropout_masks+impl1+state+initial_state", units: 2, batch: 2, steps: 4, in: 2, initState: true, masks: true, mask: "holes",
		edit: func(c *Config) { c.Dropout, c.RecurrentDropout, c.ReturnState = 0.3, 0.4, true }},
	{name: "pre+dropout_masks+impl2+go_backwards+sequences", units: 2, batch: 3, steps: 3, in: 2, masks: true, mask: "pre",
		edit: func(c *Config) {
			c.Dropout, c.RecurrentDropout, c.Implementation, c.GoBackwards, c.ReturnSequences = 0.25, 0.5, 2, true, true
		}},
	{name: "post+activity_regularizer+sequences+state", units: 2, batch: 2, steps: 3, in: 2, initState: true, mask: "post",
		edit: func(c *Config) { c.ActivityRegularizer, c.ReturnSequences, c.ReturnState = graph.L2(0.05), true, true }},
}

// TestMaskFiniteDifferences checks the VJP of masked calls against central
// differences of L = Σ w·outputs (eps 1e-6, tolerance 1e-6 relative to
// max(1, |VJP|)) for every input, weight and initial-state element, in both
// unroll modes: the padded steps' input gradients must be zero, the carried
// states' gradients flow past them, and the unroll=true output rule holds.
func TestMaskFiniteDifferences(t *testing.T) {
	const eps, tol = 1e-6, 1e-6
	for i, c := range maskGradCases {
		for _, unroll := range []bool{true, false} {
			c, unroll, seed := c, unroll, uint64(1300+i)
			t.Run(fmt.Sprintf("%s/unroll=%t", c.name, unroll), func(t *testing.T) {
				t.Parallel()
				s := c.setup(t, unroll, seed)
				checkFD(t, s, eps, tol)
				// Padded steps take no gradient from x.
				_, g := s.callVJP(t)
				real, _ := realSteps(s.mask, c.batch, c.steps)
				dx := graph.Float64s(g.Input)
				for b := 0; b < c.batch; b++ {
					for st := 0; st < c.steps; st++ {
						for j := 0; j < c.in; j++ {
							if v := dx[(b*c.steps+st)*c.in+j]; !real[b*c.steps+st] && v != 0 {
								t.Errorf("input gradient at padded step (sample %d, step %d) = %g, want 0", b, st, v)
							}
						}
					}
				}
			})
		}
	}
}

// seenMask returns, per sample and processing step k, whether a real step
// has been processed among steps 0…k: where it is false, unroll=true
// outputs zeros and unroll=false the carried (initial) h.
func seenMask(mask *tensor.Dense, backwards bool) [][]bool {
	s := mask.Shape()
	real, _ := realSteps(mask, s[0], s[1])
	out := make([][]bool, s[0])
	for b := range out {
		seen := false
		for k := 0; k < s[1]; k++ {
			t := k
			if backwards {
				t = s[1] - 1 - k
			}
			seen = seen || real[b*s[1]+t]
			out[b] = append(out[b], seen)
		}
	}
	return out
}

// outputIndex is the offset of the output of (sample b, processing step
// k) in a returned output, or -1 when it holds only the last step.
func outputIndex(cfg Config, b, k, steps int) int {
	switch {
	case cfg.ReturnSequences:
		return (b*steps + k) * cfg.Units
	case k == steps-1:
		return b * cfg.Units
	}
	return -1
}

// TestMaskedUnrollModes checks, on the masked table, that both unroll modes
// give the same final states (to 1e-12); that their outputs differ only as
// Keras 2.2.4's do: before a sample's first real step unroll=true outputs
// zeros (exactly) and unroll=false the carried initial h, and elsewhere
// the same; and that with loss weights zero at those outputs both give the
// same gradients (1e-12).
func TestMaskedUnrollModes(t *testing.T) {
	const tol = 1e-12
	for i, c := range maskGradCases {
		c, seed := c, uint64(1500+i)
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var outs [2]*Outputs
			var grads [2]*Grads
			var s *lossSetup
			for m, unroll := range []bool{true, false} {
				s = c.setup(t, unroll, seed)
				cfg := s.l.Settings()
				seen := seenMask(s.mask, cfg.GoBackwards)
				w := s.w.Output.Data().([]float64)
				for b := 0; b < c.batch; b++ {
					for k := 0; k < c.steps; k++ {
						if at := outputIndex(cfg, b, k, c.steps); at >= 0 && !seen[b][k] {
							clear(w[at : at+c.units])
						}
					}
				}
				outs[m], grads[m] = s.callVJP(t)
			}
			if err := sameTensor(outs[0].H, outs[1].H, tol); err != nil {
				t.Errorf("h_T, unroll=true vs false: %v", err)
			}
			if err := sameTensor(outs[0].C, outs[1].C, tol); err != nil {
				t.Errorf("c_T, unroll=true vs false: %v", err)
			}
			cfg := s.l.Settings()
			seen := seenMask(s.mask, cfg.GoBackwards)
			h0 := make([]float64, c.batch*c.units)
			if s.state != nil {
				h0 = graph.Float64s(s.state.H)
			}
			yt, yf := graph.Float64s(outs[0].Output), graph.Float64s(outs[1].Output)
			for b := 0; b < c.batch; b++ {
				for k := 0; k < c.steps; k++ {
					at := outputIndex(cfg, b, k, c.steps)
					if at < 0 {
						continue
					}
					for j := 0; j < c.units; j++ {
						want := yt[at+j] // where a real step has been seen
						if !seen[b][k] {
							if yt[at+j] != 0 {
								t.Errorf("unroll=true output (sample %d, step %d, unit %d) = %.17g before any real step, want 0", b, k, j, yt[at+j])
							}
							want = h0[b*c.units+j]
						}
						if d := yf[at+j] - want; d > tol || d < -tol {
							t.Errorf("unroll=false output (sample %d, step %d, unit %d) = %.17g, want %.17g", b, k, j, yf[at+j], want)
						}
					}
				}
			}
			if err := sameGrads(grads[1], grads[0], tol); err != nil {
				t.Errorf("unroll=false vs true: %v", err)
			}
		})
	}
}

// TestPaddedBatchEqualsAlone pads samples of lengths 4, 2, 3 and 1 to 4
// steps (post- and pre-padding, forwards and go_backwards, both
// implementations and unroll modes; padded steps hold large random values)
// and checks that each sample gets, to 1e-12, the numbers of that sample
// run alone at its true length: the final states, the output at every
// real step, the last output, and, for a loss on the final states, the
// input gradient at real steps (zero at padded ones), the initial-state
// gradient, and weight gradients that sum those of the samples alone. At a
// padded step the output is the previous real step's output (zeros before
// the first), in both modes: the initial state is zero.
func TestPaddedBatchEqualsAlone(t *testing.T) {
	const tol, units, in, steps = 1e-12, 3, 2, 4
	lengths := []int{4, 2, 3, 1}
	batch := len(lengths)
	for _, padding := range []string{"post", "pre"} {
		for _, backwards := range []bool{false, true} {
			for _, impl := range []int{1, 2} {
				for _, unroll := range []bool{true, false} {
					padding, backwards, impl, unroll := padding, backwards, impl, unroll
					t.Run(fmt.Sprintf("%s/go_backwards=%t/impl%d/unroll=%t", padding, backwards, impl, unroll), func(t *testing.T) {
						t.Parallel()
						rng := graph.NewRNG(77)
						cfg := Default(units)
						cfg.ReturnSequences, cfg.ReturnState, cfg.GoBackwards, cfg.Implementation, cfg.Unroll = true, true, backwards, impl, unroll
						l := mustNew(t, cfg)
						setRandomWeights(t, l, rng, in, 0.7)
						alone := mustNew(t, cfg)
						if err := alone.SetWeights(l.Weights()...); err != nil {
							t.Fatal(err)
						}
						x := randDense(rng, 5, batch, steps, in) // padded steps keep these values
						mask := make([]int32, batch*steps)
						offset := make([]int, batch) // input step of a sample's first real step
						xs := make([]*tensor.Dense, batch)
						for b, n := range lengths {
							if padding == "pre" {
								offset[b] = steps - n
							}
							xs[b] = randDense(rng, 1, 1, n, in)
							for k := 0; k < n; k++ {
								mask[b*steps+offset[b]+k] = 1
								copy(x.Data().([]float64)[(b*steps+offset[b]+k)*in:], xs[b].Data().([]float64)[k*in:(k+1)*in])
							}
						}
						dH, dC := randDense(rng, 1, batch, units), randDense(rng, 1, batch, units)
						out, err := l.Call(x, CallOptions{Training: true, Mask: tensor.New(tensor.WithShape(batch, steps), tensor.WithBacking(mask))})
						if err != nil {
							t.Fatal(err)
						}
						g, err := l.VJP(Outputs{H: dH, C: dC})
						if err != nil {
							t.Fatal(err)
						}
						sumW := make([][]float64, 3)
						y := graph.Float64s(out.Output)
						for b, n := range lengths {
							ao, err := alone.Call(xs[b], CallOptions{Training: true})
							if err != nil {
								t.Fatal(err)
							}
							ag, err := alone.VJP(Outputs{H: rowOf(dH, b), C: rowOf(dC, b)})
							if err != nil {
								t.Fatal(err)
							}
							for _, c := range []struct {
								name      string
								got, want []float64
							}{
								{"h_T", graph.Float64s(rowOf(out.H, b)), graph.Float64s(ao.H)},
								{"c_T", graph.Float64s(rowOf(out.C, b)), graph.Float64s(ao.C)},
								{"last output", y[((b+1)*steps-1)*units : (b+1)*steps*units], graph.Float64s(ao.H)},
								{"initial_h gradient", graph.Float64s(rowOf(g.InitialH, b)), graph.Float64s(ag.InitialH)},
								{"initial_c gradient", graph.Float64s(rowOf(g.InitialC, b)), graph.Float64s(ag.InitialC)},
							} {
								if err := closeTo(asTensor(c.got), asFixture(asTensor(c.want)), tol); err != nil {
									t.Errorf("sample %d: %s: %v", b, c.name, err)
								}
							}
							// Outputs and input gradients, step by step.
							ay, adx, dx := graph.Float64s(ao.Output), graph.Float64s(ag.Input), graph.Float64s(g.Input)
							prev := make([]float64, units) // output of the last real step processed
							for k := 0; k < steps; k++ {
								ti := l.timeIndex(k, steps)
								got := y[(b*steps+k)*units : (b*steps+k+1)*units]
								want := prev
								if ai := ti - offset[b]; ai >= 0 && ai < n {
									ak := alone.timeIndex(ai, n) // the alone run's processing step
									want = ay[ak*units : (ak+1)*units]
									prev = want
									if err := closeTo(asTensor(dx[(b*steps+ti)*in:(b*steps+ti+1)*in]), asFixture(asTensor(adx[ai*in:(ai+1)*in])), tol); err != nil {
										t.Errorf("sample %d, input step %d: input gradient: %v", b, ti, err)
									}
								} else {
									for j, v := range dx[(b*steps+ti)*in : (b*steps+ti+1)*in] {
										if v != 0 {
											t.Errorf("sample %d, padded input step %d: input gradient[%d] = %g, want 0", b, ti, j, v)
										}
									}
								}
								if err := closeTo(asTensor(got), asFixture(asTensor(want)), tol); err != nil {
									t.Errorf("sample %d, processing step %d: output: %v", b, k, err)
								}
							}
							for i, w := range []*tensor.Dense{ag.Kernel, ag.RecurrentKernel, ag.Bias} {
								v := graph.Float64s(w)
								if sumW[i] == nil {
									sumW[i] = make([]float64, len(v))
								}
								for j := range v {
									sumW[i][j] += v[j]
								}
							}
						}
						for i, w := range []*tensor.Dense{g.Kernel, g.RecurrentKernel, g.Bias} {
							if err := closeTo(w, asFixture(graph.NewTensor(tensor.Float64, w.Shape(), sumW[i])), tol); err != nil {
								t.Errorf("weight gradient %d vs the sum over samples alone: %v", i, err)
							}
						}
					})
				}
			}
		}
	}
}

// rowOf copies row b of a matrix as a (1, cols) matrix.
func rowOf(m *tensor.Dense, b int) *tensor.Dense {
	c := m.Shape()[1]
	return graph.NewTensor(m.Dtype(), []int{1, c}, graph.Float64s(m)[b*c:(b+1)*c])
}

// asTensor wraps values as a float64 vector.
func asTensor(v []float64) *tensor.Dense {
	return graph.NewTensor(tensor.Float64, []int{len(v)}, v)
}

// TestStatefulMask runs a stateful layer on a masked batch in two calls
// of 3 steps and compares with one call on all 6 steps (to 1e-12): the
// carried states, and the outputs. Samples 0-2 have a real first step in
// each chunk, so both modes match the full run; sample 3 is padded for the
// whole second chunk: unroll=false outputs its carried h there, as the
// full run, while unroll=true outputs zeros, as Keras 2.2.4, whose
// unrolled loop starts each call without a previous output.
func TestStatefulMask(t *testing.T) {
	const tol, units, in, steps, split = 1e-12, 3, 2, 6, 3
	mask := tensor.New(tensor.WithShape(4, steps), tensor.WithBacking([]uint8{
		1, 1, 1, 1, 1, 1,
		1, 0, 1, 1, 0, 0,
		1, 1, 0, 1, 1, 0,
		1, 1, 0, 0, 0, 0,
	}))
	for _, unroll := range []bool{true, false} {
		unroll := unroll
		t.Run(fmt.Sprintf("unroll=%t", unroll), func(t *testing.T) {
			t.Parallel()
			rng := graph.NewRNG(5)
			cfg := Default(units)
			cfg.ReturnSequences, cfg.ReturnState, cfg.Unroll = true, true, unroll
			full := mustNew(t, cfg)
			setRandomWeights(t, full, rng, in, 0.7)
			x := randDense(rng, 1, 4, steps, in)
			want, err := full.Call(x, CallOptions{Mask: mask})
			if err != nil {
				t.Fatal(err)
			}
			cfg.Stateful = true
			s := mustNew(t, cfg)
			if err := s.SetWeights(full.Weights()...); err != nil {
				t.Fatal(err)
			}
			var parts []*tensor.Dense
			var last *Outputs
			for _, r := range [][2]int{{0, split}, {split, steps}} {
				m, err := mask.Slice(nil, tensor.S(r[0], r[1])) // a view
				if err != nil {
					t.Fatal(err)
				}
				if last, err = s.Call(timeSlice(x, r[0], r[1]), CallOptions{Mask: m.(*tensor.Dense)}); err != nil {
					t.Fatal(err)
				}
				parts = append(parts, last.Output)
			}
			if err := sameTensor(last.H, want.H, tol); err != nil {
				t.Errorf("h_T: %v", err)
			}
			if err := sameTensor(last.C, want.C, tol); err != nil {
				t.Errorf("c_T: %v", err)
			}
			if err := sameTensor(s.States().H, want.H, tol); err != nil {
				t.Errorf("carried h: %v", err)
			}
			wantSeq := want.Output.Clone().(*tensor.Dense)
			if unroll {
				for k := split; k < steps; k++ {
					for j := 0; j < units; j++ {
						if err := wantSeq.SetAt(0.0, 3, k, j); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			if err := sameTensor(concatTime(parts...), wantSeq, tol); err != nil {
				t.Errorf("chunked outputs: %v", err)
			}
		})
	}
}
