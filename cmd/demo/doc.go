// Command demo trains an LSTM to forecast a time series (by default a
// noisy sine wave) and reports its test errors beside naive baselines; it
// writes forecast.png, history.png (the training curves), forecast.csv and
// metrics.json. A CSV file's last numeric column is read unless -column
// picks one. Ctrl-C stops training after the batch in progress and the
// run finishes with the best weights so far. See package forecast for the
// pipeline and `go run ./cmd/demo -h` for the flags.
package main
