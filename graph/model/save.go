package model

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"
)

// Save writes the built model (dtype, input shape, every layer's type,
// name and Config, and every weight) to path in the format described at
// FileFormatVersion. The write is atomic: the data go to a
// temporary file in the same directory, which is synced and then renamed
// over path, so a crash leaves either the old file or the new one.
func (m *Model) Save(path string) error {
	data, err := encodeModel(m)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("model: Save: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // persist the rename; not all systems support it
		d.Close()
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
// gives an error wrapping ErrBadFile.
func Load(path string) (*Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("model: Load: %w", err)
	}
	mf, err := decodeModel(data)
	if err != nil {
		return nil, fmt.Errorf("model: Load %s: %w", path, err)
	}
	m, err := mf.rebuild()
	if err != nil {
		return nil, fmt.Errorf("model: Load %s: %w", path, err)
	}
	if err := m.setFileWeights(mf); err != nil {
		return nil, fmt.Errorf("model: Load %s: %w", path, err)
	}
	if err := m.freeze(mf.header.Frozen); err != nil {
		return nil, fmt.Errorf("model: Load %s: %w", path, err)
	}
	if err := m.restoreTraining(mf.header.Training); err != nil {
		return nil, fmt.Errorf("model: Load %s: %w", path, err)
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
	if h.Sequential {
		m, err := NewSequential(mf.dt, layers...)
		if err != nil {
			return nil, err
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
	return New(mf.dt, ins, outs)
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
