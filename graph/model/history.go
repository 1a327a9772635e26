package model

import (
	"math"
	"slices"
)

// History is the per-epoch record of a Fit, as Keras' History callback:
// History["loss"][i] is the training loss of epoch Epoch[i], with one entry
// per metric ("mae") and, with validation data, "val_loss", "val_mae"...,
// and whatever callbacks added to the logs ("lr" from ReduceLROnPlateau).
// Values are sample-weighted means over the epoch's batches. Every list has
// one value per epoch: a value missing from an epoch's logs (the
// validation of an epoch that a callback stopped after some of its batches)
// is NaN.
//
// Status and StopReason say how the Fit ended. An epoch interrupted by
// cancellation or by a NaN loss is not recorded (its weights updates are
// kept).
type History struct {
	Epoch   []int
	History map[string][]float64
	// Status says how training ended; StopReason says why in words when it
	// ended before its last epoch ("" for FitCompleted).
	Status     FitStatus
	StopReason string
	keys       []string
}

// FitStatus says how a Fit ended.
type FitStatus int

const (
	// FitCompleted: every epoch ran.
	FitCompleted FitStatus = iota
	// FitStopped: a callback called Model.StopTraining (EarlyStopping,
	// TerminateOnNaN, one of the user's own).
	FitStopped
	// FitCancelled: FitConfig.Context was cancelled; Fit stopped after the
	// batch in progress and returned a nil error.
	FitCancelled
	// FitNonFinite: a batch's loss was NaN or infinite; Fit did not apply
	// that batch and returned an error naming the epoch and batch.
	FitNonFinite
	// FitFailed: an error from a layer, the optimizer or a callback ended
	// Fit, which returned it.
	FitFailed
)

// String returns "completed", "stopped", "cancelled", "non-finite loss" or
// "failed".
func (s FitStatus) String() string {
	switch s {
	case FitCompleted:
		return "completed"
	case FitStopped:
		return "stopped"
	case FitCancelled:
		return "cancelled"
	case FitNonFinite:
		return "non-finite loss"
	case FitFailed:
		return "failed"
	}
	return "unknown"
}

func newHistory() *History { return &History{History: map[string][]float64{}} }

// append records an epoch's logs. Keys are kept in the order first seen:
// names (Fit's log names) in their order, then other keys in name order;
// a new key's list starts with NaN for the epochs before.
func (h *History) append(epoch int, names []string, logs map[string]float64) {
	var fresh, extra []string
	for _, k := range names {
		if _, ok := h.History[k]; !ok && !slices.Contains(fresh, k) {
			fresh = append(fresh, k)
		}
	}
	for k := range logs {
		if _, ok := h.History[k]; !ok && !slices.Contains(names, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range append(fresh, extra...) {
		h.keys = append(h.keys, k)
		h.History[k] = slices.Repeat([]float64{math.NaN()}, len(h.Epoch))
	}
	h.Epoch = append(h.Epoch, epoch)
	for _, k := range h.keys {
		v, ok := logs[k]
		if !ok {
			v = math.NaN()
		}
		h.History[k] = append(h.History[k], v)
	}
}

// end sets how training ended.
func (h *History) end(s FitStatus, reason string) {
	h.Status, h.StopReason = s, reason
}

// Keys returns the recorded names in order: loss, the metrics, their val_
// counterparts, then names callbacks added.
func (h *History) Keys() []string { return append([]string(nil), h.keys...) }
