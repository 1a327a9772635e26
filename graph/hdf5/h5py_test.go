package hdf5

import (
	"os"
	"os/exec"
	"testing"
)

// python is Debian's Python, which sees python3-h5py (a python3 earlier on
// PATH may not).
const python = "/usr/bin/python3"

// requireH5py returns the Python to run h5py scripts with. Without h5py the
// test is skipped, unless GOLSTM_REQUIRE_H5PY=1 (as in CI), when it fails.
func requireH5py(t *testing.T) string {
	t.Helper()
	if err := exec.Command(python, "-c", "import h5py").Run(); err != nil {
		msg := "h5py is not available (" + python + " -c 'import h5py': " + err.Error() +
			"); install Debian's python3-h5py to run this test"
		if os.Getenv("GOLSTM_REQUIRE_H5PY") == "1" {
			t.Fatal(msg + " (GOLSTM_REQUIRE_H5PY=1)")
		}
		t.Skip(msg)
	}
	return python
}
