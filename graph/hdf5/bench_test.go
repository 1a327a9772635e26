package hdf5

import (
	"testing"
)

// BenchmarkReadKerasFile opens a real Keras 2.2.5 file (1.9 MB) and reads
// every attribute and weight, as a model loader does.
func BenchmarkReadKerasFile(b *testing.B) {
	data := mustRead(b, "../keras/testdata/k2.2.5_seq2seq_s2s.h5")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadChunked reads the datasets of every chunk index and filter.
func BenchmarkReadChunked(b *testing.B) {
	data := mustRead(b, "testdata/sb3_latest.h5")
	b.ReportAllocs()
	for b.Loop() {
		if err := readAll(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite writes a Keras-style file.
func BenchmarkWrite(b *testing.B) {
	w := NewWriter()
	kerasTree().write(b, w.Root())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
