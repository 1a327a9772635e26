package datasets

import (
	"slices"
	"strings"
	"testing"
)

func TestMakeWindows(t *testing.T) {
	uni := []float64{0, 1, 2, 3, 4, 5}
	// Rows (t, 10t) for t = 0..4.
	multi := []float64{0, 0, 1, 10, 2, 20, 3, 30, 4, 40}
	for _, tc := range []struct {
		name     string
		series   []float64
		features int
		cfg      WindowConfig
		x, y     []float64
		xs, ys   []int
		start    []int
	}{
		{"stride 1", uni, 1, WindowConfig{Lookback: 2, Horizon: 1, Stride: 1},
			[]float64{0, 1, 1, 2, 2, 3, 3, 4}, []float64{2, 3, 4, 5}, []int{4, 2, 1}, []int{4, 1, 1}, []int{2, 3, 4, 5}},
		{"stride 2 horizon 2", uni, 1, WindowConfig{Lookback: 2, Horizon: 2, Stride: 2},
			[]float64{0, 1, 2, 3}, []float64{2, 3, 4, 5}, []int{2, 2, 1}, []int{2, 2, 1}, []int{2, 4}},
		{"stride drops tail", uni, 1, WindowConfig{Lookback: 3, Horizon: 1, Stride: 2},
			[]float64{0, 1, 2, 2, 3, 4}, []float64{3, 5}, []int{2, 3, 1}, []int{2, 1, 1}, []int{3, 5}},
		{"exact length", uni, 1, WindowConfig{Lookback: 4, Horizon: 2, Stride: 1},
			[]float64{0, 1, 2, 3}, []float64{4, 5}, []int{1, 4, 1}, []int{1, 2, 1}, []int{4}},
		{"multi target 1", multi, 2, WindowConfig{Lookback: 2, Horizon: 2, Stride: 1, Target: 1},
			[]float64{0, 0, 1, 10, 1, 10, 2, 20}, []float64{20, 30, 30, 40}, []int{2, 2, 2}, []int{2, 2, 1}, []int{2, 3}},
		{"multi all", multi, 2, WindowConfig{Lookback: 2, Horizon: 2, Stride: 1, Target: AllFeatures},
			[]float64{0, 0, 1, 10, 1, 10, 2, 20}, []float64{2, 20, 3, 30, 3, 30, 4, 40}, []int{2, 2, 2}, []int{2, 2, 2}, []int{2, 3}},
	} {
		w, err := MakeWindows(tc.series, tc.features, tc.cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkSlice(t, tc.name+" X", w.X, tc.x, 0)
		checkSlice(t, tc.name+" Y", w.Y, tc.y, 0)
		if !slices.Equal(w.XShape(), tc.xs) || !slices.Equal(w.YShape(), tc.ys) || !slices.Equal(w.Start, tc.start) {
			t.Errorf("%s: shapes %v %v start %v, want %v %v %v", tc.name, w.XShape(), w.YShape(), w.Start, tc.xs, tc.ys, tc.start)
		}
	}
}

func TestMakeWindowsErrors(t *testing.T) {
	s := []float64{0, 1, 2, 3, 4, 5}
	ok := WindowConfig{Lookback: 2, Horizon: 1, Stride: 1}
	for _, tc := range []struct {
		features int
		cfg      WindowConfig
		want     string
	}{
		{0, ok, "features 0"},
		{4, ok, "not a multiple of features 4"},
		{1, WindowConfig{Lookback: 0, Horizon: 1, Stride: 1}, "Lookback 0"},
		{1, WindowConfig{Lookback: 2, Horizon: 0, Stride: 1}, "Horizon 0"},
		{1, WindowConfig{Lookback: 2, Horizon: 1, Stride: 0}, "Stride 0"},
		{2, WindowConfig{Lookback: 1, Horizon: 1, Stride: 1, Target: 2}, "Target 2: want 0..1"},
		{1, WindowConfig{Lookback: 1, Horizon: 1, Stride: 1, Target: -2}, "Target -2"},
		{1, WindowConfig{Lookback: 5, Horizon: 2, Stride: 1}, "too short: 6 steps < Lookback 5 + Horizon 2"},
	} {
		_, err := MakeWindows(s, tc.features, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d %+v: error %v, want one containing %q", tc.features, tc.cfg, err, tc.want)
		}
	}
}

func TestFeature(t *testing.T) {
	data := []float64{1, 10, 2, 20, 3, 30}
	got, err := Feature(data, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "feature 1", got, []float64{10, 20, 30}, 0)
	got[0] = -1
	if data[1] != 10 {
		t.Error("Feature shares memory with its input")
	}
	for _, tc := range []struct {
		features, j int
		want        string
	}{{2, 2, "feature 2: want 0..1"}, {2, -1, "feature -1"}, {4, 0, "not a multiple"}, {0, 0, "features 0"}} {
		if _, err := Feature(data, tc.features, tc.j); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Feature(%d, %d): error %v, want %q", tc.features, tc.j, err, tc.want)
		}
	}
}
