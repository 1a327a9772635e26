// Package historyplot draws a model.History, the curves of a Fit, as Keras
// users plot history.history with matplotlib: one panel per quantity (the
// loss, each metric, and what callbacks logged such as the learning rate),
// each with its training curve and, with validation data, its validation
// curve ("val_" + name), against the epoch counted from 1. A panel whose
// values are positive and span more than LogRange has a logarithmic y
// axis.
//
//	h, _ := m.Fit(x, y, cfg)
//	historyplot.SavePNG("history.png", h)
//
// It is a package of its own so that programs using package model do not
// link the plotting library and its fonts.
package historyplot
