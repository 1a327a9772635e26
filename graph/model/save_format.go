package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/golstm/golstm/graph"
	"gorgonia.org/tensor"
)

// FileFormatVersion is the version of the model file format that Save
// writes; Load reads it and version 1 (Sequential models only). All
// integers are little-endian.
//
//	offset  size   field
//	0       8      magic "GOLSTM\r\n"
//	8       4      uint32 format version (2)
//	12      4      uint32 header length H (at most 16 MiB)
//	16      H      header, JSON:
//	               {"dtype": "float32"|"float64",
//	               "sequential": true|false,
//	               "input_shape": [d1, ...] (Sequential: per sample, -1 for
//	               None),
//	               "layers": [{"type": "Dense", "name": "dense_1",
//	               "config": {...Layer.Config...}}, ...] (each layer once),
//	               "inputs": [{"name": "x", "shape": [-1, 8]}, ...],
//	               "apps": [{"layer": "lstm_1", "inputs": [ref, ...]}, ...]
//	               (functional: the layer applications in topological
//	               order), "outputs": [ref, ...] (functional),
//	               "training": {"loss": "mse", "metrics": [...],
//	               "optimizer": {...}, "shuffle": {"seed": s, "state":
//	               base64}, "random": {"lstm_1": base64, ...}} (only for a
//	               compiled model whose optimizer is one of package optim;
//	               shuffle once Fit has shuffled; random: the stream of
//	               each graph.RandomStream layer, by name),
//	               "frozen": ["lstm_1/kernel", ...] (the Param.Frozen
//	               weights; left out when none is)};
//	               a ref is {"input": "x"} or {"app": k, "output": i}
//	               (output i of the k-th application, k earlier)
//	16+H    4      uint32 tensor count N
//	               N tensors, in Model.Params order, each:
//	        2        uint16 name length L, then L bytes of name (Param.Name)
//	        1        dtype code: 1 float32, 2 float64
//	        1        rank r (1 to 8)
//	        4r       uint32 dimensions
//	        n·size   values, row-major, IEEE 754 little-endian
//	end-4   4      uint32 CRC-32 (IEEE) of every byte before it
//
// A compiled model's loss, metrics and optimizer (configuration and state,
// as optim.Snapshot writes them) and Fit's shuffling stream (its seed and
// the state of its PCG source) are in the header, so that a loaded model
// resumes training exactly where the saved one stopped.
const FileFormatVersion = 2

const (
	fileMagic     = "GOLSTM\r\n"
	fileVersion   = FileFormatVersion
	maxHeaderSize = 16 << 20
	maxRank       = 8
)

// ErrBadFile wraps every error about a malformed model file.
var ErrBadFile = errors.New("model: bad model file")

func badFile(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadFile, fmt.Sprintf(format, args...))
}

type fileHeader struct {
	Dtype      string         `json:"dtype"`
	Sequential bool           `json:"sequential"`
	InputShape []int          `json:"input_shape,omitempty"`
	Layers     []layerEntry   `json:"layers"`
	Inputs     []inputEntry   `json:"inputs,omitempty"`
	Apps       []appEntry     `json:"apps,omitempty"`
	Outputs    []nodeRef      `json:"outputs,omitempty"`
	Training   *trainingEntry `json:"training,omitempty"`
	Frozen     []string       `json:"frozen,omitempty"`
}

type inputEntry struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type appEntry struct {
	Layer  string    `json:"layer"`
	Inputs []nodeRef `json:"inputs"`
}

// nodeRef names a node in a file: a model input, or output Output of the
// App-th layer application.
type nodeRef struct {
	Input  string `json:"input,omitempty"`
	App    *int   `json:"app,omitempty"`
	Output int    `json:"output,omitempty"`
}

type layerEntry struct {
	Type   string          `json:"type"`
	Name   string          `json:"name"`
	Config json.RawMessage `json:"config"`
}

type namedTensor struct {
	name string
	t    *tensor.Dense
}

type modelFile struct {
	header  fileHeader
	dt      tensor.Dtype
	tensors []namedTensor
}

