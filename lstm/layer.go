package lstm

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// LSTM is the Keras 2.2 LSTM layer. Create it with New, then Call it on
// batches of shape (batch, timesteps, input_dim), or add it to a
// model.Model. It builds its weights on the first call (or on Build or
// SetWeights).
//
// Once built, a layer that is not stateful may run inference (Call with
// Training false, Forward with training false) from several goroutines at
// once, sharing its weights: each call takes compiled programs of its own
// from the layer's cache (see SetProgramCacheSize) and writes nothing the
// others read. Training calls, VJP, SetWeights and the state methods are
// not concurrent with anything else, and a stateful layer, whose every
// call carries its states to the next, is not safe for concurrent use.
type LSTM struct {
	cfg         Config
	act, recAct graph.Activation

	built    bool
	steps    int // timesteps given to Build (0: unknown)
	dt       tensor.Dtype
	inputDim int
	kernel   *graph.Param // W (input_dim, 4·units)
	rec      *graph.Param // U (units, 4·units)
	bias     *graph.Param // b (4·units); nil without use_bias
	src      *rand.PCG    // the layer's stream: initializer draws, then dropout masks
	rng      *rand.Rand   // draws from src

	progs  *graph.ProgramCache[progKey, *program]
	arrays arrayPool // the loop mode's per-call arrays, for reuse

	states *State // carried states of a stateful layer
	actReg *activityPenalty

	mu     sync.Mutex // guards last and actVal: Call writes them
	last   *record    // the last training call, for VJP
	actVal float64    // activity penalty of the last call
}

// layerCount numbers the layers made without a name.
var layerCount atomic.Int64

// New validates cfg and returns an unbuilt layer.
func New(cfg Config) (*LSTM, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("lstm_%d", layerCount.Add(1))
	}
	l := &LSTM{cfg: cfg, actReg: newActivityPenalty(cfg.ActivityRegularizer)}
	l.progs = graph.NewProgramCache(l.compile, nil)
	l.act, _ = graph.GetActivation(cfg.Activation)
	l.recAct, _ = graph.GetActivation(cfg.RecurrentActivation)
	return l, nil
}

// Settings returns the layer's configuration (Config returns it as JSON).
func (l *LSTM) Settings() Config { return l.cfg }

// Built reports whether the weights exist.
func (l *LSTM) Built() bool { return l.built }

// Dtype is the layer's dtype (valid once built).
func (l *LSTM) Dtype() tensor.Dtype { return l.dt }

// InputDim is the input feature size the weights were built for (0 before).
func (l *LSTM) InputDim() int { return l.inputDim }

// BuildFor creates the weights for inputs of input_dim features in dtype dt,
// drawing them in Keras order (kernel, recurrent kernel, bias) from the
// layer's seed. With use_bias and unit_forget_bias the bias is
// concat(init(units), ones(units), init(2·units)), as Keras 2.2.
func (l *LSTM) BuildFor(inputDim int, dt tensor.Dtype) error {
	if l.built {
		return fmt.Errorf("lstm: layer %q is already built", l.cfg.Name)
	}
	if inputDim < 1 {
		return fmt.Errorf("lstm: input_dim = %d: must be at least 1", inputDim)
	}
	if !isFloat(dt) {
		return fmt.Errorf("lstm: dtype %v: must be float32 or float64", dt)
	}
	u := l.cfg.Units
	src := graph.NewPCG(l.cfg.Seed)
	rng := rand.New(src)
	draw := func(init graph.Initializer, def string, shape ...int) ([]float64, error) {
		if init == nil {
			var err error
			if init, err = graph.GetInitializer(def); err != nil {
				return nil, err
			}
		}
		return init.Sample(shape, rng)
	}
	k, err := draw(l.cfg.KernelInitializer, "glorot_uniform", inputDim, 4*u)
	if err != nil {
		return fmt.Errorf("lstm: kernel_initializer: %w", err)
	}
	r, err := draw(l.cfg.RecurrentInitializer, "orthogonal", u, 4*u)
	if err != nil {
		return fmt.Errorf("lstm: recurrent_initializer: %w", err)
	}
	var b []float64
	if l.cfg.UseBias {
		if l.cfg.UnitForgetBias {
			bi, err := draw(l.cfg.BiasInitializer, "zeros", u)
			if err != nil {
				return fmt.Errorf("lstm: bias_initializer: %w", err)
			}
			rest, err := draw(l.cfg.BiasInitializer, "zeros", 2*u)
			if err != nil {
				return fmt.Errorf("lstm: bias_initializer: %w", err)
			}
			b = append(append(bi, make([]float64, u)...), rest...)
			for j := u; j < 2*u; j++ {
				b[j] = 1
			}
		} else if b, err = draw(l.cfg.BiasInitializer, "zeros", 4*u); err != nil {
			return fmt.Errorf("lstm: bias_initializer: %w", err)
		}
	}
	l.setBuilt(inputDim, dt, k, r, b)
	l.src, l.rng = src, rng
	return nil
}

