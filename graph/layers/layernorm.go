package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// Axes is a set of axes counting the batch as axis 0, negative axes
// counting from the end (-1 is the last). In JSON it is a whole number or
// a list of them, as tf.keras and Keras 3 write LayerNormalization's axis
// (a number before building, a list after); one axis is written as a
// number, several as a list.
type Axes []int

// UnmarshalJSON reads a whole number or a list of whole numbers.
func (a *Axes) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	l, ok := v.([]any)
	if !ok {
		l = []any{v}
	}
	out := make(Axes, len(l))
	for i, e := range l {
		f, ok := e.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<20 {
			return fmt.Errorf("axis %s: want a whole number or a list of whole numbers", b)
		}
		out[i] = int(f)
	}
	*a = out
	return nil
}

// MarshalJSON writes one axis as a number, several as a list.
func (a Axes) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]int(a))
}

// LayerNormalizationConfig configures a LayerNormalization layer with the
// arguments of tf.keras 2.x and Keras 3 (Keras 2.2.4 has no such layer).
// Start from LayerNormalizationDefaults: the zero value has no axis and
// center and scale false.
type LayerNormalizationConfig struct {
	// Name is the layer's name; empty gives "layer_normalization_<n>".
	Name string `json:"name,omitempty"`
	// Axis lists the axes normalized over, per sample: the batch is axis
	// 0, which may not be among them; negative axes count from the end.
	// Default [-1], the last axis. Each must have a fixed size. The weights'
	// axes follow the input's order (Keras 3 sorts the axes; tf.keras
	// gives its weights the list's order but applies them in the input's):
	// NewLayerNormalization sorts a list of axes of one sign, and Build
	// replaces a list of both signs whose axes are not in the input's
	// order by the sorted positive axes, as Keras 3's build does.
	Axis Axes `json:"axis"`
	// Epsilon is added to the variance, ≥ 0 (default 1e-3).
	Epsilon float64 `json:"epsilon"`
	// Center adds beta; Scale multiplies by gamma (both default true).
	Center bool `json:"center"`
	Scale  bool `json:"scale"`
	// RMSScaling is Keras 3's rms_scaling (default false): the output is
	// x·γ/√(σ² + ε), with gamma whatever Scale says and no beta whatever
	// Center says (see LayerNormalization). tf.keras has not the argument.
	RMSScaling bool `json:"rms_scaling"`
	// The initializers of beta and gamma (defaults zeros and ones).
	BetaInitializer  graph.Spec `json:"beta_initializer"`
	GammaInitializer graph.Spec `json:"gamma_initializer"`
	// Regularizers and constraints of beta and gamma (nil: none).
	BetaRegularizer  *graph.Spec `json:"beta_regularizer,omitempty"`
	GammaRegularizer *graph.Spec `json:"gamma_regularizer,omitempty"`
	BetaConstraint   *graph.Spec `json:"beta_constraint,omitempty"`
	GammaConstraint  *graph.Spec `json:"gamma_constraint,omitempty"`
	// Seed seeds the initializers (NewRNG(Seed); gamma then beta).
	Seed uint64 `json:"seed"`
}

// LayerNormalizationDefaults returns tf.keras' LayerNormalization()
// defaults: axis -1, epsilon 1e-3, center and scale, no RMS scaling, beta
// zeros, gamma ones, no regularizers or constraints, seed 0.
func LayerNormalizationDefaults() LayerNormalizationConfig {
	return LayerNormalizationConfig{
		Axis:             Axes{-1},
		Epsilon:          1e-3,
		Center:           true,
		Scale:            true,
		BetaInitializer:  graph.Spec{Name: "zeros"},
		GammaInitializer: graph.Spec{Name: "ones"},
	}
}