// encodeModel serializes the built model m, with its training state when
// training is true.
func encodeModel(m *Model, training bool) ([]byte, error) {
	if !m.built {
		return nil, fmt.Errorf("model: Save: model not built")
	}
	h := fileHeader{Dtype: m.dt.String(), Sequential: m.sequential}
	if training {
		h.Training = m.trainingState()
	}
	for _, p := range m.Params() {
		if p.Frozen {
			h.Frozen = append(h.Frozen, p.Name)
		}
	}
	if m.sequential {
		h.InputShape = m.inputs[0].Shape()
	} else {
		h.Inputs, h.Apps, h.Outputs = m.topology()
	}
	for _, l := range m.layers {
		cfg, err := l.Config()
		if err != nil {
			return nil, fmt.Errorf("model: Save: config of layer %s: %w", l.Name(), err)
		}
		h.Layers = append(h.Layers, layerEntry{Type: l.Type(), Name: l.Name(), Config: cfg})
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("model: Save: header: %w", err)
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString(fileMagic)
	b.Write(le.AppendUint32(nil, fileVersion))
	b.Write(le.AppendUint32(nil, uint32(len(hj))))
	b.Write(hj)
	ps := m.Params()
	b.Write(le.AppendUint32(nil, uint32(len(ps))))
	for _, p := range ps {
		if len(p.Name) > math.MaxUint16 {
			return nil, fmt.Errorf("model: Save: weight name of %d bytes", len(p.Name))
		}
		b.Write(le.AppendUint16(nil, uint16(len(p.Name))))
		b.WriteString(p.Name)
		s := p.Value.Shape()
		switch d := p.Value.Data().(type) {
		case []float32:
			b.WriteByte(1)
			writeDims(&b, s)
			for _, v := range d {
				b.Write(le.AppendUint32(nil, math.Float32bits(v)))
			}
		case []float64:
			b.WriteByte(2)
			writeDims(&b, s)
			for _, v := range d {
				b.Write(le.AppendUint64(nil, math.Float64bits(v)))
			}
		default:
			return nil, fmt.Errorf("model: Save: weight %s of %v", p.Name, p.Value.Dtype())
		}
	}
	b.Write(crcBytes(b.Bytes()))
	return b.Bytes(), nil
}

func writeDims(b *bytes.Buffer, s tensor.Shape) {
	b.WriteByte(byte(len(s)))
	for _, d := range s {
		b.Write(binary.LittleEndian.AppendUint32(nil, uint32(d)))
	}
}

// reader reads little-endian fields, failing once past the end.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = badFile("truncated: %s needs %d bytes at offset %d, %d left", what, n, r.off, len(r.b)-r.off)
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *reader) u32(what string) uint32 {
	if v := r.take(4, what); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

// decodeModel parses and checks a model file without building anything.
func decodeModel(data []byte) (*modelFile, error) {
	if len(data) < len(fileMagic)+16 {
		return nil, badFile("%d bytes: too short for a model file", len(data))
	}
	if string(data[:len(fileMagic)]) != fileMagic {
		return nil, badFile("no %q magic at the start: not a golstm model file", fileMagic)
	}
	body := data[:len(data)-4]
	if got, want := crc32.ChecksumIEEE(body), binary.LittleEndian.Uint32(data[len(data)-4:]); got != want {
		return nil, badFile("checksum %08x, file says %08x: truncated or corrupted", got, want)
	}
	r := &reader{b: body, off: len(fileMagic)}
	v := r.u32("version")
	if v != 1 && v != fileVersion {
		return nil, badFile("format version %d: this build reads versions 1 and %d", v, fileVersion)
	}
	hl := r.u32("header length")
	if hl > maxHeaderSize {
		return nil, badFile("header of %d bytes: at most %d", hl, maxHeaderSize)
	}
	hj := r.take(int(hl), "header")
	if r.err != nil {
		return nil, r.err
	}
	mf := &modelFile{}
	if err := json.Unmarshal(hj, &mf.header); err != nil {
		return nil, badFile("header: %v", err)
	}
	if v == 1 {
		mf.header.Sequential = true // version 1 holds Sequential models only
	}
	if err := mf.checkHeader(); err != nil {
		return nil, err
	}
	n := r.u32("tensor count")
	seen := map[string]bool{}
	for i := uint32(0); i < n && r.err == nil; i++ {
		t, err := readTensor(r)
		if err != nil {
			return nil, err
		}
		if seen[t.name] {
			return nil, badFile("weight %q stored twice", t.name)
		}
		seen[t.name] = true
		mf.tensors = append(mf.tensors, t)
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(body) {
		return nil, badFile("%d unexpected bytes after the last weight", len(body)-r.off)
	}
	return mf, nil
}

func (mf *modelFile) checkHeader() error {
	h := &mf.header
	switch h.Dtype {
	case "float32":
		mf.dt = tensor.Float32
	case "float64":
		mf.dt = tensor.Float64
	default:
		return badFile("dtype %q: want float32 or float64", h.Dtype)
	}
	if len(h.Layers) == 0 {
		return badFile("no layers")
	}
	if h.Sequential {
		if err := checkFileShape("input shape", h.InputShape); err != nil {
			return err
		}
	} else if err := h.checkTopology(); err != nil {
		return err
	}
	names := map[string]bool{}
	for i, l := range h.Layers {
		if l.Type == "" || l.Name == "" {
			return badFile("layer %d has no type or no name", i)
		}
		if names[l.Name] {
			return badFile("layer name %q used twice", l.Name)
		}
		names[l.Name] = true
	}
	return nil
}

func readTensor(r *reader) (namedTensor, error) {
	var nt namedTensor
	lb := r.take(2, "weight name length")
	if lb == nil {
		return nt, r.err
	}
	name := r.take(int(binary.LittleEndian.Uint16(lb)), "weight name")
	code := r.take(1, "dtype")
	rank := r.take(1, "rank")
	if r.err != nil {
		return nt, r.err
	}
	nt.name = string(name)
	size := 0
	switch code[0] {
	case 1:
		size = 4
	case 2:
		size = 8
	default:
		return nt, badFile("weight %q: dtype code %d: want 1 (float32) or 2 (float64)", nt.name, code[0])
	}
	if rank[0] < 1 || rank[0] > maxRank {
		return nt, badFile("weight %q: rank %d: want 1 to %d", nt.name, rank[0], maxRank)
	}
	shape := make([]int, rank[0])
	count := 1
	for i := range shape {
		shape[i] = int(r.u32("dimension"))
		if r.err != nil {
			return nt, r.err
		}
		if shape[i] < 1 {
			return nt, badFile("weight %q: dimension %d is %d: want positive", nt.name, i, shape[i])
		}
		if count > (len(r.b)-r.off)/shape[i] {
			return nt, badFile("weight %q of shape %v: larger than the file", nt.name, shape)
		}
		count *= shape[i]
	}
	raw := r.take(count*size, "values of "+nt.name)
	if raw == nil {
		return nt, r.err
	}
	le := binary.LittleEndian
	if size == 4 {
		v := make([]float32, count)
		for i := range v {
			v[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		nt.t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	} else {
		v := make([]float64, count)
		for i := range v {
			v[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		nt.t = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	}
	return nt, nil
}

func crcBytes(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(b))
}

// checkFileShape checks a per-sample shape read from a file.
func checkFileShape(what string, shape []int) error {
	if len(shape) == 0 || len(shape) > maxRank {
		return badFile("%s %v: want 1 to %d dimensions", what, shape, maxRank)
	}
	for _, d := range shape {
		if d < 1 && d != graph.None {
			return badFile("%s %v: want positive dimensions or %d (None)", what, shape, graph.None)
		}
	}
	return nil
}

// checkTopology checks a functional model's wiring in a file: every
// reference points to an input or to an earlier application of a layer the
// file holds.
func (h *fileHeader) checkTopology() error {
	if len(h.Inputs) == 0 || len(h.Apps) == 0 || len(h.Outputs) == 0 {
		return badFile("a functional model needs inputs, layer applications and outputs")
	}
	inputs := map[string]bool{}
	for _, in := range h.Inputs {
		if in.Name == "" || inputs[in.Name] {
			return badFile("input name %q empty or used twice", in.Name)
		}
		if err := checkFileShape("shape of input "+in.Name, in.Shape); err != nil {
			return err
		}
		inputs[in.Name] = true
	}
	layers := map[string]bool{}
	for _, l := range h.Layers {
		layers[l.Name] = true
	}
	check := func(ref nodeRef, before int, what string) error {
		switch {
		case ref.App == nil && !inputs[ref.Input]:
			return badFile("%s refers to input %q, which the file does not define", what, ref.Input)
		case ref.App != nil && (ref.Input != "" || *ref.App < 0 || *ref.App >= before || ref.Output < 0 || ref.Output > 64):
			return badFile("%s refers to output %d of application %d: want an earlier application (of %d) and an output index of 0 to 64", what, ref.Output, *ref.App, before)
		}
		return nil
	}
	for k, a := range h.Apps {
		if !layers[a.Layer] {
			return badFile("application %d of layer %q: the file has no such layer", k, a.Layer)
		}
		if len(a.Inputs) == 0 {
			return badFile("application %d of layer %q has no inputs", k, a.Layer)
		}
		for _, ref := range a.Inputs {
			if err := check(ref, k, fmt.Sprintf("application %d (%s)", k, a.Layer)); err != nil {
				return err
			}
		}
	}
	for i, ref := range h.Outputs {
		if err := check(ref, len(h.Apps), fmt.Sprintf("output %d", i)); err != nil {
			return err
		}
	}
	return nil
}
