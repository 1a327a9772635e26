package datasets

import (
	"math"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		n                int
		train, val       float64
		trainR, valR, te Range
	}{
		{10, 0.7, 0.2, Range{0, 7}, Range{7, 9}, Range{9, 10}},
		{100, 0.29, 0.01, Range{0, 29}, Range{29, 30}, Range{30, 100}}, // 100·0.29 = 28.999999999999996
		{144, 0.67, 0.33, Range{0, 96}, Range{96, 144}, Range{144, 144}},
		{7, 0.5, 0.25, Range{0, 3}, Range{3, 5}, Range{5, 7}},
		{5, 1, 0, Range{0, 5}, Range{5, 5}, Range{5, 5}},
		{5, 0, 0, Range{0, 0}, Range{0, 0}, Range{0, 5}},
		{0, 0.8, 0.1, Range{0, 0}, Range{0, 0}, Range{0, 0}},
	} {
		a, b, c, err := Split(tc.n, tc.train, tc.val)
		if err != nil {
			t.Fatalf("Split(%d, %v, %v): %v", tc.n, tc.train, tc.val, err)
		}
		if a != tc.trainR || b != tc.valR || c != tc.te {
			t.Errorf("Split(%d, %v, %v) = %v %v %v, want %v %v %v", tc.n, tc.train, tc.val, a, b, c, tc.trainR, tc.valR, tc.te)
		}
		if a.Len()+b.Len()+c.Len() != tc.n {
			t.Errorf("Split(%d, ...): lengths do not add up", tc.n)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	for _, tc := range []struct {
		n          int
		train, val float64
		want       string
	}{
		{-1, 0.5, 0.5, "n -1"},
		{10, -0.1, 0.5, "train fraction -0.1"},
		{10, 1.1, 0, "train fraction 1.1"},
		{10, math.NaN(), 0, "train fraction NaN"},
		{10, 0.5, 1.5, "validation fraction 1.5"},
		{10, 0.6, 0.5, "must be ≤ 1"},
	} {
		if _, _, _, err := Split(tc.n, tc.train, tc.val); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Split(%d, %v, %v): error %v, want %q", tc.n, tc.train, tc.val, err, tc.want)
		}
	}
}

func TestRangeRows(t *testing.T) {
	data := []float64{0, 0, 1, 10, 2, 20, 3, 30}
	checkSlice(t, "rows", Range{1, 3}.Rows(data, 2), []float64{1, 10, 2, 20}, 0)
	checkSlice(t, "empty", Range{4, 4}.Rows(data, 2), []float64{}, 0)
}
