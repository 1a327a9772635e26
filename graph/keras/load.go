package keras

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/golstm/golstm/graph"
	"github.com/golstm/golstm/graph/hdf5"
	"github.com/golstm/golstm/graph/model"
)

// zipMagic starts a zip archive (a .keras file); an HDF5 file starts with
// "\x89HDF" (or a user block).
const zipMagic = "PK\x03\x04"

// Load reads a Keras model file with the default Options: a whole model
// saved by Keras 2.0 to 2.3, tf.keras 2.x or Keras 3 as .h5
// (model.save("m.h5")), or a Keras 3 .keras archive. It rebuilds the
// model from the file's config, sets its weights and, when the file holds
// a training configuration, compiles it with the same loss, metrics and
// optimizer configuration so that Fit can go on (Keras' optimizer state,
// its moments and iteration count, is not restored: training resumes with
// a fresh optimizer). See the package documentation for the layers and
// config forms read.
func Load(path string) (*model.Model, error) { return LoadWith(path, Options{}) }

// LoadWith is Load with options.
func LoadWith(path string, o Options) (*model.Model, error) {
	f, size, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m *model.Model
	if isZip(f) {
		m, err = loadArchive(f, size, o)
	} else {
		m, err = loadH5(f, size, o)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return m, nil
}

// open opens path for reading and returns its size.
func open(path string) (*os.File, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("keras: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("keras: %w", err)
	}
	return f, st.Size(), nil
}

// isZip reports whether r starts with a zip header.
func isZip(r io.ReaderAt) bool {
	var b [4]byte
	n, _ := r.ReadAt(b[:], 0)
	return n == 4 && string(b[:]) == zipMagic
}

// loadH5 loads a whole-model .h5 file: root attributes model_config,
// keras_version, backend, training_config, and the weights in
// model_weights.
func loadH5(r io.ReaderAt, size int64, o Options) (*model.Model, error) {
	h, err := hdf5.Open(r, size)
	if err != nil {
		return nil, fmt.Errorf("keras: %w", err)
	}
	root := h.Root()
	cfg, ok, err := stringAttr(root, "model_config")
	if err != nil {
		return nil, fmt.Errorf("keras: model_config: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("keras: the file holds no model_config: it holds weights only (save_weights); build the model with ModelFromJSON and call LoadWeights")
	}
	version, _, err := stringAttr(root, "keras_version")
	if err != nil {
		return nil, fmt.Errorf("keras: keras_version: %w", err)
	}
	var doc any
	if err := decodeJSON("model_config", []byte(cfg), &doc); err != nil {
		return nil, err
	}
	wg := root
	if g, err := root.Group("model_weights"); err == nil {
		wg = g
	}
	if o.fileValues, err = storedValues(wg, size); err != nil {
		return nil, fmt.Errorf("keras: model weights: %w", err)
	}
	o.fileBound = true
	ld, err := buildModel(doc, version, o)
	if err != nil {
		return nil, err
	}
	backend, err := backendOf(wg, root)
	if err != nil {
		return nil, err
	}
	file, err := h5Layers(wg)
	if err != nil {
		return nil, fmt.Errorf("keras: model weights: %w", err)
	}
	if err := setWeights(ld.graphLayers(), file, false, backend == "theano"); err != nil {
		return nil, err
	}
	if !o.SkipCompile {
		tc, ok, err := stringAttr(root, "training_config")
		if err != nil {
			return nil, fmt.Errorf("keras: training_config: %w", err)
		}
		if ok {
			var doc any
			if err := decodeJSON("training_config", []byte(tc), &doc); err != nil {
				return nil, err
			}
			if err := compile(ld.model, doc); err != nil {
				return nil, err
			}
		}
	}
	return ld.model, nil
}

// loadArchive loads a Keras 3 .keras archive: config.json (with
// compile_config), metadata.json (keras_version) and model.weights.h5.
func loadArchive(r io.ReaderAt, size int64, o Options) (*model.Model, error) {
	files, err := archiveFiles(r, size)
	if err != nil {
		return nil, err
	}
	cfg, ok := files["config.json"]
	if !ok {
		return nil, fmt.Errorf("keras: the .keras archive has no config.json")
	}
	var doc any
	if err := decodeJSON("config.json", cfg, &doc); err != nil {
		return nil, err
	}
	version := ""
	if meta, ok := files["metadata.json"]; ok {
		var md any
		if err := decodeJSON("metadata.json", meta, &md); err != nil {
			return nil, err
		}
		if mo, ok := asObject(md); ok {
			version, _ = asString(mo["keras_version"])
		}
	}
	if version == "" {
		version = "3"
	}
	w, ok := files["model.weights.h5"]
	if !ok {
		return nil, fmt.Errorf("keras: the .keras archive has no model.weights.h5")
	}
	h, err := hdf5.Parse(w)
	if err != nil {
		return nil, fmt.Errorf("keras: model.weights.h5: %w", err)
	}
	if o.fileValues, err = storedValues(h.Root(), int64(len(w))); err != nil {
		return nil, fmt.Errorf("keras: model.weights.h5: %w", err)
	}
	o.fileBound = true
	ld, err := buildModel(doc, version, o)
	if err != nil {
		return nil, err
	}
	ls := ld.graphLayers()
	file, err := archiveLayers(h.Root(), ls)
	if err != nil {
		return nil, fmt.Errorf("keras: model.weights.h5: %w", err)
	}
	if err := setWeights(ls, file, true, false); err != nil {
		return nil, err
	}
	if top, ok := asObject(doc); ok && !o.SkipCompile && top["compile_config"] != nil {
		if err := compile(ld.model, top["compile_config"]); err != nil {
			return nil, err
		}
	}
	return ld.model, nil
}

// archiveFiles reads the members of a .keras archive that loading uses,
// each checked against its limit before it is read, and read no further
// than the size its header declares.
func archiveFiles(r io.ReaderAt, size int64) (map[string][]byte, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("keras: .keras archive: %w", err)
	}
	limits := map[string]uint64{"config.json": MaxConfigBytes, "metadata.json": MaxConfigBytes, "model.weights.h5": MaxWeightsBytes}
	out := map[string][]byte{}
	for _, f := range zr.File {
		limit, ok := limits[f.Name]
		if !ok {
			continue
		}
		if _, dup := out[f.Name]; dup {
			return nil, fmt.Errorf("keras: .keras archive holds %s twice", f.Name)
		}
		if f.UncompressedSize64 > limit {
			return nil, fmt.Errorf("keras: .keras archive: %s declares %d bytes: at most %d accepted", f.Name, f.UncompressedSize64, limit)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("keras: .keras archive: %s: %w", f.Name, err)
		}
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("keras: .keras archive: %s: %w", f.Name, err)
		}
		if uint64(n) != f.UncompressedSize64 {
			return nil, fmt.Errorf("keras: .keras archive: %s holds %d bytes, its header says %d", f.Name, n, f.UncompressedSize64)
		}
		out[f.Name] = buf.Bytes()
	}
	return out, nil
}

