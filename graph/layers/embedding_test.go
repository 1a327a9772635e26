package layers

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// built returns l, made with error err, built for one input of per-sample
// shape inShape in dt.
func built[L graph.Layer](t *testing.T, l L, err error, inShape []int, dt tensor.Dtype) L {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Build([][]int{inShape}, dt); err != nil {
		t.Fatal(err)
	}
	return l
}

func testEmbedding(t *testing.T, cfg EmbeddingConfig, inShape []int, dt tensor.Dtype) *Embedding {
	t.Helper()
	e, err := NewEmbedding(cfg)
	return built(t, e, err, inShape, dt)
}

func ints(shape []int, v ...int32) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// TestEmbeddingForward: each output row is the table row of its id, in
// both dtypes and for every way of giving ids (int32, int, uint8, floats of
// integral values), and mask_zero gives the mask ids ≠ 0.
func TestEmbeddingForward(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		cfg := EmbeddingDefaults(5, 3)
		cfg.MaskZero = true
		e := testEmbedding(t, cfg, []int{graph.None}, dt)
		table := graph.Float64s(e.table.Value)
		ids := []int32{3, 0, 3, 1, 4, 0}
		want := make([]float64, 0, 18)
		for _, id := range ids {
			want = append(want, table[int(id)*3:int(id)*3+3]...)
		}
		fl := make([]float64, len(ids))
		u8 := make([]uint8, len(ids))
		in := make([]int, len(ids))
		for i, id := range ids {
			fl[i], u8[i], in[i] = float64(id), uint8(id), int(id)
		}
		for _, x := range []*tensor.Dense{
			ints([]int{2, 3}, ids...),
			graph.NewTensor(dt, []int{2, 3}, fl),
			tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(u8)),
			tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(in)),
		} {
			p, err := forward(e, x, false)
			if err != nil {
				t.Fatalf("%v ids of %v: %v", dt, x.Dtype(), err)
			}
			y := p.Outputs[0]
			if !slices.Equal(y.Shape(), []int{2, 3, 3}) || y.Dtype() != dt {
				t.Fatalf("output %v %v, want %v (2, 3, 3)", y.Dtype(), y.Shape(), dt)
			}
			if got := graph.Float64s(y); !slices.Equal(got, want) {
				t.Errorf("%v ids of %v: output %v, want %v", dt, x.Dtype(), got, want)
			}
			mask, err := graph.MaskValues(p.Masks[0])
			if err != nil {
				t.Fatal(err)
			}
			if w := []bool{true, false, true, true, true, false}; !slices.Equal(mask, w) || !slices.Equal(p.Masks[0].Shape(), []int{2, 3}) {
				t.Errorf("mask %v of shape %v, want %v of (2, 3)", mask, p.Masks[0].Shape(), w)
			}
		}
	}
	// Without mask_zero there is no mask.
	e := testEmbedding(t, EmbeddingDefaults(5, 2), []int{graph.None}, tensor.Float64)
	p, err := forward(e, ints([]int{1, 2}, 0, 1), false)
	if err != nil || p.Masks != nil {
		t.Errorf("no mask_zero: masks %v, err %v", p.Masks, err)
	}
}

// TestEmbeddingInitializer: the default table is Keras' 'uniform',
// U(-0.05, 0.05), the same for the same seed and another for another.
func TestEmbeddingInitializer(t *testing.T) {
	cfg := EmbeddingDefaults(100, 20)
	cfg.Seed = 4
	a := graph.Float64s(testEmbedding(t, cfg, []int{3}, tensor.Float64).table.Value)
	b := graph.Float64s(testEmbedding(t, cfg, []int{3}, tensor.Float64).table.Value)
	cfg.Seed = 5
	c := graph.Float64s(testEmbedding(t, cfg, []int{3}, tensor.Float64).table.Value)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Error("seed does not fix the table")
	}
	lo, hi, sum := 1.0, -1.0, 0.0
	for _, v := range a {
		lo, hi, sum = math.Min(lo, v), math.Max(hi, v), sum+v
	}
	// 2000 draws of U(-0.05, 0.05): sd of the mean 6.5e-4.
	if lo < -0.05 || hi >= 0.05 || lo > -0.049 || hi < 0.049 || math.Abs(sum/2000) > 3e-3 {
		t.Errorf("table in [%v, %v], mean %v: want U(-0.05, 0.05)", lo, hi, sum/2000)
	}
}

