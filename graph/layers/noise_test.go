package layers

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/model"
	"github.com/golstm/golstm/optim"

	"gorgonia.org/tensor"
)

// meanVar returns the mean and the (population) variance of v.
func meanVar(v []float64) (float64, float64) {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, s / float64(len(v))
}

// TestNoiseStatistics checks the noise of GaussianNoise, GaussianDropout
// and AlphaDropout over 20000 draws: mean and variance of the output
// within about 5 standard errors of Keras 2.2.4's formulas, in float64 and
// float32; inference is the identity, bit for bit.
func TestNoiseStatistics(t *testing.T) {
	const b, f = 200, 100 // 20000 draws
	n := float64(b * f)
	gauss := func(k int, seed uint64) []float64 {
		rng := graph.NewRNG(seed)
		return normals(rng, k, 0, 1)
	}
	for _, c := range []struct {
		name      string
		layer     func() (graph.Layer, error)
		x         []float64
		mean, std float64 // of the output
	}{
		// x + N(0, 0.5²) on zeros.
		{"GaussianNoise", func() (graph.Layer, error) { return NewGaussianNoise(GaussianNoiseConfig{Stddev: 0.5, Seed: 1}) }, make([]float64, b*f), 0, 0.5},
		// x ⊙ N(1, rate/(1−rate)) on ones: rate 0.2 gives variance 0.25.
		{"GaussianDropout", func() (graph.Layer, error) { return NewGaussianDropout(GaussianDropoutConfig{Rate: 0.2, Seed: 2}) }, slices.Repeat([]float64{1}, b*f), 1, 0.5},
		// ... on twos: x·s has mean 2 and standard deviation 2·0.5.
		{"GaussianDropout x=2", func() (graph.Layer, error) { return NewGaussianDropout(GaussianDropoutConfig{Rate: 0.2, Seed: 2}) }, slices.Repeat([]float64{2}, b*f), 2, 1},
		// AlphaDropout keeps mean 0 and variance 1 of standard normal inputs.
		{"AlphaDropout", func() (graph.Layer, error) { return NewAlphaDropout(AlphaDropoutConfig{Rate: 0.3, Seed: 3}) }, gauss(b*f, 4), 0, 1},
	} {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			l, err := c.layer()
			if err != nil {
				t.Fatal(err)
			}
			mustBuild(t, l, []int{f}, dt)
			x := graph.NewTensor(dt, []int{b, f}, c.x)
			y, err := output(l, x, true)
			if err != nil {
				t.Fatal(err)
			}
			m, v := meanVar(graph.Float64s(y))
			// Standard errors: σ/√n for the mean, about σ²·√(2/n) for the
			// variance (a little more for AlphaDropout's mixture).
			if se := c.std / math.Sqrt(n); math.Abs(m-c.mean) > 5*se {
				t.Errorf("%s %v: mean %v, want %v ± %v", c.name, dt, m, c.mean, 5*se)
			}
			if se := c.std * c.std * math.Sqrt(3/n); math.Abs(v-c.std*c.std) > 5*se {
				t.Errorf("%s %v: variance %v, want %v ± %v", c.name, dt, v, c.std*c.std, 5*se)
			}
			inf, err := output(l, x, false)
			if err != nil || !slices.Equal(graph.Float64s(inf), graph.Float64s(x)) {
				t.Errorf("%s %v: inference is not the identity (%v)", c.name, dt, err)
			}
		}
	}
}

