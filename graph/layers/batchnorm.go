package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// BatchNormalizationConfig configures a BatchNormalization layer with
// Keras 2.2.4's arguments. Initializers, regularizers and constraints are
// Specs (Keras name plus arguments); a nil regularizer or constraint means
// none. Start from BatchNormalizationDefaults: the zero value has center
// and scale false and momentum 0.
type BatchNormalizationConfig struct {
	// Name is the layer's name; empty gives "batch_normalization_<n>".
	Name string `json:"name,omitempty"`
	// Axis is the feature axis, counting the batch as axis 0; a negative
	// axis counts from the end (-1, the default, is the last). The
	// weights have that axis's size, which must be fixed; the statistics
	// are taken over every other axis. In JSON a list of one axis ([2], as
	// tf.keras writes it after building) is read as that axis.
	Axis int `json:"axis"`
	// Momentum of the moving averages, 0 ≤ momentum < 1 (default 0.99).
	Momentum float64 `json:"momentum"`
	// Epsilon is added to the variance, ≥ 0 (default 1e-3).
	Epsilon float64 `json:"epsilon"`
	// Center adds beta; Scale multiplies by gamma (both default true).
	Center bool `json:"center"`
	Scale  bool `json:"scale"`
	// The initializers of the four weights (defaults zeros, ones, zeros,
	// ones).
	BetaInitializer           graph.Spec `json:"beta_initializer"`
	GammaInitializer          graph.Spec `json:"gamma_initializer"`
	MovingMeanInitializer     graph.Spec `json:"moving_mean_initializer"`
	MovingVarianceInitializer graph.Spec `json:"moving_variance_initializer"`
	// Regularizers and constraints of beta and gamma (nil: none).
	BetaRegularizer  *graph.Spec `json:"beta_regularizer,omitempty"`
	GammaRegularizer *graph.Spec `json:"gamma_regularizer,omitempty"`
	BetaConstraint   *graph.Spec `json:"beta_constraint,omitempty"`
	GammaConstraint  *graph.Spec `json:"gamma_constraint,omitempty"`
	// Seed seeds the initializers (NewRNG(Seed); gamma, beta, moving
	// mean, moving variance drawn in that order).
	Seed uint64 `json:"seed"`
	// MovingUpdates is the number of moving-average updates made so far,
	// Keras 2.2.4's hidden local_step of the zero-debiased average (see
	// BatchNormalization): 0 for a new layer. Config reports the current
	// count, so that a model file resumes training exactly; Keras files do
	// not keep it (nor does Keras), and a layer read from one starts at 0.
	MovingUpdates int `json:"moving_updates"`
}

