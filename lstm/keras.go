package lstm

import (
	"fmt"

	"github.com/golstm/golstm/graph/npz"

	"gorgonia.org/tensor"
)

// kerasNames are the array names of a named archive, in get_weights order.
var kerasNames = []string{"kernel", "recurrent_kernel", "bias"}

// LoadKerasWeights sets the layer's weights from a NumPy .npz archive as a
// Keras user writes it: numpy.savez(path, *layer.get_weights()) (arrays
// arr_0, arr_1, arr_2) or with the names kernel, recurrent_kernel, bias.
// Arrays may be float32 or float64; they are converted to the layer's dtype
// (an unbuilt layer is built in the archive's dtype). Shapes are checked as
// in SetWeights, and on any error the layer is unchanged.
func (l *LSTM) LoadKerasWeights(path string) error {
	_, arrays, err := npz.Read(path)
	if err != nil {
		return fmt.Errorf("lstm: load Keras weights: %w", err)
	}
	n := 2
	if l.cfg.UseBias {
		n = 3
	}
	ws := make([]*tensor.Dense, n)
	for i := range ws {
		if a, ok := arrays[kerasNames[i]]; ok {
			ws[i] = a
		} else if a, ok := arrays[fmt.Sprintf("arr_%d", i)]; ok {
			ws[i] = a
		} else {
			return fmt.Errorf("lstm: load Keras weights from %s: no array %q or %q (want %d arrays: kernel, recurrent_kernel%s)",
				path, kerasNames[i], fmt.Sprintf("arr_%d", i), n, map[bool]string{true: ", bias"}[n == 3])
		}
	}
	if len(arrays) != n {
		return fmt.Errorf("lstm: load Keras weights from %s: %d arrays, want %d", path, len(arrays), n)
	}
	if err := l.SetWeights(ws...); err != nil {
		return fmt.Errorf("lstm: load Keras weights from %s: %w", path, err)
	}
	return nil
}

// SaveKerasWeights writes the weights to a NumPy .npz archive that Keras
// reads back with layer.set_weights(list(numpy.load(path).values())): arrays
// arr_0.. in get_weights order, or, with named, kernel, recurrent_kernel and
// bias. The file is replaced atomically: a failed write leaves the old file.
func (l *LSTM) SaveKerasWeights(path string, named bool) error {
	if !l.built {
		return fmt.Errorf("lstm: save Keras weights: layer %q is not built", l.cfg.Name)
	}
	ws := l.Weights()
	names := make([]string, len(ws))
	for i := range ws {
		names[i] = fmt.Sprintf("arr_%d", i)
		if named {
			names[i] = kerasNames[i]
		}
	}
	return npz.Write(path, names, ws)
}
