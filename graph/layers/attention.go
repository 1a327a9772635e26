package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// AttentionConfig configures an Attention or an AdditiveAttention layer
// with the arguments of tf.keras 2.x (≥ 2.10) and Keras 3; Keras 2.2.4 has
// neither class. UseCausalMask and ReturnAttentionScores are arguments of
// the layer's call in Keras; here they belong to the layer (every
// application of it uses them), and graph/keras reads and writes them in
// the call's inbound-node kwargs.
type AttentionConfig struct {
	// Name is the layer's name; empty gives "attention_<n>" or
	// "additive_attention_<n>".
	Name string `json:"name,omitempty"`
	// UseScale adds the trainable weight "scale": a scalar for Attention
	// (initialized to 1), a vector of the query's feature size for
	// AdditiveAttention (glorot_uniform). Attention's default is false,
	// AdditiveAttention's true (AdditiveAttentionDefaults).
	UseScale bool `json:"use_scale"`
	// ScoreMode is Attention's score function, "dot" (the default; empty
	// means "dot") or "concat" (which adds the scalar weight
	// "concat_score_weight", initialized to 1). AdditiveAttention has no
	// score_mode: it must be empty.
	ScoreMode string `json:"score_mode,omitempty"`
	// Dropout is the fraction of the attention distribution's entries
	// dropped in training, in [0, 1).
	Dropout float64 `json:"dropout"`
	// Causal is tf.keras ≤ 2.9's constructor argument (deprecated in
	// 2.10, gone in Keras 3): the same as UseCausalMask.
	Causal bool `json:"causal,omitempty"`
	// UseCausalMask stops query step i from attending to value steps
	// j > i (Keras' call argument use_causal_mask).
	UseCausalMask bool `json:"use_causal_mask,omitempty"`
	// ReturnAttentionScores adds a second output, the attention
	// distribution (after masking, softmax and dropout), of shape
	// (batch, Tq, Tv) (Keras' call argument return_attention_scores).
	ReturnAttentionScores bool `json:"return_attention_scores,omitempty"`
	// Seed seeds AdditiveAttention's scale initializer (NewRNG(Seed)) and
	// the dropout masks (NewPCG(Seed), one draw per entry of the
	// distribution, row-major).
	Seed uint64 `json:"seed"`
}

// AdditiveAttentionDefaults returns AdditiveAttention()'s defaults:
// use_scale true, dropout 0.
func AdditiveAttentionDefaults() AttentionConfig { return AttentionConfig{UseScale: true} }

// Attention is Keras' dot-product (Luong) attention layer, Attention, and
// its additive (Bahdanau) attention layer, AdditiveAttention, as tf.keras
// 2.x's keras/layers/attention (base_dense_attention.py, attention.py,
// additive_attention.py) and Keras 3's keras/src/layers/attention compute
// them. The inputs are [query, value] or [query, value, key], of shapes
// (batch, Tq, d), (batch, Tv, dv) and (batch, Tv, d); the key is the
// value when left out. The scores, of shape (batch, Tq, Tv), are
//
//	Attention, score_mode "dot":     S[i, j] = s · Σ_d q[i, d]·k[j, d]
//	Attention, score_mode "concat":  S[i, j] = c · Σ_d tanh(s·(q[i, d] + k[j, d]))
//	AdditiveAttention:               S[i, j] = Σ_d a[d]·tanh(q[i, d] + k[j, d])
//
// with s the scalar weight scale (1 without use_scale), c the scalar
// concat_score_weight, and a the vector weight scale (1 without
// use_scale). Then
//
//	S'[i, j] = S[i, j] − 1e9·(1 − M[i, j]),  P = softmax_j(S'),  P̃ = dropout(P)
//	out[i, :] = qmask[i] · Σ_j P̃[i, j]·v[j, :]
//
// where M[i, j] is true when value step j is not masked (the value's mask,
// Keras' mask[1]) and, with UseCausalMask or Causal, j ≤ i; qmask is the
// query's mask (Keras' mask[0]), 1 without one. The key's mask is not
// used, as in Keras. Dropout (training only) keeps each entry of P with
// probability 1 − rate and scales it by 1/(1 − rate). With
// ReturnAttentionScores the second output is P̃. The output's mask is the
// query's (Keras' compute_mask returns mask[0]); the scores output has
// none.
//
// The arithmetic is plain Go in float64 for both dtypes, its Backward in
// closed form: with G = dout (times qmask) and E the scores output's
// gradient, dv[j] = Σ_i P̃[i, j]·G[i], dP̃[i, j] = G[i]·v[j] + E[i, j],
// dP = dP̃ ⊙ dropout scale, dS[i, j] = P[i, j]·(dP[i, j] − Σ_l P[i, l]·dP[i, l]),
// then through the score function (dq, dk, and the weights' gradients),
// checked against finite differences. A fully masked row of S' has all its
// scores shifted by the same 1e9 and gets softmax(S), as in float64
// TensorFlow (float32 TensorFlow rounds S − 1e9 to multiples of 64).
type Attention struct {
	cfg       AttentionConfig
	class     string // "Attention" or "AdditiveAttention"
	additive  bool
	concat    bool
	dt        tensor.Dtype
	inShapes  [][]int
	outShapes [][]int
	scale     *graph.Param
	cweight   *graph.Param
	src       *rand.PCG  // the dropout masks' stream (see RandomState)
	rng       *rand.Rand // draws from src
}

