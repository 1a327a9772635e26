package graph

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// randomInits returns one initializer of every random kind.
func randomInits(t *testing.T) []Initializer {
	t.Helper()
	var out []Initializer
	for _, name := range []string{"random_normal", "random_uniform", "truncated_normal", "variance_scaling",
		"glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal"} {
		init, err := GetInitializer(name)
		out = append(out, mustInit(t, init, err))
	}
	return out
}

func TestInitializerSeed(t *testing.T) {
	shape := []int{6, 24}
	for _, init := range randomInits(t) {
		name := init.Spec().Name
		a, err := init.Sample(shape, NewRNG(7))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := init.Sample(shape, NewRNG(7))
		c, _ := init.Sample(shape, NewRNG(8))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: seed 7 twice gave different values", name)
		}
		same := 0
		for i := range a {
			if a[i] == c[i] {
				same++
			}
		}
		if same > 0 {
			t.Errorf("%s: seeds 7 and 8 gave %d equal values of %d", name, same, len(a))
		}
		w32, err := InitTensor(init, shape, tensor.Float32, NewRNG(7))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, v := range w32.Data().([]float32) {
			if v != float32(a[i]) {
				t.Fatalf("%s: float32[%d] = %v, want float32(%v)", name, i, v, a[i])
			}
		}
	}
}

// TestVarianceScalingPresets checks that each preset draws exactly the
// values of VarianceScaling with its Keras arguments.
func TestVarianceScalingPresets(t *testing.T) {
	for _, c := range []struct {
		preset      Initializer
		scale       float64
		mode, distr string
	}{
		{GlorotUniform(), 1, "fan_avg", "uniform"},
		{GlorotNormal(), 1, "fan_avg", "normal"},
		{HeUniform(), 2, "fan_in", "uniform"},
		{HeNormal(), 2, "fan_in", "normal"},
		{LecunUniform(), 1, "fan_in", "uniform"},
		{LecunNormal(), 1, "fan_in", "normal"},
	} {
		vs, err := VarianceScaling(c.scale, c.mode, c.distr)
		vs = mustInit(t, vs, err)
		shape := []int{5, 20}
		a, _ := c.preset.Sample(shape, NewRNG(3))
		b, _ := vs.Sample(shape, NewRNG(3))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differs from VarianceScaling(%v, %s, %s)", c.preset.Spec().Name, c.scale, c.mode, c.distr)
		}
	}
}

func TestOrthogonal(t *testing.T) {
	for _, c := range []struct {
		shape []int
		gain  float64
		tol   map[tensor.Dtype]float64 // on |W·Wᵀ − gain²·I| or |Wᵀ·W − gain²·I|
	}{
		{[]int{32, 128}, 1, nil}, // LSTM recurrent kernel (units, 4·units): orthonormal rows
		{[]int{16, 64}, 2.5, nil},
		{[]int{64, 16}, 1, nil}, // tall: orthonormal columns
		{[]int{12, 12}, 0.5, nil},
		{[]int{2, 4, 16}, 1, nil}, // seen as 8×16
	} {
		rows := 1
		for _, d := range c.shape[:len(c.shape)-1] {
			rows *= d
		}
		cols := c.shape[len(c.shape)-1]
		init, err := Orthogonal(c.gain)
		init = mustInit(t, init, err)
		for dt, tol := range map[tensor.Dtype]float64{tensor.Float64: 1e-12, tensor.Float32: 1e-6} {
			w, err := InitTensor(init, c.shape, dt, NewRNG(11))
			if err != nil {
				t.Fatal(err)
			}
			wm := mat.NewDense(rows, cols, Float64s(w))
			var g mat.Dense
			if rows <= cols {
				g.Mul(wm, wm.T())
			} else {
				g.Mul(wm.T(), wm)
			}
			k, _ := g.Dims()
			for i := 0; i < k; i++ {
				for j := 0; j < k; j++ {
					want := 0.0
					if i == j {
						want = c.gain * c.gain
					}
					if d := math.Abs(g.At(i, j) - want); d > tol*c.gain*c.gain {
						t.Fatalf("orthogonal %v gain %v %v: Gram[%d,%d] = %v, want %v ± %v",
							c.shape, c.gain, dt, i, j, g.At(i, j), want, tol*c.gain*c.gain)
					}
				}
			}
		}
	}
}

