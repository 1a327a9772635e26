package keras

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/layers"
)

// fileWeight is one weight array of a file: its name there and its shape,
// with its values read on demand, once the shape is checked.
type fileWeight struct {
	name  string
	shape []int
	read  func() ([]float64, error)
}

// fileLayer is the weights of one layer of a file, in the file's order.
type fileLayer struct {
	name    string
	weights []fileWeight
}

// withWeights returns the layers that have weights.
func withWeights(ls []graph.Layer) []graph.Layer {
	var out []graph.Layer
	for _, l := range ls {
		if len(l.Params()) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// scalarWeights holds, per class, the weights (by their name after
// "<layer>/") that Keras makes of shape () and this library of shape (1)
// (Attention's scale); the files of the classes fill it.
var scalarWeights = map[string][]string{}

// kerasShape is the shape of weight p of layer l in a Keras file: its
// shape, or () for a scalar weight of scalarWeights.
func kerasShape(l graph.Layer, p *graph.Param) []int {
	s := []int(p.Value.Shape())
	if len(s) == 1 && s[0] == 1 && slices.Contains(scalarWeights[l.Type()], strings.TrimPrefix(p.Name, l.Name()+"/")) {
		return []int{}
	}
	return s
}

// fileWithWeights returns the file layers that have weights.
func fileWithWeights(fs []fileLayer) []fileLayer {
	var out []fileLayer
	for _, f := range fs {
		if len(f.weights) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// setWeights sets the weights of layers (in Keras' model.layers order)
// from the file's layers, as Keras' load_weights does: by order (the
// layers with weights of each, pairwise; when the two have the same layer
// names, by name, which is the same pairing for a model of the file's own
// architecture whatever order it lists its layers in) or, byName, each
// layer from the file layer of its name (layers the file lacks keep their
// weights). CuDNNLSTM weights (a bias of 8·units) paired with an LSTM are
// converted as Keras does (fromCuDNN). Every layer's arrays must match
// its weights in number and shape. Theano
// convolution kernels (flipConv) are flipped to TensorFlow's
// cross-correlation. Everything is checked and read before any weight is
// set: on an error the layers are unchanged.
func setWeights(ls []graph.Layer, file []fileLayer, byName, flipConv bool) error {
	ours, theirs := withWeights(ls), fileWithWeights(file)
	type pair struct {
		l graph.Layer
		f fileLayer
	}
	var pairs []pair
	if !byName && sameNames(ours, theirs) {
		byName = true
	}
	if byName {
		byFile := map[string]fileLayer{}
		for _, f := range theirs {
			byFile[f.name] = f
		}
		for _, l := range ours {
			if f, ok := byFile[l.Name()]; ok {
				pairs = append(pairs, pair{l, f})
			}
		}
	} else {
		if len(ours) != len(theirs) {
			return fmt.Errorf("keras: the file holds weights of %d layers (%s), the model has %d layers with weights (%s)",
				len(theirs), fileNames(theirs), len(ours), layerNames(ours))
		}
		for i := range ours {
			pairs = append(pairs, pair{ours[i], theirs[i]})
		}
	}
	for k := range pairs {
		pairs[k].f.weights = fromCuDNN(pairs[k].l, pairs[k].f.weights)
	}
	for _, p := range pairs {
		ps := p.l.Params()
		if len(ps) != len(p.f.weights) {
			return fmt.Errorf("keras: layer %q (%s) has %d weights (%s); the file's layer %q has %d (%s)",
				p.l.Name(), p.l.Type(), len(ps), paramNames(ps), p.f.name, len(p.f.weights), weightNames(p.f.weights))
		}
		for i, w := range p.f.weights {
			if !slices.Equal(w.shape, kerasShape(p.l, ps[i])) {
				return fmt.Errorf("keras: layer %q (%s): weight %s has shape %v in the file, the layer's %s has shape %v",
					p.l.Name(), p.l.Type(), w.name, w.shape, ps[i].Name, []int(ps[i].Value.Shape()))
			}
		}
	}
	values := make([][][]float64, len(pairs))
	for k, p := range pairs {
		for _, w := range p.f.weights {
			v, err := w.read()
			if err != nil {
				return fmt.Errorf("keras: layer %q: weight %s: %w", p.l.Name(), w.name, err)
			}
			values[k] = append(values[k], v)
		}
		if flipConv && convClass(p.l) {
			flipKernel(values[k][0], p.l.Params()[0].Value.Shape())
		}
	}
	for k, p := range pairs {
		for i, param := range p.l.Params() {
			graph.CopyInto(param.Value, graph.NewTensor(graph.Float64, param.Value.Shape(), values[k][i]))
		}
	}
	return nil
}

// sameNames reports whether the layers and the file layers have the same
// names, each once.
func sameNames(ls []graph.Layer, fs []fileLayer) bool {
	if len(ls) != len(fs) {
		return false
	}
	names := map[string]bool{}
	for _, f := range fs {
		names[f.name] = true
	}
	for _, l := range ls {
		if !names[l.Name()] {
			return false
		}
		delete(names, l.Name())
	}
	return len(names) == 0
}

// convClass reports whether l is a convolution (whose Theano kernels are
// flipped), also inside TimeDistributed.
func convClass(l graph.Layer) bool {
	if td, ok := l.(*layers.TimeDistributed); ok {
		return convClass(td.Inner())
	}
	return l.Type() == "Conv1D"
}

// flipKernel reverses a Conv1D kernel (kernel_size, channels, filters)
// along its first axis in place: Keras' convert_kernel, from Theano's true
// convolution to TensorFlow's cross-correlation.
func flipKernel(v []float64, shape []int) {
	k, rest := shape[0], len(v)/shape[0]
	for i, j := 0, k-1; i < j; i, j = i+1, j-1 {
		for c := 0; c < rest; c++ {
			v[i*rest+c], v[j*rest+c] = v[j*rest+c], v[i*rest+c]
		}
	}
}

func layerNames(ls []graph.Layer) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = l.Name()
	}
	return strings.Join(s, ", ")
}

func fileNames(fs []fileLayer) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.name
	}
	return strings.Join(s, ", ")
}

