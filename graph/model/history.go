package model

// History is the per-epoch record of a Fit, as Keras' History callback:
// History["loss"][i] is the training loss of epoch Epoch[i], with one entry
// per metric ("mae") and, with validation data, "val_loss", "val_mae"...
// Values are sample-weighted means over the epoch's batches.
type History struct {
	Epoch   []int
	History map[string][]float64
	keys    []string
}

func newHistory() *History { return &History{History: map[string][]float64{}} }

func (h *History) append(epoch int, names []string, vals []float64) {
	h.Epoch = append(h.Epoch, epoch)
	for i, n := range names {
		if _, ok := h.History[n]; !ok {
			h.keys = append(h.keys, n)
		}
		h.History[n] = append(h.History[n], vals[i])
	}
}

// Keys returns the recorded names in order: loss, the metrics, then their
// val_ counterparts.
func (h *History) Keys() []string { return append([]string(nil), h.keys...) }
