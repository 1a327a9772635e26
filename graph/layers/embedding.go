package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// EmbeddingConfig configures an Embedding layer with Keras 2.2.4's
// arguments and get_config names. The initializer, regularizers and
// constraint are Specs (Keras name plus arguments); a nil regularizer or
// constraint means none.
type EmbeddingConfig struct {
	// Name is the layer's name; empty gives "embedding_<n>" as Keras does.
	Name string `json:"name,omitempty"`
	// InputDim is the size of the vocabulary: ids are in [0, InputDim).
	InputDim int `json:"input_dim"`
	// OutputDim is the size of each id's vector.
	OutputDim             int         `json:"output_dim"`
	EmbeddingsInitializer graph.Spec  `json:"embeddings_initializer"`
	EmbeddingsRegularizer *graph.Spec `json:"embeddings_regularizer,omitempty"`
	ActivityRegularizer   *graph.Spec `json:"activity_regularizer,omitempty"`
	EmbeddingsConstraint  *graph.Spec `json:"embeddings_constraint,omitempty"`
	// MaskZero makes id 0 padding: the output carries the mask ids ≠ 0,
	// which the layers after it honour (an LSTM skips the padded steps, the
	// loss leaves them out). Row 0 of the table is still looked up, so with
	// MaskZero the vocabulary takes ids 1 to InputDim-1.
	MaskZero bool `json:"mask_zero"`
	// InputLength fixes the sequence length (Keras' input_length); 0, as
	// Keras' None, takes sequences of any length.
	InputLength int `json:"input_length,omitempty"`
	// Seed seeds the initializer (NewRNG(Seed)).
	Seed uint64 `json:"seed"`
}

// EmbeddingDefaults returns Keras' Embedding(inputDim, outputDim) defaults:
// embeddings_initializer 'uniform' (U(-0.05, 0.05)), no regularizers or
// constraint, mask_zero False, input_length None, seed 0.
func EmbeddingDefaults(inputDim, outputDim int) EmbeddingConfig {
	return EmbeddingConfig{
		InputDim:              inputDim,
		OutputDim:             outputDim,
		EmbeddingsInitializer: graph.Spec{Name: "random_uniform", Args: map[string]float64{"minval": -0.05, "maxval": 0.05}},
	}
}

// Embedding is Keras' Embedding layer: it maps integer ids to rows of a
// trainable table E of shape (input_dim, output_dim), y[..., :] = E[id],
// so an input (batch, timesteps) of ids gives (batch, timesteps,
// output_dim). Ids may come as any integer tensor or as a float tensor of
// integral values (Keras casts them to int32); an id outside
// [0, input_dim) is an error that names it and its position. The
// gradient of E (from Gorgonia's autodiff of the lookup) is dy summed into
// the rows that were used, once per use. With MaskZero the output carries
// the mask ids ≠ 0.
type Embedding struct {
	cfg     EmbeddingConfig
	ereg    graph.Regularizer
	areg    graph.Regularizer
	econ    graph.Constraint
	dt      tensor.Dtype
	inShape []int // per-sample input shape, graph.None where not fixed
	table   *graph.Param
	progs   *graph.ProgramCache[embeddingKey, *embeddingGraph]
}

var embeddingCount atomic.Int64

var (
	_ graph.Layer             = (*Embedding)(nil)
	_ graph.LengthFree        = (*Embedding)(nil)
	_ graph.ProgramCacheSizer = (*Embedding)(nil)
)

// NewEmbedding returns an unbuilt Embedding layer. It returns an error
// for input_dim or output_dim below 1, input_length below 0, or an
// unknown initializer, regularizer or constraint.
func NewEmbedding(cfg EmbeddingConfig) (*Embedding, error) {
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("embedding_%d", embeddingCount.Add(1))
	}
	if cfg.InputDim < 1 {
		return nil, fmt.Errorf("layers: Embedding %s: input_dim %d: want the vocabulary size, at least 1", cfg.Name, cfg.InputDim)
	}
	if cfg.OutputDim < 1 {
		return nil, fmt.Errorf("layers: Embedding %s: output_dim %d: want at least 1", cfg.Name, cfg.OutputDim)
	}
	if cfg.InputLength < 0 {
		return nil, fmt.Errorf("layers: Embedding %s: input_length %d: want a length of 1 or more, or 0 for any length", cfg.Name, cfg.InputLength)
	}
	if cfg.EmbeddingsInitializer.Name == "" {
		cfg.EmbeddingsInitializer = EmbeddingDefaults(1, 1).EmbeddingsInitializer
	}
	e := &Embedding{cfg: cfg}
	e.progs = graph.NewProgramCache(e.newGraph, func(eg *embeddingGraph) { eg.vm.Close() })
	if err := resolveWeightArgs("Embedding", cfg.Name,
		weightArgs{weight: "embeddings", init: &cfg.EmbeddingsInitializer, reg: cfg.EmbeddingsRegularizer, con: cfg.EmbeddingsConstraint, regTo: &e.ereg, conTo: &e.econ},
		weightArgs{weight: "activity", reg: cfg.ActivityRegularizer, regTo: &e.areg}); err != nil {
		return nil, err
	}
	return e, nil
}