// LayerNormalization is tf.keras' and Keras 3's layer normalization
// (Ba et al., 2016): each sample is normalized over the axes of Axis
// separately (for the default last axis of a (steps, features) input:
// each step of each sample over its features). With N the number of
// values of one group, μ = Σx/N and the biased variance σ² = Σ(x − μ)²/N
// over the group,
//
//	y = γ·(x − μ)/√(σ² + ε) + β
//
// (γ = 1 without Scale, β = 0 without Center); γ and β have the shape of
// the normalized axes (their sizes in increasing axis order) and are
// shared by every group. Its weights, in Keras' order, are gamma (with
// Scale) and beta (with Center), named "<name>/gamma" and "<name>/beta"
// (tf.keras' layer_normalization/gamma:0 and beta:0).
//
// tf.keras 2.x computes this with tf.nn.moments and
// tf.nn.batch_normalization, y = x·s + (β − μ·s) with s = γ/√(σ² + ε), or,
// for float32 with contiguous axes ending at the last and ε ≥ 1.001e-5,
// with TensorFlow's fused batch norm, (x − μ)/√(σ² + ε) then ·γ + β; Keras
// 3 computes x·s + (−μ·s + β). All are the same formula, differing in the
// rounding of float32 steps. Here the arithmetic is done in float64 for
// both dtypes and rounded once to the dtype, so float32 results agree with
// Keras' to float32 rounding (a few ulps), not bit for bit.
//
// With RMSScaling (Keras 3's deprecated rms_scaling) the output is
//
//	y = x·γ/√(σ² + ε)
//
// with σ² the biased variance as above (Keras 3's ops.var: Keras
// scales by the variance, not by the mean square Σx²/N, as its deprecation
// warning says), gamma always present and no beta.
//
// Backward gives, per group, with x̂ = (x − μ)/√(σ² + ε) and h = dy·γ,
//
//	dx = (h − mean(h) − x̂·mean(h·x̂))/√(σ² + ε),  dγ = Σ dy·x̂,  dβ = Σ dy
//
// (the means over the group, the sums over every group), and with
// RMSScaling, r = 1/√(σ² + ε),
//
//	dx = r·h − r³·(x − μ)·Σ(h·x)/N,  dγ = Σ dy·x·r.
//
// Masks pass through unchanged (supports_masking), and every value, masked
// or not, is normalized, as in Keras.
type LayerNormalization struct {
	cfg                 LayerNormalizationConfig
	gammaInit, betaInit graph.Initializer
	gammaReg, betaReg   graph.Regularizer
	gammaCon, betaCon   graph.Constraint
	dt                  tensor.Dtype
	inShape             []int
	axes                []int // the normalized axes, counting the batch, increasing
	gamma, beta         *graph.Param
}

var layerNormalizationCount atomic.Int64

// NewLayerNormalization returns an unbuilt LayerNormalization layer. An
// empty axis list, a negative or non-finite epsilon, or an unknown
// initializer, regularizer or constraint is an error naming the argument;
// the axes are checked against the input's rank by Build.
func NewLayerNormalization(cfg LayerNormalizationConfig) (*LayerNormalization, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("layer_normalization_%d", layerNormalizationCount.Add(1))
	}
	if cfg.BetaInitializer.Name == "" {
		cfg.BetaInitializer.Name = "zeros"
	}
	if cfg.GammaInitializer.Name == "" {
		cfg.GammaInitializer.Name = "ones"
	}
	name := cfg.Name
	if len(cfg.Axis) == 0 {
		return nil, fmt.Errorf("layers: LayerNormalization %s: axis []: want an axis or a list of axes (-1, the last, by default)", name)
	}
	cfg.Axis = slices.Clone(cfg.Axis)
	if slices.Min(cfg.Axis) >= 0 || slices.Max(cfg.Axis) < 0 {
		slices.Sort(cfg.Axis) // axes of one sign: the order of the weights' axes
	}
	if !(cfg.Epsilon >= 0) || math.IsInf(cfg.Epsilon, 1) {
		return nil, fmt.Errorf("layers: LayerNormalization %s: epsilon %v: want a finite number ≥ 0", name, cfg.Epsilon)
	}
	l := &LayerNormalization{cfg: cfg}
	if err := resolveWeightArgs("LayerNormalization", name,
		weightArgs{weight: "gamma", init: &cfg.GammaInitializer, reg: cfg.GammaRegularizer, con: cfg.GammaConstraint, initTo: &l.gammaInit, regTo: &l.gammaReg, conTo: &l.gammaCon},
		weightArgs{weight: "beta", init: &cfg.BetaInitializer, reg: cfg.BetaRegularizer, con: cfg.BetaConstraint, initTo: &l.betaInit, regTo: &l.betaReg, conTo: &l.betaCon}); err != nil {
		return nil, err
	}
	return l, nil
}

