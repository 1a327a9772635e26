package layers

import (
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"

	"gorgonia.org/tensor"
)

// TestConv1DHandValues checks a one-channel, one-filter Conv1D on
// x = 1, 2, 3, 4(, 5) against values worked out by hand for every padding,
// with strides and dilation.
func TestConv1DHandValues(t *testing.T) {
	cases := []struct {
		name              string
		kernel            []float64
		steps             int
		strides, dilation int
		padding           string
		want              []float64
	}{
		// y_t = 2·x_t + x_{t+1}
		{"valid", []float64{2, 1}, 4, 1, 1, "valid", []float64{4, 7, 10}},
		// y_t = 2·x_{t-1} + x_t, x_{-1} = 0
		{"causal", []float64{2, 1}, 4, 1, 1, "causal", []float64{1, 4, 7, 10}},
		// out 4, pad 1 on the right: y_3 = 2·4 + 0
		{"same even kernel", []float64{2, 1}, 4, 1, 1, "same", []float64{4, 7, 10, 8}},
		// pad 1 on each side
		{"same odd kernel", []float64{1, 1, 1}, 4, 1, 1, "same", []float64{3, 6, 9, 7}},
		{"valid strides 2", []float64{2, 1}, 4, 2, 1, "valid", []float64{4, 10}},
		// out ⌈5/2⌉ = 3, pad (3-1)·2+3-5 = 2, 1 left: windows (0,1,2) (2,3,4) (4,5,0)
		{"same strides 2", []float64{1, 1, 1}, 5, 2, 1, "same", []float64{3, 9, 9}},
		// y_t = 2·x_t + x_{t+2}
		{"valid dilation 2", []float64{2, 1}, 4, 1, 2, "valid", []float64{5, 8}},
		// left pad (2-1)·2 = 2: y_t = 2·x_{t-2} + x_t
		{"causal dilation 2", []float64{2, 1}, 4, 1, 2, "causal", []float64{1, 2, 5, 8}},
	}
	for _, c := range cases {
		cfg := Conv1DDefaults(1, len(c.kernel))
		cfg.Strides, cfg.DilationRate, cfg.Padding = c.strides, c.dilation, c.padding
		cfg.BiasInitializer = graph.Spec{Name: "constant", Args: map[string]float64{"value": 0.5}}
		conv, err := NewConv1D(cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			mustBuild(t, conv, []int{graph.None, 1}, dt)
			graph.CopyInto(conv.kernel.Value, graph.NewTensor(tensor.Float64, []int{len(c.kernel), 1, 1}, c.kernel))
			x := make([]float64, c.steps)
			for i := range x {
				x[i] = float64(i + 1)
			}
			y, err := output(conv, graph.NewTensor(dt, []int{1, c.steps, 1}, x), false)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			want := make([]float64, len(c.want))
			for i, v := range c.want {
				want[i] = v + 0.5
			}
			if got := graph.Float64s(y); !closeTo(got, want, 1e-6) || !slices3(y.Shape(), 1, len(want), 1) {
				t.Errorf("%s %v: y = %v of shape %v, want %v", c.name, dt, got, y.Shape(), want)
			}
			if s := conv.OutputShapes()[0]; s[0] != graph.None {
				t.Errorf("%s: output shape %v for None steps", c.name, s)
			}
		}
	}
}

func slices3(s tensor.Shape, a, b, c int) bool {
	return len(s) == 3 && s[0] == a && s[1] == b && s[2] == c
}

// conv1dRef is the convolution written from its definition:
// y[b,t,f] = act(Σ_j Σ_c x[b, t·s + j·d - p, c]·W[j,c,f] + bias[f]).
func conv1dRef(x []float64, b, steps, ch int, w []float64, k, f int, bias []float64, s, d, padLeft, out int) []float64 {
	y := make([]float64, b*out*f)
	for bi := 0; bi < b; bi++ {
		for t := 0; t < out; t++ {
			for fi := 0; fi < f; fi++ {
				v := bias[fi]
				for j := 0; j < k; j++ {
					src := t*s + j*d - padLeft
					if src < 0 || src >= steps {
						continue
					}
					for c := 0; c < ch; c++ {
						v += x[(bi*steps+src)*ch+c] * w[(j*ch+c)*f+fi]
					}
				}
				y[(bi*out+t)*f+fi] = v
			}
		}
	}
	return y
}

