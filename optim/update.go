package optim

import "math"

// This file holds the update arithmetic that several optimizers share.

// ema returns the exponential moving average step rho·a + (1 − rho)·x, by
// which Adadelta, Adam, Adamax and Nadam update their moments.
func ema(rho, a, x float64) float64 { return rho*a + (1-rho)*x }

// accumulate is the update that RMSprop and Adagrad share: for each element,
// with the accumulator a (the entry's first slot),
//
//	a ← keep·a + add·g²
//	p ← p − lr·g / (√a + eps)
//
// RMSprop passes keep ρ, add 1 − ρ; Adagrad keep 1, add 1.
func accumulate(es []entry, lr, keep, add, eps float64) {
	for _, e := range es {
		a := e.slots[0]
		for i, g := range e.grad {
			a[i] = keep*a[i] + add*(g*g)
			e.val[i] -= lr * g / (math.Sqrt(a[i]) + eps)
		}
	}
}