func init() {
	// Keys left out of a config take Keras' defaults.
	register("LayerNormalization", LayerNormalizationDefaults(), func(cfg LayerNormalizationConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewLayerNormalization(cfg)
	})
}

// Name returns the layer's name.
func (l *LayerNormalization) Name() string { return l.cfg.Name }

// Type returns "LayerNormalization".
func (l *LayerNormalization) Type() string { return "LayerNormalization" }

// Config returns the LayerNormalizationConfig as JSON.
func (l *LayerNormalization) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// hasGamma and hasBeta say which weights the layer has: gamma with Scale
// or RMSScaling, beta with Center and not RMSScaling, as Keras 3's build.
func (l *LayerNormalization) hasGamma() bool { return l.cfg.Scale || l.cfg.RMSScaling }
func (l *LayerNormalization) hasBeta() bool  { return l.cfg.Center && !l.cfg.RMSScaling }

// Params returns gamma and beta, those the layer has, in Keras' order;
// nil before Build.
func (l *LayerNormalization) Params() []*graph.Param {
	var ps []*graph.Param
	if l.gamma != nil {
		ps = append(ps, l.gamma)
	}
	if l.beta != nil {
		ps = append(ps, l.beta)
	}
	return ps
}

// normAxes checks the input shapes given to Build and returns the
// normalized axes (counting the batch, increasing) and the weights' shape.
func (l *LayerNormalization) normAxes(in [][]int) ([]int, []int, error) {
	if len(in) != 1 || len(in[0]) < 1 {
		return nil, nil, fmt.Errorf("layers: LayerNormalization %s: inputs of shape %s: want one input with at least one axis besides the batch", l.cfg.Name, formatShapes(in))
	}
	s := in[0]
	for _, d := range s {
		if d < 1 && d != graph.None {
			return nil, nil, fmt.Errorf("layers: LayerNormalization %s: input shape %s: want positive dimensions (or graph.None)", l.cfg.Name, graph.FormatShape(s))
		}
	}
	rank := len(s) + 1
	axes := make([]int, len(l.cfg.Axis))
	for i, a := range l.cfg.Axis {
		if a < 0 {
			a += rank
		}
		if a < 1 || a >= rank {
			return nil, nil, fmt.Errorf("layers: LayerNormalization %s: axis %v for input shape %s: want axes from 1 to %d, or -1 to %d (axis 0 is the batch: each sample is normalized by itself)", l.cfg.Name, []int(l.cfg.Axis), graph.FormatShape(s), rank-1, 1-rank)
		}
		if slices.Contains(axes[:i], a) {
			return nil, nil, fmt.Errorf("layers: LayerNormalization %s: axis %v for input shape %s: axis %d twice", l.cfg.Name, []int(l.cfg.Axis), graph.FormatShape(s), a)
		}
		axes[i] = a
	}
	slices.Sort(axes)
	shape := make([]int, len(axes))
	for i, a := range axes {
		if s[a-1] == graph.None {
			return nil, nil, fmt.Errorf("layers: LayerNormalization %s: axis %d of input shape %s is None: the normalized axes need a fixed size (gamma and beta have their shape), as in Keras", l.cfg.Name, a, graph.FormatShape(s))
		}
		shape[i] = s[a-1]
	}
	return axes, shape, nil
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): the sizes of the
// normalized axes.
func (l *LayerNormalization) ParamShapes(in [][]int) (map[string][]int, error) {
	_, shape, err := l.normAxes(in)
	if err != nil {
		return nil, err
	}
	shapes := map[string][]int{}
	if l.hasGamma() {
		shapes[l.cfg.Name+"/gamma"] = shape
	}
	if l.hasBeta() {
		shapes[l.cfg.Name+"/beta"] = slices.Clone(shape)
	}
	return shapes, nil
}

