package optim

import (
	"math"
	"math/rand/v2"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// refOpt is an independent transcription of the Keras 2.2.4 update rules
// (keras/optimizers.py) over one flat vector holding every param, in plain
// float64 loops.
type refOpt struct {
	kind                     string
	lr, mom, decay, rho, eps float64
	b1, b2, sd               float64
	nesterov, ams            bool
	clipnorm, clipvalue      float64
	it                       int
	s1, s2, s3               []float64
	sched                    float64
}

func (r *refOpt) step(p, gIn []float64) {
	n := len(p)
	if r.s1 == nil {
		r.s1, r.s2, r.s3, r.sched = make([]float64, n), make([]float64, n), make([]float64, n), 1
	}
	g := append([]float64(nil), gIn...)
	if r.clipnorm > 0 {
		ss := 0.0
		for _, x := range g {
			ss += x * x
		}
		if norm := math.Sqrt(ss); norm >= r.clipnorm {
			for i := range g {
				g[i] = g[i] * r.clipnorm / norm
			}
		}
	}
	if r.clipvalue > 0 {
		for i := range g {
			if g[i] > r.clipvalue {
				g[i] = r.clipvalue
			} else if g[i] < -r.clipvalue {
				g[i] = -r.clipvalue
			}
		}
	}
	lr := r.lr
	if r.decay > 0 {
		lr = r.lr / (1 + r.decay*float64(r.it))
	}
	t := float64(r.it + 1)
	switch r.kind {
	case "sgd":
		for i := range p {
			v := r.mom*r.s1[i] - lr*g[i]
			r.s1[i] = v
			if r.nesterov {
				p[i] += r.mom*v - lr*g[i]
			} else {
				p[i] += v
			}
		}
	case "rmsprop":
		for i := range p {
			r.s1[i] = r.rho*r.s1[i] + (1-r.rho)*g[i]*g[i]
			p[i] -= lr * g[i] / (math.Sqrt(r.s1[i]) + r.eps)
		}
	case "adagrad":
		for i := range p {
			r.s1[i] += g[i] * g[i]
			p[i] -= lr * g[i] / (math.Sqrt(r.s1[i]) + r.eps)
		}
	case "adadelta":
		for i := range p {
			r.s1[i] = r.rho*r.s1[i] + (1-r.rho)*g[i]*g[i]
			upd := g[i] * math.Sqrt(r.s2[i]+r.eps) / math.Sqrt(r.s1[i]+r.eps)
			p[i] -= lr * upd
			r.s2[i] = r.rho*r.s2[i] + (1-r.rho)*upd*upd
		}
	case "adam":
		lrt := lr * math.Sqrt(1-math.Pow(r.b2, t)) / (1 - math.Pow(r.b1, t))
		for i := range p {
			r.s1[i] = r.b1*r.s1[i] + (1-r.b1)*g[i]
			r.s2[i] = r.b2*r.s2[i] + (1-r.b2)*g[i]*g[i]
			den := r.s2[i]
			if r.ams {
				r.s3[i] = math.Max(r.s3[i], r.s2[i])
				den = r.s3[i]
			}
			p[i] -= lrt * r.s1[i] / (math.Sqrt(den) + r.eps)
		}
	case "adamax":
		lrt := lr / (1 - math.Pow(r.b1, t))
		for i := range p {
			r.s1[i] = r.b1*r.s1[i] + (1-r.b1)*g[i]
			r.s2[i] = math.Max(r.b2*r.s2[i], math.Abs(g[i]))
			p[i] -= lrt * r.s1[i] / (r.s2[i] + r.eps)
		}
	case "nadam":
		mt := r.b1 * (1 - 0.5*math.Pow(0.96, t*r.sd))
		mt1 := r.b1 * (1 - 0.5*math.Pow(0.96, (t+1)*r.sd))
		r.sched *= mt
		next := r.sched * mt1
		for i := range p {
			r.s1[i] = r.b1*r.s1[i] + (1-r.b1)*g[i]
			r.s2[i] = r.b2*r.s2[i] + (1-r.b2)*g[i]*g[i]
			mbar := (1-mt)*g[i]/(1-r.sched) + mt1*r.s1[i]/(1-next)
			vhat := r.s2[i] / (1 - math.Pow(r.b2, t))
			p[i] -= r.lr * mbar / (math.Sqrt(vhat) + r.eps)
		}
	default:
		panic(r.kind)
	}
	r.it++
}

// clampUnit is a test constraint: clip every element to [-1, 1].
type clampUnit struct{}

func (clampUnit) Apply(w *tensor.Dense) error {
	switch d := w.Data().(type) {
	case []float64:
		for i, v := range d {
			d[i] = math.Max(-1, math.Min(1, v))
		}
	case []float32:
		for i, v := range d {
			d[i] = float32(math.Max(-1, math.Min(1, float64(v))))
		}
	}
	return nil
}

func (clampUnit) Spec() graph.Spec { return graph.Spec{Name: "clamp_unit"} }

// problem is a small quadratic: loss = Σ ½·c_i·(p_i − target_i)², so
// g_i = c_i·(p_i − target_i), over three params in name order. The kernel
// carries clampUnit and starts at ±1 with targets outside [-1, 1], so the
// constraint binds.
type problem struct {
	names  []string
	shapes [][]int
	init   [][]float64
	target []float64
	coef   []float64
	constr []bool
}

func newProblem() problem {
	pr := problem{
		names:  []string{"dense/bias", "dense/kernel", "lstm/u"},
		shapes: [][]int{{3}, {2, 3}, {2, 2, 2}},
		init: [][]float64{{0.1, -0.4, 0.25}, {1, -1, 0.5, 0.999, -0.2, 0.3},
			{0.7, -0.3, 0.05, 1.5, -2, 0.6, 0.2, -0.9}},
		constr: []bool{false, true, false},
	}
	targets := [][]float64{{0.5, 0.2, -1}, {3, -3, 0, 2, 1, -1}, {-0.2, 0.4, 0.3, -1, 1, 0.1, -0.5, 0.8}}
	for _, t := range targets {
		pr.target = append(pr.target, t...)
	}
	for i := range pr.target {
		pr.coef = append(pr.coef, 0.5+float64(i%5)*0.45)
	}
	return pr
}

// params builds the params in dtype dt.
func (pr problem) params(dt tensor.Dtype) []*graph.Param {
	ps := make([]*graph.Param, len(pr.names))
	for k, name := range pr.names {
		ps[k] = &graph.Param{Name: name, Value: graph.NewTensor(dt, pr.shapes[k], pr.init[k]),
			Grad: graph.NewTensor(dt, pr.shapes[k], nil)}
		if pr.constr[k] {
			ps[k].Constraint = clampUnit{}
		}
	}
	return ps
}

// setGrads writes the gradient at the params' current values into Grad.
func (pr problem) setGrads(ps []*graph.Param) {
	off := 0
	for _, p := range ps {
		v := graph.Float64s(p.Value)
		g := make([]float64, len(v))
		for i := range v {
			g[i] = pr.coef[off+i] * (v[i] - pr.target[off+i])
		}
		writeFlat(p.Grad, g)
		off += len(v)
	}
}

// refRun returns the reference flat values after each of steps steps; with
// round32 the values are rounded to float32 where the float32 run stores
// them (params and their gradients).
func (pr problem) refRun(r *refOpt, steps int, round32 bool) [][]float64 {
	var p []float64
	for _, v := range pr.init {
		p = append(p, v...)
	}
	rnd := func(x []float64) {
		if round32 {
			for i := range x {
				x[i] = float64(float32(x[i]))
			}
		}
	}
	rnd(p)
	var out [][]float64
	for s := 0; s < steps; s++ {
		g := make([]float64, len(p))
		for i := range p {
			g[i] = pr.coef[i] * (p[i] - pr.target[i])
		}
		rnd(g)
		r.step(p, g)
		rnd(p)
		off := 0
		for k, sh := range pr.shapes {
			n := 1
			for _, d := range sh {
				n *= d
			}
			if pr.constr[k] {
				for i := off; i < off+n; i++ {
					p[i] = math.Max(-1, math.Min(1, p[i]))
				}
			}
			off += n
		}
		out = append(out, append([]float64(nil), p...))
	}
	return out
}

// shuffled returns ps in a random order drawn from rng.
func shuffled(ps []*graph.Param, rng *rand.Rand) []*graph.Param {
	out := append([]*graph.Param(nil), ps...)
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// writeFlat writes v into t, converting to t's dtype.
func writeFlat(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	}
}