func init() {
	// Keys left out of a config take Keras' defaults.
	register("Embedding", EmbeddingDefaults(0, 0), func(cfg EmbeddingConfig, name string) (graph.Layer, error) {
		cfg.Name = name
		return NewEmbedding(cfg)
	})
}

// Name returns the layer's name.
func (e *Embedding) Name() string { return e.cfg.Name }

// Type returns "Embedding".
func (e *Embedding) Type() string { return "Embedding" }

// Config returns the EmbeddingConfig as JSON.
func (e *Embedding) Config() (json.RawMessage, error) { return json.Marshal(e.cfg) }

// FreeShape returns example with its first axis (the timesteps) set to
// graph.None, unless InputLength fixes it.
func (e *Embedding) FreeShape(example []int) []int {
	out := append([]int(nil), example...)
	if len(out) > 0 && e.cfg.InputLength == 0 {
		out[0] = graph.None
	}
	return out
}

// SetProgramCacheSize sets how many compiled graphs the layer keeps (one
// per number of ids in a batch, batch·timesteps, and use); see
// graph.ProgramCache.
func (e *Embedding) SetProgramCacheSize(n int) error { return e.progs.SetCapacity(n) }

// Params returns the table ("<name>/embeddings").
func (e *Embedding) Params() []*graph.Param {
	if e.table == nil {
		return nil
	}
	return []*graph.Param{e.table}
}

// ParamShapes returns the table's shape, "<name>/embeddings" (input_dim,
// output_dim), without creating it (see graph.ParamShaper), after the
// checks of Build.
func (e *Embedding) ParamShapes(in [][]int) (map[string][]int, error) {
	if _, err := e.inputShape(in); err != nil {
		return nil, err
	}
	return map[string][]int{e.cfg.Name + "/embeddings": {e.cfg.InputDim, e.cfg.OutputDim}}, nil
}

// inputShape checks the input shapes Build gets and returns the ids'
// per-sample shape, its length fixed by InputLength when set.
func (e *Embedding) inputShape(in [][]int) ([]int, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("layers: Embedding %s: %d inputs: want 1", e.cfg.Name, len(in))
	}
	shape := append([]int(nil), in[0]...)
	if len(shape) < 1 {
		return nil, fmt.Errorf("layers: Embedding %s: input shape %s: want ids of shape (batch, timesteps, ...)", e.cfg.Name, graph.FormatShape(shape))
	}
	for _, d := range shape {
		if d < 1 && d != graph.None {
			return nil, fmt.Errorf("layers: Embedding %s: input shape %v: want positive dimensions (or graph.None)", e.cfg.Name, shape)
		}
	}
	if n := e.cfg.InputLength; n > 0 {
		if shape[0] != graph.None && shape[0] != n {
			return nil, fmt.Errorf("layers: Embedding %s: input of %d timesteps for input_length %d", e.cfg.Name, shape[0], n)
		}
		shape[0] = n
	}
	return shape, nil
}

// Build creates the table (input_dim, output_dim) in dt, drawn from
// NewRNG(Seed), for one input of ids of per-sample shape (timesteps, ...),
// timesteps graph.None for any length. With InputLength the timesteps must
// be InputLength or None (then taken as InputLength).
func (e *Embedding) Build(in [][]int, dt tensor.Dtype) error {
	if err := graph.CheckDtype(dt); err != nil {
		return err
	}
	shape, err := e.inputShape(in)
	if err != nil {
		return err
	}
	init, _ := graph.NewInitializer(e.cfg.EmbeddingsInitializer)
	size := []int{e.cfg.InputDim, e.cfg.OutputDim}
	v, err := graph.InitTensor(init, size, dt, graph.NewRNG(e.cfg.Seed))
	if err != nil {
		return fmt.Errorf("layers: Embedding %s embeddings: %w", e.cfg.Name, err)
	}
	e.table = &graph.Param{Name: e.cfg.Name + "/embeddings", Value: v, Grad: graph.NewTensor(dt, size, nil),
		Regularizer: e.ereg, Constraint: e.econ}
	e.dt, e.inShape = dt, shape
	e.progs.Clear()
	return nil
}

// OutputShapes is the input shape followed by output_dim.
func (e *Embedding) OutputShapes() [][]int {
	if e.inShape == nil {
		return nil
	}
	return [][]int{append(append([]int(nil), e.inShape...), e.cfg.OutputDim)}
}

