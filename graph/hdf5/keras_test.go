package hdf5

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kerasDir holds the real Keras model files (see its README.md); the dumps
// that h5py made of them are in testdata/keras.
const kerasDir = "../keras/testdata"

// openKerasFile opens a real Keras file: an .h5 file through Open on the
// *os.File, or the model.weights.h5 inside a Keras 3 .keras zip through
// Parse.
func openKerasFile(t *testing.T, path string) *File {
	t.Helper()
	if strings.HasSuffix(path, ".keras") {
		f, err := Parse(kerasWeights(t, path))
		return must(t, f, err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(fh, st.Size())
	return must(t, f, err)
}

// kerasWeights returns the model.weights.h5 of a .keras zip.
func kerasWeights(t *testing.T, path string) []byte {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	r, err := z.Open("model.weights.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// must fails the test if err is not nil, and otherwise returns f.
func must(t *testing.T, f *File, err error) *File {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func kerasFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{"*.h5", "*.keras"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatalf("no .h5 or .keras files in %s", dir)
	}
	return files
}

// TestKerasFiles reads every real Keras file of ../keras/testdata (for a
// .keras zip, its model.weights.h5) and compares all that the reader sees
// with h5py's dump of the same file: every group with its members and
// attributes (model_config, layer_names, weight_names, ...), every weight's
// shape and values.
func TestKerasFiles(t *testing.T) {
	for _, path := range kerasFiles(t, kerasDir) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			got, err := dumpFile(openKerasFile(t, path))
			if err != nil {
				t.Fatal(err)
			}
			want := readDump(t, filepath.Join("testdata", "keras", name+".json"))
			var diffs []string
			diffJSON(name, want, normalize(t, got), &diffs)
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}

// TestKerasFilesFromEnv reads the Keras files of the directory KERAS_FILES
// names (model files of any Keras version, as the keras package's cases
// hold them) and compares the reader's view of each with a dump that h5py
// makes of it now. Without KERAS_FILES it is skipped: TestKerasFiles covers
// the shipped copies.
func TestKerasFilesFromEnv(t *testing.T) {
	dir := os.Getenv("KERAS_FILES")
	if dir == "" {
		t.Skip("KERAS_FILES is not set; TestKerasFiles reads the shipped files")
	}
	python := requireH5py(t)
	for _, path := range kerasFiles(t, dir) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			h5 := path
			if strings.HasSuffix(path, ".keras") {
				h5 = filepath.Join(t.TempDir(), "model.weights.h5")
				if err := os.WriteFile(h5, kerasWeights(t, path), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := dumpFile(openKerasFile(t, path))
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(python, "testdata/dump_h5.py", h5).Output()
			if err != nil {
				t.Fatalf("dump_h5.py %s: %v", h5, err)
			}
			var diffs []string
			diffJSON(name, decodeJSON(t, out), normalize(t, got), &diffs)
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}
