package forecast

import (
	"math"
	"testing"
)

// lastPlus is a tiny deterministic "model": the last value of the window
// plus d.
func lastPlus(d float64) predictor {
	return func(w [][]float64) ([]float64, error) {
		out := make([]float64, len(w))
		for i, v := range w {
			out[i] = v[len(v)-1] + d
		}
		return out, nil
	}
}

// sum predicts the sum of the window.
func sum(w [][]float64) ([]float64, error) {
	out := make([]float64, len(w))
	for i, v := range w {
		for _, x := range v {
			out[i] += x
		}
	}
	return out, nil
}

func mustTransform(t *testing.T, c Config, x []float64, trainEnd int) *transform {
	t.Helper()
	tf, err := newTransform(c, x, trainEnd)
	if err != nil {
		t.Fatal(err)
	}
	return tf
}

// TestRecursive checks the recursion against hand-computed forecasts.
func TestRecursive(t *testing.T) {
	ramp := []float64{0, 1, 2, 3, 4, 5, 6, 7}
	plain := Config{Scaler: "none"}
	diff1 := Config{Scaler: "none", Diff: 1}
	for _, tc := range []struct {
		name     string
		cfg      Config
		x        []float64
		pred     predictor
		lookback int
		origins  []int
		horizon  int
		end      int
		want     []float64
		tol      float64
	}{
		// windows [2 3] → 3.5; [3 3.5] → 4; [3.5 4] → 4.5
		{"multi-step feeds back", plain, ramp, lastPlus(0.5), 2, []int{4}, 3, 8, []float64{3.5, 4, 4.5}, 0},
		// one step: true inputs only, x_{t−1} + 0.5
		{"one step", plain, ramp, lastPlus(0.5), 2, []int{4, 5, 6, 7}, 1, 8, []float64{3.5, 4.5, 5.5, 6.5}, 0},
		// two segments; the second is cut at end
		{"segments", plain, ramp, lastPlus(1), 2, []int{4, 7}, 3, 8, []float64{4, 5, 6, 7}, 0},
		// z = [· 1 2 3 4]: t=3: 1+2 = 3, ŷ = 3+4 = 7; t=4: 2+3 = 5, ŷ = 5+7 = 12
		{"diff integrates", diff1, []float64{1, 2, 4, 7, 11}, sum, 2, []int{3}, 2, 5, []float64{7, 12}, 1e-12},
		// scaling round-trips: last value again is persistence
		{"minmax persistence", Config{Scaler: "minmax"}, []float64{3, -1, 4, 1, 5, 9}, lastPlus(0), 3, []int{4}, 2, 6, []float64{1, 1}, 1e-12},
		// log + diff: z = log 2 everywhere, so the standard scaler's mean is
		// log 2 (std 0 → divisor 1) and a scaled 0 means doubling: 4 → 8 → 16
		{"log diff doubling", Config{Scaler: "standard", Log: true, Diff: 1}, []float64{1, 2, 4, 8, 16}, func(w [][]float64) ([]float64, error) {
			return make([]float64, len(w)), nil
		}, 1, []int{3}, 2, 5, []float64{8, 16}, 1e-12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tf := mustTransform(t, tc.cfg, tc.x, len(tc.x))
			got, err := recursive(tc.pred, tf, tc.x, tc.lookback, tc.origins, tc.horizon, tc.end)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if math.Abs(got[i]-tc.want[i]) > tc.tol+1e-12*math.Abs(tc.want[i]) {
					t.Errorf("forecast %d = %v, want %v (±%g)", i, got[i], tc.want[i], tc.tol)
				}
			}
		})
	}
}

// TestRecursiveBadOrigin checks that an origin without a full window is
// refused.
func TestRecursiveBadOrigin(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	tf := mustTransform(t, Config{Scaler: "none", Diff: 1}, x, 5)
	if _, err := recursive(lastPlus(0), tf, x, 2, []int{2}, 1, 5); err == nil {
		t.Error("origin 2 < lookback+diff = 3: want an error")
	}
}

func TestSegments(t *testing.T) {
	got := segments(10, 17, 3)
	want := []int{10, 13, 16}
	if len(got) != len(want) {
		t.Fatalf("segments = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segments = %v, want %v", got, want)
		}
	}
}