// embeddingKey identifies a compiled Embedding graph: the number of ids
// and whether it computes the gradient.
type embeddingKey struct {
	n     int
	train bool
}

// embeddingGraph is y = E[ids] for n ids; the training variant also takes
// dy and computes gE, the gradient of Σ(y ⊙ dy) + activity penalty.
type embeddingGraph struct {
	vm            G.VM
	table, ids    *G.Node
	dy, y, pen, g *G.Node
}

func (e *Embedding) newGraph(k embeddingKey) (*embeddingGraph, error) {
	g := G.NewGraph()
	eg := &embeddingGraph{}
	eg.table = G.NewMatrix(g, e.dt, G.WithShape(e.cfg.InputDim, e.cfg.OutputDim), G.WithName("embeddings"))
	eg.ids = G.NewVector(g, tensor.Int, G.WithShape(k.n), G.WithName("embedding_ids"))
	var err error
	if eg.y, err = G.ApplyOp(gatherOp{}, eg.table, eg.ids); err != nil {
		return nil, err
	}
	if e.areg != nil {
		if eg.pen, err = e.areg.Penalty(eg.y); err != nil {
			return nil, fmt.Errorf("layers: Embedding %s activity regularizer: %w", e.cfg.Name, err)
		}
	}
	if k.train {
		eg.dy = G.NewMatrix(g, e.dt, G.WithShape(k.n, e.cfg.OutputDim), G.WithName("embedding_dy"))
		s, err := G.Sum(G.Must(G.HadamardProd(eg.y, eg.dy)))
		if err != nil {
			return nil, err
		}
		if eg.pen != nil {
			if s, err = G.Add(s, eg.pen); err != nil {
				return nil, err
			}
		}
		grads, err := G.Grad(s, eg.table)
		if err != nil {
			return nil, fmt.Errorf("layers: Embedding %s gradient: %w", e.cfg.Name, err)
		}
		eg.g = grads[0]
	}
	eg.vm = G.NewTapeMachine(g)
	return eg, nil
}

// run lets the table, the ids and dy (training) into eg and runs it.
func (e *Embedding) run(eg *embeddingGraph, ids []int, dy *tensor.Dense) error {
	eg.vm.Reset()
	if err := G.Let(eg.table, e.table.Value); err != nil {
		return err
	}
	if err := G.Let(eg.ids, tensor.New(tensor.WithShape(len(ids)), tensor.WithBacking(ids))); err != nil {
		return err
	}
	if dy != nil {
		if err := G.Let(eg.dy, dy); err != nil {
			return err
		}
	}
	return eg.vm.RunAll()
}

// Forward looks up the ids of in[0] and, with MaskZero, returns the mask
// ids ≠ 0 with the output. A mask given with the input is an error
// without MaskZero (Keras: the layer does not support masking) and is
// replaced by the layer's own with it.
func (e *Embedding) Forward(in, masks []*tensor.Dense, training bool) (*graph.Pass, error) {
	if e.table == nil {
		return nil, fmt.Errorf("layers: Embedding %s: Forward before Build", e.cfg.Name)
	}
	x, mask, err := oneInput("Embedding", e.cfg.Name, in, masks)
	if err != nil {
		return nil, err
	}
	if mask != nil && !e.cfg.MaskZero {
		return nil, fmt.Errorf("layers: Embedding %s: got a mask: the layer takes one only with mask_zero (Keras: it does not support masking)", e.cfg.Name)
	}
	xs := []int(x.Shape())
	if !graph.FitsShape(xs, e.inShape) {
		return nil, fmt.Errorf("layers: Embedding %s: ids of shape %v: want %s", e.cfg.Name, xs, graph.FormatShape(e.inShape))
	}
	ids, err := e.ids(x)
	if err != nil {
		return nil, err
	}
	eg, put, err := e.progs.Get(embeddingKey{n: len(ids)})
	if err != nil {
		return nil, err
	}
	defer put()
	if err := e.run(eg, ids, nil); err != nil {
		return nil, fmt.Errorf("layers: Embedding %s forward: %w", e.cfg.Name, err)
	}
	y := eg.y.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	if err := y.Reshape(append(append([]int(nil), xs...), e.cfg.OutputDim)...); err != nil {
		return nil, err
	}
	pass := &graph.Pass{Outputs: []*tensor.Dense{y}}
	if eg.pen != nil {
		pass.ActivityPenalty = graph.Float64s(eg.pen.Value())[0]
	}
	if e.cfg.MaskZero {
		keep := make([]bool, len(ids))
		for i, id := range ids {
			keep[i] = id != 0
		}
		pass.Masks = []*tensor.Dense{tensor.New(tensor.WithShape(xs...), tensor.WithBacking(keep))}
	}
	if training {
		pass.Backward = func(dOut []*tensor.Dense, _ []bool) ([]*tensor.Dense, error) {
			return e.backward(ids, dOut)
		}
	}
	return pass, nil
}

