package datasets

import "fmt"

// AllFeatures as WindowConfig.Target makes every feature a target.
const AllFeatures = -1

// WindowConfig describes how MakeWindows cuts a series into samples.
type WindowConfig struct {
	Lookback int // input steps per sample, ≥ 1
	Horizon  int // target steps per sample, ≥ 1
	Stride   int // steps between the starts of consecutive samples, ≥ 1
	Target   int // 0-based target feature, or AllFeatures
}

// Windows holds supervised samples cut from a series of T steps and F
// features. Sample i starts at step s_i = i·Stride; its input covers steps
// s_i, …, s_i+Lookback−1 and its target steps s_i+Lookback, …,
// s_i+Lookback+Horizon−1. X and Y are flat, row-major:
//
//	X has shape (Samples, Lookback, Features): X[(i*Lookback+k)*Features+j] = series(s_i+k, j)
//	Y has shape (Samples, Horizon, Targets):   Y[(i*Horizon+h)*Targets+c]   = series(Start[i]+h, target c)
//
// Targets is 1 for a single target feature (so Y is effectively
// (Samples, Horizon)) and Features for AllFeatures.
type Windows struct {
	X, Y     []float64
	Samples  int
	Lookback int
	Horizon  int
	Features int
	Targets  int
	// Start[i] is the series step of sample i's first target, s_i+Lookback.
	Start []int
}

// XShape returns the shape of X: (Samples, Lookback, Features).
func (w *Windows) XShape() []int { return []int{w.Samples, w.Lookback, w.Features} }

// YShape returns the shape of Y: (Samples, Horizon, Targets).
func (w *Windows) YShape() []int { return []int{w.Samples, w.Horizon, w.Targets} }

// MakeWindows cuts series, flat row-major of shape (T, features), into
// supervised samples as described by cfg. The number of samples is
// ⌊(T − Lookback − Horizon)/Stride⌋ + 1; a trailing part shorter than a
// stride is dropped. It returns an error for features, Lookback, Horizon or
// Stride below 1, a Target out of range, a series length that is not a
// multiple of features, or fewer than Lookback+Horizon steps.
func MakeWindows(series []float64, features int, cfg WindowConfig) (*Windows, error) {
	if err := checkLayout(len(series), features); err != nil {
		return nil, err
	}
	switch {
	case cfg.Lookback < 1:
		return nil, fmt.Errorf("datasets: window Lookback %d: must be ≥ 1", cfg.Lookback)
	case cfg.Horizon < 1:
		return nil, fmt.Errorf("datasets: window Horizon %d: must be ≥ 1", cfg.Horizon)
	case cfg.Stride < 1:
		return nil, fmt.Errorf("datasets: window Stride %d: must be ≥ 1", cfg.Stride)
	case cfg.Target != AllFeatures && (cfg.Target < 0 || cfg.Target >= features):
		return nil, fmt.Errorf("datasets: window Target %d: want 0..%d or AllFeatures (-1)", cfg.Target, features-1)
	}
	T := len(series) / features
	if T < cfg.Lookback+cfg.Horizon {
		return nil, fmt.Errorf("datasets: series too short: %d steps < Lookback %d + Horizon %d",
			T, cfg.Lookback, cfg.Horizon)
	}
	targets := 1
	if cfg.Target == AllFeatures {
		targets = features
	}
	n := (T-cfg.Lookback-cfg.Horizon)/cfg.Stride + 1
	w := &Windows{
		X:        make([]float64, 0, n*cfg.Lookback*features),
		Y:        make([]float64, 0, n*cfg.Horizon*targets),
		Samples:  n,
		Lookback: cfg.Lookback,
		Horizon:  cfg.Horizon,
		Features: features,
		Targets:  targets,
		Start:    make([]int, n),
	}
	for i := range n {
		s := i * cfg.Stride
		w.X = append(w.X, series[s*features:(s+cfg.Lookback)*features]...)
		t0 := s + cfg.Lookback
		w.Start[i] = t0
		for t := t0; t < t0+cfg.Horizon; t++ {
			if cfg.Target == AllFeatures {
				w.Y = append(w.Y, series[t*features:(t+1)*features]...)
			} else {
				w.Y = append(w.Y, series[t*features+cfg.Target])
			}
		}
	}
	return w, nil
}

// Feature returns a copy of column j of data, flat row-major with the given
// number of features. It returns an error if features < 1, j is out of range,
// or len(data) is not a multiple of features.
func Feature(data []float64, features, j int) ([]float64, error) {
	if err := checkLayout(len(data), features); err != nil {
		return nil, err
	}
	if j < 0 || j >= features {
		return nil, fmt.Errorf("datasets: feature %d: want 0..%d", j, features-1)
	}
	out := make([]float64, len(data)/features)
	for t := range out {
		out[t] = data[t*features+j]
	}
	return out, nil
}

func checkLayout(n, features int) error {
	if features < 1 {
		return fmt.Errorf("datasets: features %d: must be ≥ 1", features)
	}
	if n%features != 0 {
		return fmt.Errorf("datasets: data length %d is not a multiple of features %d", n, features)
	}
	return nil
}
