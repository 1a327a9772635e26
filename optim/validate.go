package optim

import (
	"fmt"
	"math"
)

// nonNeg returns an error unless v is finite and >= 0.
func nonNeg(opt, arg string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("optim: %s: %s = %v out of range: want a finite number >= 0", opt, arg, v)
	}
	return nil
}

// unit returns an error unless 0 <= v < 1.
func unit(opt, arg string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("optim: %s: %s = %v out of range: want 0 <= %s < 1", opt, arg, v, arg)
	}
	return nil
}

// all returns the first non-nil error.
func all(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// decayed is Keras' time-based decay: lr · 1/(1 + decay·iterations).
func decayed(lr, decay float64, iterations int64) float64 {
	if decay > 0 {
		return lr * (1 / (1 + decay*float64(iterations)))
	}
	return lr
}
