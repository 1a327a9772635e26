package layers

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// attentionCases is testdata/attention_tfkeras.json, written by
// testdata/attention_tfkeras.py, a numpy transcription of tf.keras 2.x's
// (v2.10–v2.15) Attention and AdditiveAttention.
type attentionCases struct {
	Cases []struct {
		Class   string         `json:"class"`
		Config  map[string]any `json:"config"`
		Inputs  [][]float64    `json:"inputs"`
		Shapes  [][]int        `json:"shapes"`
		Masks   [][]int        `json:"masks"`
		Weights [][]float64    `json:"weights"`
		Output  []float64      `json:"output"`
		Scores  []float64      `json:"scores"`
	} `json:"cases"`
}

// TestAttentionTranscription checks both classes, built from their
// configs through the registry, against the numpy transcription of
// tf.keras: every score mode with and without use_scale, two and three
// inputs (a value of another feature size than the key), without masks
// and with query and value masks, with and without the causal mask, in
// float64 and float32; the output, the attention scores (the second
// output) and the output's mask (the query's).
func TestAttentionTranscription(t *testing.T) {
	raw, err := os.ReadFile("testdata/attention_tfkeras.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs attentionCases
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs.Cases) != 48 {
		t.Fatalf("testdata has %d cases, want 48", len(cs.Cases))
	}
	for n, c := range cs.Cases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			what := fmt.Sprintf("case %d %s %v %d inputs masks %v %v", n, c.Class, c.Config, len(c.Inputs), c.Masks != nil, dt)
			cfg := map[string]any{"return_attention_scores": true}
			for k, v := range c.Config {
				cfg[k] = v
			}
			b, _ := json.Marshal(cfg)
			l, err := graph.NewLayer(c.Class, "att", b)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			var in [][]int
			var xs []*tensor.Dense
			for i, s := range c.Shapes {
				in = append(in, s[1:])
				xs = append(xs, graph.NewTensor(dt, s, c.Inputs[i]))
			}
			if err := l.Build(in, dt); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			ps := l.Params()
			if len(ps) != len(c.Weights) {
				t.Fatalf("%s: %d weights, want %d", what, len(ps), len(c.Weights))
			}
			for i, p := range ps {
				p.Value = graph.NewTensor(dt, p.Value.Shape(), c.Weights[i])
			}
			var masks []*tensor.Dense
			if c.Masks != nil {
				b, tq, tv := c.Shapes[0][0], c.Shapes[0][1], c.Shapes[1][1]
				masks = []*tensor.Dense{mask(b, tq, c.Masks[0]...), mask(b, tv, c.Masks[1]...)}
			}
			p, err := l.Forward(xs, masks, false)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			tol := 1e-12
			if dt == tensor.Float32 {
				tol = 1e-6
			}
			if got := graph.Float64s(p.Outputs[0]); !closeTo(got, c.Output, tol) {
				t.Errorf("%s: output %v, want %v", what, got, c.Output)
			}
			if got := graph.Float64s(p.Outputs[1]); !closeTo(got, c.Scores, tol) {
				t.Errorf("%s: scores %v, want %v", what, got, c.Scores)
			}
			if c.Masks != nil && (len(p.Masks) != 1 || p.Masks[0] != masks[0]) {
				t.Errorf("%s: output masks %v: want the query's", what, p.Masks)
			}
			if c.Masks == nil && p.Masks != nil {
				t.Errorf("%s: output masks %v without input masks", what, p.Masks)
			}
		}
	}
}

// attentionGradCases are the configurations whose gradients are checked.
var attentionGradCases = []struct {
	class   string
	cfg     string
	inputs  int
	masked  bool
	dropout bool
}{
	{"Attention", `{"use_scale":true}`, 2, false, false},
	{"Attention", `{"use_scale":true,"return_attention_scores":true}`, 3, true, false},
	{"Attention", `{"use_causal_mask":true}`, 3, true, false},
	{"Attention", `{"use_scale":true,"score_mode":"concat","return_attention_scores":true}`, 3, true, false},
	{"Attention", `{"score_mode":"concat","causal":true}`, 2, false, false},
	{"Attention", `{"use_scale":true,"dropout":0.4,"seed":3,"return_attention_scores":true}`, 3, true, true},
	{"AdditiveAttention", `{"use_scale":true,"return_attention_scores":true}`, 3, true, false},
	{"AdditiveAttention", `{"use_scale":false}`, 2, false, false},
	{"AdditiveAttention", `{"use_scale":true,"use_causal_mask":true,"dropout":0.3,"seed":5}`, 2, true, true},
}

