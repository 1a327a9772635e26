package datasets

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func closeTo(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func checkSlice(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d (%v vs %v)", name, len(got), len(want), got, want)
	}
	for i := range want {
		if !closeTo(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %v, want %v (tol %g)", name, i, got[i], want[i], tol)
		}
	}
}

func TestGenerateSine(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SineConfig
		want []float64
		tol  float64
	}{
		{"offset+trend+sine", SineConfig{Length: 4, Components: []Sine{{Period: 4, Amplitude: 2}}, Trend: 0.5, Offset: 1},
			[]float64{1, 3.5, 2, 0.5}, 1e-12},
		{"phase pi/2 is cosine", SineConfig{Length: 4, Components: []Sine{{Period: 4, Amplitude: 1, Phase: math.Pi / 2}}},
			[]float64{1, 0, -1, 0}, 1e-12},
		{"two components", SineConfig{Length: 4, Components: []Sine{{Period: 4, Amplitude: 1}, {Period: 2, Amplitude: 1, Phase: math.Pi / 2}}},
			[]float64{1, 0, 1, -2}, 1e-12},
		{"no components", SineConfig{Length: 3, Trend: -1, Offset: 3}, []float64{3, 2, 1}, 0},
		{"fractional period", SineConfig{Length: 2, Components: []Sine{{Period: 12, Amplitude: 3}}},
			[]float64{0, 1.5}, 1e-12},
	} {
		got, err := GenerateSine(tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkSlice(t, tc.name, got, tc.want, tc.tol)
	}
}

func TestGenerateSineNoise(t *testing.T) {
	const n, sigma = 20000, 0.5
	cfg := SineConfig{Length: n, Components: []Sine{{Period: 50, Amplitude: 1}}, Noise: sigma, Seed: 7}
	a, err := GenerateSine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSine(cfg)
	checkSlice(t, "same seed", b, a, 0)
	clean := cfg
	clean.Noise = 0
	c, _ := GenerateSine(clean)
	// The noise is Noise·NormFloat64 from PCG(seed, 0x9e3779b97f4a7c15), the stream of graph.NewRNG.
	rng := rand.New(rand.NewPCG(7, 0x9e3779b97f4a7c15))
	var mean, sq float64
	for i := range a {
		e := a[i] - c[i]
		if w := sigma * rng.NormFloat64(); !closeTo(e, w, 1e-12) {
			t.Fatalf("noise[%d] = %v, want %v", i, e, w)
		}
		mean += e
		sq += e * e
	}
	mean /= n
	std := math.Sqrt(sq/n - mean*mean)
	// 4 standard errors: σ/√n for the mean, σ/√(2n) for the std.
	if !closeTo(mean, 0, 4*sigma/math.Sqrt(n)) || !closeTo(std, sigma, 4*sigma/math.Sqrt(2*n)) {
		t.Errorf("noise mean %v std %v, want 0 and %v", mean, std, sigma)
	}
	cfg.Seed = 8
	d, _ := GenerateSine(cfg)
	if d[0] == a[0] && d[1] == a[1] {
		t.Error("seeds 7 and 8 gave the same noise")
	}
}

func TestGenerateSineErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  SineConfig
		want string
	}{
		{SineConfig{Length: 0}, "Length 0"},
		{SineConfig{Length: 3, Noise: -1}, "Noise -1"},
		{SineConfig{Length: 3, Noise: math.NaN()}, "Noise NaN"},
		{SineConfig{Length: 3, Trend: math.Inf(1)}, "Trend"},
		{SineConfig{Length: 3, Components: []Sine{{Period: 0, Amplitude: 1}}}, "component 0: Period 0"},
		{SineConfig{Length: 3, Components: []Sine{{Period: 2}, {Period: -2}}}, "component 1: Period -2"},
		{SineConfig{Length: 3, Components: []Sine{{Period: 2, Amplitude: math.NaN()}}}, "Amplitude"},
	} {
		_, err := GenerateSine(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.cfg, err, tc.want)
		}
	}
}
