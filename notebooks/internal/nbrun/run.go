package nbrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// Options configure Run.
type Options struct {
	// Timeout bounds building and running one notebook; 0 means 5 minutes.
	Timeout time.Duration
	// Go is the go command; "" means "go" from PATH.
	Go string
	// skipRules runs a notebook that breaks gomacro rules (for the test
	// that compares such notebooks with their real-kernel outputs).
	skipRules bool
}

// Item is one piece of a cell's stdout: text, or a bundle shown with Display.
type Item struct {
	Text    string
	Display *nbrt.Bundle
}

// CellOutput is what one code cell produced when the harness ran it.
type CellOutput struct {
	Items  []Item // stdout text and display_data, in the order they came
	Stderr string
	Result *nbrt.Bundle // execute_result; nil when the cell has none
	// Err is the cell's error outputs ("ename: evalue" lines) in a
	// real-kernel run (RunKernel); the compiled harness stops instead.
	Err string
}

// Stdout returns the cell's stdout text.
func (c *CellOutput) Stdout() string {
	var b strings.Builder
	for _, it := range c.Items {
		b.WriteString(it.Text)
	}
	return b.String()
}

// Displays returns the bundles the cell displayed, in order.
func (c *CellOutput) Displays() []*nbrt.Bundle {
	var ds []*nbrt.Bundle
	for _, it := range c.Items {
		if it.Display != nil {
			ds = append(ds, it.Display)
		}
	}
	return ds
}

// Result is the outcome of running a notebook.
type Result struct {
	// Cells maps the index of each code cell that started to its output.
	Cells map[int]*CellOutput
	// Source is the generated program (Run).
	Source string
	// Log is the output of jupyter nbconvert and of the kernel (RunKernel).
	Log string
	// Executed is the notebook as the kernel ran it (RunKernel).
	Executed *Notebook
}

// Run turns the code cells of the notebook at nbPath into one Go program
// (see generate), builds it inside the module that holds the notebook, so
// that imports of the module build against the working tree, checks it
// against the gomacro rules (see Lint) and runs it with the notebook's
// directory as working directory. When the build fails because a wrapped
// last expression has no value, or an import is unused, it regenerates the
// program without that and builds again. A notebook that breaks a gomacro
// rule is not run: the error lists every Problem.
func Run(ctx context.Context, nbPath string, nb *Notebook, opt Options) (*Result, error) {
	res, _, err := runNotebook(ctx, nbPath, nb, opt)
	return res, err
}

// runNotebook is Run that also returns the gomacro problems it found; with
// opt.skipRules it runs the notebook all the same.
func runNotebook(ctx context.Context, nbPath string, nb *Notebook, opt Options) (*Result, []Problem, error) {
	opt = opt.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	b, err := buildProgram(ctx, nbPath, nb, opt)
	if b != nil {
		defer os.RemoveAll(b.tmp)
	}
	if err != nil {
		if pre, perr := precheck(nb); perr == nil && len(pre) > 0 {
			return nil, pre, &RuleError{Notebook: filepath.Base(nbPath), Problems: pre}
		}
		if b != nil {
			return &Result{Source: b.prog.src}, nil, err
		}
		return nil, nil, err
	}
	res := &Result{Source: b.prog.src}
	problems, err := b.lint(ctx, nb, opt)
	if err != nil {
		return res, nil, fmt.Errorf("%s: checking the gomacro rules: %w", b.name, err)
	}
	if len(problems) > 0 && !opt.skipRules {
		return res, problems, &RuleError{Notebook: b.name, Problems: problems}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(b.tmp, "nb.exe"))
	cmd.Dir = b.nbDir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	cells, last, ended, perr := parseOutput(stdout.Bytes(), stderr.Bytes())
	res.Cells = cells
	if perr != nil {
		return res, problems, fmt.Errorf("%s: %w", b.name, perr)
	}
	if runErr != nil || !ended {
		msg := "program stopped early"
		if runErr != nil {
			msg = runErr.Error()
		}
		tail := stderr.String()
		if c := cells[last]; c != nil {
			tail = c.Stderr
		}
		return res, problems, fmt.Errorf("%s: cell %d failed: %s; its stderr:\n%s", b.name, last, msg, tail)
	}
	return res, problems, nil
}

func (opt Options) withDefaults() Options {
	if opt.Timeout == 0 {
		opt.Timeout = 5 * time.Minute
	}
	if opt.Go == "" {
		opt.Go = "go"
	}
	return opt
}

// built is a notebook's program, built in a temporary directory inside the
// notebook's module.
type built struct {
	name    string // the notebook's file name
	nbDir   string // the notebook's directory (absolute)
	modPath string // path of the module that holds the notebook
	rel     string // nbDir relative to the module root, slash-separated
	tmp     string // holds main.go and nb.exe; the caller removes it
	prog    program
}