func (l *LSTM) setBuilt(inputDim int, dt tensor.Dtype, k, r, b []float64) {
	u := l.cfg.Units
	name := l.cfg.Name
	l.dt, l.inputDim = dt, inputDim
	l.kernel = &graph.Param{Name: name + "/kernel", Value: graph.NewTensor(dt, []int{inputDim, 4 * u}, k),
		Grad: zeros(dt, inputDim, 4*u), Regularizer: l.cfg.KernelRegularizer, Constraint: l.cfg.KernelConstraint}
	l.rec = &graph.Param{Name: name + "/recurrent_kernel", Value: graph.NewTensor(dt, []int{u, 4 * u}, r),
		Grad: zeros(dt, u, 4*u), Regularizer: l.cfg.RecurrentRegularizer, Constraint: l.cfg.RecurrentConstraint}
	if l.cfg.UseBias {
		l.bias = &graph.Param{Name: name + "/bias", Value: graph.NewTensor(dt, []int{4 * u}, b),
			Grad: zeros(dt, 4*u), Regularizer: l.cfg.BiasRegularizer, Constraint: l.cfg.BiasConstraint}
	}
	l.built = true
}

// Params lists the trainable weights in Keras order: kernel,
// recurrent_kernel and bias (when used). Empty before the layer is built.
func (l *LSTM) Params() []*graph.Param {
	if !l.built {
		return nil
	}
	ps := []*graph.Param{l.kernel, l.rec}
	if l.bias != nil {
		ps = append(ps, l.bias)
	}
	return ps
}

// Weights returns copies of the weights in Keras get_weights() order and
// layout: kernel (input_dim, 4·units), recurrent_kernel (units, 4·units) and,
// with use_bias, bias (4·units); gate blocks in order i, f, c, o.
func (l *LSTM) Weights() []*tensor.Dense {
	var ws []*tensor.Dense
	for _, p := range l.Params() {
		ws = append(ws, p.Value.Clone().(*tensor.Dense))
	}
	return ws
}

// SetWeights sets the weights from tensors in Keras set_weights() order and
// layout (see Weights), float32 or float64 (views are read as their
// copies); they are converted to the layer's dtype. An unbuilt layer is
// built from the kernel's shape, in the kernel's dtype. A wrong count or
// shape is an error and changes nothing.
func (l *LSTM) SetWeights(ws ...*tensor.Dense) error {
	ws, err := l.checkWeights(ws)
	if err != nil {
		return err
	}
	l.setWeights(ws)
	return nil
}

// checkWeights checks the arrays of SetWeights and returns them
// contiguous (see contiguous), in a new slice.
func (l *LSTM) checkWeights(ws []*tensor.Dense) ([]*tensor.Dense, error) {
	want := 2
	if l.cfg.UseBias {
		want = 3
	}
	if len(ws) != want {
		return nil, fmt.Errorf("lstm: set weights: got %d arrays, want %d (kernel, recurrent_kernel%s)", len(ws), want, map[bool]string{true: ", bias"}[l.cfg.UseBias])
	}
	for i, w := range ws {
		if w == nil || !isFloat(w.Dtype()) {
			return nil, fmt.Errorf("lstm: set weights: array %d must be a float32 or float64 tensor", i)
		}
	}
	u := l.cfg.Units
	k := ws[0].Shape()
	if len(k) != 2 || k[1] != 4*u || (l.built && k[0] != l.inputDim) {
		return nil, fmt.Errorf("lstm: set weights: kernel has shape %v, want (%s, %d)", k, dimName(l), 4*u)
	}
	if !sameShape(ws[1].Shape(), u, 4*u) {
		return nil, fmt.Errorf("lstm: set weights: recurrent_kernel has shape %v, want (%d, %d)", ws[1].Shape(), u, 4*u)
	}
	if want == 3 && !sameShape(ws[2].Shape(), 4*u) {
		return nil, fmt.Errorf("lstm: set weights: bias has shape %v, want (%d)", ws[2].Shape(), 4*u)
	}
	out := make([]*tensor.Dense, len(ws))
	for i, w := range ws {
		out[i] = graph.Contiguous(w)
	}
	return out, nil
}

// setWeights sets weights that checkWeights accepted.
func (l *LSTM) setWeights(ws []*tensor.Dense) {
	if !l.built {
		var b []float64
		if len(ws) == 3 {
			b = graph.Float64s(ws[2])
		}
		l.setBuilt(ws[0].Shape()[0], ws[0].Dtype(), graph.Float64s(ws[0]), graph.Float64s(ws[1]), b)
		l.src = graph.NewPCG(l.cfg.Seed)
		l.rng = rand.New(l.src)
		return
	}
	for i, p := range l.Params() {
		graph.CopyInto(p.Value, ws[i])
	}
}

func dimName(l *LSTM) string {
	if l.built {
		return fmt.Sprint(l.inputDim)
	}
	return "input_dim"
}