// UnmarshalJSON reads the config, taking axis as a number or a list of one
// number; keys left out keep c's values.
func (c *BatchNormalizationConfig) UnmarshalJSON(b []byte) error {
	type plain BatchNormalizationConfig
	aux := struct {
		*plain
		Axis json.RawMessage `json:"axis"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	if aux.Axis == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(aux.Axis, &v); err != nil {
		return err
	}
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	f, ok := v.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<20 {
		return fmt.Errorf("axis %s: want a whole number or a list of one", aux.Axis)
	}
	c.Axis = int(f)
	return nil
}

// BatchNormalizationDefaults returns Keras' BatchNormalization() defaults:
// axis -1, momentum 0.99, epsilon 1e-3, center and scale, beta zeros,
// gamma ones, moving mean zeros, moving variance ones, no regularizers or
// constraints, seed 0.
func BatchNormalizationDefaults() BatchNormalizationConfig {
	return BatchNormalizationConfig{
		Axis:                      -1,
		Momentum:                  0.99,
		Epsilon:                   1e-3,
		Center:                    true,
		Scale:                     true,
		BetaInitializer:           graph.Spec{Name: "zeros"},
		GammaInitializer:          graph.Spec{Name: "ones"},
		MovingMeanInitializer:     graph.Spec{Name: "zeros"},
		MovingVarianceInitializer: graph.Spec{Name: "ones"},
	}
}

// BatchNormalization is Keras 2.2.4's batch normalization over the feature
// axis c. Its weights, in Keras' order, are gamma (with scale), beta (with
// center), moving_mean and moving_variance, each of the feature axis's
// size; the last two are graph.Param Statistic weights, which the layer
// updates itself and the optimizer leaves alone.
//
// Inference (Forward with training false) uses the moving statistics:
//
//	y = γ·(x − moving_mean)/√(moving_variance + ε) + β
//
// (γ = 1 without scale, β = 0 without center), computed as TensorFlow's
// batch_normalization does: y = x·s + (β − moving_mean·s),
// s = γ/√(moving_variance + ε).
//
// Training (Forward with training true) uses the batch's statistics over
// every axis but c (the batch, and the steps of a 3-D input): with N the
// number of values per feature, μ = Σx/N and the biased variance
// σ² = Σ(x − μ)²/N, y = γ·(x − μ)/√(σ² + ε) + β. Backward gives
//
//	dγ = Σ dy·x̂,  dβ = Σ dy,  dx = γ/√(σ² + ε)·(dy − Σdy/N − x̂·Σ(dy·x̂)/N)
//
// with x̂ = (x − μ)/√(σ² + ε), the sums over the axes but c.
//
// The same training Forward updates the moving statistics, as Keras
// 2.2.4's training function runs the layer's updates with every batch
// (the outputs of a training Forward do not depend on them, so a gradient
// check's extra Forwards change no result). It follows Keras 2.2.4 with
// TensorFlow: the variance is first multiplied by N/(N − (1 + ε)), and
// K.moving_average_update is TensorFlow's assign_moving_average with
// zero_debias=True, so that after t updates with values v₁…v_t
//
//	biased_t = biased_{t−1} − (biased_{t−1} − v_t)·(1 − momentum), biased_0 = 0
//	moving_t = biased_t/(1 − momentum^t)
//
// The first training batch therefore sets the moving statistics to its
// own, whatever their initial values (Keras 2.3 and tf.keras use the plain
// moving·momentum + v·(1 − momentum) instead). Keras keeps biased_t and t
// in hidden variables; here t is MovingUpdates and biased_{t−1} is
// recomputed as moving_{t−1}·(1 − momentum^{t−1}). A layer applied twice in
// one model counts both applications in one t (Keras keeps a count per
// application).
//
// With its weights Frozen (Keras' trainable=False) the layer still
// normalizes a training batch with the batch's statistics but updates no
// moving statistic, as Keras 2.2.4 does; tf.keras ≥ 2.0 and Keras 3 run a
// frozen BatchNormalization in inference mode instead.
//
// Masks pass through unchanged, and the statistics take every value,
// masked or not, as Keras 2.2.4 does (Keras 3 leaves masked steps out).
// The arithmetic is done in float64 for both dtypes.
type BatchNormalization struct {
	cfg                                    BatchNormalizationConfig
	gammaInit, betaInit, meanInit, varInit graph.Initializer
	gammaReg, betaReg                      graph.Regularizer
	gammaCon, betaCon                      graph.Constraint
	dt                                     tensor.Dtype
	inShape                                []int
	axis                                   int // the feature axis, counting the batch
	gamma, beta, mean, variance            *graph.Param
}

var batchNormalizationCount atomic.Int64

// NewBatchNormalization returns an unbuilt BatchNormalization layer. A
// momentum outside [0, 1), a negative or non-finite epsilon, axis 0 (the
// batch), a negative MovingUpdates or an unknown initializer, regularizer
// or constraint is an error naming the argument.
func NewBatchNormalization(cfg BatchNormalizationConfig) (*BatchNormalization, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("batch_normalization_%d", batchNormalizationCount.Add(1))
	}
	for _, s := range []*graph.Spec{&cfg.BetaInitializer, &cfg.MovingMeanInitializer} {
		if s.Name == "" {
			s.Name = "zeros"
		}
	}
	for _, s := range []*graph.Spec{&cfg.GammaInitializer, &cfg.MovingVarianceInitializer} {
		if s.Name == "" {
			s.Name = "ones"
		}
	}
	name := cfg.Name
	if !(cfg.Momentum >= 0 && cfg.Momentum < 1) {
		return nil, fmt.Errorf("layers: BatchNormalization %s: momentum %v: want 0 ≤ momentum < 1 (Keras 2.2.4's zero-debiased moving average divides by 1 − momentum^t)", name, cfg.Momentum)
	}
	if !(cfg.Epsilon >= 0) || math.IsInf(cfg.Epsilon, 1) {
		return nil, fmt.Errorf("layers: BatchNormalization %s: epsilon %v: want a finite number ≥ 0", name, cfg.Epsilon)
	}
	if cfg.Axis == 0 {
		return nil, fmt.Errorf("layers: BatchNormalization %s: axis 0 is the batch axis: want the feature axis, -1 (the last) or another axis ≥ 1 or < 0", name)
	}
	if cfg.MovingUpdates < 0 {
		return nil, fmt.Errorf("layers: BatchNormalization %s: moving_updates %d: want 0 or more", name, cfg.MovingUpdates)
	}
	l := &BatchNormalization{cfg: cfg}
	if err := resolveWeightArgs("BatchNormalization", name,
		weightArgs{weight: "gamma", init: &cfg.GammaInitializer, reg: cfg.GammaRegularizer, con: cfg.GammaConstraint, initTo: &l.gammaInit, regTo: &l.gammaReg, conTo: &l.gammaCon},
		weightArgs{weight: "beta", init: &cfg.BetaInitializer, reg: cfg.BetaRegularizer, con: cfg.BetaConstraint, initTo: &l.betaInit, regTo: &l.betaReg, conTo: &l.betaCon},
		weightArgs{weight: "moving_mean", init: &cfg.MovingMeanInitializer, initTo: &l.meanInit},
		weightArgs{weight: "moving_variance", init: &cfg.MovingVarianceInitializer, initTo: &l.varInit}); err != nil {
		return nil, err
	}
	return l, nil
}

func init() {
	// Keys left out of a config take Keras' defaults.
	register("BatchNormalization", BatchNormalizationDefaults(), func(cfg BatchNormalizationConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewBatchNormalization(cfg)
	})
}

// Name returns the layer's name.
func (l *BatchNormalization) Name() string { return l.cfg.Name }

// Type returns "BatchNormalization".
func (l *BatchNormalization) Type() string { return "BatchNormalization" }

// Config returns the BatchNormalizationConfig as JSON, with the current
// MovingUpdates.
func (l *BatchNormalization) Config() (json.RawMessage, error) { return json.Marshal(l.cfg) }

// Params returns gamma (with scale), beta (with center), moving_mean and
// moving_variance ("<name>/gamma", ...), Keras' order; the last two are
// Statistic. Nil before Build.
func (l *BatchNormalization) Params() []*graph.Param {
	if l.mean == nil {
		return nil
	}
	var ps []*graph.Param
	if l.gamma != nil {
		ps = append(ps, l.gamma)
	}
	if l.beta != nil {
		ps = append(ps, l.beta)
	}
	return append(ps, l.mean, l.variance)
}

// featureAxis checks the input shapes given to Build and returns the
// feature axis (counting the batch) and its size.
func (l *BatchNormalization) featureAxis(in [][]int) (int, int, error) {
	if len(in) != 1 || len(in[0]) < 1 {
		return 0, 0, fmt.Errorf("layers: BatchNormalization %s: inputs of shape %s: want one input with at least one axis besides the batch", l.cfg.Name, formatShapes(in))
	}
	s := in[0]
	for _, d := range s {
		if d < 1 && d != graph.None {
			return 0, 0, fmt.Errorf("layers: BatchNormalization %s: input shape %s: want positive dimensions (or graph.None)", l.cfg.Name, graph.FormatShape(s))
		}
	}
	rank := len(s) + 1
	a := l.cfg.Axis
	if a < 0 {
		a += rank
	}
	if a < 1 || a >= rank {
		return 0, 0, fmt.Errorf("layers: BatchNormalization %s: axis %d for input shape %s: want an axis from 1 to %d, or -1 to %d (axis 0 is the batch)", l.cfg.Name, l.cfg.Axis, graph.FormatShape(s), rank-1, 1-rank)
	}
	if s[a-1] == graph.None {
		return 0, 0, fmt.Errorf("layers: BatchNormalization %s: axis %d of input shape %s is None: the feature axis needs a fixed size, as in Keras", l.cfg.Name, l.cfg.Axis, graph.FormatShape(s))
	}
	return a, s[a-1], nil
}

// ParamShapes returns the shapes of the weights Build creates for in,
// without creating them (see graph.ParamShaper): each is (features,).
func (l *BatchNormalization) ParamShapes(in [][]int) (map[string][]int, error) {
	_, dim, err := l.featureAxis(in)
	if err != nil {
		return nil, err
	}
	shapes := map[string][]int{l.cfg.Name + "/moving_mean": {dim}, l.cfg.Name + "/moving_variance": {dim}}
	if l.cfg.Scale {
		shapes[l.cfg.Name+"/gamma"] = []int{dim}
	}
	if l.cfg.Center {
		shapes[l.cfg.Name+"/beta"] = []int{dim}
	}
	return shapes, nil
}

// Build creates the weights, each of the feature axis's size, in dt,
// drawing from NewRNG(Seed) in Keras' order. Dimensions other than the
// feature axis may be graph.None.
func (l *BatchNormalization) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	a, dim, err := l.featureAxis(in)
	if err != nil {
		return err
	}
	rng := graph.NewRNG(l.cfg.Seed)
	param := func(w string, init graph.Initializer) (*graph.Param, error) {
		v, err := graph.InitTensor(init, []int{dim}, dt, rng)
		if err != nil {
			return nil, fmt.Errorf("layers: BatchNormalization %s %s: %w", l.cfg.Name, w, err)
		}
		return &graph.Param{Name: l.cfg.Name + "/" + w, Value: v, Grad: graph.NewTensor(dt, []int{dim}, nil)}, nil
	}
	var gamma, beta *graph.Param
	if l.cfg.Scale {
		if gamma, err = param("gamma", l.gammaInit); err != nil {
			return err
		}
		gamma.Regularizer, gamma.Constraint = l.gammaReg, l.gammaCon
	}
	if l.cfg.Center {
		if beta, err = param("beta", l.betaInit); err != nil {
			return err
		}
		beta.Regularizer, beta.Constraint = l.betaReg, l.betaCon
	}
	mean, err := param("moving_mean", l.meanInit)
	if err != nil {
		return err
	}
	variance, err := param("moving_variance", l.varInit)
	if err != nil {
		return err
	}
	mean.Statistic, variance.Statistic = true, true
	l.gamma, l.beta, l.mean, l.variance = gamma, beta, mean, variance
	l.dt, l.axis, l.inShape = dt, a, append([]int(nil), in[0]...)
	return nil
}

// OutputShapes is the input shape.
func (l *BatchNormalization) OutputShapes() [][]int {
	if l.inShape == nil {
		return nil
	}
	return [][]int{append([]int(nil), l.inShape...)}
}

// FreeShape leaves the steps of a (steps, features) input open when the
// feature axis is the last.
func (l *BatchNormalization) FreeShape(example []int) []int {
	if len(example) != 2 || (l.cfg.Axis != -1 && l.cfg.Axis != 2) {
		return example
	}
	return []int{graph.None, example[1]}
}

// Forward normalizes in[0] with the moving statistics (training false) or
// with the batch's, updating the moving statistics (training true); the
// mask, if any, passes through.
func (l *BatchNormalization) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	x, mask, err := oneInput("BatchNormalization", l.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if l.inShape == nil || !graph.FitsShape(x.Shape(), l.inShape) || x.Dtype() != l.dt {
		return nil, fmt.Errorf("layers: BatchNormalization %s: input %v of shape %v: want %v of shape %s", l.cfg.Name, x.Dtype(), []int(x.Shape()), l.dt, graph.FormatShape(l.inShape))
	}
	shape := []int(x.Shape())
	c := shape[l.axis]
	inner := 1
	for _, d := range shape[l.axis+1:] {
		inner *= d
	}
	xv := graph.Float64s(x)
	n := len(xv) / c
	feat := func(i int) int { return (i / inner) % c }
	gamma, beta := make([]float64, c), make([]float64, c)
	for j := range gamma {
		gamma[j] = 1
	}
	if l.gamma != nil {
		gamma = graph.Float64s(l.gamma.Value)
	}
	if l.beta != nil {
		beta = graph.Float64s(l.beta.Value)
	}
	var mean, variance []float64
	if training {
		mean, variance = make([]float64, c), make([]float64, c)
		for i, v := range xv {
			mean[feat(i)] += v
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		for i, v := range xv {
			d := v - mean[feat(i)]
			variance[feat(i)] += d * d
		}
		for j := range variance {
			variance[j] /= float64(n)
		}
	} else {
		mean, variance = graph.Float64s(l.mean.Value), graph.Float64s(l.variance.Value)
	}
	inv, scale, shift := make([]float64, c), make([]float64, c), make([]float64, c)
	for j := range inv {
		inv[j] = 1 / math.Sqrt(variance[j]+l.cfg.Epsilon)
		scale[j] = gamma[j] * inv[j]
		shift[j] = beta[j] - mean[j]*scale[j]
	}
	yv := make([]float64, len(xv))
	for i, v := range xv {
		yv[i] = v*scale[feat(i)] + shift[feat(i)]
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{graph.NewTensor(l.dt, shape, yv)}}
	if mask != nil {
		pass.Masks = []*tensor.Dense{mask}
	}
	if !training {
		return pass, nil
	}
	if !l.mean.Frozen && !l.variance.Frozen {
		l.updateMoving(mean, variance, n)
	}
	pass.Backward = func(dOut []*tensor.Dense, needIn []bool) ([]*tensor.Dense, error) {
		dy, err := outGrad("BatchNormalization", l.cfg.Name, dOut, l.dt, shape)
		if err != nil {
			return nil, err
		}
		dyv := graph.Float64s(dy)
		sdy, sdyx := make([]float64, c), make([]float64, c)
		for i, g := range dyv {
			j := feat(i)
			sdy[j] += g
			sdyx[j] += g * (xv[i] - mean[j]) * inv[j]
		}
		if l.gamma != nil {
			addFloat64s(l.gamma.Grad, sdyx)
		}
		if l.beta != nil {
			addFloat64s(l.beta.Grad, sdy)
		}
		if len(needIn) > 0 && !needIn[0] {
			return []*tensor.Dense{nil}, nil
		}
		dx := make([]float64, len(xv))
		for i, g := range dyv {
			j := feat(i)
			xhat := (xv[i] - mean[j]) * inv[j]
			dx[i] = scale[j] * (g - sdy[j]/float64(n) - xhat*sdyx[j]/float64(n))
		}
		return []*tensor.Dense{graph.NewTensor(l.dt, shape, dx)}, nil
	}
	return pass, nil
}

// updateMoving applies Keras 2.2.4's update of the moving statistics with
// a batch's mean and biased variance over n values per feature (see
// BatchNormalization): the variance times n/(n − (1 + ε)), then
// TensorFlow's zero-debiased moving average.
func (l *BatchNormalization) updateMoving(mean, variance []float64, n int) {
	m := l.cfg.Momentum
	t := l.cfg.MovingUpdates
	decay := 1 - m
	before, after := 1-math.Pow(m, float64(t)), 1-math.Pow(m, float64(t+1))
	bessel := float64(n) / (float64(n) - (1 + l.cfg.Epsilon))
	update := func(p *graph.Param, values []float64, factor float64) {
		moving := graph.Float64s(p.Value)
		for j, v := range values {
			biased := moving[j] * before
			biased -= (biased - v*factor) * decay
			moving[j] = biased / after
		}
		graph.CopyInto(p.Value, graph.NewTensor(tensor.Float64, []int{len(moving)}, moving))
	}
	update(l.mean, mean, 1)
	update(l.variance, variance, bessel)
	l.cfg.MovingUpdates = t + 1
}

// addFloat64s adds v into t (float32 or float64) element-wise.
func addFloat64s(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float64:
		for i := range d {
			d[i] += v[i]
		}
	case []float32:
		for i := range d {
			d[i] += float32(v[i])
		}
	}
}
