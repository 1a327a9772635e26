// Package plain is an ordinary package of the module for the gomacro rule
// notebooks: a cell that imports it counts as importing the module.
package plain

// Stepper has a method; gorgonia and tensor export no interface of this name.
type Stepper interface{ Step() int }

// Two returns 2.
func Two() int { return 2 }

// Link refers to itself: gomacro imports it as a type it cannot build
// values of in the interpreter (slices, maps, composite literals).
type Link struct {
	Next *Link
	V    int
}

// NewLink returns a link holding v.
func NewLink(v int) *Link { return &Link{V: v} }

// Links returns its arguments as a slice.
func Links(ls ...*Link) []*Link { return ls }

// Sum adds the values of ls.
func Sum(ls []*Link) int {
	s := 0
	for _, l := range ls {
		s += l.V
	}
	return s
}
