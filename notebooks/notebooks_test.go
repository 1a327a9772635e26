package notebooks

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golstm/golstm/notebooks/internal/nbrun"
)

var (
	update    = flag.Bool("update", false, "rewrite the recorded outputs of notebooks/*.ipynb from the harness run")
	nbTimeout = flag.Duration("nbtimeout", 5*time.Minute, "time limit to build and run one notebook")
)

func notebookFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no notebooks/*.ipynb found")
	}
	return files
}

// TestNotebookFormat checks that every notebook is structurally valid
// nbformat 4 JSON, so a hand edit that breaks the file fails CI.
func TestNotebookFormat(t *testing.T) {
	for _, f := range notebookFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := nbrun.Validate(data); err != nil {
			t.Errorf("%s is not valid nbformat 4:\n%v", f, err)
		}
	}
}

// TestNotebooks runs every notebook through the compiled harness and
// compares each code cell's outputs with the recorded ones; with -update it
// rewrites the recorded outputs instead.
func TestNotebooks(t *testing.T) {
	for _, f := range notebookFiles(t) {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			nb, err := nbrun.Decode(data)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if *update {
				if err := nbrun.CheckSource(nb); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
			} else if err := nbrun.CheckExecuted(nb); err != nil {
				t.Fatalf("%s: %v\n(run go test ./notebooks -update to record outputs)", f, err)
			}
			res, err := nbrun.Run(context.Background(), f, nb, nbrun.Options{Timeout: *nbTimeout})
			if err != nil {
				if res != nil && testing.Verbose() {
					t.Logf("generated program:\n%s", nbrun.Numbered(res.Source))
				}
				t.Fatal(err)
			}
			if *update {
				if err := nbrun.Update(nb, res); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				out, err := nbrun.Encode(nb)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, m := range nbrun.Compare(nb, res) {
				t.Errorf("%s: %v", f, m)
			}
		})
	}
}

// TestRealKernel runs every notebook in a real gophernotes kernel through
// jupyter nbconvert and compares each cell's outputs with the recorded
// ones, as TestNotebooks does with the compiled harness. It needs a kernel
// built as notebooks/README.md says, named by GOPHERNOTES_KERNEL (the
// kernelspec name); without the variable it is skipped, since CI has no
// kernel.
func TestRealKernel(t *testing.T) {
	kernel := os.Getenv("GOPHERNOTES_KERNEL")
	if kernel == "" {
		t.Skip("set GOPHERNOTES_KERNEL=<kernelspec> (see README.md) to run the notebooks in a real gophernotes kernel")
	}
	for _, f := range notebookFiles(t) {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			nb, err := nbrun.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			res, err := nbrun.RunKernel(context.Background(), f, nb, nbrun.KernelOptions{Kernel: kernel})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range nbrun.Compare(nb, res) {
				t.Error(m)
			}
		})
	}
}
