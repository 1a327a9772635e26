// Package datasets provides small, dependency-free tools for time-series
// forecasting experiments: a seeded sine-wave generator, windowing of a series
// into supervised samples, a chronological train/validation/test split,
// min-max and standard scalers, a CSV loader, the classic monthly airline
// passengers series, naive forecast baselines with RMSE and MAE, and the
// adding problem of Hochreiter & Schmidhuber, a classic variable-length
// sequence task.
//
// The package uses plain float64 slices and does not import Gorgonia, so it
// can be used anywhere. Multivariate data are stored flat in row-major order:
// a series of T time steps and F features is a []float64 of length T·F whose
// element (t, j) is data[t*F+j]. A univariate series is the case F = 1.
//
// Every random draw comes from a PCG generator (math/rand/v2) seeded by the
// caller, so the same seed gives the same data on every platform.
package datasets