// buildProgram generates the notebook's program and builds it, revising
// the program after build errors that the generator can fix. When it returns
// a non-nil *built, the caller must remove b.tmp.
func buildProgram(ctx context.Context, nbPath string, nb *Notebook, opt Options) (*built, error) {
	nbDir, err := filepath.Abs(filepath.Dir(nbPath))
	if err != nil {
		return nil, err
	}
	root, modPath, err := findModule(nbDir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, nbDir)
	if err != nil {
		return nil, err
	}
	// The program lives inside the module (a directory starting with _ is
	// ignored by ./... patterns) so it may import the internal packages.
	tmp, err := os.MkdirTemp(nbDir, "_nb")
	if err != nil {
		return nil, err
	}
	b := &built{name: filepath.Base(nbPath), nbDir: nbDir, modPath: modPath, rel: filepath.ToSlash(rel), tmp: tmp}
	gen := genOptions{noShow: map[int]bool{}, blank: map[string]bool{}}
	for attempt := 0; ; attempt++ {
		b.prog, err = generate(nb, b.name, modPath, b.rel, gen)
		if err != nil {
			return b, err
		}
		if err := os.WriteFile(filepath.Join(tmp, "main.go"), []byte(b.prog.src), 0o644); err != nil {
			return b, err
		}
		cmd := exec.CommandContext(ctx, opt.Go, "build", "-o", "nb.exe", "main.go")
		cmd.Dir = tmp
		out, err := cmd.CombinedOutput()
		if err == nil {
			return b, nil
		}
		if attempt > 8 || !revise(&gen, b.prog, string(out)) {
			return b, fmt.Errorf("%s: build failed: %v\n%s", b.name, err, out)
		}
	}
}

var (
	notUsed   = regexp.MustCompile(`"([^"]+)" imported (?:as \S+ )?and not used`)
	undefined = regexp.MustCompile(`undefined: (\w+)`)
)

// revise changes gen after the build errors in out; it reports whether it
// changed anything worth another build.
func revise(gen *genOptions, prog program, out string) bool {
	changed := false
	for _, m := range cellPos.FindAllStringSubmatch(out, -1) {
		i, _ := strconv.Atoi(m[1])
		if strings.Contains(m[3], "used as value") && prog.shows[i] && !gen.noShow[i] {
			gen.noShow[i] = true
			changed = true
		}
		if u := undefined.FindStringSubmatch(m[3]); u != nil && !gen.noGuess {
			for p := range prog.blanks {
				if packageName(importSpec{path: p}) == u[1] && !gen.blank[p] {
					gen.noGuess = true
					changed = true
				}
			}
		}
	}
	for _, m := range notUsed.FindAllStringSubmatch(out, -1) {
		if !gen.blank[m[1]] {
			gen.blank[m[1]] = true
			changed = true
		}
	}
	return changed
}

// parseOutput splits the program's stdout and stderr at the harness records.
// It returns the output of each cell, the index of the last cell that
// started (-1 if none) and whether the end record came.
func parseOutput(stdout, stderr []byte) (cells map[int]*CellOutput, last int, ended bool, err error) {
	cells = map[int]*CellOutput{}
	cur := -1
	for k, part := range strings.Split(string(stdout), nbrt.RS) {
		if k%2 == 0 {
			if c := cells[cur]; c != nil && part != "" {
				if n := len(c.Items); n > 0 && c.Items[n-1].Display == nil {
					c.Items[n-1].Text += part
				} else {
					c.Items = append(c.Items, Item{Text: part})
				}
			}
			continue
		}
		var r nbrt.Record
		if err := json.Unmarshal([]byte(part), &r); err != nil {
			return cells, cur, false, fmt.Errorf("bad harness record %q: %v", part, err)
		}
		switch {
		case r.Cell != nil:
			cur = *r.Cell
			cells[cur] = &CellOutput{}
		case r.End:
			ended = true
		case cells[cur] == nil:
			return cells, cur, false, errors.New("harness record before the first cell")
		case r.Result != nil:
			cells[cur].Result = r.Result
		case r.Display != nil:
			cells[cur].Items = append(cells[cur].Items, Item{Display: r.Display})
		}
	}
	cur = -1
	for k, part := range strings.Split(string(stderr), nbrt.RS) {
		if k%2 == 0 {
			if c := cells[cur]; c != nil {
				c.Stderr += part
			}
			continue
		}
		var r nbrt.Record
		if err := json.Unmarshal([]byte(part), &r); err == nil && r.Cell != nil {
			cur = *r.Cell
		}
	}
	last = -1
	for i := range cells {
		last = max(last, i)
	}
	return cells, last, ended, nil
}

// findModule returns the directory holding go.mod at or above dir, and the
// module path it declares.
func findModule(dir string) (root, modPath string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
					return d, strings.Trim(f[1], `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("no go.mod at or above %s", dir)
		}
	}
}

// Numbered returns src with line numbers, for showing a generated program.
func Numbered(src string) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}