// Build creates gamma and beta, of the normalized axes' sizes, in dt,
// drawing from NewRNG(Seed) in that order. Axes not normalized may be
// graph.None.
func (l *LayerNormalization) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	axes, shape, err := l.normAxes(in)
	if err != nil {
		return err
	}
	rng := graph.NewRNG(l.cfg.Seed)
	param := func(w string, init graph.Initializer) (*graph.Param, error) {
		v, err := graph.InitTensor(init, shape, dt, rng)
		if err != nil {
			return nil, fmt.Errorf("layers: LayerNormalization %s %s: %w", l.cfg.Name, w, err)
		}
		return &graph.Param{Name: l.cfg.Name + "/" + w, Value: v, Grad: graph.NewTensor(dt, shape, nil)}, nil
	}
	var gamma, beta *graph.Param
	if l.hasGamma() {
		if gamma, err = param("gamma", l.gammaInit); err != nil {
			return err
		}
		gamma.Regularizer, gamma.Constraint = l.gammaReg, l.gammaCon
	}
	if l.hasBeta() {
		if beta, err = param("beta", l.betaInit); err != nil {
			return err
		}
		beta.Regularizer, beta.Constraint = l.betaReg, l.betaCon
	}
	l.gamma, l.beta = gamma, beta
	l.dt, l.axes, l.inShape = dt, axes, slices.Clone(in[0])
	if !sortedAxes(l.cfg.Axis, len(in[0])+1) {
		l.cfg.Axis = slices.Clone(axes) // as Keras 3's build: self.axis = sorted(axes)
	}
	return nil
}

// OutputShapes is the input shape.
func (l *LayerNormalization) OutputShapes() [][]int {
	if l.inShape == nil {
		return nil
	}
	return [][]int{slices.Clone(l.inShape)}
}

// FreeShape leaves the steps of a (steps, features) input open when only
// the last axis is normalized.
func (l *LayerNormalization) FreeShape(example []int) []int {
	if len(example) != 2 || len(l.cfg.Axis) != 1 || (l.cfg.Axis[0] != -1 && l.cfg.Axis[0] != 2) {
		return example
	}
	return []int{graph.None, example[1]}
}

// groups returns, for a batch of the given shape, the group (one
// normalization) and the weight index of every element, and the number of
// groups and of values per group.
func (l *LayerNormalization) groups(shape []int) (group, param []int, ng, n int) {
	total := 1
	for _, d := range shape {
		total *= d
	}
	group, param = make([]int, total), make([]int, total)
	normed := make([]bool, len(shape))
	n = 1
	for _, a := range l.axes {
		normed[a] = true
		n *= shape[a]
	}
	ng = total / max(n, 1)
	coord := make([]int, len(shape))
	for i := range total {
		g, p := 0, 0
		for k, c := range coord {
			if normed[k] {
				p = p*shape[k] + c
			} else {
				g = g*shape[k] + c
			}
		}
		group[i], param[i] = g, p
		for k := len(coord) - 1; k >= 0; k-- {
			if coord[k]++; coord[k] < shape[k] {
				break
			}
			coord[k] = 0
		}
	}
	return group, param, ng, n
}