func paramNames(ps []*graph.Param) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Name
	}
	return strings.Join(s, ", ")
}

func weightNames(ws []fileWeight) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = w.name
	}
	return strings.Join(s, ", ")
}

// The steps of snakeCase.
var (
	nonWord   = regexp.MustCompile(`\W+`)
	wordStart = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	lowerUp   = regexp.MustCompile(`([a-z])([A-Z])`)
)

// snakeCase is Keras 3's naming.to_snake_case, which names the layers of a
// .keras archive: LSTM → lstm, MaxPooling1D → max_pooling1d.
func snakeCase(name string) string {
	name = nonWord.ReplaceAllString(name, "")
	name = wordStart.ReplaceAllString(name, "${1}_${2}")
	name = lowerUp.ReplaceAllString(name, "${1}_${2}")
	return strings.ToLower(name)
}

// archivePaths returns, for each layer (in the config's order), the paths
// of its weights in a Keras 3 weights file: layers/<snake_case class name,
// with a counter per class>/..., in the order of the layer's Params.
func archivePaths(ls []graph.Layer) [][]string {
	used := map[string]int{}
	out := make([][]string, len(ls))
	for i, l := range ls {
		base := snakeCase(l.Type())
		name := base
		if n, ok := used[base]; ok {
			used[base] = n + 1
			name = fmt.Sprintf("%s_%d", base, n+1)
		} else {
			used[base] = 0
		}
		out[i] = varPaths("layers/"+name, l)
	}
	return out
}

// varPaths returns the paths of a layer's weights under its group: an
// LSTM's are its cell's, a TimeDistributed's its inner layer's.
func varPaths(group string, l graph.Layer) []string {
	n := len(l.Params())
	vars := func(g string, n int) []string {
		p := make([]string, n)
		for i := range p {
			p[i] = fmt.Sprintf("%s/vars/%d", g, i)
		}
		return p
	}
	switch l.Type() {
	case "LSTM":
		return vars(group+"/cell", n)
	case "Bidirectional":
		return append(vars(group+"/forward_layer/cell", n/2), vars(group+"/backward_layer/cell", n/2)...)
	case "TimeDistributed":
		if td, ok := l.(*layers.TimeDistributed); ok {
			return varPaths(group+"/layer", td.Inner())
		}
	}
	return vars(group, n)
}
