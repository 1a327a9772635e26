package lstm

import (
	"fmt"
	"strings"

	"github.com/golstm/golstm/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// machine runs a compiled Gorgonia graph: the nodes that the outputs depend
// on, in dependency order, each computed by its own op (Op.UsePreallocDo,
// or Op.Do) into a buffer the machine allocated once, when it was compiled.
// A run allocates nothing of its own (an op may: the G.Add nodes with which
// Backpropagate sums gradients do) and runs on the calling goroutine.
//
// It replaces G.TapeMachine for the layer's programs because the tape
// allocates every node's output again on every run (TapeMachine.Reset drops
// its registers), copies the outputs read by G.Read into new values, and
// hands each run to a new goroutine on a locked OS thread: in the loop mode,
// which runs a small graph twice per timestep, these costs were most of a
// training step (see README, Performance). The graph, its ops and the
// gradients Backpropagate derives from each op's SymDiff are Gorgonia's; the
// machine only schedules them.
//
// Buffers are reused between nodes whose values are not alive at the same
// time (the tape's register allocation does the same), except for outputs,
// which keep theirs until the next run. An output can instead be computed
// into a tensor of the caller (bindOut), and inputs are bound by pointer
// (bind): binding is free, so a caller that alternates between two tensors
// feeds one run's outputs into the next without a copy.
type machine struct {
	slot   map[*G.Node]int
	names  []string       // per slot, for errors
	shapes []tensor.Shape // per slot
	dtypes []tensor.Dtype // per slot
	vals   []G.Value      // per slot: during and after a run, the node's value
	fixed  []G.Value      // per slot: the value of a constant leaf (nil: none)
	input  []bool         // per slot: bound by the caller
	output []bool         // per slot: an output of the machine
	dst    []*tensor.Dense
	instrs []instr
}

// instr computes one node.
type instr struct {
	op   G.Op
	pd   G.UsePreallocDoer // nil when the op has no UsePreallocDo
	in   []int             // slots of the op's inputs
	args []G.Value         // reused argument list
	out  int               // slot of the node
	buf  *tensor.Dense     // the machine's buffer for the node (nil for a scalar)
}

// newMachine compiles the part of the graph that outputs depend on. Its
// leaves are the machine's inputs, bound before each run; an input node
// created with a value (G.WithValue) uses it when not bound, and constants
// their value.
func newMachine(outputs G.Nodes) (*machine, error) {
	m := &machine{slot: map[*G.Node]int{}}
	var order []*G.Node // computed nodes, each after its inputs
	var children [][]*G.Node
	var visit func(n *G.Node)
	visit = func(n *G.Node) {
		if _, ok := m.slot[n]; ok {
			return
		}
		var ch []*G.Node
		for it := n.Graph().From(n.ID()); it.Next(); {
			ch = append(ch, it.Node().(*G.Node))
		}
		for _, c := range ch {
			visit(c)
		}
		s := m.newSlot(n)
		switch {
		case n.Op() == nil:
			m.input[s] = true
			m.fixed[s] = n.Value() // used when not bound (G.WithValue)
		case len(ch) == 0 && n.Value() != nil:
			m.fixed[s] = n.Value()
		default:
			order = append(order, n)
			children = append(children, ch)
		}
	}
	for _, n := range outputs {
		visit(n)
	}
	// The last instruction that reads each slot: after it, the slot's
	// buffer may hold another node's value.
	lastRead := make([]int, len(m.vals))
	for i := range lastRead {
		lastRead[i] = -1
	}
	for i, ch := range children {
		for _, c := range ch {
			lastRead[m.slot[c]] = i
		}
	}
	for _, n := range outputs {
		m.output[m.slot[n]] = true
	}
	free := map[string][]*tensor.Dense{}
	bufOf := make([]*tensor.Dense, len(m.vals))
	for i, n := range order {
		s := m.slot[n]
		in := instr{op: n.Op(), out: s, in: make([]int, len(children[i])), args: make([]G.Value, len(children[i]))}
		in.pd, _ = n.Op().(G.UsePreallocDoer)
		for j, c := range children[i] {
			in.in[j] = m.slot[c]
		}
		// Outputs get their buffers on the first run that does not
		// compute them into a tensor of the caller (see run).
		if !m.shapes[s].IsScalar() && !m.output[s] {
			key := bufKey(m.dtypes[s], m.shapes[s])
			if fl := free[key]; len(fl) > 0 {
				in.buf, free[key] = fl[len(fl)-1], fl[:len(fl)-1]
			} else {
				in.buf = tensor.New(tensor.Of(m.dtypes[s]), tensor.WithShape(m.shapes[s]...))
			}
			bufOf[s] = in.buf
		}
		m.instrs = append(m.instrs, in)
		// Inputs read for the last time give their buffers back once the
		// node is computed (never before: the node must not overwrite
		// them). A node whose value nobody reads is dead after it runs.
		for _, c := range append(append([]int(nil), in.in...), s) {
			if b := bufOf[c]; b != nil && lastRead[c] <= i {
				key := bufKey(m.dtypes[c], m.shapes[c])
				free[key] = append(free[key], b)
				bufOf[c] = nil
			}
		}
	}
	return m, nil
}

func (m *machine) newSlot(n *G.Node) int {
	s := len(m.vals)
	m.slot[n] = s
	m.names = append(m.names, n.Name())
	m.shapes = append(m.shapes, n.Shape())
	m.dtypes = append(m.dtypes, n.Dtype())
	m.vals = append(m.vals, nil)
	m.fixed = append(m.fixed, nil)
	m.input = append(m.input, false)
	m.output = append(m.output, false)
	m.dst = append(m.dst, nil)
	return s
}

func bufKey(dt tensor.Dtype, s tensor.Shape) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v", dt)
	for _, d := range s {
		fmt.Fprintf(&b, ",%d", d)
	}
	return b.String()
}

