// Package keras reads and writes Keras model files: train in Keras and
// serve in Go, or train in Go and hand the model to a Keras user.
//
// This package is being written; see the package's later documentation
// for the API.
package keras
