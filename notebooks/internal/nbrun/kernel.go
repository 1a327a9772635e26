package nbrun

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golstm/golstm/notebooks/internal/nbrt"
)

// KernelOptions configure RunKernel.
type KernelOptions struct {
	// Kernel is the name of the Jupyter kernelspec to run, e.g. "gophernotes".
	Kernel string
	// Jupyter is the jupyter command; "" means "jupyter" from PATH.
	Jupyter string
	// Timeout bounds the whole run; 0 means 30 minutes. The first import
	// cell of a session builds a plugin of the imported packages, which
	// takes minutes when Go's build cache is cold.
	Timeout time.Duration
	// Replace maps import paths, as the notebook writes them, to the paths
	// the kernel run imports instead (applied after the module's own
	// imports are made relative).
	Replace map[string]string
}

// RunKernel runs the notebook at nbPath in a real Jupyter kernel, the way a
// user would: `jupyter nbconvert --to notebook --execute --allow-errors`
// on a copy of the notebook whose imports of the notebook's module are
// rewritten to relative paths ("github.com/golstm/golstm/graph" becomes
// "../graph"), so that gophernotes builds them from this working tree, with
// the notebook's directory as the kernel's working directory. The notebook
// file itself is not changed. Its Result holds each cell's outputs (an
// error output in CellOutput.Err) for Compare, the kernel's own output
// in Log and the executed copy in Executed. The error is about the run as a whole (nbconvert failed or timed
// out); a failing cell is not an error here.
func RunKernel(ctx context.Context, nbPath string, nb *Notebook, opt KernelOptions) (*Result, error) {
	if opt.Kernel == "" {
		return nil, fmt.Errorf("RunKernel: no kernel name")
	}
	if opt.Jupyter == "" {
		opt.Jupyter = "jupyter"
	}
	if opt.Timeout == 0 {
		opt.Timeout = 30 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	nbDir, err := filepath.Abs(filepath.Dir(nbPath))
	if err != nil {
		return nil, err
	}
	root, modPath, err := findModule(nbDir)
	if err != nil {
		return nil, err
	}
	toRoot, err := filepath.Rel(nbDir, root)
	if err != nil {
		return nil, err
	}
	in, err := KernelCopy(nb, modPath, filepath.ToSlash(toRoot), opt.Replace)
	if err != nil {
		return nil, err
	}
	data, err := Encode(in)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "nbkernel")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.WriteFile(filepath.Join(tmp, "in.ipynb"), data, 0o644); err != nil {
		return nil, err
	}
	stdin, err := os.Open(filepath.Join(tmp, "in.ipynb"))
	if err != nil {
		return nil, err
	}
	defer stdin.Close()
	// --stdin: nbconvert then starts the kernel in its own working
	// directory (cmd.Dir), the notebook's directory, instead of tmp.
	cmd := exec.CommandContext(ctx, opt.Jupyter, "nbconvert", "--stdin", "--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.kernel_name="+opt.Kernel,
		"--ExecutePreprocessor.timeout="+strconv.Itoa(int(opt.Timeout.Seconds())),
		"--ExecutePreprocessor.record_timing=False",
		"--output-dir", tmp, "--output", "out")
	cmd.Dir = nbDir
	cmd.Stdin = stdin
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	runErr := cmd.Run()
	res := &Result{Log: log.String()}
	out, err := os.ReadFile(filepath.Join(tmp, "out.ipynb"))
	if runErr != nil || err != nil {
		return res, fmt.Errorf("%s: jupyter nbconvert with kernel %q failed: %v\n%s", filepath.Base(nbPath), opt.Kernel, runErr, KernelLog(res.Log))
	}
	ran, err := Decode(out)
	if err != nil {
		return res, fmt.Errorf("%s: reading the executed notebook: %w", filepath.Base(nbPath), err)
	}
	if len(ran.Cells) != len(nb.Cells) {
		return res, fmt.Errorf("%s: the executed notebook has %d cells, want %d", filepath.Base(nbPath), len(ran.Cells), len(nb.Cells))
	}
	res.Cells = CellOutputs(ran)
	res.Executed = ran
	return res, nil
}

// KernelCopy returns a copy of nb for a real-kernel run: outputs and
// execution counts cleared, and in every import declaration of a code cell
// the packages of module modPath imported by the path relative to the
// notebook's directory, toRoot being the module root relative to it (".."),
// then the paths in replace replaced.
func KernelCopy(nb *Notebook, modPath, toRoot string, replace map[string]string) (*Notebook, error) {
	cp := *nb
	cp.Cells = make([]*Cell, len(nb.Cells))
	modImport := regexp.MustCompile(`"` + regexp.QuoteMeta(modPath) + `(/[^"]*)?"`)
	for i, c := range nb.Cells {
		cc := *c
		cp.Cells[i] = &cc
		if c.Type != "code" {
			continue
		}
		cc.Outputs, cc.ExecutionCount = nil, nil
		chunks, err := splitCell(c.Source)
		if err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		src := c.Source
		for k := len(chunks) - 1; k >= 0; k-- {
			ch := chunks[k]
			if ch.kind != chunkImport {
				continue
			}
			off := offsetOf(src, ch.line, ch.col)
			text := modImport.ReplaceAllString(ch.text, `"`+toRoot+`$1"`)
			for from, to := range replace {
				text = strings.ReplaceAll(text, strconv.Quote(from), strconv.Quote(to))
			}
			src = src[:off] + text + src[off+len(ch.text):]
		}
		cc.Source = src
	}
	return &cp, nil
}

// offsetOf returns the byte offset of the 1-based line and column in src.
func offsetOf(src string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		off += strings.IndexByte(src[off:], '\n') + 1
	}
	return off + col - 1
}

// CellOutputs returns the outputs recorded in nb in the form Run gives
// them, for the code cells that ran (execution_count set).
func CellOutputs(nb *Notebook) map[int]*CellOutput {
	cells := map[int]*CellOutput{}
	for _, i := range nb.CodeCells() {
		c := nb.Cells[i]
		if c.ExecutionCount == nil {
			continue
		}
		co := &CellOutput{}
		for _, o := range c.Outputs {
			switch o.Type {
			case "stream":
				if o.Name == "stderr" {
					co.Stderr += o.Text
				} else if n := len(co.Items); n > 0 && co.Items[n-1].Display == nil {
					co.Items[n-1].Text += o.Text
				} else {
					co.Items = append(co.Items, Item{Text: o.Text})
				}
			case "display_data":
				co.Items = append(co.Items, Item{Display: &nbrt.Bundle{Data: o.Data, Metadata: o.Metadata}})
			case "execute_result":
				co.Result = &nbrt.Bundle{Data: o.Data, Metadata: o.Metadata}
			case "error":
				co.Err += o.EName + ": " + o.EValue + "\n"
			}
		}
		cells[i] = co
	}
	return cells
}

// KernelLog returns the lines of a kernel run's log that say something:
// without the lines of `go get` progress, gomacro's warnings about skipped
// generic names, and nbconvert's own.
func KernelLog(log string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(log, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "",
			strings.HasPrefix(t, "go: added "), strings.HasPrefix(t, "go: downloading "),
			strings.HasPrefix(t, "go: upgraded "), strings.HasPrefix(t, "go: finding module "),
			strings.HasPrefix(t, "go: found "), strings.HasPrefix(t, "// warning:"),
			strings.HasPrefix(t, "[NbConvertApp]"), strings.Contains(t, "Debugger warning"),
			strings.HasPrefix(t, "0.00s - "):
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
