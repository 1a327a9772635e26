package datasets

import (
	"errors"
	"fmt"
	"math"
)

// Persistence returns the naive forecast of the next horizon steps after
// history (steps 0, …, T−1): every step repeats the last observed value,
// history[T−1].
// It returns an error if history is empty or horizon < 1.
func Persistence(history []float64, horizon int) ([]float64, error) {
	if len(history) == 0 {
		return nil, errors.New("datasets: Persistence: empty history")
	}
	if horizon < 1 {
		return nil, fmt.Errorf("datasets: Persistence horizon %d: must be ≥ 1", horizon)
	}
	out := make([]float64, horizon)
	for h := range out {
		out[h] = history[len(history)-1]
	}
	return out, nil
}

// SeasonalNaive returns the seasonal naive forecast of the next horizon steps
// after history (steps 0, …, T−1): each step repeats the value one season
// earlier. Forecast h = 1, …, horizon is for step T−1+h and equals
//
//	history[T−1+h−m·(⌊(h−1)/m⌋+1)]
//
// with m = period, so horizons beyond one season reuse the last observed
// season. It returns an error if period < 1, horizon < 1, or history is
// shorter than one period.
func SeasonalNaive(history []float64, period, horizon int) ([]float64, error) {
	if period < 1 {
		return nil, fmt.Errorf("datasets: SeasonalNaive period %d: must be ≥ 1", period)
	}
	if horizon < 1 {
		return nil, fmt.Errorf("datasets: SeasonalNaive horizon %d: must be ≥ 1", horizon)
	}
	T := len(history)
	if T < period {
		return nil, fmt.Errorf("datasets: SeasonalNaive: history of %d steps is shorter than period %d", T, period)
	}
	out := make([]float64, horizon)
	for i := range out {
		h := i + 1
		out[i] = history[T-1+h-period*((h-1)/period+1)]
	}
	return out, nil
}

// RMSE returns the root mean squared error sqrt(Σ(actual_i − predicted_i)²/n).
// It returns an error if the lengths differ or are zero.
func RMSE(actual, predicted []float64) (float64, error) {
	if err := checkPair(actual, predicted); err != nil {
		return 0, err
	}
	var s float64
	for i, a := range actual {
		d := a - predicted[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(actual))), nil
}

// MAE returns the mean absolute error Σ|actual_i − predicted_i|/n.
// It returns an error if the lengths differ or are zero.
func MAE(actual, predicted []float64) (float64, error) {
	if err := checkPair(actual, predicted); err != nil {
		return 0, err
	}
	var s float64
	for i, a := range actual {
		s += math.Abs(a - predicted[i])
	}
	return s / float64(len(actual)), nil
}

func checkPair(actual, predicted []float64) error {
	if len(actual) != len(predicted) {
		return fmt.Errorf("datasets: %d actual values but %d predicted", len(actual), len(predicted))
	}
	if len(actual) == 0 {
		return errors.New("datasets: no values to compare")
	}
	return nil
}
