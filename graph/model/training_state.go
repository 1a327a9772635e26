package model

import (
	"encoding/json"
	"math/rand/v2"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/loss"
	"github.com/golstm/golstm/optim"
)

// trainingEntry is the training state of a saved model: loss, metrics,
// the optimizer with its state (optim.Snapshot), Fit's shuffling stream
// and the random streams of the layers that draw (graph.RandomStream:
// dropout masks, noise), by layer name.
type trainingEntry struct {
	Loss        string            `json:"loss,omitempty"`
	Losses      []string          `json:"losses,omitempty"`
	LossWeights []float64         `json:"loss_weights,omitempty"`
	Metrics     []string          `json:"metrics,omitempty"`
	Optimizer   json.RawMessage   `json:"optimizer"`
	Shuffle     *shuffleEntry     `json:"shuffle,omitempty"`
	Random      map[string][]byte `json:"random,omitempty"`
}

// shuffleEntry is Fit's shuffling stream: the seed it started from and the
// state of its PCG source (rand.PCG.MarshalBinary, base64 in the JSON).
type shuffleEntry struct {
	Seed  uint64 `json:"seed"`
	State []byte `json:"state"`
}

// Compiled returns the model's compile arguments in the form CompileMulti
// takes (one loss name per output, or one for all; the loss weights, nil
// for all 1; the metric names; the optimizer) and true, when the model is
// compiled with losses of package loss and metrics by name; otherwise (not
// compiled, a loss of the caller's own, CompileWith's metrics) false.
func (m *Model) Compiled() (CompileOptions, bool) {
	if m.losses == nil || m.opt == nil || m.custom != nil {
		return CompileOptions{}, false
	}
	var names []string
	for _, l := range m.losses {
		if _, err := loss.Get(l.Name()); err != nil {
			return CompileOptions{}, false // a loss of the caller's own
		}
		names = append(names, l.Name())
	}
	return CompileOptions{Losses: names, LossWeights: append([]float64(nil), m.lossWeights...),
		Metrics: append([]string(nil), m.metricNames...), Optimizer: m.opt}, true
}

// trainingState returns m's compile state for Save, or nil when m is not
// compiled or its loss or optimizer cannot be stored (a custom loss, an
// optimizer of the user's own).
func (m *Model) trainingState() *trainingEntry {
	c, ok := m.Compiled()
	if !ok {
		return nil
	}
	o, err := optim.Snapshot(c.Optimizer)
	if err != nil {
		return nil
	}
	t := &trainingEntry{Metrics: c.Metrics, Optimizer: o}
	if m.shuffle != nil {
		state, err := graph.PCGStates(m.shuffle.src)
		if err != nil {
			return nil
		}
		t.Shuffle = &shuffleEntry{Seed: m.shuffle.seed, State: state}
	}
	for _, l := range m.layers {
		if r, ok := l.(graph.RandomStream); ok {
			state, err := r.RandomState()
			if err != nil {
				return nil
			}
			if t.Random == nil {
				t.Random = map[string][]byte{}
			}
			t.Random[l.Name()] = state
		}
	}
	if len(c.Losses) == 1 && m.lossWeights == nil {
		t.Loss = c.Losses[0]
	} else {
		t.Losses, t.LossWeights = c.Losses, c.LossWeights
	}
	return t
}

// restoreTraining compiles m from a saved compile state.
func (m *Model) restoreTraining(t *trainingEntry) error {
	if t == nil {
		return nil
	}
	opt, err := optim.Restore(t.Optimizer)
	if err != nil {
		return badFile("optimizer: %v", err)
	}
	if s := t.Shuffle; s != nil {
		src := graph.NewPCG(s.Seed)
		if err := graph.SetPCGStates(s.State, src); err != nil {
			return badFile("shuffling state: %v", err)
		}
		m.shuffle = &shuffler{seed: s.Seed, src: src, rng: rand.New(src)}
	}
	for name, state := range t.Random {
		r, ok := m.Layer(name).(graph.RandomStream)
		if !ok {
			return badFile("random state for layer %q: the model has no layer of that name that draws random numbers", name)
		}
		if err := r.SetRandomState(state); err != nil {
			return badFile("random state: %v", err)
		}
	}
	if t.Losses != nil {
		return m.CompileMulti(CompileOptions{Losses: t.Losses, LossWeights: t.LossWeights, Metrics: t.Metrics, Optimizer: opt})
	}
	return m.Compile(t.Loss, opt, t.Metrics...)
}
