package datasets

import (
	"math"
	"strings"
	"testing"
)

// Two features: column 0 is 1, 3, 5; column 1 is the constant 10.
var scalerData = []float64{1, 10, 3, 10, 5, 10}

func TestMinMaxScaler(t *testing.T) {
	for _, tc := range []struct {
		name      string
		low, high float64
		in, want  []float64
	}{
		{"[0,1] fit data", 0, 1, scalerData, []float64{0, 0, 0.5, 0, 1, 0}},
		{"[0,1] new data", 0, 1, []float64{7, 12, -1, 10}, []float64{1.5, 2, -0.5, 0}},
		{"[-1,1]", -1, 1, scalerData, []float64{-1, -1, 0, -1, 1, -1}},
	} {
		s, err := NewMinMaxScaler(tc.low, tc.high)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Fit(scalerData, 2); err != nil {
			t.Fatal(err)
		}
		checkSlice(t, tc.name+" DataMin", s.DataMin, []float64{1, 10}, 0)
		checkSlice(t, tc.name+" DataMax", s.DataMax, []float64{5, 10}, 0)
		got, err := s.Transform(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, tc.name, got, tc.want, 1e-12)
		back, err := s.InverseTransform(got)
		if err != nil {
			t.Fatal(err)
		}
		checkSlice(t, tc.name+" inverse", back, tc.in, 1e-12)
	}
}

func TestMinMaxScalerZeroValue(t *testing.T) {
	var s MinMaxScaler
	if err := s.Fit([]float64{2, 4, 6}, 1); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Transform([]float64{2, 5, 6})
	checkSlice(t, "zero value", got, []float64{0, 0.75, 1}, 1e-12)
	back, err := s.InverseTransformFeature([]float64{0.5}, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "inverse feature", back, []float64{4}, 1e-12)
}

func TestStandardScaler(t *testing.T) {
	var s StandardScaler
	if err := s.Fit(scalerData, 2); err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt(8.0 / 3) // population std of 1, 3, 5
	checkSlice(t, "Mean", s.Mean, []float64{3, 10}, 1e-12)
	checkSlice(t, "Std", s.Std, []float64{sd, 0}, 1e-12)
	got, err := s.Transform(scalerData)
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn: StandardScaler().fit_transform([[1],[3],[5]]) = ±1.22474487.
	checkSlice(t, "transform", got, []float64{-1.224744871391589, 0, 0, 0, 1.224744871391589, 0}, 1e-12)
	back, _ := s.InverseTransform([]float64{1, 2})
	checkSlice(t, "inverse", back, []float64{3 + sd, 12}, 1e-12)
	col, err := s.InverseTransformFeature([]float64{-1, 0, 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkSlice(t, "inverse feature", col, []float64{3 - sd, 3, 3 + sd}, 1e-12)
}

func TestScalerErrors(t *testing.T) {
	if _, err := NewMinMaxScaler(1, 1); err == nil || !strings.Contains(err.Error(), "[1, 1]") {
		t.Errorf("NewMinMaxScaler(1, 1): error %v", err)
	}
	bad := &MinMaxScaler{Low: 2, High: 1}
	if err := bad.Fit(scalerData, 2); err == nil || !strings.Contains(err.Error(), "low < high") {
		t.Errorf("Fit with range [2, 1]: error %v", err)
	}
	for _, s := range []Scaler{&MinMaxScaler{}, &StandardScaler{}} {
		if _, err := s.Transform([]float64{1}); err == nil || !strings.Contains(err.Error(), "before Fit") {
			t.Errorf("%T Transform before Fit: error %v", s, err)
		}
		for _, tc := range []struct {
			data     []float64
			features int
			want     string
		}{
			{nil, 1, "empty"},
			{[]float64{1, 2, 3}, 2, "not a multiple"},
			{[]float64{1, 2}, 0, "features 0"},
			{[]float64{1, 2, 3, math.Inf(1)}, 2, "step 1, feature 1 is not finite"},
		} {
			if err := s.Fit(tc.data, tc.features); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%T Fit(%v, %d): error %v, want %q", s, tc.data, tc.features, err, tc.want)
			}
		}
		if err := s.Fit(scalerData, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transform([]float64{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "2 fitted features") {
			t.Errorf("%T Transform of 3 values: error %v", s, err)
		}
		if _, err := s.InverseTransform([]float64{1}); err == nil {
			t.Errorf("%T InverseTransform of 1 value: no error", s)
		}
	}
	var s StandardScaler
	_ = s.Fit(scalerData, 2)
	for _, j := range []int{2, -1} {
		if _, err := s.InverseTransformFeature([]float64{1}, j); err == nil || !strings.Contains(err.Error(), "want 0..1") {
			t.Errorf("InverseTransformFeature feature %d: error %v", j, err)
		}
	}
}
