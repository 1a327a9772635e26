package datasets

import (
	"errors"
	"fmt"
	"math"
)

// Scaler rescales each feature of flat row-major data. Fit learns the
// per-feature statistics (fit on training data only, to avoid leaking the
// future); Transform and InverseTransform return new slices and leave their
// argument unchanged.
type Scaler interface {
	Fit(data []float64, features int) error
	Transform(data []float64) ([]float64, error)
	InverseTransform(data []float64) ([]float64, error)
	InverseTransformFeature(values []float64, j int) ([]float64, error)
}

// affine is the per-feature map y = x·scale + shift shared by both scalers,
// which embed it for Transform, InverseTransform and InverseTransformFeature.
type affine struct {
	scale, shift []float64
}

var errNotFitted = errors.New("datasets: scaler used before Fit")

// Transform returns data scaled feature by feature; len(data) must be a
// multiple of the fitted number of features.
func (a *affine) Transform(data []float64) ([]float64, error) { return a.apply(data, -1, false) }

// InverseTransform undoes Transform.
func (a *affine) InverseTransform(data []float64) ([]float64, error) { return a.apply(data, -1, true) }

// InverseTransformFeature undoes Transform for values that all belong to
// feature j, such as the predictions of a single target feature.
func (a *affine) InverseTransformFeature(values []float64, j int) ([]float64, error) {
	if f := len(a.scale); f > 0 && (j < 0 || j >= f) {
		return nil, fmt.Errorf("datasets: feature %d: want 0..%d", j, f-1)
	}
	return a.apply(values, j, true)
}

// apply maps data feature by feature, or all of it as feature j when j ≥ 0.
func (a *affine) apply(data []float64, feature int, inverse bool) ([]float64, error) {
	f := len(a.scale)
	if f == 0 {
		return nil, errNotFitted
	}
	if feature < 0 && len(data)%f != 0 {
		return nil, fmt.Errorf("datasets: data length %d is not a multiple of the %d fitted features", len(data), f)
	}
	out := make([]float64, len(data))
	for i, x := range data {
		j := feature
		if j < 0 {
			j = i % f
		}
		if inverse {
			out[i] = (x - a.shift[j]) / a.scale[j]
		} else {
			out[i] = x*a.scale[j] + a.shift[j]
		}
	}
	return out, nil
}

// MinMaxScaler maps each feature linearly from its fitted [min, max] onto
// [Low, High], as scikit-learn's MinMaxScaler:
//
//	y = (x − min)·(High − Low)/(max − min) + Low.
//
// A constant feature (max = min) uses a divisor of 1 instead of 0, so it maps
// to Low and InverseTransform still recovers it.
type MinMaxScaler struct {
	Low, High        float64   // feature range
	DataMin, DataMax []float64 // fitted per-feature extremes
	affine
}

// NewMinMaxScaler returns a scaler onto [low, high]; it returns an error
// unless low < high, both finite. Use [0, 1] for the usual range.
func NewMinMaxScaler(low, high float64) (*MinMaxScaler, error) {
	if !finite(low) || !finite(high) || !(low < high) {
		return nil, fmt.Errorf("datasets: min-max feature range [%v, %v]: want finite low < high", low, high)
	}
	return &MinMaxScaler{Low: low, High: high}, nil
}

// Fit learns the minimum and maximum of each feature of data, flat row-major
// with the given number of features. It returns an error for an empty or
// badly shaped data, a non-finite value, or an invalid range [Low, High].
// A zero MinMaxScaler fits onto [0, 1].
func (s *MinMaxScaler) Fit(data []float64, features int) error {
	if s.Low == 0 && s.High == 0 {
		s.High = 1
	}
	if !finite(s.Low) || !finite(s.High) || !(s.Low < s.High) {
		return fmt.Errorf("datasets: min-max feature range [%v, %v]: want finite low < high", s.Low, s.High)
	}
	if err := checkFitData(data, features); err != nil {
		return err
	}
	s.DataMin = make([]float64, features)
	s.DataMax = make([]float64, features)
	copy(s.DataMin, data[:features])
	copy(s.DataMax, data[:features])
	for i, x := range data {
		j := i % features
		s.DataMin[j] = min(s.DataMin[j], x)
		s.DataMax[j] = max(s.DataMax[j], x)
	}
	s.affine = affine{make([]float64, features), make([]float64, features)}
	for j := range features {
		r := s.DataMax[j] - s.DataMin[j]
		if r == 0 {
			r = 1
		}
		s.scale[j] = (s.High - s.Low) / r
		s.shift[j] = s.Low - s.DataMin[j]*s.scale[j]
	}
	return nil
}

// StandardScaler standardizes each feature, as scikit-learn's StandardScaler:
//
//	y = (x − mean)/std,  std = sqrt(Σ(x − mean)²/n)  (population std).
//
// A constant feature (std = 0) uses a divisor of 1, so it maps to 0 and
// InverseTransform still recovers it.
type StandardScaler struct {
	Mean, Std []float64 // fitted per-feature statistics (Std as computed, 0 for a constant feature)
	affine
}

// Fit learns the mean and population standard deviation of each feature of
// data, flat row-major with the given number of features. It returns an error
// for an empty or badly shaped data or a non-finite value.
func (s *StandardScaler) Fit(data []float64, features int) error {
	if err := checkFitData(data, features); err != nil {
		return err
	}
	n := float64(len(data) / features)
	s.Mean = make([]float64, features)
	s.Std = make([]float64, features)
	for i, x := range data {
		s.Mean[i%features] += x
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	for i, x := range data {
		d := x - s.Mean[i%features]
		s.Std[i%features] += d * d
	}
	s.affine = affine{make([]float64, features), make([]float64, features)}
	for j := range features {
		s.Std[j] = math.Sqrt(s.Std[j] / n)
		sd := s.Std[j]
		if sd == 0 {
			sd = 1
		}
		s.scale[j] = 1 / sd
		s.shift[j] = -s.Mean[j] / sd
	}
	return nil
}

func checkFitData(data []float64, features int) error {
	if err := checkLayout(len(data), features); err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("datasets: scaler Fit on empty data")
	}
	for i, x := range data {
		if !finite(x) {
			return fmt.Errorf("datasets: scaler Fit: value %v at step %d, feature %d is not finite", x, i/features, i%features)
		}
	}
	return nil
}