// backward adds the table's gradient of one training Forward (its ids)
// into the Param's Grad; ids take no gradient.
func (e *Embedding) backward(ids []int, dOut []*tensor.Dense) ([]*tensor.Dense, error) {
	if len(dOut) != 1 {
		return nil, fmt.Errorf("layers: Embedding %s: %d output gradients: want 1", e.cfg.Name, len(dOut))
	}
	n, w := len(ids), e.cfg.OutputDim
	dy := dOut[0]
	if dy == nil {
		dy = graph.NewTensor(e.dt, []int{n, w}, nil)
	}
	if dy.Shape().TotalSize() != n*w || dy.Dtype() != e.dt {
		return nil, fmt.Errorf("layers: Embedding %s: output gradient %v of shape %v: want %v with %d rows of %d", e.cfg.Name, dy.Dtype(), []int(dy.Shape()), e.dt, n, w)
	}
	dyv := graph.Contiguous(dy).ShallowClone()
	if err := dyv.Reshape(n, w); err != nil {
		return nil, err
	}
	eg, put, err := e.progs.Get(embeddingKey{n: n, train: true})
	if err != nil {
		return nil, err
	}
	defer put()
	if err := e.run(eg, ids, dyv); err != nil {
		return nil, fmt.Errorf("layers: Embedding %s backward: %w", e.cfg.Name, err)
	}
	graph.AddInto(e.table.Grad, eg.g.Value().(*tensor.Dense))
	return []*tensor.Dense{nil}, nil
}

// ids returns the ids of x, row-major: x holds integers of any width, or
// floats of integral values. An id outside [0, input_dim) or a float that
// is not an integer is an error naming it and its position.
func (e *Embedding) ids(x *tensor.Dense) ([]int, error) {
	x = graph.Contiguous(x)
	var ids []int
	var bad func(i int) string // the offending value at flat index i
	switch d := x.Data().(type) {
	case []int:
		ids = append([]int(nil), d...)
	case []int8:
		ids = widen(d)
	case []int16:
		ids = widen(d)
	case []int32:
		ids = widen(d)
	case []int64:
		ids = widen(d)
	case []uint:
		ids, bad = widenUnsigned(d)
	case []uint8:
		ids = widen(d)
	case []uint16:
		ids = widen(d)
	case []uint32:
		ids = widen(d)
	case []uint64:
		ids, bad = widenUnsigned(d)
	case []float64:
		ids, bad = integral(d)
	case []float32:
		ids, bad = integral(d)
	default:
		return nil, fmt.Errorf("layers: Embedding %s: ids of dtype %v: want integers (any int or uint dtype, or floats of integral values)", e.cfg.Name, x.Dtype())
	}
	for i, id := range ids {
		if bad != nil {
			if s := bad(i); s != "" {
				return nil, fmt.Errorf("layers: Embedding %s: id %s at %v: want an integer in [0, %d) (input_dim %d)", e.cfg.Name, s, position(x.Shape(), i), e.cfg.InputDim, e.cfg.InputDim)
			}
		}
		if id < 0 || id >= e.cfg.InputDim {
			return nil, fmt.Errorf("layers: Embedding %s: id %d at %v out of range: want ids in [0, %d) (input_dim %d)", e.cfg.Name, id, position(x.Shape(), i), e.cfg.InputDim, e.cfg.InputDim)
		}
	}
	return ids, nil
}

func widen[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](d []T) []int {
	out := make([]int, len(d))
	for i, v := range d {
		out[i] = int(v)
	}
	return out
}

// widenUnsigned converts ids that may not fit an int; bad reports those.
func widenUnsigned[T uint | uint64](d []T) ([]int, func(int) string) {
	out := make([]int, len(d))
	for i, v := range d {
		if v > math.MaxInt {
			out[i] = -1
			continue
		}
		out[i] = int(v)
	}
	return out, func(i int) string {
		if d[i] > math.MaxInt {
			return fmt.Sprint(d[i])
		}
		return ""
	}
}

// integral converts float ids; bad reports a value that is not an integer
// in int range (NaN, ±Inf, 2.5).
func integral[T float32 | float64](d []T) ([]int, func(int) string) {
	out := make([]int, len(d))
	for i, v := range d {
		f := float64(v)
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			out[i] = -1
			continue
		}
		out[i] = int(f)
	}
	return out, func(i int) string {
		f := float64(d[i])
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return fmt.Sprint(f)
		}
		return ""
	}
}

// position returns the index of flat offset i in shape, batch first.
func position(shape tensor.Shape, i int) []int {
	pos := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		pos[k] = i % shape[k]
		i /= shape[k]
	}
	return pos
}