// TestConv1DReference checks several channels and filters against
// conv1dRef, for each padding, with strides and dilation.
func TestConv1DReference(t *testing.T) {
	const b, steps, ch, f = 2, 7, 3, 4
	for _, c := range []struct {
		k, s, d int
		padding string
		padLeft int
		out     int
	}{
		{3, 1, 1, "valid", 0, 5},
		{3, 2, 1, "valid", 0, 3},
		{3, 1, 2, "valid", 0, 3},
		{3, 1, 1, "same", 1, 7},
		{4, 1, 1, "same", 1, 7}, // pad 3: 1 left, 2 right
		{3, 3, 1, "same", 1, 3}, // out 3, pad (2·3+3-7) = 2
		{3, 1, 2, "same", 2, 7},
		{3, 1, 1, "causal", 2, 7},
		{2, 1, 3, "causal", 3, 7},
		{3, 2, 1, "causal", 2, 4},
	} {
		cfg := Conv1DDefaults(f, c.k)
		cfg.Strides, cfg.DilationRate, cfg.Padding, cfg.Seed = c.s, c.d, c.padding, 5
		cfg.BiasInitializer = graph.Spec{Name: "random_uniform"}
		conv, err := NewConv1D(cfg)
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, conv, []int{steps, ch}, tensor.Float64)
		x := randValues(b*steps*ch, 3)
		y, err := output(conv, graph.NewTensor(tensor.Float64, []int{b, steps, ch}, x), false)
		if err != nil {
			t.Fatal(err)
		}
		want := conv1dRef(x, b, steps, ch, graph.Float64s(conv.kernel.Value), c.k, f, graph.Float64s(conv.bias.Value), c.s, c.d, c.padLeft, c.out)
		if !slices3(y.Shape(), b, c.out, f) || !closeTo(graph.Float64s(y), want, 1e-12) {
			t.Errorf("k %d s %d d %d %s: y of shape %v = %v, want %v", c.k, c.s, c.d, c.padding, y.Shape(), graph.Float64s(y), want)
		}
		if s := conv.OutputShapes()[0]; s[0] != c.out || s[1] != f {
			t.Errorf("k %d s %d d %d %s: OutputShapes %v, want (%d, %d)", c.k, c.s, c.d, c.padding, s, c.out, f)
		}
	}
}

// TestConv1DGradients checks the input, kernel and bias gradients (from
// Gorgonia's autodiff through the im2col op) against finite differences,
// with an activation and an activity regularizer, for every padding.
func TestConv1DGradients(t *testing.T) {
	for _, c := range []struct {
		k, s, d int
		padding string
		useBias bool
	}{
		{3, 1, 1, "valid", true},
		{2, 2, 1, "same", true},
		{3, 1, 2, "causal", false},
		{4, 1, 1, "same", true},
	} {
		cfg := Conv1DDefaults(2, c.k)
		cfg.Strides, cfg.DilationRate, cfg.Padding, cfg.UseBias, cfg.Seed = c.s, c.d, c.padding, c.useBias, 11
		cfg.Activation = "tanh"
		cfg.BiasInitializer = graph.Spec{Name: "random_uniform"}
		cfg.ActivityRegularizer = &graph.Spec{Name: "l1_l2", Args: map[string]float64{"l1": 0.01, "l2": 0.02}}
		cfg.KernelRegularizer = &graph.Spec{Name: "l2", Args: map[string]float64{"l2": 0.1}} // a model's term: not in Backward
		conv, err := NewConv1D(cfg)
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, conv, []int{graph.None, 3}, tensor.Float64)
		checkGradients(t, conv, []int{2, 6, 3}, randValues(36, 4), 1e-7)
		if n := len(conv.Params()); n != map[bool]int{true: 2, false: 1}[c.useBias] {
			t.Errorf("%d params with use_bias %v", n, c.useBias)
		}
		if p := conv.Params()[0]; p.Name != conv.Name()+"/kernel" || !slices3(p.Value.Shape(), c.k, 3, 2) || p.Regularizer == nil {
			t.Errorf("kernel param %s of shape %v (regularizer %v): want %s/kernel of shape (%d, 3, 2)", p.Name, p.Value.Shape(), p.Regularizer, conv.Name(), c.k)
		}
	}
}

