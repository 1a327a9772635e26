package loss

import (
	"fmt"

	"github.com/golstm/golstm/graph"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// maxRank is the largest prediction rank an Evaluator compiles for.
const maxRank = 8

// graphKey identifies a compiled loss graph: the prediction shape, whether
// it takes a mask and whether it is the scores-only graph of
// Evaluator.Scores.
type graphKey struct {
	rank   int
	dims   [maxRank]int
	masked bool
	scores bool
}

func (k graphKey) shape() []int { return append([]int(nil), k.dims[:k.rank]...) }

// lossGraph is a loss compiled for one key: the loss value and its
// gradient with respect to the predictions, or only the scores.
type lossGraph struct {
	vm        G.VM
	yt, yp    *G.Node
	mask, den *G.Node // the mask as 0/1 of each score, and its mean (masked graphs)
	scores    *G.Node // the score array, flattened
	out, grd  *G.Node
}

func newLossGraph(loss Loss, dt tensor.Dtype, key graphKey) (*lossGraph, error) {
	shape := key.shape()
	g := G.NewGraph()
	lg := &lossGraph{}
	lg.yt = G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("loss_y_true"))
	lg.yp = G.NewTensor(g, dt, len(shape), G.WithShape(shape...), G.WithName("loss_y_pred"))
	sc, err := loss.Scores(lg.yt, lg.yp)
	if err != nil {
		return nil, err
	}
	n := tensor.Shape(shape[:len(shape)-1]).TotalSize()
	if sc.Shape().TotalSize() != n {
		return nil, fmt.Errorf("loss: loss %s returned scores of shape %v for predictions of shape %v: want %v", loss.Name(), sc.Shape(), shape, shape[:len(shape)-1])
	}
	if sc.Dims() != 1 {
		if sc, err = G.Reshape(sc, tensor.Shape{n}); err != nil {
			return nil, err
		}
	}
	lg.scores = sc
	if !key.scores {
		if key.masked {
			// Keras 2.2.4 weighted_masked_objective: mean(s ⊙ m / mean(m)).
			lg.mask = G.NewVector(g, dt, G.WithShape(n), G.WithName("loss_mask"))
			lg.den = G.NewScalar(g, dt, G.WithName("loss_mask_mean"))
			if sc, err = G.HadamardProd(sc, lg.mask); err != nil {
				return nil, err
			}
			if sc, err = G.Div(sc, lg.den); err != nil {
				return nil, err
			}
		}
		if lg.out, err = G.Mean(sc); err != nil {
			return nil, err
		}
		grads, err := G.Grad(lg.out, lg.yp)
		if err != nil {
			return nil, fmt.Errorf("loss: gradient of loss %s: %w", loss.Name(), err)
		}
		lg.grd = grads[0]
	}
	lg.vm = G.NewTapeMachine(g)
	return lg, nil
}

// run runs the graph on targets yt (already through Loss.Target),
// predictions yp and, for a masked graph, the mask weights m and their
// mean.
func (lg *lossGraph) run(yt, yp, m *tensor.Dense, mean float64) error {
	lg.vm.Reset()
	// The graph gets copies: Gorgonia may run an op in place on a
	// Reshape view of an input, which would overwrite the caller's data.
	if err := G.Let(lg.yt, graph.Contiguous(yt).Clone()); err != nil {
		return err
	}
	if err := G.Let(lg.yp, graph.Contiguous(yp).Clone()); err != nil {
		return err
	}
	if lg.mask != nil {
		if err := G.Let(lg.mask, m); err != nil {
			return err
		}
		var v G.Value = G.NewF64(mean)
		if yp.Dtype() == tensor.Float32 {
			v = G.NewF32(float32(mean))
		}
		if err := G.Let(lg.den, v); err != nil {
			return err
		}
	}
	return lg.vm.RunAll()
}

// Evaluator computes a loss and its gradient with respect to the
// predictions, through one compiled graph per prediction shape (and per
// use: with a mask, without, scores only). The graphs are kept in a
// graph.ProgramCache (least recently used beyond its capacity are
// released; see SetProgramCacheSize), so that a model that sees many
// sequence lengths does not keep one graph per length. An Evaluator is
// not safe for concurrent use.
type Evaluator struct {
	loss  Loss
	dt    tensor.Dtype
	progs *graph.ProgramCache[graphKey, *lossGraph]
}

// NewEvaluator returns an Evaluator of loss in dtype dt, keeping
// graph.DefaultProgramCacheSize compiled graphs.
func NewEvaluator(loss Loss, dt tensor.Dtype) *Evaluator {
	c := &Evaluator{loss: loss, dt: dt}
	c.progs = graph.NewProgramCache(func(k graphKey) (*lossGraph, error) {
		return newLossGraph(c.loss, c.dt, k)
	}, func(lg *lossGraph) { lg.vm.Close() })
	return c
}

// SetProgramCacheSize sets how many compiled graphs the Evaluator keeps
// (see graph.ProgramCache.SetCapacity).
func (c *Evaluator) SetProgramCacheSize(n int) error { return c.progs.SetCapacity(n) }

