package optim

import (
	"math"
	"slices"
	"testing"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// trajectoryCases pair an optimizer with the reference configured alike.
var trajectoryCases = []struct {
	name string
	opt  func() Optimizer
	ref  refOpt
}{
	{"sgd default", func() Optimizer { return NewSGD() }, refOpt{kind: "sgd", lr: 0.01}},
	{"sgd momentum decay", func() Optimizer { o := NewSGD(); o.LR, o.Momentum, o.Decay = 0.1, 0.9, 0.1; return o },
		refOpt{kind: "sgd", lr: 0.1, mom: 0.9, decay: 0.1}},
	{"sgd nesterov clipnorm", func() Optimizer {
		o := NewSGD()
		o.LR, o.Momentum, o.Nesterov, o.ClipNorm = 0.2, 0.5, true, 1
		return o
	}, refOpt{kind: "sgd", lr: 0.2, mom: 0.5, nesterov: true, clipnorm: 1}},
	{"rmsprop default", func() Optimizer { return NewRMSprop() }, refOpt{kind: "rmsprop", lr: 0.001, rho: 0.9, eps: 1e-7}},
	{"rmsprop decay clipvalue", func() Optimizer {
		o := NewRMSprop()
		o.LR, o.Rho, o.Decay, o.ClipValue = 0.05, 0.8, 0.05, 0.3
		return o
	}, refOpt{kind: "rmsprop", lr: 0.05, rho: 0.8, decay: 0.05, eps: 1e-7, clipvalue: 0.3}},
	{"adagrad default", func() Optimizer { return NewAdagrad() }, refOpt{kind: "adagrad", lr: 0.01, eps: 1e-7}},
	{"adagrad clipnorm clipvalue", func() Optimizer {
		o := NewAdagrad()
		o.LR, o.ClipNorm, o.ClipValue, o.Decay = 0.3, 0.5, 0.2, 0.3
		return o
	}, refOpt{kind: "adagrad", lr: 0.3, eps: 1e-7, clipnorm: 0.5, clipvalue: 0.2, decay: 0.3}},
	{"adadelta default", func() Optimizer { return NewAdadelta() }, refOpt{kind: "adadelta", lr: 1, rho: 0.95, eps: 1e-7}},
	{"adadelta decay clipvalue", func() Optimizer {
		o := NewAdadelta()
		o.Rho, o.Decay, o.ClipValue, o.Epsilon = 0.9, 0.2, 0.5, 1e-3
		return o
	}, refOpt{kind: "adadelta", lr: 1, rho: 0.9, eps: 1e-3, decay: 0.2, clipvalue: 0.5}},
	{"adam default", func() Optimizer { return NewAdam() }, refOpt{kind: "adam", lr: 0.001, b1: 0.9, b2: 0.999, eps: 1e-7}},
	{"adam amsgrad decay clipnorm", func() Optimizer {
		o := NewAdam()
		o.LR, o.AMSGrad, o.Decay, o.ClipNorm, o.Beta1, o.Beta2 = 0.1, true, 0.01, 2, 0.8, 0.9
		return o
	}, refOpt{kind: "adam", lr: 0.1, b1: 0.8, b2: 0.9, eps: 1e-7, ams: true, decay: 0.01, clipnorm: 2}},
	{"adamax default", func() Optimizer { return NewAdamax() }, refOpt{kind: "adamax", lr: 0.002, b1: 0.9, b2: 0.999, eps: 1e-7}},
	{"adamax clipvalue decay", func() Optimizer {
		o := NewAdamax()
		o.LR, o.ClipValue, o.Decay, o.Beta2 = 0.1, 0.4, 0.5, 0.5
		return o
	}, refOpt{kind: "adamax", lr: 0.1, b1: 0.9, b2: 0.5, eps: 1e-7, clipvalue: 0.4, decay: 0.5}},
	{"nadam default", func() Optimizer { return NewNadam() }, refOpt{kind: "nadam", lr: 0.002, b1: 0.9, b2: 0.999, eps: 1e-7, sd: 0.004}},
	{"nadam clipnorm schedule", func() Optimizer {
		o := NewNadam()
		o.LR, o.ClipNorm, o.ScheduleDecay = 0.1, 1.5, 0.05
		return o
	}, refOpt{kind: "nadam", lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-7, sd: 0.05, clipnorm: 1.5}},
}

// TestTrajectory runs each optimizer for several steps on the quadratic
// problem, params shuffled before every step, and compares every value
// with the reference after every step: tol 1e-12 in float64; in float32,
// where the reference rounds what is stored to float32 the same way,
// tol 1e-6 (float32 rounding of the stored values is about 6e-8).
func TestTrajectory(t *testing.T) {
	const steps = 7
	for _, dt := range []struct {
		dt  tensor.Dtype
		tol float64
	}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-6}} {
		for _, c := range trajectoryCases {
			pr := newProblem()
			ref := c.ref
			want := pr.refRun(&ref, steps, dt.dt == tensor.Float32)
			o := c.opt()
			ps := pr.params(dt.dt)
			rng := graph.NewRNG(7)
			clamped := false
			for s := 0; s < steps; s++ {
				pr.setGrads(ps)
				gradBefore := graph.Float64s(ps[2].Grad)
				if err := o.Step(shuffled(ps, rng)); err != nil {
					t.Fatalf("%v %s: step %d: %v", dt.dt, c.name, s, err)
				}
				if got := graph.Float64s(ps[2].Grad); !slices.Equal(got, gradBefore) {
					t.Errorf("%v %s: Step changed Grad", dt.dt, c.name)
				}
				var got []float64
				for _, p := range ps {
					got = append(got, graph.Float64s(p.Value)...)
				}
				for i := range got {
					if d := math.Abs(got[i] - want[s][i]); d > dt.tol*math.Max(1, math.Abs(want[s][i])) {
						t.Errorf("%v %s: step %d value %d = %.17g, want %.17g (diff %.3g)",
							dt.dt, c.name, s, i, got[i], want[s][i], d)
					}
				}
				k := graph.Float64s(ps[1].Value)
				clamped = clamped || (k[0] == 1 && k[1] == -1)
			}
			if !clamped {
				t.Errorf("%v %s: the constraint never bound", dt.dt, c.name)
			}
			if st := o.State(); st.Iterations != steps {
				t.Errorf("%v %s: iterations = %d, want %d", dt.dt, c.name, st.Iterations, steps)
			}
		}
	}
}
