package model

import (
	"fmt"
	"strings"

	"github.com/golstm/golstm/graph"
)

// Node is a tensor of a functional model, described, not computed: a model
// input made by Input, or an output of a layer applied to nodes by Apply
// (Keras' symbolic tensors). Nodes only record how the model is wired; New
// checks and builds the wiring and the Model computes it. Nodes may be shared
// by several models, as Keras' encoder and decoder models of a seq2seq
// network share the trained model's tensors.
type Node struct {
	app   *application // the layer application that outputs it; nil for an input
	index int          // which output of app
	name  string       // an input's name
	shape []int        // per-sample shape: an input's as given; an output's once built
	err   error        // a wiring error, reported by New
}

// application is one application of a layer to nodes.
type application struct {
	layer graph.Layer
	in    []*Node
	outs  map[int]*Node // output nodes handed out, by index
	// shapes are the per-sample shapes of every output of the layer as
	// applied here, set when a model holding the application is built.
	shapes [][]int
}

// Input returns a model input of the given per-sample shape (the batch
// dimension left out), with graph.None for a dimension of any size, as
// Keras' Input(shape=...): Input("tokens", graph.None) takes id sequences of
// any length, Input("x", graph.None, 8) sequences of 8 features. The name
// identifies the input in errors, summaries and model files.
func Input(name string, shape ...int) *Node {
	n := &Node{name: name, shape: append([]int(nil), shape...)}
	switch {
	case name == "":
		n.err = fmt.Errorf("model: Input: empty name")
	case len(shape) == 0:
		n.err = fmt.Errorf("model: Input %q: empty shape: want at least one dimension", name)
	}
	for _, d := range shape {
		if d < 1 && d != graph.None {
			n.err = fmt.Errorf("model: Input %q: shape %v: want dimensions of 1 or more, or graph.None", name, shape)
		}
	}
	return n
}

// Apply applies layer l to the nodes in (its inputs, in order: for an LSTM
// the sequence and then, optionally, the initial h and c) and returns the
// node of its first output; Output gives the others (an LSTM with
// return_state outputs the output, h and c). Applying a layer twice shares
// its weights, as calling a Keras layer twice does. Errors (a nil layer or
// node) are reported by New, which also checks the shapes.
func Apply(l graph.Layer, in ...*Node) *Node {
	app := &application{layer: l, in: in, outs: map[int]*Node{}}
	n := &Node{app: app}
	app.outs[0] = n
	if l == nil {
		n.err = fmt.Errorf("model: Apply: nil layer")
	}
	if len(in) == 0 {
		n.err = fmt.Errorf("model: Apply(%s): no input nodes", layerName(l))
	}
	for i, x := range in {
		if x == nil {
			n.err = fmt.Errorf("model: Apply(%s): input %d is nil", layerName(l), i)
		}
	}
	return n
}

// Output returns output i of the layer application that n is an output of:
// for out := Apply(lstm, x) with return_state, out.Output(1) is h and
// out.Output(2) is c. n.Output(0) of an input node is n itself. An index the
// layer does not have is reported by New.
func (n *Node) Output(i int) *Node {
	if n.app == nil {
		if i == 0 {
			return n
		}
		return &Node{err: fmt.Errorf("model: output %d of input %q: an input has one output", i, n.name)}
	}
	if o, ok := n.app.outs[i]; ok {
		return o
	}
	o := &Node{app: n.app, index: i}
	if i < 0 {
		o.err = fmt.Errorf("model: output %d of %s: want an index of 0 or more", i, layerName(n.app.layer))
	}
	n.app.outs[i] = o
	return o
}

// Name identifies the node as Keras does: an input by its name, a layer's
// output as "<layer name>:<output index>" (lstm_1:0).
func (n *Node) Name() string {
	if n.app == nil {
		return n.name
	}
	return fmt.Sprintf("%s:%d", layerName(n.app.layer), n.index)
}

// Shape returns the per-sample shape (graph.None where not fixed): an
// input's as given, a layer output's once a model holding it is built (nil
// before).
func (n *Node) Shape() []int { return append([]int(nil), n.shape...) }

// Index returns which output of its layer application n is (0 for an
// input): Keras' tensor_index.
func (n *Node) Index() int { return n.index }

// IsInput reports whether n is a model input (made by Input).
func (n *Node) IsInput() bool { return n.app == nil }

// Layer returns the layer whose output n is, or nil for an input.
func (n *Node) Layer() graph.Layer {
	if n.app == nil {
		return nil
	}
	return n.app.layer
}

// Inputs returns the nodes the layer of n was applied to (nil for an
// input).
func (n *Node) Inputs() []*Node {
	if n.app == nil {
		return nil
	}
	return append([]*Node(nil), n.app.in...)
}

func layerName(l graph.Layer) string {
	if l == nil {
		return "<nil layer>"
	}
	return l.Name()
}

func nodeNames(ns []*Node) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = n.Name()
	}
	return strings.Join(s, ", ")
}

// Nodes returns its arguments as a slice, for New: model.New(dt,
// model.Nodes(x, y), model.Nodes(out)). In Go it is the same as a slice
// literal; in a gophernotes notebook it is needed, since gomacro cannot
// build a []*model.Node itself (Node refers to itself through the layer
// applications, which gomacro's interpreter turns into a type it cannot
// pass to compiled code).
func Nodes(n ...*Node) []*Node { return n }