// bind sets the value of the input node n for the next run; a node the
// machine does not read (or nil) is ignored. v must have n's dtype and
// shape and be contiguous (not a view); the machine keeps it until the end
// of the run.
func (m *machine) bind(n *G.Node, v *tensor.Dense) {
	if s, ok := m.slot[n]; ok && n != nil && m.input[s] {
		m.vals[s] = v
	}
}

// bindOut makes the next run compute the output node n into dst (same dtype
// and shape, contiguous) instead of the machine's buffer. dst may be the
// tensor bound to an input that only n's own op reads (an element-wise op
// then updates it in place).
func (m *machine) bindOut(n *G.Node, dst *tensor.Dense) {
	if s, ok := m.slot[n]; ok && n != nil {
		m.dst[s] = dst
	}
}

// value returns the value of the computed node n after a run: the
// machine's buffer, valid until the next run (copy what is kept); nil for
// a node computed into a tensor given to bindOut (the caller has it).
func (m *machine) value(n *G.Node) *tensor.Dense {
	s, ok := m.slot[n]
	if !ok || n == nil {
		return nil
	}
	v, _ := m.vals[s].(*tensor.Dense)
	return v
}

// run computes every node once. The bindings of inputs and output
// destinations are dropped at its end (so that the machine holds no
// caller's tensor between runs); the values of outputs computed into the
// machine's buffers stay until the next run.
func (m *machine) run() error {
	defer m.unbind()
	for s, in := range m.input {
		if !in || m.vals[s] == nil {
			if m.fixed[s] != nil {
				m.vals[s] = m.fixed[s]
				continue
			}
		}
		if !in {
			continue
		}
		v, ok := m.vals[s].(*tensor.Dense)
		if !ok || v == nil {
			return fmt.Errorf("lstm: no value bound to %s", m.names[s])
		}
		if v.Dtype() != m.dtypes[s] || !sameShape(v.Shape(), m.shapes[s]...) {
			return fmt.Errorf("lstm: %s bound to a %v %v tensor: want %v %v", m.names[s], v.Shape(), v.Dtype(), m.shapes[s], m.dtypes[s])
		}
	}
	for i := range m.instrs {
		in := &m.instrs[i]
		for j, s := range in.in {
			in.args[j] = m.vals[s]
		}
		out := in.buf
		if d := m.dst[in.out]; d != nil {
			out = d
		} else if out == nil && m.output[in.out] && !m.shapes[in.out].IsScalar() {
			in.buf = tensor.New(tensor.Of(m.dtypes[in.out]), tensor.WithShape(m.shapes[in.out]...))
			out = in.buf
		}
		var v G.Value
		var err error
		if in.pd != nil && out != nil {
			v, err = in.pd.UsePreallocDo(out, in.args...)
		} else {
			v, err = in.op.Do(in.args...)
		}
		if err != nil {
			return fmt.Errorf("lstm: computing %s (%v): %w", m.names[in.out], in.op, err)
		}
		if out != nil && v != G.Value(out) {
			// The op did not compute into out: keep the value in out, so
			// that no buffer of the machine is shared with another value.
			src, ok := v.(*tensor.Dense)
			if !ok || !sameShape(src.Shape(), out.Shape()...) {
				return fmt.Errorf("lstm: computing %s (%v): got %v, want a %v tensor", m.names[in.out], in.op, v, out.Shape())
			}
			graph.CopyInto(out, src)
			v = out
		}
		m.vals[in.out] = v
	}
	return nil
}

// unbind drops the run's input values and output destinations.
func (m *machine) unbind() {
	for s := range m.vals {
		if m.input[s] {
			m.vals[s] = nil
		}
		if m.dst[s] != nil {
			m.vals[s], m.dst[s] = nil, nil
		}
	}
	for i := range m.instrs {
		clear(m.instrs[i].args)
	}
}