// prepare checks y against yp and returns the targets fed to the graph
// and the graph key for yp's shape.
func (c *Evaluator) prepare(y, yp *tensor.Dense, masked, scores bool) (*tensor.Dense, graphKey, error) {
	shape := []int(yp.Shape())
	if len(shape) < 2 || len(shape) > maxRank {
		return nil, graphKey{}, fmt.Errorf("loss: predictions of shape %v: want 2 to %d dimensions (batch first, values last)", shape, maxRank)
	}
	if yp.Dtype() != c.dt {
		return nil, graphKey{}, fmt.Errorf("loss: predictions of dtype %v for a loss of dtype %v", yp.Dtype(), c.dt)
	}
	yt, err := c.loss.Target(y, shape)
	if err != nil {
		return nil, graphKey{}, err
	}
	if yt.Dtype() != c.dt {
		return nil, graphKey{}, fmt.Errorf("loss: targets of dtype %v for a model of dtype %v", yt.Dtype(), c.dt)
	}
	k := graphKey{rank: len(shape), masked: masked, scores: scores}
	copy(k.dims[:], shape)
	return yt, k, nil
}

// Eval returns the loss of predictions yp for raw targets y, and its
// gradient with respect to yp. With mask nil the loss is the mean of the
// scores s (Loss.Scores); with a mask, a bool or integer tensor of yp's
// shape without its last axis (true or non-zero at the steps that count;
// see graph.MaskValues), it is Keras 2.2.4's weighted_masked_objective,
//
//	loss = mean(s ⊙ m) / mean(m),
//
// computed as Keras does, mean(s ⊙ m / mean(m)). A mask with no step kept
// (mean(m) = 0, where Keras 2.2.4 gives NaN) gives loss 0 and a zero
// gradient, as Keras 2.2.5 and later give through mean(m) + ε: a batch of
// padding teaches nothing.
func (c *Evaluator) Eval(y, yp, mask *tensor.Dense) (float64, *tensor.Dense, error) {
	yt, key, err := c.prepare(y, yp, mask != nil, false)
	if err != nil {
		return 0, nil, err
	}
	var m *tensor.Dense
	mean := 1.0
	if mask != nil {
		keep, err := maskOf(mask, yp)
		if err != nil {
			return 0, nil, err
		}
		w := make([]float64, len(keep))
		kept := 0
		for i, k := range keep {
			if k {
				w[i] = 1
				kept++
			}
		}
		if kept > 0 {
			mean = float64(kept) / float64(len(keep))
		}
		m = graph.NewTensor(c.dt, []int{len(w)}, w)
	}
	lg, put, err := c.progs.Get(key)
	if err != nil {
		return 0, nil, err
	}
	defer put()
	if err := lg.run(yt, yp, m, mean); err != nil {
		return 0, nil, fmt.Errorf("loss: loss %s: %w", c.loss.Name(), err)
	}
	v := graph.Float64s(lg.out.Value())[0]
	gd := lg.grd.Value().(*tensor.Dense).Clone().(*tensor.Dense)
	return v, gd, nil
}

// Scores returns the loss of each sample (each step) of predictions yp for
// raw targets y, row-major: yp's shape without its last axis (see
// Loss.Scores).
func (c *Evaluator) Scores(y, yp *tensor.Dense) ([]float64, error) {
	yt, key, err := c.prepare(y, yp, false, true)
	if err != nil {
		return nil, err
	}
	lg, put, err := c.progs.Get(key)
	if err != nil {
		return nil, err
	}
	defer put()
	if err := lg.run(yt, yp, nil, 1); err != nil {
		return nil, fmt.Errorf("loss: loss %s: %w", c.loss.Name(), err)
	}
	return graph.Float64s(lg.scores.Value()), nil
}

// Close releases the compiled machines.
func (c *Evaluator) Close() { c.progs.Clear() }

// maskOf returns the values of mask, which must have yp's shape without
// its last axis.
func maskOf(mask, yp *tensor.Dense) ([]bool, error) {
	want := []int(yp.Shape())
	want = want[:len(want)-1]
	if !tensor.Shape(want).Eq(mask.Shape()) {
		return nil, fmt.Errorf("loss: mask of shape %v for predictions of shape %v: want shape %v (one value per sample or step)", []int(mask.Shape()), []int(yp.Shape()), want)
	}
	keep, err := graph.MaskValues(mask)
	if err != nil {
		return nil, fmt.Errorf("loss: %w", err)
	}
	return keep, nil
}

// MaskedMean reduces scores, one per sample or step, as Keras 2.2.4 reduces
// a loss's or a metric's score array: their mean, or with a mask (one value
// per score, true where the step counts) mean(s ⊙ m / mean(m)). Without
// any step kept it returns 0 (see Evaluator.Eval). It returns an error
// when the mask has another length than scores.
func MaskedMean(scores []float64, mask []bool) (float64, error) {
	if len(scores) == 0 {
		return 0, fmt.Errorf("loss: MaskedMean of no scores")
	}
	if mask == nil {
		s := 0.0
		for _, v := range scores {
			s += v
		}
		return s / float64(len(scores)), nil
	}
	if len(mask) != len(scores) {
		return 0, fmt.Errorf("loss: mask of %d values for %d scores", len(mask), len(scores))
	}
	kept := 0
	for _, k := range mask {
		if k {
			kept++
		}
	}
	if kept == 0 {
		return 0, nil
	}
	mean := float64(kept) / float64(len(mask))
	s := 0.0
	for i, v := range scores {
		if mask[i] {
			s += v / mean
		}
	}
	return s / float64(len(scores)), nil
}
