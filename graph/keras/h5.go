package keras

import (
	"errors"
	"fmt"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
)

// This file reads the HDF5 side of Keras files: the attributes of a saved
// model and the weights groups that Keras' save_weights_to_hdf5_group
// writes (layer_names; per layer group weight_names, each the path of its
// dataset in the group).

// stringAttr returns the string attribute name of g, and false when g has
// none.
func stringAttr(g *hdf5.Group, name string) (string, bool, error) {
	a, err := g.Attr(name)
	if errors.Is(err, hdf5.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	s, err := a.String()
	if err != nil {
		return "", false, err
	}
	return s, true, nil
}

// hasAttr reports whether g has the attribute name, or Keras' first chunk
// of it (name0).
func hasAttr(g *hdf5.Group, name string) bool {
	for _, n := range []string{name, name + "0"} {
		if _, err := g.Attr(n); err == nil {
			return true
		}
	}
	return false
}

// stringsAttr reads a list of strings that Keras stores in the attribute
// name of g, or, when too large for one attribute, in name0, name1, ...
// (load_attributes_from_hdf5_group). An empty numeric array (Keras'
// weight_names of a layer without weights) is an empty list.
func stringsAttr(g *hdf5.Group, name string) ([]string, error) {
	read := func(n string) ([]string, bool, error) {
		a, err := g.Attr(n)
		if errors.Is(err, hdf5.ErrNotFound) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		s, err := a.Strings()
		if err != nil {
			if shape := a.Shape(); a.Null() || (len(shape) == 1 && shape[0] == 0) {
				return nil, true, nil
			}
			return nil, false, err
		}
		return s, true, nil
	}
	out, ok, err := read(name)
	if err != nil || ok {
		return out, err
	}
	for i := 0; ; i++ {
		s, ok, err := read(fmt.Sprintf("%s%d", name, i))
		if err != nil {
			return nil, err
		}
		if !ok {
			if i == 0 {
				return nil, fmt.Errorf("%s has no attribute %q", g.Path(), name)
			}
			return out, nil
		}
		out = append(out, s...)
	}
}

// h5Layers reads a weights group: layer_names, and for each layer its
// weight_names in order, each a dataset path inside the layer's group.
func h5Layers(g *hdf5.Group) ([]fileLayer, error) {
	names, err := stringsAttr(g, "layer_names")
	if err != nil {
		return nil, err
	}
	if len(names) > MaxLayers {
		return nil, fmt.Errorf("%d layer names: at most %d accepted", len(names), MaxLayers)
	}
	out := make([]fileLayer, len(names))
	for i, name := range names {
		lg, err := g.Group(name)
		if err != nil {
			return nil, fmt.Errorf("layer %q: %w", name, err)
		}
		wnames, err := stringsAttr(lg, "weight_names")
		if err != nil {
			return nil, fmt.Errorf("layer %q: %w", name, err)
		}
		out[i].name = name
		for _, wn := range wnames {
			d, err := lg.Dataset(wn)
			if err != nil {
				return nil, fmt.Errorf("layer %q: weight %q: %w", name, wn, err)
			}
			out[i].weights = append(out[i].weights, fileWeight{name: wn, shape: d.Shape(), read: d.Float64s})
		}
	}
	return out, nil
}

// archiveLayers reads the weights of layers (in Keras' model.layers
// order) from a Keras 3 weights file, at the paths archivePaths gives; each
// file layer takes the name of its layer.
func archiveLayers(root *hdf5.Group, ls []graph.Layer) ([]fileLayer, error) {
	paths := archivePaths(ls)
	out := make([]fileLayer, len(ls))
	for i, l := range ls {
		out[i].name = l.Name()
		for _, p := range paths[i] {
			d, err := root.Dataset(p)
			if err != nil {
				return nil, fmt.Errorf("layer %q (%s): weight %s: %w", l.Name(), l.Type(), p, err)
			}
			out[i].weights = append(out[i].weights, fileWeight{name: p, shape: d.Shape(), read: d.Float64s})
		}
	}
	return out, nil
}
