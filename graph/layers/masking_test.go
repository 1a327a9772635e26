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

func testMasking(t *testing.T, value float64, inShape []int, dt tensor.Dtype) *Masking {
	t.Helper()
	m, err := NewMasking(MaskingConfig{MaskValue: value})
	return built(t, m, err, inShape, dt)
}

// TestMaskingForward: a step is masked when all its features equal
// mask_value; the output is x with masked steps zeroed, in both dtypes.
func TestMaskingForward(t *testing.T) {
	x := []float64{
		1, 0, 0, 0, -1, -1, // sample 0: steps (1, 0), (0, 0), (-1, -1)
		0, 2, -1, 0, -1, -1, // sample 1: steps (0, 2), (-1, 0), (-1, -1)
	}
	cases := []struct {
		value float64
		keep  []bool
	}{
		{0, []bool{true, false, true, true, true, true}},
		{-1, []bool{true, true, false, true, true, false}},
		{3, []bool{true, true, true, true, true, true}},
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, c := range cases {
			m := testMasking(t, c.value, []int{graph.None, 2}, dt)
			p, err := forward(m, graph.NewTensor(dt, []int{2, 3, 2}, x), false)
			if err != nil {
				t.Fatal(err)
			}
			keep, err := graph.MaskValues(p.Masks[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keep, c.keep) || !slices.Equal(p.Masks[0].Shape(), []int{2, 3}) {
				t.Errorf("%v mask_value %v: mask %v %v, want %v (2, 3)", dt, c.value, keep, p.Masks[0].Shape(), c.keep)
			}
			want := append([]float64(nil), x...)
			for i := range want {
				if !c.keep[i/2] {
					want[i] = 0
				}
			}
			if got := graph.Float64s(p.Outputs[0]); !slices.Equal(got, want) || p.Outputs[0].Dtype() != dt {
				t.Errorf("%v mask_value %v: output %v %v, want %v", dt, c.value, p.Outputs[0].Dtype(), got, want)
			}
		}
	}
	// mask_value is compared in the input's dtype, as Keras casts it.
	m := testMasking(t, 0.1, []int{1, 2}, tensor.Float32)
	p, _ := forward(m, graph.NewTensor(tensor.Float32, []int{1, 1, 2}, []float64{0.1, 0.1}), false)
	if keep, _ := graph.MaskValues(p.Masks[0]); keep[0] {
		t.Error("float32 step of 0.1 not masked by mask_value 0.1")
	}
}

// TestMaskingGradient checks Backward against central finite differences
// of L = Σ y ⊙ r, off the mask's switching points: masked steps get zero.
func TestMaskingGradient(t *testing.T) {
	m := testMasking(t, 0, []int{3, 2}, tensor.Float64)
	xv := []float64{0.3, -0.2, 0, 0, 0.5, 0.1, 0, 0, 0, 0, -0.7, 0.4}
	r := graph.Float64s(graph.NewTensor(tensor.Float64, []int{2, 3, 2}, randValues(12, 9)))
	lossAt := func() float64 {
		y, err := output(m, graph.NewTensor(tensor.Float64, []int{2, 3, 2}, xv), false)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i, v := range graph.Float64s(y) {
			s += v * r[i]
		}
		return s
	}
	p, err := forward(m, graph.NewTensor(tensor.Float64, []int{2, 3, 2}, xv), true)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{2, 3, 2}, r)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Float64s(gs[0])
	const h = 1e-6
	for i := range xv {
		if xv[i] == 0 {
			// A masked step's features sit on the switching point (any
			// change unmasks the step); its gradient is 0, as in Keras.
			if xv[i^1] == 0 && g[i] != 0 {
				t.Errorf("masked step: d/dx[%d] = %v, want 0", i, g[i])
			}
			continue
		}
		old := xv[i]
		xv[i] = old + h
		up := lossAt()
		xv[i] = old - h
		dn := lossAt()
		xv[i] = old
		if fd := (up - dn) / (2 * h); math.Abs(fd-g[i]) > 1e-9 {
			t.Errorf("d/dx[%d] = %v, finite difference %v", i, g[i], fd)
		}
	}
}

