package keras

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
	"github.com/golstm/golstm/graph/model"
)

// SavedKerasVersion and SavedBackend are the keras_version and backend
// that Save writes: the file follows Keras 2.2.4's layout, which Keras
// 2.x, tf.keras and Keras 3 (keras.models.load_model of an .h5) read.
const (
	SavedKerasVersion = "2.2.4"
	SavedBackend      = "tensorflow"
)

// Save writes the built model m as a Keras 2.2.4 .h5 file, as Keras'
// model.save("m.h5") writes one: root attributes model_config (the
// config, see the package documentation), training_config (when m is
// compiled with losses of package loss and an optimizer of package optim;
// the optimizer's state is not written), keras_version and backend, and
// the group model_weights with layer_names and, per layer, weight_names
// ("lstm_1/kernel:0", ...) and the weights as datasets of the model's
// dtype. The file is written atomically: a failed Save leaves an existing
// file as it was. A layer of a type Keras has not (a layer of the caller's
// own) or a setting Keras 2.2.4 cannot express is an error that names it.
func Save(m *model.Model, path string) error {
	w, err := encode(m)
	if err != nil {
		return err
	}
	if err := w.WriteFile(path); err != nil {
		return fmt.Errorf("keras: Save: %w", err)
	}
	return nil
}

// SaveWeights writes the weights of the built model m as Keras 2.2.4's
// model.save_weights("w.h5") writes them: root attributes layer_names,
// backend and keras_version, and a group per layer with weight_names and
// the weights. Keras' load_weights (and LoadWeights) reads it into a model
// of the same architecture (ToJSON). The file is written atomically.
func SaveWeights(m *model.Model, path string) error {
	wm, err := writeModel(m)
	if err != nil {
		return err
	}
	w := hdf5.NewWriter()
	if err := writeWeights(w.Root(), wm, SavedBackend); err != nil {
		return fmt.Errorf("keras: SaveWeights: %w", err)
	}
	if err := w.WriteFile(path); err != nil {
		return fmt.Errorf("keras: SaveWeights: %w", err)
	}
	return nil
}

// ToJSON returns the architecture of the built model m as Keras 2.2.4's
// model.to_json() writes it: {"class_name", "config", "keras_version",
// "backend"}, which keras.models.model_from_json and ModelFromJSON read.
func ToJSON(m *model.Model) ([]byte, error) {
	wm, err := writeModel(m)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{"class_name": wm.config["class_name"], "config": wm.config["config"],
		"keras_version": SavedKerasVersion, "backend": SavedBackend}
	return json.Marshal(doc)
}

// encode builds the HDF5 file of m.
func encode(m *model.Model) (*hdf5.Writer, error) { return encodeAs(m, SavedBackend) }

// encodeAs builds the HDF5 file of m as written by the given Keras backend
// (tests write Theano files with it).
func encodeAs(m *model.Model, backend string) (*hdf5.Writer, error) {
	wm, err := writeModel(m)
	if err != nil {
		return nil, err
	}
	cfg, err := json.Marshal(wm.config)
	if err != nil {
		return nil, fmt.Errorf("keras: Save: model_config: %w", err)
	}
	w := hdf5.NewWriter()
	root := w.Root()
	attrs := []struct {
		name, value string
	}{{"keras_version", SavedKerasVersion}, {"backend", backend}, {"model_config", string(cfg)}}
	if c, ok := m.Compiled(); ok {
		tc, err := writeCompile(c)
		if err != nil {
			return nil, fmt.Errorf("keras: Save: training_config: %w", err)
		}
		b, err := json.Marshal(tc)
		if err != nil {
			return nil, fmt.Errorf("keras: Save: training_config: %w", err)
		}
		attrs = append(attrs, struct{ name, value string }{"training_config", string(b)})
	}
	for _, a := range attrs {
		if err := root.SetAttr(a.name, hdf5.ASCIIString(a.value)); err != nil {
			return nil, fmt.Errorf("keras: Save: %w", err)
		}
	}
	mw, err := root.CreateGroup("model_weights")
	if err != nil {
		return nil, fmt.Errorf("keras: Save: %w", err)
	}
	if err := writeWeights(mw, wm, backend); err != nil {
		return nil, fmt.Errorf("keras: Save: %w", err)
	}
	return w, nil
}