// backendOf returns the backend that wrote the weights: the weights
// group's backend attribute (what Keras' loader reads), else the file's.
func backendOf(wg, root *hdf5.Group) (string, error) {
	for _, g := range []*hdf5.Group{wg, root} {
		b, ok, err := stringAttr(g, "backend")
		if err != nil {
			return "", fmt.Errorf("keras: backend: %w", err)
		}
		if ok {
			return b, nil
		}
	}
	return "", nil
}

// graphLayers returns the loaded layers in config order.
func (ld *loaded) graphLayers() []graph.Layer {
	out := make([]graph.Layer, len(ld.layers))
	for i, l := range ld.layers {
		out[i] = l.layer
	}
	return out
}

// compile compiles m from a training configuration (training_config or
// compile_config).
func compile(m *model.Model, doc any) error {
	tc, ok := asObject(doc)
	if !ok {
		return fmt.Errorf("keras: training configuration %s: want an object", describe(doc))
	}
	var outputs []string
	for _, o := range m.Outputs() {
		if l := o.Layer(); l != nil {
			outputs = append(outputs, l.Name())
		} else {
			outputs = append(outputs, o.Name())
		}
	}
	c, err := readCompile(tc, outputs)
	if err != nil {
		return fmt.Errorf("keras: training configuration: %w (load with Options{SkipCompile: true} to load the model uncompiled)", err)
	}
	if err := m.CompileMulti(c); err != nil {
		return fmt.Errorf("keras: training configuration: %w (load with Options{SkipCompile: true} to load the model uncompiled)", err)
	}
	return nil
}

