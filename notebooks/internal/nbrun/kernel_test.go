package nbrun

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRealKernel runs notebooks in a real gophernotes kernel and compares
// each cell's outputs with the recorded ones. It runs only when
// GOPHERNOTES_KERNEL names a Jupyter kernelspec (notebooks/README.md says
// how to build one):
//
//	GOPHERNOTES_KERNEL=gophernotes go test ./notebooks/internal/nbrun -run TestRealKernel -v -timeout 60m
//
// GOPHERNOTES_NOTEBOOKS is a glob of the notebooks to run, relative to
// this package (default ../../*.ipynb, the project's notebooks);
// testdata/gomacro/*.ipynb are the rule notebooks, whose outputs come from
// the real kernel. JUPYTER is the jupyter command (default jupyter from
// PATH). GOPHERNOTES_RECORD=1 records the kernel's outputs into the rule
// notebooks instead of comparing (the project's notebooks keep the outputs
// of the harness).
func TestRealKernel(t *testing.T) {
	kernel := os.Getenv("GOPHERNOTES_KERNEL")
	if kernel == "" {
		t.Skip("set GOPHERNOTES_KERNEL to a Jupyter kernelspec name (e.g. gophernotes; see notebooks/README.md) to run the notebooks in a real gophernotes kernel")
	}
	pattern := os.Getenv("GOPHERNOTES_NOTEBOOKS")
	if pattern == "" {
		pattern = "../../*.ipynb"
	}
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no notebooks match %q (%v)", pattern, err)
	}
	record := os.Getenv("GOPHERNOTES_RECORD") != ""
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			nb := readNotebook(t, f)
			opt := KernelOptions{Kernel: kernel, Jupyter: os.Getenv("JUPYTER")}
			ruleNotebook := strings.Contains(filepath.ToSlash(f), "testdata/gomacro/")
			if ruleNotebook {
				opt.Replace = ruleNotebookPackages(t, filepath.Dir(f))
			}
			res, err := RunKernel(context.Background(), f, nb, opt)
			if err != nil {
				t.Fatal(err)
			}
			if record {
				if !ruleNotebook {
					t.Fatal("GOPHERNOTES_RECORD records only the rule notebooks of testdata/gomacro")
				}
				recordOutputs(t, f, nb, res.Executed)
				return
			}
			ms := Compare(nb, res)
			differ := map[int]bool{}
			for _, m := range ms {
				differ[m.Cell] = true
			}
			code := nb.CodeCells()
			ran, equal := 0, 0
			for _, i := range code {
				if c := res.Cells[i]; c != nil && c.Err == "" {
					ran++
				}
				if !differ[i] {
					equal++
				}
			}
			t.Logf("%s in kernel %q: %d code cells, %d ran without error, %d with outputs equal to the recorded ones", filepath.Base(f), kernel, len(code), ran, equal)
			for _, m := range ms {
				t.Error(m)
			}
			if len(ms) > 0 {
				t.Logf("kernel log:\n%s", KernelLog(res.Log))
			}
		})
	}
}

// ruleNotebookPackages copies the packages that the rule notebooks import
// by relative path (./genpkg, ./plain) into a module outside this one: the
// kernel builds a notebook's imports as a plugin module of its own, which
// may not import this module's internal packages.
func ruleNotebookPackages(t *testing.T, dir string) map[string]string {
	t.Helper()
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "go.mod"), []byte("module example.com/gomacrorules\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	replace := map[string]string{}
	for _, p := range []string{"genpkg", "plain"} {
		if err := os.CopyFS(filepath.Join(tmp, p), os.DirFS(filepath.Join(dir, p))); err != nil {
			t.Fatal(err)
		}
		replace["./"+p] = filepath.Join(tmp, p)
	}
	return replace
}

