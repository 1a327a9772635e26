// Package plain is an ordinary package of the module for the gomacro rule
// notebooks: a cell that imports it counts as importing the module.
package plain

// Stepper has a method; gorgonia and tensor export no interface of this name.
type Stepper interface{ Step() int }

// Two returns 2.
func Two() int { return 2 }