// TestAttentionGradients checks Backward against central finite
// differences (eps 1e-6, float64) of L = Σ out ⊙ r (+ Σ scores ⊙ r2 with
// return_attention_scores) for the query, value and key, the scale
// weights and concat_score_weight, with masks, the causal mask and
// dropout (the stream put back to one state before every Forward, so
// that each draws the same mask).
func TestAttentionGradients(t *testing.T) {
	const h, tol = 1e-6, 1e-6
	for _, c := range attentionGradCases {
		what := c.class + c.cfg
		l, err := graph.NewLayer(c.class, "att", json.RawMessage(c.cfg))
		if err != nil {
			t.Fatal(err)
		}
		shapes := [][]int{{2, 3, 4}, {2, 5, 4}}
		if c.inputs == 3 {
			shapes = [][]int{{2, 3, 4}, {2, 5, 2}, {2, 5, 4}}
		}
		var in [][]int
		var vals [][]float64
		for i, s := range shapes {
			in = append(in, s[1:])
			vals = append(vals, randValues(tensor.Shape(s).TotalSize(), uint64(10+i)))
		}
		if err := l.Build(in, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		for i, p := range l.Params() {
			w := graph.Float64s(p.Value)
			for j := range w {
				w[j] = 0.6 + 0.3*float64(i+j)
			}
			p.Value = graph.NewTensor(tensor.Float64, p.Value.Shape(), w)
		}
		var masks []*tensor.Dense
		if c.masked {
			masks = []*tensor.Dense{mask(2, 3, 1, 0, 1, 1, 1, 0), mask(2, 5, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0)} // no row all masked (see TestAttentionAllMaskedRow)
		}
		rs := l.(graph.RandomStream)
		state, err := rs.RandomState()
		if err != nil {
			t.Fatal(err)
		}
		fwd := func() *graph.Pass {
			if err := rs.SetRandomState(state); err != nil {
				t.Fatal(err)
			}
			var xs []*tensor.Dense
			for i, s := range shapes {
				xs = append(xs, graph.NewTensor(tensor.Float64, s, vals[i]))
			}
			p, err := l.Forward(xs, masks, true)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		p := fwd()
		var rs2 [][]float64
		var dOut []*tensor.Dense
		for k, o := range p.Outputs {
			r := randValues(o.Shape().TotalSize(), uint64(20+k))
			rs2 = append(rs2, r)
			dOut = append(dOut, graph.NewTensor(tensor.Float64, o.Shape(), r))
		}
		for _, w := range l.Params() {
			clear(w.Grad.Data().([]float64))
		}
		grads, err := p.Backward(dOut, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(grads) != c.inputs {
			t.Fatalf("%s: %d input gradients, want %d", what, len(grads), c.inputs)
		}
		loss := func() float64 {
			s := 0.0
			for k, o := range fwd().Outputs {
				for i, v := range graph.Float64s(o) {
					s += v * rs2[k][i]
				}
			}
			return s
		}
		check := func(name string, v, g []float64) {
			t.Helper()
			if len(v) != len(g) {
				t.Fatalf("%s: d/d%s has %d values for %d", what, name, len(g), len(v))
			}
			for i := range v {
				old := v[i]
				v[i] = old + h
				up := loss()
				v[i] = old - h
				dn := loss()
				v[i] = old
				if fd := (up - dn) / (2 * h); math.Abs(fd-g[i]) > tol*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s: d/d%s[%d] = %v, finite difference %v", what, name, i, g[i], fd)
				}
			}
		}
		for k := range c.inputs {
			check([]string{"query", "value", "key"}[k], vals[k], graph.Float64s(grads[k]))
		}
		for _, w := range l.Params() {
			check(w.Name, w.Value.Data().([]float64), graph.Float64s(w.Grad))
		}
		if len(l.Params()) == 0 && strings.Contains(c.cfg, "use_scale\":true") {
			t.Errorf("%s: no weights", what)
		}
	}
}

// TestAttentionDropout: in training the distribution is dropped with the
// seeded stream (the same seed draws the same masks; entries are 0 or
// P/(1 − rate), about rate of them 0); in inference nothing is dropped and
// the stream does not move; RandomState and SetRandomState replay a draw.
func TestAttentionDropout(t *testing.T) {
	build := func() graph.Layer {
		l, err := NewAttention(AttentionConfig{Name: "a", Dropout: 0.25, Seed: 9, ReturnAttentionScores: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Build([][]int{{20, 3}, {30, 3}}, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		return l
	}
	q := graph.NewTensor(tensor.Float64, []int{4, 20, 3}, randValues(240, 1))
	v := graph.NewTensor(tensor.Float64, []int{4, 30, 3}, randValues(360, 2))
	in := []*tensor.Dense{q, v}
	l1, l2 := build(), build()
	inf, err := l1.Forward(in, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	p := graph.Float64s(inf.Outputs[1])
	st, _ := l1.(graph.RandomStream).RandomState()
	a, _ := l1.Forward(in, nil, true)
	b, _ := l2.Forward(in, nil, true)
	da := graph.Float64s(a.Outputs[1])
	if !slices.Equal(da, graph.Float64s(b.Outputs[1])) {
		t.Errorf("two layers of one seed drew different masks")
	}
	zeros := 0
	for i, x := range da {
		switch {
		case x == 0:
			zeros++
		case math.Abs(x-p[i]/0.75) > 1e-12:
			t.Fatalf("entry %d: %v, want 0 or %v", i, x, p[i]/0.75)
		}
	}
	if f := float64(zeros) / float64(len(da)); math.Abs(f-0.25) > 0.03 {
		t.Errorf("%.3f of the entries dropped, want about 0.25", f)
	}
	// The output is the dropped distribution times the value.
	out := graph.Float64s(a.Outputs[0])
	vv := graph.Float64s(v)
	want := 0.0
	for j := range 30 {
		want += da[j] * vv[j*3+1]
	}
	if math.Abs(out[1]-want) > 1e-12 {
		t.Errorf("output[0, 0, 1] = %v, want Σ_j P̃[0, 0, j]·v[0, j, 1] = %v", out[1], want)
	}
	if err := l1.(graph.RandomStream).SetRandomState(st); err != nil {
		t.Fatal(err)
	}
	c, _ := l1.Forward(in, nil, true)
	if !slices.Equal(da, graph.Float64s(c.Outputs[1])) {
		t.Errorf("SetRandomState did not replay the draw")
	}
	if err := l1.(graph.RandomStream).SetRandomState([]byte{1, 2}); err == nil || !strings.Contains(err.Error(), "a") {
		t.Errorf("a bad state: error %v", err)
	}
}

// TestAttentionConfigShapes: the defaults (Attention: use_scale false,
// score_mode dot; AdditiveAttention: use_scale true), the weights each
// configuration makes (names, shapes, Keras' initial values: scalar ones,
// glorot_uniform within ±sqrt(3/d)), ParamShapes agreeing with Build, the
// output shapes (None kept), and configs surviving the registry.
func TestAttentionConfigShapes(t *testing.T) {
	for _, c := range []struct {
		class, cfg string
		in         [][]int
		weights    map[string][]int
		out        [][]int
		back       string
	}{
		{"Attention", `{}`, [][]int{{graph.None, 4}, {graph.None, 4}}, map[string][]int{},
			[][]int{{graph.None, 4}}, `{"name":"x","use_scale":false,"score_mode":"dot","dropout":0,"seed":0}`},
		{"Attention", `{"use_scale":true,"return_attention_scores":true}`, [][]int{{3, 4}, {5, 2}, {5, 4}}, map[string][]int{"x/scale": {1}},
			[][]int{{3, 2}, {3, 5}}, `{"name":"x","use_scale":true,"score_mode":"dot","dropout":0,"return_attention_scores":true,"seed":0}`},
		{"Attention", `{"score_mode":"concat","causal":true,"dropout":0.5}`, [][]int{{3, 4}, {graph.None, 4}}, map[string][]int{"x/concat_score_weight": {1}},
			[][]int{{3, 4}}, `{"name":"x","use_scale":false,"score_mode":"concat","dropout":0.5,"causal":true,"seed":0}`},
		{"Attention", `{"use_scale":true,"score_mode":"concat","use_causal_mask":true}`, [][]int{{3, 4}, {6, 4}}, map[string][]int{"x/scale": {1}, "x/concat_score_weight": {1}},
			[][]int{{3, 4}}, `{"name":"x","use_scale":true,"score_mode":"concat","dropout":0,"use_causal_mask":true,"seed":0}`},
		{"AdditiveAttention", `{}`, [][]int{{3, 6}, {5, 6}}, map[string][]int{"x/scale": {6}},
			[][]int{{3, 6}}, `{"name":"x","use_scale":true,"dropout":0,"seed":0}`},
		{"AdditiveAttention", `{"use_scale":false,"seed":4}`, [][]int{{3, graph.None}, {5, graph.None}}, map[string][]int{},
			[][]int{{3, graph.None}}, `{"name":"x","use_scale":false,"dropout":0,"seed":4}`},
	} {
		l, err := graph.NewLayer(c.class, "x", json.RawMessage(c.cfg))
		if err != nil {
			t.Fatalf("%s %s: %v", c.class, c.cfg, err)
		}
		if raw, _ := l.Config(); string(raw) != c.back {
			t.Errorf("%s %s: config %s, want %s", c.class, c.cfg, raw, c.back)
		}
		shapes, err := l.(graph.ParamShaper).ParamShapes(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Build(c.in, tensor.Float32); err != nil {
			t.Fatal(err)
		}
		if len(shapes) != len(c.weights) || len(l.Params()) != len(c.weights) {
			t.Errorf("%s %s: ParamShapes %v, %d weights: want %v", c.class, c.cfg, shapes, len(l.Params()), c.weights)
		}
		for _, p := range l.Params() {
			want, ok := c.weights[p.Name]
			if !ok || !slices.Equal(p.Value.Shape(), want) || !slices.Equal(shapes[p.Name], want) {
				t.Errorf("%s %s: weight %s of shape %v (ParamShapes %v): want %v", c.class, c.cfg, p.Name, p.Value.Shape(), shapes[p.Name], want)
			}
			vs := graph.Float64s(p.Value)
			if c.class == "Attention" && (len(vs) != 1 || vs[0] != 1) {
				t.Errorf("%s: %s = %v, want 1 (ones)", c.class, p.Name, vs)
			}
			if c.class == "AdditiveAttention" {
				lim := math.Sqrt(3 / float64(want[0]))
				for _, x := range vs {
					if math.Abs(x) > lim || x == 0 {
						t.Errorf("%s: %s = %v, want glorot_uniform values within ±%v", c.class, p.Name, vs, lim)
					}
				}
			}
		}
		if got := l.OutputShapes(); fmt.Sprint(got) != fmt.Sprint(c.out) {
			t.Errorf("%s %s: output shapes %v, want %v", c.class, c.cfg, got, c.out)
		}
		configRoundTrip(t, l)
	}
}

// TestAttentionErrors: bad arguments, input counts, shapes, masks and
// gradients are errors naming the layer and what is accepted.
func TestAttentionErrors(t *testing.T) {
	for _, c := range []struct {
		class, cfg string
		in         [][]int
		want       string
	}{
		{"Attention", `{"score_mode":"general"}`, nil, `want "dot" or "concat"`},
		{"Attention", `{"dropout":1}`, nil, "dropout 1: want a value in [0, 1)"},
		{"Attention", `{"dropout":-0.1}`, nil, "dropout -0.1"},
		{"AdditiveAttention", `{"score_mode":"dot"}`, nil, "has no score_mode"},
		{"Attention", `{"use_scale":"yes"}`, nil, "Attention config"},
		{"Attention", `{}`, [][]int{{3, 4}}, "1 inputs: want 2 or 3, [query, value] or [query, value, key]"},
		{"Attention", `{}`, [][]int{{3, 4}, {3, 4}, {3, 4}, {3, 4}}, "4 inputs: want 2 or 3"},
		{"AdditiveAttention", `{}`, [][]int{{3, 4}, {5, 3}}, "want one feature size"},
		{"Attention", `{}`, [][]int{{3, 4}, {5, 2}, {5, 3}}, "want one feature size"},
		{"Attention", `{}`, [][]int{{3, 4}, {5, 2}, {6, 4}}, "want one number of steps"},
		{"Attention", `{}`, [][]int{{4}, {5, 4}}, "query of shape (None, 4): want (batch, steps, features)"},
		{"Attention", `{}`, [][]int{{3, 4}, {5, 4, 2}}, "value of shape"},
		{"AdditiveAttention", `{}`, [][]int{{3, graph.None}, {5, graph.None}}, "use_scale needs a fixed feature size"},
	} {
		l, err := graph.NewLayer(c.class, "bad", json.RawMessage(c.cfg))
		if err == nil && c.in != nil {
			_, e1 := l.(graph.ParamShaper).ParamShapes(c.in)
			err = l.Build(c.in, tensor.Float64)
			if e1 == nil || err == nil || e1.Error() != err.Error() {
				t.Errorf("%s %s on %v: ParamShapes error %v, Build error %v: want the same", c.class, c.cfg, c.in, e1, err)
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad") || !strings.Contains(err.Error(), c.class) {
			t.Errorf("%s %s on %v: error %v, want one naming the layer and saying %q", c.class, c.cfg, c.in, err, c.want)
		}
	}
	l, _ := NewAttention(AttentionConfig{Name: "fw"})
	q := graph.NewTensor(tensor.Float64, []int{2, 3, 4}, nil)
	v := graph.NewTensor(tensor.Float64, []int{2, 5, 4}, nil)
	if _, err := l.Forward([]*tensor.Dense{q, v}, nil, false); err == nil || !strings.Contains(err.Error(), "before Build") {
		t.Errorf("Forward before Build: %v", err)
	}
	if err := l.Build([][]int{{3, 4}, {graph.None, 4}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in    []*tensor.Dense
		masks []*tensor.Dense
		want  string
	}{
		{[]*tensor.Dense{q}, nil, "1 inputs: built for 2"},
		{[]*tensor.Dense{q, graph.NewTensor(tensor.Float64, []int{2, 5, 3}, nil)}, nil, "input 1"},
		{[]*tensor.Dense{q, graph.NewTensor(tensor.Float64, []int{1, 5, 4}, nil)}, nil, "batch size of the query"},
		{[]*tensor.Dense{q, graph.NewTensor(tensor.Float32, []int{2, 5, 4}, nil)}, nil, "input 1 float32"},
		{[]*tensor.Dense{q, v}, []*tensor.Dense{mask(2, 2, 1, 1, 1, 1), nil}, "mask 0 of shape [2 2]"},
		{[]*tensor.Dense{q, v}, []*tensor.Dense{nil, mask(1, 5, 1, 1, 1, 1, 1)}, "mask 1 of shape [1 5]"},
		{[]*tensor.Dense{q, v}, []*tensor.Dense{nil, nil, nil}, "3 masks for 2 inputs"},
	} {
		if _, err := l.Forward(c.in, c.masks, false); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "fw") {
			t.Errorf("Forward: error %v, want one saying %q", err, c.want)
		}
	}
	p, err := l.Forward([]*tensor.Dense{q, v}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 3, 5}, nil)}, nil); err == nil || !strings.Contains(err.Error(), "output gradient") {
		t.Errorf("Backward with a gradient of another shape: %v", err)
	}
	if _, err := p.Backward([]*tensor.Dense{nil, nil}, nil); err == nil || !strings.Contains(err.Error(), "2 output gradients: want 1") {
		t.Errorf("Backward with two gradients for one output: %v", err)
	}
}

// TestAttentionAllMaskedRow: a query step whose value steps are all masked
// gets softmax of the unmasked scores (every score shifted by 1e9, as in
// TensorFlow's float64 arithmetic), and the causal mask lets the first
// query step see only the first value step.
func TestAttentionAllMaskedRow(t *testing.T) {
	l, _ := NewAttention(AttentionConfig{Name: "a", UseCausalMask: true, ReturnAttentionScores: true})
	if err := l.Build([][]int{{2, 1}, {2, 1}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	q := graph.NewTensor(tensor.Float64, []int{1, 2, 1}, []float64{1, 2})
	v := graph.NewTensor(tensor.Float64, []int{1, 2, 1}, []float64{3, -1})
	p, err := l.Forward([]*tensor.Dense{q, v}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	// Row 0 sees value step 0 only; row 1: scores 6, -2.
	e := math.Exp(-8)
	want := []float64{1, 0, 1 / (1 + e), e / (1 + e)}
	if got := graph.Float64s(p.Outputs[1]); !closeTo(got, want, 1e-12) {
		t.Errorf("causal scores %v, want %v", got, want)
	}
	p, err = l.Forward([]*tensor.Dense{q, v}, []*tensor.Dense{nil, mask(1, 2, 0, 0)}, false)
	if err != nil {
		t.Fatal(err)
	}
	// All masked: the mask (value mask AND causal) takes 1e9 once from
	// every score, row 0 has S' = (3 − 1e9, −1 − 1e9): softmax(3, −1); row 1
	// (6 − 1e9, −2 − 1e9): softmax(6, −2).
	e4 := math.Exp(-4)
	want = []float64{1 / (1 + e4), e4 / (1 + e4), 1 / (1 + e), e / (1 + e)}
	if got := graph.Float64s(p.Outputs[1]); !closeTo(got, want, 1e-6) {
		t.Errorf("all-masked scores %v, want %v", got, want)
	}
}
