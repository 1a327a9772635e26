package keras

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// The fuzzers feed untrusted input to the loader: it must return an error
// or a model, never panic, hang or allocate without bound. Their corpus is
// kept in testdata/fuzz; run them with
//
//	go test ./graph/keras -run '^$' -fuzz FuzzModelConfig -fuzztime 1m
//	go test ./graph/keras -run '^$' -fuzz FuzzLoadFile -fuzztime 1m

// fuzzMaxWeights keeps the fuzzed models small.
const fuzzMaxWeights = 1 << 16

// countExec counts the fuzz inputs a worker process ran: with
// GOLSTM_FUZZ_COUNT set to a directory, each worker keeps its count in a
// file there named by its process id, rewritten every 1000 inputs (Go's
// fuzzing statistics lag far behind on a loaded machine).
func countExec(name string) {
	dir := os.Getenv("GOLSTM_FUZZ_COUNT")
	if dir == "" {
		return
	}
	if n := execCount.Add(1); n%1000 == 0 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s.%d", name, os.Getpid())), []byte(fmt.Sprint(n)), 0o644)
	}
}

var execCount atomic.Int64

// FuzzModelConfig builds models from model config documents: the configs
// of the real files, hand-made variants, and JSON bombs.
func FuzzModelConfig(f *testing.F) {
	for _, s := range configSeeds(f) {
		f.Add(s, "2.2.4")
		f.Add(s, "3.4.1")
	}
	f.Add([]byte(strings.Repeat("[", 100000)), "2.2.4")
	f.Add([]byte(`{"class_name": "Sequential", "config": [{"class_name": "LSTM", "config": {"name": "l", "units": 1000000000, "batch_input_shape": [null, 3, 1000000000]}}]}`), "2.1.3")
	f.Add([]byte(`{"class_name": "Model", "config": {"layers": [{"name": "a", "class_name": "Dense", "config": {"units": 2}, "inbound_nodes": [[["a", 0, 0, {}]]]}], "input_layers": [], "output_layers": [["a", 0, 0]]}}`), "2.2.4")
	f.Fuzz(func(t *testing.T, data []byte, version string) {
		countExec("FuzzModelConfig")
		var doc any
		if err := decodeJSON("fuzz", data, &doc); err != nil {
			return
		}
		ld, err := buildModel(doc, version, Options{MaxWeights: fuzzMaxWeights})
		if err != nil {
			return
		}
		// What loads writes back.
		if _, err := writeModel(ld.model); err != nil && !strings.Contains(err.Error(), "Keras") {
			t.Errorf("a loaded model does not write: %v", err)
		}
	})
}

// configSeeds returns the model configs of the shipped files and test
// configs.
func configSeeds(f *testing.F) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob("testdata/*_architecture.json")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	for _, p := range []string{"testdata/k3.4.1_lstm_stacked.keras"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		files, err := archiveFiles(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, files["config.json"])
	}
	return out
}

// FuzzLoadFile loads model files from bytes: the shipped .h5 and .keras
// files and damaged copies of them, as HDF5 and as zip archives.
func FuzzLoadFile(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.h5")
	keras, _ := filepath.Glob("testdata/*.keras")
	for _, p := range append(paths, keras...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) < 300000 {
			f.Add(data)
		}
	}
	// A zip whose member declares a huge size.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "config.json", Method: zip.Deflate})
	w.Write(bytes.Repeat([]byte("{"), 1<<16))
	zw.Close()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		countExec("FuzzLoadFile")
		o := Options{MaxWeights: fuzzMaxWeights}
		r := bytes.NewReader(data)
		if isZip(r) {
			loadArchive(r, int64(len(data)), o)
		} else {
			loadH5(r, int64(len(data)), o)
		}
	})
}