// TestOrthogonalQR checks the algorithm: the matrix A drawn from the same
// seed satisfies A = Q·R with Q = W/gain (transposed for a wide W) and R
// upper triangular with a positive diagonal (the sign fix).
func TestOrthogonalQR(t *testing.T) {
	for _, shape := range [][]int{{24, 6}, {6, 24}} {
		const gain = 2.0
		init, err := Orthogonal(gain)
		w, err := mustInit(t, init, err).Sample(shape, NewRNG(5))
		if err != nil {
			t.Fatal(err)
		}
		m, n := 24, 6
		q := mat.NewDense(shape[0], shape[1], w)
		if shape[0] < shape[1] {
			q = mat.DenseCopyOf(q.T())
		}
		q.Scale(1/gain, q)
		a := mat.NewDense(m, n, sampleNormal(NewRNG(5), m*n, 0, 1, false))
		var r mat.Dense
		r.Mul(q.T(), a) // R = Qᵀ·A
		for i := 0; i < n; i++ {
			if r.At(i, i) <= 0 {
				t.Errorf("shape %v: R[%d,%d] = %v, want > 0", shape, i, i, r.At(i, i))
			}
			for j := 0; j < i; j++ {
				if math.Abs(r.At(i, j)) > 1e-12 {
					t.Errorf("shape %v: R[%d,%d] = %v, want 0", shape, i, j, r.At(i, j))
				}
			}
		}
		var qr mat.Dense
		qr.Mul(q, &r)
		if !mat.EqualApprox(&qr, a, 1e-12) {
			t.Errorf("shape %v: Q·R != A", shape)
		}
	}
}

func TestDeterministicInitializers(t *testing.T) {
	c, err := Constant(-1.25)
	c = mustInit(t, c, err)
	id, err := Identity(2)
	id = mustInit(t, id, err)
	for _, tc := range []struct {
		init  Initializer
		shape []int
		want  []float64
	}{
		{Zeros(), []int{2, 3}, []float64{0, 0, 0, 0, 0, 0}},
		{Ones(), []int{4}, []float64{1, 1, 1, 1}},
		{c, []int{3, 1}, []float64{-1.25, -1.25, -1.25}},
		{id, []int{3, 3}, []float64{2, 0, 0, 0, 2, 0, 0, 0, 2}},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			w, err := InitTensor(tc.init, tc.shape, dt, nil)
			if err != nil {
				t.Fatalf("%s: %v", tc.init.Spec().Name, err)
			}
			if got := Float64s(w); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s %v %v: got %v, want %v", tc.init.Spec().Name, tc.shape, dt, got, tc.want)
			}
		}
	}
}

// TestSampleEmpty checks that Sample accepts a shape with a zero dimension.
func TestSampleEmpty(t *testing.T) {
	for _, init := range append(randomInits(t), Zeros()) {
		got, err := init.Sample([]int{0, 3}, NewRNG(1))
		if err != nil || len(got) != 0 {
			t.Errorf("%s: Sample([0 3]) = %v, %v, want no values", init.Spec().Name, got, err)
		}
	}
}

func TestInitializerSpecs(t *testing.T) {
	for _, c := range []struct {
		name string
		want Spec
	}{
		{"zeros", Spec{Name: "zeros"}},
		{"zero", Spec{Name: "zeros"}},
		{"Ones", Spec{Name: "ones"}},
		{"constant", Spec{"constant", map[string]float64{"value": 0}}},
		{"random_normal", Spec{"random_normal", map[string]float64{"mean": 0, "stddev": 0.05}}},
		{"normal", Spec{"random_normal", map[string]float64{"mean": 0, "stddev": 0.05}}},
		{"uniform", Spec{"random_uniform", map[string]float64{"minval": -0.05, "maxval": 0.05}}},
		{"TruncatedNormal", Spec{"truncated_normal", map[string]float64{"mean": 0, "stddev": 0.05}}},
		{"variance_scaling", Spec{"variance_scaling", map[string]float64{"scale": 1, "mode": 0, "distribution": 0}}},
		{"glorot_uniform", Spec{Name: "glorot_uniform"}},
		{"lecun_normal", Spec{Name: "lecun_normal"}},
		{"orthogonal", Spec{"orthogonal", map[string]float64{"gain": 1}}},
		{"Identity", Spec{"identity", map[string]float64{"gain": 1}}},
	} {
		init, err := GetInitializer(c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := init.Spec(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("GetInitializer(%q).Spec() = %v, want %v", c.name, got, c.want)
		}
	}

	// Round trip Spec -> NewInitializer -> Spec, same draws.
	vs, err := VarianceScaling(0.5, "fan_out", "uniform")
	vs = mustInit(t, vs, err)
	if want := (Spec{"variance_scaling", map[string]float64{"scale": 0.5, "mode": 1, "distribution": 1}}); !reflect.DeepEqual(vs.Spec(), want) {
		t.Errorf("VarianceScaling(0.5, fan_out, uniform).Spec() = %v, want %v", vs.Spec(), want)
	}
	rn, err := RandomNormal(1, 3)
	or, err2 := Orthogonal(1.5)
	for _, init := range []Initializer{vs, mustInit(t, rn, err), mustInit(t, or, err2), HeNormal()} {
		back, err := NewInitializer(init.Spec())
		if err != nil {
			t.Fatalf("%v: %v", init.Spec(), err)
		}
		if !reflect.DeepEqual(back.Spec(), init.Spec()) {
			t.Errorf("round trip of %v gave %v", init.Spec(), back.Spec())
		}
		a, _ := init.Sample([]int{4, 8}, NewRNG(1))
		b, _ := back.Sample([]int{4, 8}, NewRNG(1))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("round trip of %v draws other values", init.Spec())
		}
	}
}

