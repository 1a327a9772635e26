// Command demo trains an LSTM to forecast a time series (by default a
// noisy sine wave) and reports its test errors beside naive baselines; see
// package forecast for the pipeline and `go run ./cmd/demo -h` for the
// flags.
package main