// TestMaskingViews: a view of the input gives its copy's output and mask.
func TestMaskingViews(t *testing.T) {
	m := testMasking(t, 0, []int{graph.None, 3}, tensor.Float64)
	base := graph.NewTensor(tensor.Float64, []int{3, 3, 4}, randValues(36, 4))
	d := base.Data().([]float64)
	for i := 12; i < 16; i++ {
		d[i] = 0
	}
	sl, _ := base.Slice(nil, nil, tensor.S(0, 3))
	tr := graph.NewTensor(tensor.Float64, []int{3, 3, 3}, randValues(27, 5))
	tr.Data().([]float64)[0], tr.Data().([]float64)[9], tr.Data().([]float64)[18] = 0, 0, 0
	if err := tr.T(1, 0, 2); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*tensor.Dense{sl.(*tensor.Dense), tr} {
		a, err := forward(m, v, false)
		if err != nil {
			t.Fatal(err)
		}
		b, err := forward(m, v.Materialize().(*tensor.Dense), false)
		if err != nil {
			t.Fatal(err)
		}
		ka, _ := graph.MaskValues(a.Masks[0])
		kb, _ := graph.MaskValues(b.Masks[0])
		if !slices.Equal(graph.Float64s(a.Outputs[0]), graph.Float64s(b.Outputs[0])) || !slices.Equal(ka, kb) {
			t.Errorf("view of shape %v: output or mask differs from its copy's", v.Shape())
		}
	}
}

// TestMaskingConfigAndErrors: Keras' get_config names, the registry round
// trip, Keras' default, and an error for each bad argument and input.
func TestMaskingConfigAndErrors(t *testing.T) {
	m, _ := NewMasking(MaskingConfig{Name: "pad", MaskValue: -1})
	raw, _ := m.Config()
	if string(raw) != `{"name":"pad","mask_value":-1}` {
		t.Errorf("config %s", raw)
	}
	l, err := graph.NewLayer("Masking", "pad", raw)
	if err != nil {
		t.Fatal(err)
	}
	if raw2, _ := l.Config(); string(raw2) != string(raw) {
		t.Errorf("round trip %s, want %s", raw2, raw)
	}
	l, err = graph.NewLayer("Masking", "masking", json.RawMessage(`{"name": "masking"}`))
	if err != nil || l.(*Masking).cfg.MaskValue != 0 {
		t.Errorf("Keras default mask_value: %v, %v", l, err)
	}
	if _, err := NewMasking(MaskingConfig{MaskValue: math.NaN()}); err == nil || !strings.Contains(err.Error(), "mask_value NaN") {
		t.Errorf("mask_value NaN: error %v", err)
	}
	if s := m.FreeShape([]int{7, 3}); !slices.Equal(s, []int{graph.None, 3}) {
		t.Errorf("FreeShape %v", s)
	}
	if err := m.Build([][]int{{3, 2}, {3, 2}}, tensor.Float64); err == nil {
		t.Error("two inputs: no error")
	}
	if err := m.Build([][]int{{}}, tensor.Float64); err == nil {
		t.Error("scalar samples: no error")
	}
	if err := m.Build([][]int{{3, 2}}, tensor.Int); err == nil {
		t.Error("dtype int: no error")
	}
	m = testMasking(t, 0, []int{graph.None, 2}, tensor.Float64)
	for _, x := range []*tensor.Dense{
		graph.NewTensor(tensor.Float64, []int{1, 3, 4}, nil),
		graph.NewTensor(tensor.Float64, []int{3, 2}, nil),
		tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking([]int32{1, 2, 3, 4})),
	} {
		if _, err := forward(m, x, false); err == nil {
			t.Errorf("input %v %v: no error", x.Dtype(), x.Shape())
		}
	}
}