// TestEmbeddingGradient checks the table's gradient against central
// finite differences of L = Σ y ⊙ r + activity penalty, with ids that
// repeat (their rows' gradients add up) and rows never used (zero).
func TestEmbeddingGradient(t *testing.T) {
	cfg := EmbeddingDefaults(6, 3)
	cfg.ActivityRegularizer = &graph.Spec{Name: "l1_l2", Args: map[string]float64{"l1": 0.01, "l2": 0.1}}
	e := testEmbedding(t, cfg, []int{4}, tensor.Float64)
	x := ints([]int{2, 4}, 2, 5, 2, 0, 5, 5, 1, 2)
	r := graph.NewTensor(tensor.Float64, []int{2, 4, 3}, randValues(24, 3))
	lossAt := func() float64 {
		p, err := forward(e, x, false)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range graph.Float64s(p.Outputs[0]) {
			s += v * graph.Float64s(r)[i]
		}
		return s + p.ActivityPenalty
	}
	p, err := forward(e, x, true)
	if err != nil {
		t.Fatal(err)
	}
	dIn, err := p.Backward([]*tensor.Dense{r}, []bool{false})
	if err != nil {
		t.Fatal(err)
	}
	if len(dIn) != 1 || dIn[0] != nil {
		t.Errorf("ids got a gradient: %v", dIn)
	}
	vals, grad := e.table.Value.Data().([]float64), graph.Float64s(e.table.Grad)
	const h = 1e-6
	for i := range vals {
		old := vals[i]
		vals[i] = old + h
		up := lossAt()
		vals[i] = old - h
		dn := lossAt()
		vals[i] = old
		if fd := (up - dn) / (2 * h); math.Abs(fd-grad[i]) > 1e-8 {
			t.Errorf("d/dE[%d, %d] = %v, finite difference %v", i/3, i%3, grad[i], fd)
		}
		if row := i / 3; (row == 3 || row == 4) && grad[i] != 0 {
			t.Errorf("unused row %d has gradient %v", row, grad[i])
		}
	}
	// Row 5 is used three times: without the penalty its gradient is the
	// sum of the three r rows.
	plain := testEmbedding(t, EmbeddingDefaults(6, 3), []int{4}, tensor.Float32)
	p, _ = forward(plain, x, true)
	if _, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float32, []int{2, 4, 3}, graph.Float64s(r))}, nil); err != nil {
		t.Fatal(err)
	}
	rv, g := graph.Float64s(r), graph.Float64s(plain.table.Grad)
	for j := 0; j < 3; j++ {
		want := rv[1*3+j] + rv[4*3+j] + rv[5*3+j]
		if math.Abs(g[5*3+j]-want) > 1e-6 {
			t.Errorf("float32 dE[5, %d] = %v, want %v (three uses)", j, g[5*3+j], want)
		}
	}
}

