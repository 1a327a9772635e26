// Package notebooks holds the project's Jupyter notebooks (*.ipynb, for the
// gophernotes Go kernel) and the test that keeps their recorded outputs true.
//
// The test (go test ./notebooks) checks that each notebook is valid nbformat
// 4 for gophernotes, turns its code cells into one Go program built against
// this working tree (package internal/nbrun), runs it and compares every
// cell's output with the recorded one. go test ./notebooks -update rewrites
// the recorded outputs instead. See README.md.
package notebooks