// TestAlphaDropoutValues checks that each AlphaDropout output is a·x + b
// (kept) or a·α' + b (dropped) with Keras 2.2.4's a and b, that the
// dropped fraction is the rate, and that a noise shape shares the draw
// along its axes of size 1.
func TestAlphaDropoutValues(t *testing.T) {
	const b, steps, f, rate = 50, 4, 40, 0.25
	ap := -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
	a := 1 / math.Sqrt((1-rate)*(1+rate*ap*ap))
	bb := -a * ap * rate
	d, err := NewAlphaDropout(AlphaDropoutConfig{Rate: rate, NoiseShape: []int{graph.None, 1, f}, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	mustBuild(t, d, []int{steps, f}, tensor.Float64)
	xv := randValues(b*steps*f, 3)
	y, err := output(d, graph.NewTensor(tensor.Float64, []int{b, steps, f}, xv), true)
	if err != nil {
		t.Fatal(err)
	}
	yv := graph.Float64s(y)
	dropped := 0
	for bi := 0; bi < b; bi++ {
		for c := 0; c < f; c++ {
			var kept0 bool
			for s := 0; s < steps; s++ {
				i := (bi*steps+s)*f + c
				kept := math.Abs(yv[i]-(a*xv[i]+bb)) < 1e-12
				if !kept && math.Abs(yv[i]-(a*ap+bb)) > 1e-12 {
					t.Fatalf("y[%d] = %v: neither a·x+b = %v nor a·α'+b = %v", i, yv[i], a*xv[i]+bb, a*ap+bb)
				}
				if s == 0 {
					kept0 = kept
					if !kept {
						dropped++
					}
				} else if kept != kept0 {
					t.Fatalf("sample %d channel %d: step %d kept %v, step 0 %v: the draw is not shared over the steps", bi, c, s, kept, kept0)
				}
			}
		}
	}
	// 2000 draws at p = 0.25: sd ≈ 19.4, allow 5 sd.
	if math.Abs(float64(dropped)-500) > 97 {
		t.Errorf("%d of 2000 channels dropped at rate 0.25", dropped)
	}
}

// TestNoiseSeeds checks that the noise comes from the seed: Build restarts
// it, the same seed gives the same noise, another seed other noise, and
// successive batches draw afresh.
func TestNoiseSeeds(t *testing.T) {
	for _, mk := range []func(seed uint64) graph.Layer{
		func(s uint64) graph.Layer {
			l, _ := NewGaussianNoise(GaussianNoiseConfig{Stddev: 1, Seed: s})
			return l
		},
		func(s uint64) graph.Layer {
			l, _ := NewGaussianDropout(GaussianDropoutConfig{Rate: 0.5, Seed: s})
			return l
		},
		func(s uint64) graph.Layer { l, _ := NewAlphaDropout(AlphaDropoutConfig{Rate: 0.5, Seed: s}); return l },
	} {
		x := graph.NewTensor(tensor.Float64, []int{2, 10}, randValues(20, 1))
		run := func(l graph.Layer) []float64 {
			y, err := output(l, x, true)
			if err != nil {
				t.Fatal(err)
			}
			return graph.Float64s(y)
		}
		l := mk(5)
		mustBuild(t, l, []int{10}, tensor.Float64)
		first, second := run(l), run(l)
		mustBuild(t, l, []int{10}, tensor.Float64)
		again := run(l)
		o := mk(6)
		mustBuild(t, o, []int{10}, tensor.Float64)
		other := run(o)
		if !slices.Equal(first, again) || slices.Equal(first, second) || slices.Equal(first, other) {
			t.Errorf("%s: first %v, second %v, after Build %v, seed 6 %v", l.Type(), first, second, again, other)
		}
	}
}

// TestNoiseGradients checks the training gradient of each noise layer
// against central finite differences with the noise held fixed (the layer
// rebuilt, so that its source restarts from the seed, before every
// Forward): Backward uses the noise of its Forward.
func TestNoiseGradients(t *testing.T) {
	for _, l := range []graph.Layer{
		func() graph.Layer { l, _ := NewGaussianNoise(GaussianNoiseConfig{Stddev: 0.7, Seed: 1}); return l }(),
		func() graph.Layer { l, _ := NewGaussianDropout(GaussianDropoutConfig{Rate: 0.4, Seed: 2}); return l }(),
		func() graph.Layer {
			l, _ := NewAlphaDropout(AlphaDropoutConfig{Rate: 0.4, NoiseShape: []int{graph.None, graph.None, 1}, Seed: 3})
			return l
		}(),
	} {
		shape := []int{3, 4, 2}
		xv := randValues(24, 11)
		r := randValues(24, 12)
		lossAt := func() (float64, *graph.Pass) {
			mustBuild(t, l, shape[1:], tensor.Float64)
			p, err := forward(l, graph.NewTensor(tensor.Float64, shape, xv), true)
			if err != nil {
				t.Fatal(err)
			}
			s := 0.0
			for i, v := range graph.Float64s(p.Outputs[0]) {
				s += v * r[i]
			}
			return s, p
		}
		_, p := lossAt()
		g, err := p.Backward([]*tensor.Dense{graph.NewTensor(tensor.Float64, shape, r)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		grad := graph.Float64s(g[0])
		const h = 1e-6
		for i := range xv {
			old := xv[i]
			xv[i] = old + h
			up, _ := lossAt()
			xv[i] = old - h
			dn, _ := lossAt()
			xv[i] = old
			if fd := (up - dn) / (2 * h); math.Abs(fd-grad[i]) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s: d/dx[%d] = %v, finite difference %v", l.Type(), i, grad[i], fd)
			}
		}
	}
}

// TestActivityRegularization checks the identity output, the penalty
// l1·Σ|x| + l2·Σx² by hand (float64 and float32, training and
// inference), and the gradient dy + l1·sign(x) + 2·l2·x by finite
// differences of the loss with the penalty.
func TestActivityRegularization(t *testing.T) {
	x := []float64{1, -2, 0.5, 0}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		l, err := NewActivityRegularization(ActivityRegularizationConfig{L1: 0.1, L2: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		mustBuild(t, l, []int{2}, dt)
		for _, training := range []bool{false, true} {
			p, err := forward(l, graph.NewTensor(dt, []int{2, 2}, x), training)
			if err != nil {
				t.Fatal(err)
			}
			// 0.1·3.5 + 0.2·(1 + 4 + 0.25) = 1.4
			if math.Abs(p.ActivityPenalty-1.4) > 1e-6 || !closeTo(graph.Float64s(p.Outputs[0]), x, 0) {
				t.Errorf("%v training %v: penalty %v, want 1.4; y %v", dt, training, p.ActivityPenalty, graph.Float64s(p.Outputs[0]))
			}
			if training {
				g, _ := p.Backward([]*tensor.Dense{graph.NewTensor(dt, []int{2, 2}, []float64{1, 1, 1, 1})}, nil)
				// 1 + 0.1·sign(x) + 0.4·x, sign(0) = 0
				if want := []float64{1.5, 0.1, 1.3, 1}; !closeTo(graph.Float64s(g[0]), want, 1e-6) {
					t.Errorf("%v: dx %v, want %v", dt, graph.Float64s(g[0]), want)
				}
			}
		}
	}
	l, _ := NewActivityRegularization(ActivityRegularizationConfig{L1: 0.3, L2: 0.7})
	mustBuild(t, l, []int{3, 4}, tensor.Float64)
	checkGradients(t, l, []int{2, 3, 4}, randValues(24, 21), 1e-6)
	zero, _ := NewActivityRegularization(ActivityRegularizationConfig{})
	mustBuild(t, zero, []int{3}, tensor.Float64)
	if p, _ := forward(zero, graph.NewTensor(tensor.Float64, []int{1, 3}, []float64{1, 2, 3}), false); p.ActivityPenalty != 0 {
		t.Errorf("l1 = l2 = 0: penalty %v", p.ActivityPenalty)
	}
}

// TestActLayersConcurrentInference runs inference of every layer of this
// branch from several goroutines at once (as a model serving predictions)
// and checks each result against a serial run: inference writes no shared
// state (go test -race checks the rest).
func TestActLayersConcurrentInference(t *testing.T) {
	x := graph.NewTensor(tensor.Float64, []int{4, 3, 4}, randValues(48, 31))
	for _, l := range allActLayers(t) {
		mustBuild(t, l, []int{3, 4}, tensor.Float64)
		want, err := output(l, x, false)
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				y, err := output(l, x, false)
				if err == nil && !slices.Equal(graph.Float64s(y), graph.Float64s(want)) {
					err = fmt.Errorf("%s: a concurrent inference differs", l.Type())
				}
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	}
}

// TestNoiseResumesTraining: a model with every noise layer trained 2
// epochs, saved, loaded and trained 2 more gives exactly the losses and
// weights of 4 epochs in one go, because the model file keeps each noise
// layer's stream (graph.RandomStream); a state of the wrong size is an
// error naming the layer.
func TestNoiseResumesTraining(t *testing.T) {
	build := func() *model.Model {
		h := DenseDefaults(4)
		h.Name, h.Activation, h.Seed = "hidden", "tanh", 1
		o := DenseDefaults(1)
		o.Name, o.Seed = "out", 2
		ls := []graph.Layer{}
		for _, l := range []func() (graph.Layer, error){
			func() (graph.Layer, error) { return NewDense(h) },
			func() (graph.Layer, error) {
				return NewGaussianNoise(GaussianNoiseConfig{Name: "gn", Stddev: 0.3, Seed: 3})
			},
			func() (graph.Layer, error) {
				return NewGaussianDropout(GaussianDropoutConfig{Name: "gd", Rate: 0.3, Seed: 4})
			},
			func() (graph.Layer, error) {
				return NewAlphaDropout(AlphaDropoutConfig{Name: "ad", Rate: 0.2, Seed: 5})
			},
			func() (graph.Layer, error) { return NewDense(o) },
		} {
			layer, err := l()
			if err != nil {
				t.Fatal(err)
			}
			ls = append(ls, layer)
		}
		m, err := model.NewSequential(tensor.Float64, ls...)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Compile("mse", optim.NewAdam()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	x := graph.NewTensor(tensor.Float64, []int{12, 2}, randValues(24, 1))
	y := graph.NewTensor(tensor.Float64, []int{12, 1}, randValues(12, 2))
	fit := func(m *model.Model, epochs int) []float64 {
		h, err := m.Fit(x, y, model.FitConfig{BatchSize: 4, Epochs: epochs, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return h.History["loss"]
	}
	straight := build()
	want := fit(straight, 4)
	m := build()
	got := fit(m, 2)
	path := filepath.Join(t.TempDir(), "m.golstm")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, fit(loaded, 2)...)
	if !slices.Equal(got, want) {
		t.Errorf("losses %v after resuming, %v straight", got, want)
	}
	for i, p := range straight.Params() {
		if !slices.Equal(graph.Float64s(p.Value), graph.Float64s(loaded.Params()[i].Value)) {
			t.Errorf("weight %s differs after resuming", p.Name)
		}
	}
	for _, name := range []string{"gn", "gd", "ad"} {
		r, ok := loaded.Layer(name).(graph.RandomStream)
		if !ok {
			t.Fatalf("%s is not a graph.RandomStream", name)
		}
		if err := r.SetRandomState([]byte{1, 2}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: bad state: error %v", name, err)
		}
	}
}
