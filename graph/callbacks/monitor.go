package callbacks

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// monitor is a monitored quantity and the direction in which it improves,
// shared by EarlyStopping, ReduceLROnPlateau and ModelCheckpoint.
type monitor struct {
	name     string
	maximize bool
}

// newMonitor checks a callback's Monitor and Mode against the names Fit
// logs. Mode "auto" (or "") maximizes quantities whose name contains "acc"
// or starts with "fmeasure", as Keras 2.2.4 does, and minimizes the others.
func newMonitor(callback, name, mode string, logged []string) (monitor, error) {
	mo := monitor{name: name}
	switch mode {
	case "", "auto":
		mo.maximize = strings.Contains(name, "acc") || strings.HasPrefix(name, "fmeasure")
	case "min":
	case "max":
		mo.maximize = true
	default:
		return mo, fmt.Errorf("callbacks: %s mode %q: want min, max or auto", callback, mode)
	}
	if !slices.Contains(logged, name) {
		hint := ""
		if strings.HasPrefix(name, "val_") {
			hint = " (val_ names need validation data: FitConfig.ValidationSplit or ValidationX)"
		}
		return mo, fmt.Errorf("callbacks: %s monitors %q, which Fit does not log%s: it logs %s", callback, name, hint, strings.Join(logged, ", "))
	}
	return mo, nil
}

// worst is the starting best value: +Inf when minimizing, −Inf when
// maximizing.
func (mo monitor) worst() float64 {
	if mo.maximize {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// improves reports whether current beats best by more than delta (>= 0) in
// the monitor's direction: current < best − delta, or current > best +
// delta.
func (mo monitor) improves(current, best, delta float64) bool {
	if mo.maximize {
		return current-delta > best
	}
	return current+delta < best
}

// nonNegative returns an error unless v is a finite number >= 0.
func nonNegative(callback, arg string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("callbacks: %s %s %v: want a finite number >= 0", callback, arg, v)
	}
	return nil
}
