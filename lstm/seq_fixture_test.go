package lstm

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gorgonia.org/tensor"
)

// seqFixtureDir is the directory of one group of the variable-length
// sequence cases: testdata/<group>, or <SEQ_FIXTURES>/<group> when the
// environment variable SEQ_FIXTURES names a directory.
func seqFixtureDir(group string) string {
	if d := os.Getenv("SEQ_FIXTURES"); d != "" {
		return filepath.Join(d, group)
	}
	return filepath.Join("testdata", group)
}

// TestSeqFixtures runs every golden Keras 2.2.4 case of the groups masking
// (one LSTM with a sequence mask; testdata/masking/README.md) and
// bidirectional (Bidirectional(LSTM); testdata/bidirectional/README.md) in
// both unroll modes and both dtypes, as subtests
// <group>/<case>/unroll=<mode>/<dtype>, and compares every output, every
// gradient and the loss with |got - want| <= tol·max(1, |want|), tol 1e-9
// in float64 and 1e-4 in float32. A masking case's unroll=true run is
// compared with its unroll_true values when it has them (Keras 2.2.4's
// unrolled loop outputs zeros, not the initial h, before the first real
// step).
func TestSeqFixtures(t *testing.T) {
	t.Run("masking", func(t *testing.T) {
		for _, p := range casePaths(t, seqFixtureDir("masking")) {
			f := readFixture(t, p)
			if f.Mask == nil {
				t.Errorf("case %s has no mask", f.Name)
			}
			for _, unroll := range []bool{true, false} {
				for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
					unroll, dt := unroll, dt
					t.Run(fmt.Sprintf("%s/unroll=%t/%v", f.Name, unroll, dt), func(t *testing.T) {
						t.Parallel()
						f.check(t, unroll, dt)
					})
				}
			}
		}
	})
}
