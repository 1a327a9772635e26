package graph

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file with write, so that nothing a user saved is
// lost on a failed write: the bytes go to a temporary file in path's
// folder, which is flushed, synced to disk, made readable (0644) and then
// renamed over path. If write or any step fails, the temporary file is
// removed and path is left as it was; a crash leaves either the old file or
// the new one.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("graph: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	for _, step := range []func() error{bw.Flush, func() error { return f.Chmod(0o644) }, f.Sync, f.Close} {
		if err := step(); err != nil {
			return fmt.Errorf("graph: writing %s: %w", path, err)
		}
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("graph: writing %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // persist the rename; not every system supports it
		d.Close()
	}
	return nil
}