// ModelFromJSON builds the model of a Keras architecture document, the
// output of Keras' model.to_json() (any version), with uninitialized
// weights drawn by each layer's initializers; LoadWeights then sets them
// from a save_weights file.
func ModelFromJSON(architecture []byte, o Options) (*model.Model, error) {
	var doc any
	if err := decodeJSON("architecture JSON", architecture, &doc); err != nil {
		return nil, err
	}
	top, _ := asObject(doc)
	version, _ := asString(top["keras_version"])
	ld, err := buildModel(doc, version, o)
	if err != nil {
		return nil, err
	}
	return ld.model, nil
}

// LoadWeights sets the weights of m from a Keras weights file: a
// save_weights .h5 of Keras 2, tf.keras or Keras 3 (legacy format), the
// weights of a whole-model .h5, a Keras 3 .weights.h5, or the weights of a
// .keras archive. As Keras' load_weights, layers are paired by order (the
// layers with weights of m, in m.Layers() order, with those of the file;
// when their names are the same sets, by name, which is the same pairing
// for a model read from the file's architecture) or, byName, by layer name
// (layers of m that the file lacks keep their weights; Keras 3 weights
// files have no layer names and take byName false). Every paired layer
// must have the file's number of arrays, each of its weight's shape; on
// any error m is unchanged.
func LoadWeights(m *model.Model, path string, byName bool) error {
	if !m.Built() {
		return fmt.Errorf("keras: LoadWeights: the model is not built")
	}
	f, size, err := open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := loadWeights(m, f, size, byName); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return nil
}

func loadWeights(m *model.Model, r io.ReaderAt, size int64, byName bool) error {
	var h *hdf5.File
	if isZip(r) {
		files, err := archiveFiles(r, size)
		if err != nil {
			return err
		}
		w, ok := files["model.weights.h5"]
		if !ok {
			return fmt.Errorf("keras: the .keras archive has no model.weights.h5")
		}
		if h, err = hdf5.Parse(w); err != nil {
			return fmt.Errorf("keras: model.weights.h5: %w", err)
		}
	} else {
		var err error
		if h, err = hdf5.Open(r, size); err != nil {
			return fmt.Errorf("keras: %w", err)
		}
	}
	root := h.Root()
	wg := root
	if !hasAttr(root, "layer_names") {
		if g, err := root.Group("model_weights"); err == nil {
			wg = g
		}
	}
	backend, err := backendOf(wg, root)
	if err != nil {
		return err
	}
	if hasAttr(wg, "layer_names") {
		file, err := h5Layers(wg)
		if err != nil {
			return fmt.Errorf("keras: weights: %w", err)
		}
		return setWeights(m.Layers(), file, byName, backend == "theano")
	}
	if _, err := root.Group("layers"); err == nil {
		if byName {
			return fmt.Errorf("keras: a Keras 3 weights file has no layer names: load it with byName false")
		}
		file, err := archiveLayers(root, m.Layers())
		if err != nil {
			return fmt.Errorf("keras: weights: %w", err)
		}
		return setWeights(m.Layers(), file, true, false)
	}
	return fmt.Errorf("keras: the file holds no Keras weights (no layer_names attribute, model_weights group or layers group)")
}