// TestEmbeddingViews: a view of the ids (a slice, a transpose) gives the
// output of its materialized copy.
func TestEmbeddingViews(t *testing.T) {
	e := testEmbedding(t, EmbeddingDefaults(9, 2), []int{graph.None}, tensor.Float64)
	base := ints([]int{3, 4}, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3)
	sl, err := base.Slice(tensor.S(1, 3), tensor.S(1, 4))
	if err != nil {
		t.Fatal(err)
	}
	tr := base.ShallowClone()
	if err := tr.T(); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*tensor.Dense{sl.(*tensor.Dense), tr} {
		got, err := output(e, v, false)
		if err != nil {
			t.Fatal(err)
		}
		want, err := output(e, v.Materialize().(*tensor.Dense), false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(graph.Float64s(got), graph.Float64s(want)) || !got.Shape().Eq(want.Shape()) {
			t.Errorf("view of shape %v: output differs from its copy's", v.Shape())
		}
	}
}

// TestEmbeddingConfig: the configuration has Keras 2.2.4's get_config
// names, rebuilds through the registry, and a Keras config with only some
// keys takes Keras' defaults for the others.
func TestEmbeddingConfig(t *testing.T) {
	cfg := EmbeddingDefaults(10, 4)
	cfg.Name = "emb"
	cfg.MaskZero = true
	cfg.InputLength = 7
	cfg.EmbeddingsRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.01}}
	cfg.ActivityRegularizer = &graph.Spec{Name: "l1", Args: map[string]float64{"l1": 0.01}}
	cfg.EmbeddingsConstraint = &graph.Spec{Name: "max_norm", Args: map[string]float64{"max_value": 2}}
	e, err := NewEmbedding(cfg)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := e.Config()
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]any
	json.Unmarshal(raw, &keys)
	for _, k := range []string{"input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
		"activity_regularizer", "embeddings_constraint", "mask_zero", "input_length"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("config %s has no %q", raw, k)
		}
	}
	l, err := graph.NewLayer("Embedding", "emb", raw)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := l.Config()
	if string(raw) != string(raw2) {
		t.Errorf("config round trip:\n%s\n%s", raw, raw2)
	}
	// The keys of the golden model files: the rest takes the defaults.
	l, err = graph.NewLayer("Embedding", "embedding", json.RawMessage(`{"name": "embedding", "input_dim": 9, "output_dim": 3, "mask_zero": true, "input_length": null}`))
	if err != nil {
		t.Fatal(err)
	}
	got := l.(*Embedding).cfg
	want := EmbeddingDefaults(9, 3)
	want.Name, want.MaskZero = "embedding", true
	if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
		t.Errorf("Keras config gave %s, want %s", a, b)
	}
	if s := e.FreeShape([]int{5}); !slices.Equal(s, []int{5}) {
		t.Errorf("FreeShape with input_length: %v, want [5]", s)
	}
	if s := l.(graph.LengthFree).FreeShape([]int{5}); !slices.Equal(s, []int{graph.None}) {
		t.Errorf("FreeShape without input_length: %v, want [None]", s)
	}
	if err := e.Build([][]int{{graph.None}}, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	if s := e.OutputShapes(); !slices.Equal(s[0], []int{7, 4}) {
		t.Errorf("output shape with input_length 7: %v", s)
	}
	if p := e.Params(); len(p) != 1 || p[0].Name != "emb/embeddings" || p[0].Regularizer == nil || p[0].Constraint == nil {
		t.Errorf("params %+v", p)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEmbeddingErrors: every argument and every bad input gets an error
// that names what is wrong.
func TestEmbeddingErrors(t *testing.T) {
	bad := func(f func(*EmbeddingConfig)) EmbeddingConfig {
		c := EmbeddingDefaults(5, 2)
		f(&c)
		return c
	}
	spec := &graph.Spec{Name: "nope"}
	for _, c := range []struct {
		cfg  EmbeddingConfig
		want string
	}{
		{bad(func(c *EmbeddingConfig) { c.InputDim = 0 }), "input_dim 0"},
		{bad(func(c *EmbeddingConfig) { c.OutputDim = -1 }), "output_dim -1"},
		{bad(func(c *EmbeddingConfig) { c.InputLength = -2 }), "input_length -2"},
		{bad(func(c *EmbeddingConfig) { c.EmbeddingsInitializer = *spec }), "embeddings_initializer"},
		{bad(func(c *EmbeddingConfig) { c.EmbeddingsRegularizer = spec }), "embeddings_regularizer"},
		{bad(func(c *EmbeddingConfig) { c.ActivityRegularizer = spec }), "activity_regularizer"},
		{bad(func(c *EmbeddingConfig) { c.EmbeddingsConstraint = spec }), "embeddings_constraint"},
	} {
		if _, err := NewEmbedding(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("config %+v: error %v, want one with %q", c.cfg, err, c.want)
		}
	}
	fixed := bad(func(c *EmbeddingConfig) { c.InputLength = 3 })
	e, _ := NewEmbedding(fixed)
	if err := e.Build([][]int{{4}}, tensor.Float64); err == nil || !strings.Contains(err.Error(), "input_length 3") {
		t.Errorf("4 steps for input_length 3: error %v", err)
	}
	if err := e.Build([][]int{{}}, tensor.Float64); err == nil {
		t.Error("scalar ids per sample: no error")
	}
	if err := e.Build([][]int{{3}, {3}}, tensor.Float64); err == nil {
		t.Error("two inputs: no error")
	}
	if err := e.Build([][]int{{3}}, tensor.Int); err == nil {
		t.Error("dtype int: no error")
	}
	e = testEmbedding(t, fixed, []int{graph.None}, tensor.Float64)
	for _, c := range []struct {
		x    *tensor.Dense
		want string
	}{
		{ints([]int{2, 3}, 0, 1, 2, 3, 5, 1), "id 5 at [1 1] out of range: want ids in [0, 5) (input_dim 5)"},
		{ints([]int{1, 3}, 0, -1, 2), "id -1 at [0 1]"},
		{graph.NewTensor(tensor.Float64, []int{1, 3}, []float64{0, 1.5, 2}), "id 1.5 at [0 1]"},
		{graph.NewTensor(tensor.Float32, []int{1, 3}, []float64{math.NaN(), 1, 2}), "id NaN at [0 0]"},
		{graph.NewTensor(tensor.Float64, []int{1, 3}, []float64{1, math.Inf(1), 2}), "id +Inf at [0 1]"},
		{tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]uint64{1, 1 << 63, 2})), "id 9223372036854775808 at [0 1]"},
		{tensor.New(tensor.WithShape(1, 3), tensor.WithBacking([]bool{true, false, true})), "ids of dtype bool"},
		{ints([]int{1, 4}, 0, 1, 2, 3), "want (None, 3)"},
	} {
		if _, err := forward(e, c.x, false); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ids %v: error %v, want one with %q", c.x.Data(), err, c.want)
		}
	}
	mask := graph.NewMask(1, 3, []bool{true, true, false})
	if _, err := e.Forward([]*tensor.Dense{ints([]int{1, 3}, 1, 2, 3)}, []*tensor.Dense{mask}, false); err == nil || !strings.Contains(err.Error(), "mask_zero") {
		t.Errorf("mask without mask_zero: error %v", err)
	}
	unbuilt, _ := NewEmbedding(EmbeddingDefaults(3, 2))
	if _, err := forward(unbuilt, ints([]int{1, 1}, 1), false); err == nil {
		t.Error("Forward before Build: no error")
	}
}