// writeWeights writes the weights group as Keras' save_weights_to_hdf5_group:
// attributes layer_names, backend and keras_version; a group per layer with
// weight_names (an empty float64 array for a layer without weights) and
// each weight at its name's path.
func writeWeights(g *hdf5.GroupWriter, wm *writtenModel, backend string) error {
	names := append([]string(nil), wm.inputs...)
	for _, l := range wm.layers {
		names = append(names, l.Name())
	}
	if err := setStringsAttr(g, "layer_names", names); err != nil {
		return err
	}
	if err := g.SetAttr("backend", hdf5.ASCIIString(backend)); err != nil {
		return err
	}
	if err := g.SetAttr("keras_version", hdf5.ASCIIString(SavedKerasVersion)); err != nil {
		return err
	}
	for _, n := range wm.inputs {
		lg, err := g.CreateGroup(n)
		if err != nil {
			return err
		}
		if err := lg.SetAttr("weight_names", []float64{}); err != nil {
			return err
		}
	}
	for _, l := range wm.layers {
		lg, err := g.CreateGroup(l.Name())
		if err != nil {
			return err
		}
		ps := l.Params()
		if len(ps) == 0 {
			if err := lg.SetAttr("weight_names", []float64{}); err != nil {
				return err
			}
			continue
		}
		var wnames []string
		groups := map[string]*hdf5.GroupWriter{"": lg}
		for _, p := range ps {
			name := weightName(l.Name(), p.Name)
			wnames = append(wnames, name)
			parts := strings.Split(name, "/")
			parent := lg
			for i := range parts[:len(parts)-1] {
				key := strings.Join(parts[:i+1], "/")
				sub, ok := groups[key]
				if !ok {
					if sub, err = parent.CreateGroup(parts[i]); err != nil {
						return err
					}
					groups[key] = sub
				}
				parent = sub
			}
			if _, err := parent.CreateDataset(parts[len(parts)-1], kerasShape(l, p), graph.Contiguous(p.Value).Data()); err != nil {
				return err
			}
		}
		if err := setStringsAttr(lg, "weight_names", wnames); err != nil {
			return err
		}
	}
	return nil
}

// weightName is the Keras name of a weight: its Param name, scoped by the
// layer's name as Keras scopes the weights of a wrapper's inner layers
// (bidirectional_1/forward_lstm_1/kernel:0), with TensorFlow's ":0".
func weightName(layer, param string) string {
	if !strings.HasPrefix(param, layer+"/") {
		param = layer + "/" + param
	}
	return param + ":0"
}

// setStringsAttr stores a list of strings as Keras does
// (save_attributes_to_hdf5_group): one fixed-length string attribute, or,
// when that is too large for an object header, chunks name0, name1, ...
func setStringsAttr(g *hdf5.GroupWriter, name string, values []string) error {
	err := g.SetAttr(name, hdf5.FixedStrings(values))
	if !errors.Is(err, hdf5.ErrTooLarge) {
		return err
	}
	for chunks := 2; chunks <= len(values); chunks++ {
		per := (len(values) + chunks - 1) / chunks
		ok := true
		for i := 0; i*per < len(values) && ok; i++ {
			part := values[i*per : min((i+1)*per, len(values))]
			if err := g.SetAttr(fmt.Sprintf("%s%d", name, i), hdf5.FixedStrings(part)); err != nil {
				if !errors.Is(err, hdf5.ErrTooLarge) {
					return err
				}
				ok = false
			}
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("attribute %s of %s: a single name is too long for an HDF5 attribute", name, g.Path())
}