func TestConv1DErrorsAndConfig(t *testing.T) {
	bad := []struct {
		edit func(*Conv1DConfig)
		want string
	}{
		{func(c *Conv1DConfig) { c.Filters = 0 }, "filters"},
		{func(c *Conv1DConfig) { c.KernelSize = -1 }, "kernel_size"},
		{func(c *Conv1DConfig) { c.Strides = -2 }, "strides"},
		{func(c *Conv1DConfig) { c.Strides, c.DilationRate = 2, 2 }, "dilation_rate"},
		{func(c *Conv1DConfig) { c.Padding = "full" }, "padding"},
		{func(c *Conv1DConfig) { c.DataFormat = "channels_first" }, "data_format"},
		{func(c *Conv1DConfig) { c.Activation = "swish2" }, "activation"},
		{func(c *Conv1DConfig) { c.KernelInitializer = graph.Spec{Name: "nope"} }, "kernel_initializer"},
		{func(c *Conv1DConfig) { c.BiasConstraint = &graph.Spec{Name: "nope"} }, "bias_constraint"},
	}
	for _, b := range bad {
		cfg := Conv1DDefaults(2, 3)
		cfg.Name = "c1"
		b.edit(&cfg)
		_, err := NewConv1D(cfg)
		if err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "c1") {
			t.Errorf("config %+v: error %v: want one naming c1 and %s", cfg, err, b.want)
		}
	}
	cfg := Conv1DDefaults(2, 3)
	conv, _ := NewConv1D(cfg)
	if err := conv.Build([][]int{{2, 4}}, tensor.Float64); err == nil {
		t.Error("2 steps for a valid window of 3: no error")
	}
	mustBuild(t, conv, []int{graph.None, 4}, tensor.Float64)
	if _, err := output(conv, graph.NewTensor(tensor.Float64, []int{1, 2, 4}, nil), false); err == nil {
		t.Error("Forward on 2 steps for a valid window of 3: no error")
	}
	mask := graph.NewMask(1, 5, []bool{true, true, true, true, false})
	_, err := conv.Forward([]*tensor.Dense{graph.NewTensor(tensor.Float64, []int{1, 5, 4}, nil)}, []*tensor.Dense{mask}, false)
	if err == nil || !strings.Contains(err.Error(), "masking") || !strings.Contains(err.Error(), conv.Name()) {
		t.Errorf("masked input: error %v, want one naming the layer and masking", err)
	}
	cfg.Padding, cfg.Strides, cfg.KernelConstraint = "causal", 2, &graph.Spec{Name: "max_norm", Args: map[string]float64{"max_value": 2}}
	conv, _ = NewConv1D(cfg)
	mustBuild(t, conv, []int{9, 4}, tensor.Float32)
	c := configRoundTrip(t, conv).(*Conv1D)
	mustBuild(t, c, []int{9, 4}, tensor.Float32)
	if !closeTo(graph.Float64s(c.kernel.Value), graph.Float64s(conv.kernel.Value), 0) || c.kernel.Constraint == nil {
		t.Error("a layer rebuilt from its config draws other weights or lost its constraint")
	}
}

// TestParamShapesConvAndTimeDistributed: ParamShapes of Conv1D and
// TimeDistributed say, without building, exactly the weights Build
// creates, and refuse what Build refuses.
func TestParamShapesConvAndTimeDistributed(t *testing.T) {
	cfg := Conv1DDefaults(4, 3)
	cfg.Name = "c"
	conv, _ := NewConv1D(cfg)
	dc := DenseDefaults(2)
	dc.Name = "inner"
	td, _ := NewTimeDistributed("td", must(NewDense(dc)))
	for _, c := range []struct {
		l  graph.Layer
		in []int
	}{{conv, []int{graph.None, 5}}, {conv, []int{7, 2}}, {td, []int{graph.None, 3}}, {td, []int{4, 2, 3}}} {
		ps := c.l.(graph.ParamShaper)
		shapes, err := ps.ParamShapes([][]int{c.in})
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, c.l, c.in, tensor.Float32)
		if len(shapes) != len(c.l.Params()) {
			t.Errorf("%s %v: ParamShapes %v, Build made %d weights", c.l.Name(), c.in, shapes, len(c.l.Params()))
		}
		for _, p := range c.l.Params() {
			if s := shapes[p.Name]; !slices.Equal(s, []int(p.Value.Shape())) {
				t.Errorf("%s %v: ParamShapes says %s is %v, Build made %v", c.l.Name(), c.in, p.Name, s, p.Value.Shape())
			}
		}
	}
	for _, c := range []struct {
		l  graph.Layer
		in [][]int
	}{{conv, [][]int{{2, 5}}}, {conv, [][]int{{5}}}, {td, [][]int{{3}}}, {td, [][]int{{4, graph.None}}}} {
		_, e1 := c.l.(graph.ParamShaper).ParamShapes(c.in)
		e2 := c.l.Build(c.in, tensor.Float32)
		if e1 == nil || e2 == nil || e1.Error() != e2.Error() {
			t.Errorf("%s %v: ParamShapes error %v, Build error %v: want the same", c.l.Name(), c.in, e1, e2)
		}
	}
}

func must[L graph.Layer](l L, err error) L {
	if err != nil {
		panic(err)
	}
	return l
}