var attentionCount, additiveAttentionCount atomic.Int64

// NewAttention returns an unbuilt Attention layer (Luong-style
// dot-product attention). A score_mode other than "dot" or "concat", or a
// dropout outside [0, 1), is an error naming the layer and the argument.
func NewAttention(cfg AttentionConfig) (*Attention, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("attention_%d", attentionCount.Add(1))
	}
	if cfg.ScoreMode == "" {
		cfg.ScoreMode = "dot"
	}
	if cfg.ScoreMode != "dot" && cfg.ScoreMode != "concat" {
		return nil, fmt.Errorf("layers: Attention %s: score_mode %q: want \"dot\" or \"concat\"", cfg.Name, cfg.ScoreMode)
	}
	return newAttention("Attention", cfg)
}

// NewAdditiveAttention returns an unbuilt AdditiveAttention layer
// (Bahdanau-style attention); start from AdditiveAttentionDefaults. A
// score_mode (AdditiveAttention has none) or a dropout outside [0, 1) is
// an error naming the layer and the argument.
func NewAdditiveAttention(cfg AttentionConfig) (*Attention, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("additive_attention_%d", additiveAttentionCount.Add(1))
	}
	if cfg.ScoreMode != "" {
		return nil, fmt.Errorf("layers: AdditiveAttention %s: score_mode %q: AdditiveAttention has no score_mode (its scores are always Σ scale·tanh(query + key)); leave it empty", cfg.Name, cfg.ScoreMode)
	}
	return newAttention("AdditiveAttention", cfg)
}

func newAttention(class string, cfg AttentionConfig) (*Attention, error) {
	if !(cfg.Dropout >= 0 && cfg.Dropout < 1) {
		return nil, fmt.Errorf("layers: %s %s: dropout %v: want a value in [0, 1)", class, cfg.Name, cfg.Dropout)
	}
	a := &Attention{cfg: cfg, class: class, additive: class == "AdditiveAttention", concat: cfg.ScoreMode == "concat"}
	a.restart()
	return a, nil
}

func init() {
	register("Attention", AttentionConfig{}, func(cfg AttentionConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewAttention(cfg)
	})
	register("AdditiveAttention", AdditiveAttentionDefaults(), func(cfg AttentionConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewAdditiveAttention(cfg)
	})
}

// Name returns the layer's name.
func (a *Attention) Name() string { return a.cfg.Name }

// Type returns "Attention" or "AdditiveAttention".
func (a *Attention) Type() string { return a.class }

// Config returns the AttentionConfig as JSON.
func (a *Attention) Config() (json.RawMessage, error) { return json.Marshal(a.cfg) }