// recordOutputs writes the outputs of the executed copy into the notebook
// file f, keeping its sources.
func recordOutputs(t *testing.T, f string, nb, executed *Notebook) {
	t.Helper()
	for i, c := range nb.Cells {
		if c.Type == "code" {
			c.Outputs = executed.Cells[i].Outputs
			c.ExecutionCount = executed.Cells[i].ExecutionCount
		}
	}
	for _, k := range []string{"kernelspec", "language_info"} {
		if v, ok := executed.Metadata[k]; ok {
			nb.Metadata[k] = v
		}
	}
	data, err := Encode(nb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKernelCopy(t *testing.T) {
	count := 3
	nb := notebook(
		"import (\n\t\"fmt\"\n\tgr \"example.com/m/graph\"\n\t\"example.com/m\"\n\t\"example.com/mx/other\"\n\t\"./pkg\"\n)\nx := \"example.com/m/graph\"",
		"y := 1\nimport \"example.com/m/lstm\"",
	)
	nb.Cells[1].ExecutionCount = &count
	nb.Cells[1].Outputs = []Output{{Type: "stream", Name: "stdout", Text: "old\n"}}
	cp, err := KernelCopy(nb, "example.com/m", "..", map[string]string{"./pkg": "/tmp/pkg"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"import (\n\t\"fmt\"\n\tgr \"../graph\"\n\t\"..\"\n\t\"example.com/mx/other\"\n\t\"/tmp/pkg\"\n)\nx := \"example.com/m/graph\"",
		"y := 1\nimport \"../lstm\"",
	}
	for k, w := range want {
		if got := cp.Cells[k+1].Source; got != w {
			t.Errorf("cell %d:\n got %q\nwant %q", k+1, got, w)
		}
	}
	if c := cp.Cells[1]; c.Outputs != nil || c.ExecutionCount != nil {
		t.Errorf("outputs not cleared: %+v", c)
	}
	if nb.Cells[1].Outputs == nil || !strings.Contains(nb.Cells[1].Source, "example.com/m/graph\"\n") {
		t.Error("KernelCopy changed the original notebook")
	}
}

func TestCellOutputs(t *testing.T) {
	one, two := 1, 2
	nb := notebook("a", "b", "c")
	nb.Cells[1].ExecutionCount = &one
	nb.Cells[1].Outputs = []Output{
		{Type: "stream", Name: "stdout", Text: "x\n"},
		{Type: "stream", Name: "stdout", Text: "y\n"},
		{Type: "display_data", Data: map[string]any{"text/html": "<b>"}},
		{Type: "stream", Name: "stderr", Text: "e\n"},
		{Type: "execute_result", Data: map[string]any{"text/plain": "2 <nil>"}, ExecutionCount: &one},
	}
	nb.Cells[2].ExecutionCount = &two
	nb.Cells[2].Outputs = []Output{{Type: "error", EName: "ERROR", EValue: "repl.go:1:1: undefined identifier: b"}}
	cells := CellOutputs(nb)
	c := cells[1]
	if c == nil || c.Stdout() != "x\ny\n" || len(c.Displays()) != 1 || c.Stderr != "e\n" || Summary(c.Result.Data) != "2 <nil>" || c.Err != "" {
		t.Errorf("cell 1: %+v", c)
	}
	if c := cells[2]; c == nil || c.Err != "ERROR: repl.go:1:1: undefined identifier: b\n" {
		t.Errorf("cell 2: %+v", c)
	}
	if cells[3] != nil {
		t.Error("cell 3 was not executed but has outputs")
	}
	// A kernel error is a mismatch with the recorded outputs.
	rec := notebook("a", "b")
	rec.Cells[1].ExecutionCount, rec.Cells[1].Outputs = &one, nb.Cells[1].Outputs
	rec.Cells[2].ExecutionCount = &two
	ms := Compare(rec, &Result{Cells: cells})
	if len(ms) != 1 || ms[0].Cell != 2 || ms[0].What != "error" {
		t.Errorf("Compare = %v, want one error mismatch in cell 2", ms)
	}
}

func TestKernelLog(t *testing.T) {
	log := "[NbConvertApp] Converting notebook into notebook\n// warning: skipping import of func iter.Pull\n// debug: compiling plugin \"/x\" ...\ngo: added gorgonia.org/gorgonia v0.9.18\n# gomacro.imports/import_1\n./x_graph_0.go:239:6: P_Optimizer redeclared in this block\n"
	want := "// debug: compiling plugin \"/x\" ...\n# gomacro.imports/import_1\n./x_graph_0.go:239:6: P_Optimizer redeclared in this block\n"
	if got := KernelLog(log); got != want {
		t.Errorf("KernelLog = %q, want %q", got, want)
	}
}
