package forecast

import "fmt"

// predictor maps a batch of input windows, each Lookback scaled values in
// time order, to the scaled value that follows each window.
type predictor func(windows [][]float64) ([]float64, error)

// recursive forecasts the series x (original units) from each origin o in
// origins for the steps o, …, min(o+horizon, end)−1 and returns the
// forecasts concatenated in origin order. Each forecast uses the true
// values before its origin only: at step t it reads the window
// s_{t−L}, …, s_{t−1}, where every s_u with u ≥ o is the model's own
// earlier prediction (the recursive strategy), and integrates the
// prediction back through t's transform (levels y_{t−d} at or after o are
// forecasts too). horizon 1 gives one-step forecasts. All origins advance
// together, one pred call per step. An origin must be at least
// lookback + d.
func recursive(pred predictor, t *transform, x []float64, lookback int, origins []int, horizon, end int) ([]float64, error) {
	y0, s0 := t.forward(x)
	ys := make([][]float64, len(origins))
	ss := make([][]float64, len(origins))
	xs := make([][]float64, len(origins))
	for k, o := range origins {
		if o < lookback+t.diff || o >= end || end > len(x) {
			return nil, fmt.Errorf("forecast: origin %d: want lookback+diff = %d <= origin < end = %d <= %d", o, lookback+t.diff, end, len(x))
		}
		ys[k] = append([]float64(nil), y0[:min(o+horizon, end)]...)
		ss[k] = append([]float64(nil), s0[:min(o+horizon, end)]...)
	}
	for h := 0; h < horizon; h++ {
		var ks []int
		var wins [][]float64
		for k, o := range origins {
			if tt := o + h; tt < end {
				ks = append(ks, k)
				wins = append(wins, ss[k][tt-lookback:tt])
			}
		}
		if len(ks) == 0 {
			break
		}
		p, err := pred(wins)
		if err != nil {
			return nil, err
		}
		if len(p) != len(wins) {
			return nil, fmt.Errorf("forecast: predictor returned %d values for %d windows", len(p), len(wins))
		}
		for i, k := range ks {
			tt := origins[k] + h
			prev := 0.0
			if t.diff > 0 {
				prev = ys[k][tt-t.diff]
			}
			ss[k][tt] = p[i]
			ys[k][tt] = t.level(p[i], prev)
			xs[k] = append(xs[k], t.value(ys[k][tt]))
		}
	}
	var out []float64
	for _, f := range xs {
		out = append(out, f...)
	}
	return out, nil
}

// segments returns the origins start, start+horizon, … below end.
func segments(start, end, horizon int) []int {
	var o []int
	for t := start; t < end; t += horizon {
		o = append(o, t)
	}
	return o
}