// Params returns scale (with use_scale) and concat_score_weight (score
// mode "concat"), "<name>/scale" and "<name>/concat_score_weight", in
// Keras' order; nil before Build or without weights. Attention's two
// weights, scalars (shape ()) in Keras, are tensors of shape (1) here (a
// shape-() tensor of gorgonia.org/tensor holds a number, not a slice);
// graph/keras reads and writes them as Keras' shape ().
func (a *Attention) Params() []*graph.Param {
	var ps []*graph.Param
	if a.scale != nil {
		ps = append(ps, a.scale)
	}
	if a.cweight != nil {
		ps = append(ps, a.cweight)
	}
	return ps
}

// OutputShapes are (Tq, dv) and, with ReturnAttentionScores, (Tq, Tv);
// nil before Build.
func (a *Attention) OutputShapes() [][]int {
	if a.outShapes == nil {
		return nil
	}
	return cloneShapes(a.outShapes)
}

// causal reports whether the causal mask applies.
func (a *Attention) causal() bool { return a.cfg.Causal || a.cfg.UseCausalMask }

// check checks the input shapes given to Build or ParamShapes and returns
// the output shapes and the query's feature size d.
func (a *Attention) check(in [][]int) ([][]int, int, error) {
	if len(in) != 2 && len(in) != 3 {
		return nil, 0, fmt.Errorf("layers: %s %s: %d inputs: want 2 or 3, [query, value] or [query, value, key]", a.class, a.cfg.Name, len(in))
	}
	names := []string{"query", "value", "key"}
	for i, s := range in {
		if len(s) != 2 {
			return nil, 0, fmt.Errorf("layers: %s %s: %s of shape %s: want (batch, steps, features)", a.class, a.cfg.Name, names[i], graph.FormatShape(s))
		}
		for _, d := range s {
			if d < 1 && d != graph.None {
				return nil, 0, fmt.Errorf("layers: %s %s: %s of shape %s: want sizes of 1 or more, or graph.None", a.class, a.cfg.Name, names[i], graph.FormatShape(s))
			}
		}
	}
	q, v := in[0], in[1]
	k := v
	if len(in) == 3 {
		k = in[2]
	}
	if q[1] != k[1] && q[1] != graph.None && k[1] != graph.None {
		return nil, 0, fmt.Errorf("layers: %s %s: query of shape %s and key of shape %s (the value when there are 2 inputs): want one feature size", a.class, a.cfg.Name, graph.FormatShape(q), graph.FormatShape(k))
	}
	if v[0] != k[0] && v[0] != graph.None && k[0] != graph.None {
		return nil, 0, fmt.Errorf("layers: %s %s: value of shape %s and key of shape %s: want one number of steps", a.class, a.cfg.Name, graph.FormatShape(v), graph.FormatShape(k))
	}
	d := q[1]
	if d == graph.None {
		d = k[1]
	}
	if a.additive && a.cfg.UseScale && d == graph.None {
		return nil, 0, fmt.Errorf("layers: AdditiveAttention %s: query of shape %s: use_scale needs a fixed feature size", a.cfg.Name, graph.FormatShape(q))
	}
	tv := v[0]
	if tv == graph.None {
		tv = k[0]
	}
	out := [][]int{{q[0], v[1]}}
	if a.cfg.ReturnAttentionScores {
		out = append(out, []int{q[0], tv})
	}
	return out, d, nil
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper).
func (a *Attention) ParamShapes(in [][]int) (map[string][]int, error) {
	_, d, err := a.check(in)
	if err != nil {
		return nil, err
	}
	shapes := map[string][]int{}
	if a.cfg.UseScale {
		if a.additive {
			shapes[a.cfg.Name+"/scale"] = []int{d}
		} else {
			shapes[a.cfg.Name+"/scale"] = []int{1}
		}
	}
	if a.concat {
		shapes[a.cfg.Name+"/concat_score_weight"] = []int{1}
	}
	return shapes, nil
}

