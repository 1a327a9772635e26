package hdf5

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unsupportedData lists the datasets of the generated files whose data
// h5py reads (or fails to read) but this package reports as not supported.
var unsupportedData = map[string]bool{
	"unsupported.h5:/lzf":         true, // filter 32000
	"unsupported.h5:/scaleoffset": true, // filter 6
	"unsupported.h5:/external":    true, // external storage
	"virtual.h5:/vds":             true, // virtual layout
}

// parseT parses b, failing the test on an error.
func parseT(t testing.TB, b []byte) *File {
	t.Helper()
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func openTestFile(t *testing.T, path string) *File {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

// TestGeneratedFiles reads every file that testdata/make_h5.py made with
// h5py and compares everything the reader sees (groups and their member
// order, links, datasets with type, shape, layout, chunks, filters and
// values, attributes with type, dataspace and values) with the dump that
// h5py made of the same file.
func TestGeneratedFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/*.h5")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			f := openTestFile(t, path)
			got, err := dumpFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := readDump(t, strings.TrimSuffix(path, ".h5")+".json")
			for _, o := range want.(map[string]any)["objects"].([]any) {
				o := o.(map[string]any)
				if unsupportedData[name+":"+o["path"].(string)] {
					o["data"] = map[string]any{"unsupported": true}
				}
			}
			var diffs []string
			diffJSON(name, want, normalize(t, got), &diffs)
			for _, d := range diffs {
				t.Error(d)
			}
		})
	}
}
