// Package callbacks holds Keras' training callbacks for model.Fit:
// EarlyStopping (monitor, min_delta, patience, mode, restore_best_weights).
package callbacks