func TestInitializerErrors(t *testing.T) {
	sample := func(init Initializer, err error, shape []int, nilRNG bool) error {
		if err != nil {
			return err
		}
		rng := NewRNG(1)
		if nilRNG {
			rng = nil
		}
		_, err = init.Sample(shape, rng)
		return err
	}
	spec := func(name string, args map[string]float64) error {
		_, err := NewInitializer(Spec{name, args})
		return err
	}
	ctor := func(_ Initializer, err error) error { return err }
	ctorT := func(_ *tensor.Dense, err error) error { return err }
	orth, _ := Orthogonal(1)
	id, _ := Identity(1)
	checkErrors(t, []errorCase{
		{"unknown name", ctor(GetInitializer("glorot")), []string{`unknown initializer "glorot"`, "glorot_uniform", "orthogonal", "zeros"}},
		{"unknown argument", spec("random_normal", map[string]float64{"std": 1}), []string{`"std"`, "mean, stddev"}},
		{"argument of preset", spec("glorot_uniform", map[string]float64{"scale": 2}), []string{`"scale"`, "no arguments"}},
		{"NaN argument", spec("constant", map[string]float64{"value": math.NaN()}), []string{"value", "finite"}},
		{"stddev 0", spec("random_normal", map[string]float64{"stddev": 0}), []string{"stddev = 0", "stddev > 0"}},
		{"stddev < 0", ctor(TruncatedNormal(0, -1)), []string{"truncated_normal", "stddev = -1"}},
		{"mean inf", ctor(RandomNormal(math.Inf(1), 1)), []string{"mean"}},
		{"minval = maxval", ctor(RandomUniform(1, 1)), []string{"minval = 1", "maxval = 1", "minval < maxval"}},
		{"scale 0", ctor(VarianceScaling(0, "fan_in", "normal")), []string{"scale = 0", "scale > 0"}},
		{"mode", ctor(VarianceScaling(1, "fan_sum", "normal")), []string{`mode "fan_sum"`, "fan_in, fan_out, fan_avg"}},
		{"distribution", ctor(VarianceScaling(1, "fan_in", "truncated_normal")), []string{"distribution", "normal, uniform"}},
		{"mode code", spec("variance_scaling", map[string]float64{"mode": 3}), []string{"mode = 3", "0 (fan_in)", "2 (fan_avg)"}},
		{"mode code fraction", spec("variance_scaling", map[string]float64{"mode": 0.5}), []string{"mode = 0.5"}},
		{"distribution code", spec("variance_scaling", map[string]float64{"distribution": -1}), []string{"distribution = -1", "1 (uniform)"}},
		{"gain 0", ctor(Orthogonal(0)), []string{"orthogonal", "gain = 0", "gain > 0"}},
		{"gain < 0", ctor(Identity(-1)), []string{"identity", "gain = -1"}},
		{"constant inf", ctor(Constant(math.Inf(-1))), []string{"value"}},
		{"orthogonal 1-D", sample(orth, nil, []int{5}, false), []string{"orthogonal", "shape [5]", "at least 2 dimensions"}},
		{"identity not square", sample(id, nil, []int{2, 3}, false), []string{"identity", "shape [2 3]", "square 2-D"}},
		{"identity 3-D", sample(id, nil, []int{2, 2, 2}, false), []string{"square 2-D"}},
		{"nil rng", sample(GlorotUniform(), nil, []int{2, 2}, true), []string{"glorot_uniform", "rng is nil"}},
		{"negative shape", sample(GlorotUniform(), nil, []int{2, -1}, false), []string{"negative"}},
		{"InitTensor dtype", ctorT(InitTensor(Zeros(), []int{2}, tensor.Int, nil)), []string{"dtype", "float32 or float64"}},
		{"InitTensor empty", ctorT(InitTensor(Zeros(), []int{0, 3}, tensor.Float64, nil)), []string{"shape [0 3]", "zero dimension"}},
		{"InitTensor nil", ctorT(InitTensor(nil, []int{2}, tensor.Float64, nil)), []string{"init is nil"}},
	})
}

// errorCase is an error a test expects, with substrings its message must
// contain (the argument it names, the accepted values).
type errorCase struct {
	name string
	err  error
	want []string
}

func checkErrors(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, s := range c.want {
			if !strings.Contains(c.err.Error(), s) {
				t.Errorf("%s: error %q does not contain %q", c.name, c.err, s)
			}
		}
	}
}
