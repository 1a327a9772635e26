package forecast

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/golstm/golstm/datasets"
)

// load returns the series selected by c.Data, its seasonal period (0 when
// unknown) and, for a CSV file, the name of the column read.
func load(c Config) (x []float64, period int, column string, err error) {
	switch c.Data {
	case "sine":
		x, err = datasets.GenerateSine(datasets.SineConfig{
			Length:     c.Sine.Length,
			Components: []datasets.Sine{{Period: c.Sine.Period, Amplitude: c.Sine.Amplitude}},
			Noise:      c.Sine.Noise,
			Seed:       c.Sine.Seed,
		})
		if err != nil {
			return nil, 0, "", fmt.Errorf("forecast: %w", err)
		}
		if p := math.Round(c.Sine.Period); p == c.Sine.Period {
			period = int(p)
		}
	case "airline":
		x, period = datasets.AirlinePassengers(), datasets.AirlinePassengersPeriod
	default:
		if x, column, err = loadCSV(c.Data, strings.TrimSpace(c.Column)); err != nil {
			return nil, 0, "", err
		}
	}
	if c.Period > 0 {
		period = c.Period
	}
	return x, period, column, nil
}

// loadCSV reads the column of a CSV file selected by col (a header name
// or a 0-based index; "" for the last numeric column). When the column is
// not numeric, the error names the numeric columns and -column.
func loadCSV(path, col string) ([]float64, string, error) {
	numeric, _, err := datasets.NumericColumnsFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("forecast: -data %s: %w", path, err)
	}
	list := func() string {
		if len(numeric) == 0 {
			return "it has no numeric column"
		}
		q := make([]string, len(numeric))
		for i, n := range numeric {
			q[i] = strconv.Quote(n)
		}
		return "numeric columns are " + strings.Join(q, ", ") + ": pick one with -column"
	}
	sel := datasets.ByName(col)
	switch i, err := strconv.Atoi(col); {
	case col == "":
		if len(numeric) == 0 {
			return nil, "", fmt.Errorf("forecast: -data %s: no column holds a number in every row", path)
		}
		sel = datasets.ByName(numeric[len(numeric)-1])
	case err == nil:
		sel = datasets.ByIndex(i)
	}
	x, names, err := datasets.ReadCSVFile(path, sel)
	if err != nil {
		return nil, "", fmt.Errorf("forecast: -data %s: %w (%s)", path, err, list())
	}
	return x, names[0], nil
}

// transform maps a series x to the scaled series s the LSTM sees and
// back:
//
//	y_t = log x_t (Log) or x_t,  z_t = y_t − y_{t−d} (d = Diff > 0) or y_t,  s_t = scale(z_t).
//
// s_t is NaN for t < d. The scaler is fitted on z over the training steps.
type transform struct {
	log   bool
	diff  int
	scale func(float64) float64
	unsc  func(float64) float64
}

// newTransform fits the transform on the steps [0, trainEnd) of x.
func newTransform(c Config, x []float64, trainEnd int) (*transform, error) {
	t := &transform{log: c.Log, diff: c.Diff}
	if c.Log {
		for i, v := range x {
			if !(v > 0) {
				return nil, fmt.Errorf("forecast: log: value %v at step %d is not positive: turn log off", v, i)
			}
		}
	}
	if trainEnd-c.Diff < 2 {
		return nil, fmt.Errorf("forecast: diff = %d leaves %d training steps: want at least 2", c.Diff, trainEnd-c.Diff)
	}
	z := t.diffs(t.levels(x))[c.Diff:trainEnd]
	var sc datasets.Scaler
	switch c.Scaler {
	case "minmax":
		sc = &datasets.MinMaxScaler{Low: 0, High: 1}
	case "standard":
		sc = &datasets.StandardScaler{}
	default:
		t.scale = func(v float64) float64 { return v }
		t.unsc = t.scale
		return t, nil
	}
	if err := sc.Fit(z, 1); err != nil {
		return nil, fmt.Errorf("forecast: scaler: %w", err)
	}
	t.scale = func(v float64) float64 { s, _ := sc.Transform([]float64{v}); return s[0] }
	t.unsc = func(v float64) float64 { s, _ := sc.InverseTransformFeature([]float64{v}, 0); return s[0] }
	return t, nil
}

// levels returns y (log x or a copy of x).
func (t *transform) levels(x []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = v
		if t.log {
			y[i] = math.Log(v)
		}
	}
	return y
}

// diffs returns z from y (NaN for the first diff steps).
func (t *transform) diffs(y []float64) []float64 {
	if t.diff == 0 {
		return append([]float64(nil), y...)
	}
	z := make([]float64, len(y))
	for i := range z {
		z[i] = math.NaN()
		if i >= t.diff {
			z[i] = y[i] - y[i-t.diff]
		}
	}
	return z
}

// forward returns y and s for the whole series.
func (t *transform) forward(x []float64) (y, s []float64) {
	y = t.levels(x)
	s = t.diffs(y)
	for i, v := range s {
		if !math.IsNaN(v) {
			s[i] = t.scale(v)
		}
	}
	return y, s
}

// level returns ŷ_t from a scaled prediction ŝ_t and the level y_{t−d}
// (ignored without differencing).
func (t *transform) level(s, prev float64) float64 {
	z := t.unsc(s)
	if t.diff > 0 {
		return z + prev
	}
	return z
}

// value returns x from a level y.
func (t *transform) value(y float64) float64 {
	if t.log {
		return math.Exp(y)
	}
	return y
}
