package model

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// Save writes the built model (dtype, input shape, every layer's type,
// name and Config, and every weight) to path in the format described at
// FileFormatVersion. The write is atomic: the data go to a
// temporary file in the same directory, which is synced and then renamed
// over path, so a crash leaves either the old file or the new one.
func (m *Model) Save(path string) error {
	data, err := encodeModel(m, true)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// SaveWeights writes the built model to path as Save does, without the
// training state (Keras' save_weights): LoadWeights reads it into a model
// of the same layers, and Load rebuilds the model uncompiled.
func (m *Model) SaveWeights(path string) error {
	data, err := encodeModel(m, false)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// writeFileAtomic writes data to path with graph.WriteFileAtomic.
func writeFileAtomic(path string, data []byte) error {
	err := graph.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	return nil
}

// Load reads a model saved by Save: it rebuilds every layer through the
// registry (RegisterLayer; import the packages of the layers used), builds
// the model and sets its weights, checking every name and shape. When the
// file holds the saved model's training state (loss, metrics, optimizer and
// its state) and package optim is imported (it registers the optimizer
// codec), the model comes back compiled and resumes training where it
// stopped; otherwise it is not compiled. A truncated or corrupted file
// gives an error wrapping ErrBadFile. Files are untrusted input: nothing
// is allocated beyond the file's size, as every layer's weights
// (graph.ParamShaper) are checked against the file before it is built.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: Load: %w", err)
	}
	m, err := loadBytes(data)
	if err != nil {
		return nil, fmt.Errorf("model: Load %s: %w", path, err)
	}
	return m, nil
}

// loadBytes is Load on the bytes of a file: every allocation is bounded
// by the bytes' length (the weights are checked before each layer is
// built, see rebuild).
func loadBytes(data []byte) (*Model, error) {
	mf, err := decodeModel(data)
	if err != nil {
		return nil, err
	}
	m, err := mf.rebuild()
	if err != nil {
		return nil, err
	}
	if err := m.setFileWeights(mf); err != nil {
		return nil, err
	}
	if err := m.freeze(mf.header.Frozen); err != nil {
		return nil, err
	}
	if err := m.restoreTraining(mf.header.Training); err != nil {
		return nil, err
	}
	return m, nil
}

// LoadWeights sets the weights of m (built, or built here from the file's
// input shape) from a file written by Save. Every weight of m must be in
// the file with the same shape and dtype and the file must hold no other;
// otherwise the error lists every difference and m is left unchanged.
func (m *Model) LoadWeights(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("model: LoadWeights: %w", err)
	}
	mf, err := decodeModel(data)
	if err != nil {
		return fmt.Errorf("model: LoadWeights %s: %w", path, err)
	}
	if !m.built {
		if !mf.header.Sequential {
			return fmt.Errorf("model: LoadWeights %s: the file holds a functional model: build m first", path)
		}
		if err := m.Build(mf.header.InputShape...); err != nil {
			return fmt.Errorf("model: LoadWeights %s: %w", path, err)
		}
	}
	if err := m.setFileWeights(mf); err != nil {
		return fmt.Errorf("model: LoadWeights %s: %w", path, err)
	}
	return nil
}

// setFileWeights checks all weights against the file, then copies them.
func (m *Model) setFileWeights(mf *modelFile) error {
	byName := map[string]namedTensor{}
	for _, t := range mf.tensors {
		byName[t.name] = t
	}
	var bad []string
	ps := m.Params()
	for _, p := range ps {
		t, ok := byName[p.Name]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("weight %s %v is not in the file", p.Name, []int(p.Value.Shape())))
		case t.t.Dtype() != p.Value.Dtype():
			bad = append(bad, fmt.Sprintf("weight %s is %v in the file, %v in the model", p.Name, t.t.Dtype(), p.Value.Dtype()))
		case !slices.Equal(t.t.Shape(), p.Value.Shape()):
			bad = append(bad, fmt.Sprintf("weight %s has shape %v in the file, %v in the model", p.Name, []int(t.t.Shape()), []int(p.Value.Shape())))
		}
		delete(byName, p.Name)
	}
	for _, t := range mf.tensors {
		if _, extra := byName[t.name]; extra {
			bad = append(bad, fmt.Sprintf("weight %s %v in the file is not in the model", t.name, []int(t.t.Shape())))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("weights do not match: %s", strings.Join(bad, "; "))
	}
	for _, p := range ps {
		for _, t := range mf.tensors {
			if t.name == p.Name {
				graph.CopyInto(p.Value, t.t)
			}
		}
	}
	return nil
}

