package datasets

import (
	"math"
	"strings"
	"testing"
)

func TestPersistence(t *testing.T) {
	got, err := Persistence([]float64{1, 2, 3}, 2)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "persistence", got, []float64{3, 3}, 0)
	if _, err := Persistence(nil, 1); err == nil || !strings.Contains(err.Error(), "empty history") {
		t.Errorf("empty history: error %v", err)
	}
	if _, err := Persistence([]float64{1}, 0); err == nil || !strings.Contains(err.Error(), "horizon 0") {
		t.Errorf("horizon 0: error %v", err)
	}
}

func TestSeasonalNaive(t *testing.T) {
	for _, tc := range []struct {
		history         []float64
		period, horizon int
		want            []float64
	}{
		{[]float64{1, 2, 3, 4, 5}, 2, 5, []float64{4, 5, 4, 5, 4}},
		{[]float64{1, 2, 3, 4, 5, 6}, 3, 4, []float64{4, 5, 6, 4}},
		{[]float64{1, 2, 3}, 1, 2, []float64{3, 3}}, // period 1 is persistence
		{[]float64{7, 8}, 2, 1, []float64{7}},
	} {
		got, err := SeasonalNaive(tc.history, tc.period, tc.horizon)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, "seasonal naive", got, tc.want, 0)
	}
	for _, tc := range []struct {
		period, horizon int
		want            string
	}{{0, 1, "period 0"}, {2, 0, "horizon 0"}, {4, 1, "3 steps is shorter than period 4"}} {
		if _, err := SeasonalNaive([]float64{1, 2, 3}, tc.period, tc.horizon); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SeasonalNaive(%d, %d): error %v, want %q", tc.period, tc.horizon, err, tc.want)
		}
	}
}

func TestMetrics(t *testing.T) {
	for _, tc := range []struct {
		a, p      []float64
		rmse, mae float64
	}{
		{[]float64{1, 2, 3}, []float64{2, 2, 5}, math.Sqrt(5.0 / 3), 1},
		{[]float64{-1, 1}, []float64{1, -1}, 2, 2},
		{[]float64{4}, []float64{4}, 0, 0},
	} {
		r, err := RMSE(tc.a, tc.p)
		if err != nil || !closeTo(r, tc.rmse, 1e-12) {
			t.Errorf("RMSE(%v, %v) = %v, %v, want %v", tc.a, tc.p, r, err, tc.rmse)
		}
		m, err := MAE(tc.a, tc.p)
		if err != nil || !closeTo(m, tc.mae, 1e-12) {
			t.Errorf("MAE(%v, %v) = %v, %v, want %v", tc.a, tc.p, m, err, tc.mae)
		}
	}
	for _, f := range []func(a, p []float64) (float64, error){RMSE, MAE} {
		if _, err := f([]float64{1}, []float64{1, 2}); err == nil || !strings.Contains(err.Error(), "1 actual values but 2 predicted") {
			t.Errorf("length mismatch: error %v", err)
		}
		if _, err := f(nil, nil); err == nil || !strings.Contains(err.Error(), "no values") {
			t.Errorf("empty: error %v", err)
		}
	}
}