// Build checks the inputs (2 or 3 of shape (steps, features) per sample;
// the query and key of one feature size, the value and key of one number
// of steps; graph.None matches any size) and creates the weights in dt:
// Attention's scalar scale and concat_score_weight set to 1,
// AdditiveAttention's scale of the query's feature size d drawn from
// glorot_uniform as tf.keras and Keras 3 draw a vector (fan_in = fan_out
// = d: uniform in ±sqrt(3/d)) from NewRNG(Seed). The dropout stream
// restarts from Seed.
func (a *Attention) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	out, d, err := a.check(in)
	if err != nil {
		return err
	}
	a.scale, a.cweight = nil, nil
	param := func(w string, shape []int, vals []float64) *graph.Param {
		return &graph.Param{Name: a.cfg.Name + "/" + w, Value: graph.NewTensor(dt, shape, vals), Grad: graph.NewTensor(dt, shape, nil)}
	}
	if a.cfg.UseScale {
		if a.additive {
			rng := graph.NewRNG(a.cfg.Seed)
			lim := math.Sqrt(3 / float64(d))
			v := make([]float64, d)
			for i := range v {
				v[i] = (rng.Float64()*2 - 1) * lim
			}
			a.scale = param("scale", []int{d}, v)
		} else {
			a.scale = param("scale", []int{1}, []float64{1})
		}
	}
	if a.concat {
		a.cweight = param("concat_score_weight", []int{1}, []float64{1})
	}
	a.dt, a.inShapes, a.outShapes = dt, cloneShapes(in), out
	a.restart()
	return nil
}

// restart starts the dropout stream from Seed.
func (a *Attention) restart() {
	a.src = graph.NewPCG(a.cfg.Seed)
	a.rng = rand.New(a.src)
}

// RandomState returns the state of the dropout stream (graph.RandomStream).
func (a *Attention) RandomState() ([]byte, error) { return graph.PCGStates(a.src) }

// SetRandomState restores the dropout stream from a RandomState.
func (a *Attention) SetRandomState(state []byte) error {
	if err := graph.SetPCGStates(state, a.src); err != nil {
		return fmt.Errorf("layers: %s %s: %w", a.class, a.cfg.Name, err)
	}
	return nil
}

// weight returns the single value of a scalar weight, 1 without it.
func weight(p *graph.Param) float64 {
	if p == nil {
		return 1
	}
	return graph.Float64s(p.Value)[0]
}