// Forward normalizes each group of in[0] (see LayerNormalization); the
// mask, if any, passes through. Training changes nothing but the Backward.
func (l *LayerNormalization) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("LayerNormalization", l.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if l.inShape == nil || !graph.FitsShape(x.Shape(), l.inShape) || x.Dtype() != l.dt {
		return nil, fmt.Errorf("layers: LayerNormalization %s: input %v of shape %v: want %v of shape %s", l.cfg.Name, x.Dtype(), []int(x.Shape()), l.dt, graph.FormatShape(l.inShape))
	}
	shape := []int(x.Shape())
	group, param, ng, n := l.groups(shape)
	xv := graph.Float64s(x)
	np := 1
	for _, a := range l.axes {
		np *= shape[a]
	}
	gamma, beta := make([]float64, np), make([]float64, np)
	for j := range gamma {
		gamma[j] = 1
	}
	if l.gamma != nil {
		gamma = graph.Float64s(l.gamma.Value)
	}
	if l.beta != nil {
		beta = graph.Float64s(l.beta.Value)
	}
	mean, inv := make([]float64, ng), make([]float64, ng)
	for i, v := range xv {
		mean[group[i]] += v
	}
	for g := range mean {
		mean[g] /= float64(n)
	}
	for i, v := range xv {
		d := v - mean[group[i]]
		inv[group[i]] += d * d
	}
	for g := range inv {
		inv[g] = 1 / math.Sqrt(inv[g]/float64(n)+l.cfg.Epsilon)
	}
	yv := make([]float64, len(xv))
	for i, v := range xv {
		g, p := group[i], param[i]
		if l.cfg.RMSScaling {
			yv[i] = v * inv[g] * gamma[p]
		} else {
			yv[i] = (v-mean[g])*inv[g]*gamma[p] + beta[p]
		}
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(l.dt, shape, yv)}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if !training {
		return pass, nil
	}
	pass.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
		dy, err := outGrad("LayerNormalization", l.cfg.Name, dOut, l.dt, shape)
		if err != nil {
			return nil, err
		}
		dyv := graph.Float64s(dy)
		dgamma, dbeta := make([]float64, np), make([]float64, np)
		// s1, s2: per group Σh and Σh·x̂ (Σh·x with RMSScaling).
		s1, s2 := make([]float64, ng), make([]float64, ng)
		for i, d := range dyv {
			g, p := group[i], param[i]
			h := d * gamma[p]
			if l.cfg.RMSScaling {
				dgamma[p] += d * xv[i] * inv[g]
				s2[g] += h * xv[i]
				continue
			}
			xhat := (xv[i] - mean[g]) * inv[g]
			dgamma[p] += d * xhat
			dbeta[p] += d
			s1[g] += h
			s2[g] += h * xhat
		}
		if l.gamma != nil {
			addFloat64s(l.gamma.Grad, dgamma)
		}
		if l.beta != nil {
			addFloat64s(l.beta.Grad, dbeta)
		}
		if len(needIn) > 0 && !needIn[0] {
			return []*tensor.Dense{nil}, nil
		}
		dx := make([]float64, len(xv))
		fn := float64(n)
		for i, d := range dyv {
			g, p := group[i], param[i]
			h := d * gamma[p]
			r := inv[g]
			if l.cfg.RMSScaling {
				dx[i] = r*h - r*r*r*(xv[i]-mean[g])*s2[g]/fn
				continue
			}
			xhat := (xv[i] - mean[g]) * r
			dx[i] = r * (h - s1[g]/fn - xhat*s2[g]/fn)
		}
		return []*tensor.Dense{graph.NewTensor(l.dt, shape, dx)}, nil
	}
	return pass, nil
}

// sortedAxes reports whether axes, resolved for the given rank, increase.
func sortedAxes(axes []int, rank int) bool {
	prev := -1
	for _, a := range axes {
		if a < 0 {
			a += rank
		}
		if a <= prev {
			return false
		}
		prev = a
	}
	return true
}
