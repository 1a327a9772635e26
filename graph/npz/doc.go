// Package npz reads and writes NumPy .npz archives of float32 and float64
// arrays, the form in which Keras users export weights by hand:
// numpy.savez(path, *layer.get_weights()). Archives are untrusted input:
// Read checks every header and size and never panics on bad input.
package npz