// Forward computes the attention; see Attention.
func (a *Attention) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if a.outShapes == nil {
		return nil, fmt.Errorf("layers: %s %s: Forward before Build", a.class, a.cfg.Name)
	}
	if len(in) != len(a.inShapes) {
		return nil, fmt.Errorf("layers: %s %s: %d inputs: built for %d", a.class, a.cfg.Name, len(in), len(a.inShapes))
	}
	if len(masks) > len(in) {
		return nil, fmt.Errorf("layers: %s %s: %d masks for %d inputs", a.class, a.cfg.Name, len(masks), len(in))
	}
	xs := make([]*tensor.Dense, len(in))
	for i, x := range in {
		if x == nil {
			return nil, fmt.Errorf("layers: %s %s: input %d is nil", a.class, a.cfg.Name, i)
		}
		xs[i] = graph.Contiguous(x)
		s := []int(xs[i].Shape())
		if xs[i].Dtype() != a.dt || len(s) != 3 || s[0] != xs[0].Shape()[0] || !graph.FitsShape(s, a.inShapes[i]) {
			return nil, fmt.Errorf("layers: %s %s: input %d %v of shape %v: want %v of shape %s with the batch size of the query", a.class, a.cfg.Name, i, xs[i].Dtype(), s, a.dt, graph.FormatShape(a.inShapes[i]))
		}
	}
	qx, vx := xs[0], xs[1]
	kx := vx
	if len(xs) == 3 {
		kx = xs[2]
	}
	B, Tq, D := qx.Shape()[0], qx.Shape()[1], qx.Shape()[2]
	Tv, Dv := vx.Shape()[1], vx.Shape()[2]
	if kx.Shape()[1] != Tv || kx.Shape()[2] != D {
		return nil, fmt.Errorf("layers: %s %s: query %v, value %v and key %v: want the query's and key's feature sizes equal and the value's and key's steps equal", a.class, a.cfg.Name, []int(qx.Shape()), []int(vx.Shape()), []int(kx.Shape()))
	}
	if a.scale != nil && a.additive && a.scale.Value.Shape()[0] != D {
		return nil, fmt.Errorf("layers: AdditiveAttention %s: query %v: built for %d features", a.cfg.Name, []int(qx.Shape()), a.scale.Value.Shape()[0])
	}
	var qm, vm []bool
	var err error
	if qm, err = maskOf(a.class, a.cfg.Name, masks, 0, qx); err != nil {
		return nil, err
	}
	if vm, err = maskOf(a.class, a.cfg.Name, masks, 1, vx); err != nil {
		return nil, err
	}
	q, v, k := graph.Float64s(qx), graph.Float64s(vx), graph.Float64s(kx)
	s, c := weight(a.scale), weight(a.cweight)
	var av []float64 // AdditiveAttention's scale vector
	if a.additive {
		av = make([]float64, D)
		for i := range av {
			av[i] = 1
		}
		if a.scale != nil {
			copy(av, graph.Float64s(a.scale.Value))
		}
	}
	// th holds tanh(·) per (b, i, j, d) for the tanh score functions.
	var th []float64
	if a.additive || a.concat {
		th = make([]float64, B*Tq*Tv*D)
	}
	scores := make([]float64, B*Tq*Tv)
	for b := range B {
		for i := range Tq {
			qi := q[(b*Tq+i)*D : (b*Tq+i+1)*D]
			for j := range Tv {
				kj := k[(b*Tv+j)*D : (b*Tv+j+1)*D]
				at := (b*Tq+i)*Tv + j
				sum := 0.0
				switch {
				case a.additive:
					t := th[at*D : (at+1)*D]
					for d := range D {
						t[d] = math.Tanh(qi[d] + kj[d])
						sum += av[d] * t[d]
					}
				case a.concat:
					t := th[at*D : (at+1)*D]
					for d := range D {
						t[d] = math.Tanh(s * (qi[d] + kj[d]))
						sum += t[d]
					}
					sum *= c
				default:
					for d := range D {
						sum += qi[d] * kj[d]
					}
					sum *= s
				}
				if (vm != nil && !vm[b*Tv+j]) || (a.causal() && j > i) {
					sum -= 1e9
				}
				scores[at] = sum
			}
		}
	}
	// P = softmax over j; keep is the dropout scale (nil without dropout).
	p := make([]float64, len(scores))
	for r := range B * Tq {
		row, pr := scores[r*Tv:(r+1)*Tv], p[r*Tv:(r+1)*Tv]
		m := math.Inf(-1)
		for _, x := range row {
			m = max(m, x)
		}
		z := 0.0
		for j, x := range row {
			pr[j] = math.Exp(x - m)
			z += pr[j]
		}
		for j := range pr {
			pr[j] /= z
		}
	}
	pt := p
	var keep []float64
	if training && a.cfg.Dropout > 0 {
		keep = make([]float64, len(p))
		pt = make([]float64, len(p))
		kp := 1 - a.cfg.Dropout
		for i := range keep {
			if a.rng.Float64() < kp {
				keep[i] = 1 / kp
			}
			pt[i] = p[i] * keep[i]
		}
	}
	out := make([]float64, B*Tq*Dv)
	for b := range B {
		for i := range Tq {
			r := b*Tq + i
			if qm != nil && !qm[r] {
				continue
			}
			o := out[r*Dv : (r+1)*Dv]
			for j := range Tv {
				w := pt[r*Tv+j]
				vj := v[(b*Tv+j)*Dv : (b*Tv+j+1)*Dv]
				for d := range Dv {
					o[d] += w * vj[d]
				}
			}
		}
	}
	outShape := []int{B, Tq, Dv}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(a.dt, outShape, out)}}
	if a.cfg.ReturnAttentionScores {
		pass.Outputs = append(pass.Outputs, graph.NewTensor(a.dt, []int{B, Tq, Tv}, pt))
	}
	if len(masks) > 0 && masks[0] != nil {
		pass.Masks = []*tensor.Dense{masks[0]}
	}
	if !training {
		return pass, nil
	}
	pass.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
		if len(dOut) != len(pass.Outputs) {
			return nil, fmt.Errorf("layers: %s %s: %d output gradients: want %d", a.class, a.cfg.Name, len(dOut), len(pass.Outputs))
		}
		g, err := outGrad(a.class, a.cfg.Name, dOut[:1], a.dt, outShape)
		if err != nil {
			return nil, err
		}
		gv := graph.Float64s(g)
		var ge []float64 // the scores output's gradient
		if len(dOut) == 2 && dOut[1] != nil {
			e, err := outGrad(a.class, a.cfg.Name, dOut[1:], a.dt, []int{B, Tq, Tv})
			if err != nil {
				return nil, err
			}
			ge = graph.Float64s(e)
		}
		dq, dv, dk := make([]float64, len(q)), make([]float64, len(v)), make([]float64, len(k))
		if len(xs) == 2 {
			dk = dv // the key is the value
		}
		var ds, dc float64
		dav := make([]float64, D)
		dp := make([]float64, Tv)
		for b := range B {
			for i := range Tq {
				r := b*Tq + i
				gi := gv[r*Dv : (r+1)*Dv]
				masked := qm != nil && !qm[r]
				for j := range Tv {
					x := 0.0
					if !masked {
						vj := v[(b*Tv+j)*Dv : (b*Tv+j+1)*Dv]
						dvj := dv[(b*Tv+j)*Dv : (b*Tv+j+1)*Dv]
						w := pt[r*Tv+j]
						for d := range Dv {
							x += gi[d] * vj[d]
							dvj[d] += w * gi[d]
						}
					}
					if ge != nil {
						x += ge[r*Tv+j]
					}
					if keep != nil {
						x *= keep[r*Tv+j]
					}
					dp[j] = x
				}
				pr := p[r*Tv : (r+1)*Tv]
				dot := 0.0
				for j := range Tv {
					dot += pr[j] * dp[j]
				}
				qi := q[r*D : (r+1)*D]
				dqi := dq[r*D : (r+1)*D]
				for j := range Tv {
					dS := pr[j] * (dp[j] - dot)
					if dS == 0 {
						continue
					}
					kj := k[(b*Tv+j)*D : (b*Tv+j+1)*D]
					dkj := dk[(b*Tv+j)*D : (b*Tv+j+1)*D]
					at := r*Tv + j
					switch {
					case a.additive:
						t := th[at*D : (at+1)*D]
						for d := range D {
							dav[d] += dS * t[d]
							du := dS * av[d] * (1 - t[d]*t[d])
							dqi[d] += du
							dkj[d] += du
						}
					case a.concat:
						t := th[at*D : (at+1)*D]
						for d := range D {
							dc += dS * t[d]
							du := dS * c * (1 - t[d]*t[d])
							dqi[d] += s * du
							dkj[d] += s * du
							ds += du * (qi[d] + kj[d])
						}
					default:
						qk := 0.0
						for d := range D {
							qk += qi[d] * kj[d]
							dqi[d] += s * dS * kj[d]
							dkj[d] += s * dS * qi[d]
						}
						ds += dS * qk
					}
				}
			}
		}
		addGrad := func(p *graph.Param, g []float64) {
			if p != nil {
				addFloat64s(p.Grad, g)
			}
		}
		if a.additive {
			addGrad(a.scale, dav)
		} else {
			addGrad(a.scale, []float64{ds})
			addGrad(a.cweight, []float64{dc})
		}
		grads := []*tensor.Dense{graph.NewTensor(a.dt, qx.Shape(), dq), graph.NewTensor(a.dt, vx.Shape(), dv)}
		if len(xs) == 3 {
			grads = append(grads, graph.NewTensor(a.dt, kx.Shape(), dk))
		}
		return grads, nil
	}
	return pass, nil
}