// freeze sets Param.Frozen on the weights named in names.
func (m *Model) freeze(names []string) error {
	byName := map[string]*graph.Param{}
	for _, p := range m.Params() {
		byName[p.Name] = p
	}
	for _, n := range names {
		p, ok := byName[n]
		if !ok {
			return badFile("frozen weight %q is not in the model", n)
		}
		p.Frozen = true
	}
	return nil
}

// rebuild makes the model a file describes, built, without its weights.
// Before building each layer it checks the weights the layer would create
// (graph.ParamShaper) against the file's, so that nothing is allocated for
// weights the file does not hold.
func (mf *modelFile) rebuild() (*Model, error) {
	h := &mf.header
	byName := map[string]graph.Layer{}
	var layers []graph.Layer
	for _, le := range h.Layers {
		l, err := graph.NewLayer(le.Type, le.Name, le.Config)
		if err != nil {
			return nil, err
		}
		if l.Name() != le.Name {
			return nil, fmt.Errorf("layer %q rebuilt with name %q", le.Name, l.Name())
		}
		byName[le.Name] = l
		layers = append(layers, l)
	}
	m := &Model{dt: mf.dt, sequential: h.Sequential, beforeBuild: mf.checkLayer}
	defer func() { m.beforeBuild = nil }()
	if h.Sequential {
		for _, l := range layers {
			if err := m.Add(l); err != nil {
				return nil, err
			}
		}
		if err := m.Build(h.InputShape...); err != nil {
			return nil, err
		}
		return m, nil
	}
	inputs := map[string]*Node{}
	var ins []*Node
	for _, in := range h.Inputs {
		n := Input(in.Name, in.Shape...)
		inputs[in.Name], ins = n, append(ins, n)
	}
	apps := make([]*Node, len(h.Apps)) // output 0 of each application
	node := func(ref nodeRef) *Node {
		if ref.App == nil {
			return inputs[ref.Input]
		}
		return apps[*ref.App].Output(ref.Output)
	}
	for k, a := range h.Apps {
		in := make([]*Node, len(a.Inputs))
		for i, ref := range a.Inputs {
			in[i] = node(ref)
		}
		apps[k] = Apply(byName[a.Layer], in...)
	}
	outs := make([]*Node, len(h.Outputs))
	for i, ref := range h.Outputs {
		outs[i] = node(ref)
	}
	if err := m.wire(ins, outs); err != nil {
		return nil, err
	}
	return m, nil
}

// checkLayer checks, before l is built for inputs of shapes in, that the
// file holds every weight l would create, with the same shape. A layer
// that does not implement graph.ParamShaper is built unchecked (a layer
// without weights has nothing to check).
func (mf *modelFile) checkLayer(l graph.Layer, in [][]int) error {
	ps, ok := l.(graph.ParamShaper)
	if !ok {
		return nil
	}
	shapes, err := ps.ParamShapes(in)
	if err != nil {
		return fmt.Errorf("model: building layer %s (%s) for inputs %s: %w", l.Name(), l.Type(), formatShapes(in), err)
	}
	names := make([]string, 0, len(shapes))
	for name := range shapes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		want := shapes[name]
		t := mf.tensor(name)
		switch {
		case t == nil:
			return badFile("layer %s (%s) has weight %s %v, which the file does not hold", l.Name(), l.Type(), name, want)
		case !slices.Equal(t.Shape(), want):
			return badFile("weight %s has shape %v in the file, but layer %s's configuration makes it %v", name, []int(t.Shape()), l.Name(), want)
		}
	}
	return nil
}

// tensor returns the file's weight named name, or nil.
func (mf *modelFile) tensor(name string) *tensor.Dense {
	for _, t := range mf.tensors {
		if t.name == name {
			return t.t
		}
	}
	return nil
}

// topology describes a functional model's wiring for a file.
func (m *Model) topology() ([]inputEntry, []appEntry, []nodeRef) {
	var inputs []inputEntry
	for _, in := range m.inputs {
		inputs = append(inputs, inputEntry{Name: in.name, Shape: in.Shape()})
	}
	index := map[*application]int{}
	ref := func(n *Node) nodeRef {
		if n.IsInput() {
			return nodeRef{Input: n.name}
		}
		k := index[n.app]
		return nodeRef{App: &k, Output: n.index}
	}
	var apps []appEntry
	for k, a := range m.apps {
		e := appEntry{Layer: a.layer.Name()}
		for _, x := range a.in {
			e.Inputs = append(e.Inputs, ref(x))
		}
		apps = append(apps, e)
		index[a] = k
	}
	var outs []nodeRef
	for _, o := range m.outputs {
		outs = append(outs, ref(o))
	}
	return inputs, apps, outs
}
