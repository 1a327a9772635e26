package nbrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Validate checks that data is a structurally valid nbformat 4 notebook:
// the required keys of the notebook, its cells and their outputs are present
// with the right JSON types, and no unknown key appears where the nbformat
// 4 schema forbids it. It does not run anything. The error lists every
// problem found, each with its JSON path.
func Validate(data []byte) error {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	v := &validator{}
	v.notebook(raw)
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// object checks that x is an object holding every key in required and no key
// outside required+optional (when optional is not nil).
func (v *validator) object(path string, x any, required, optional []string) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		v.errorf(path, "want a JSON object, got %s", jsonType(x))
		return nil
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			v.errorf(path, "missing key %q", k)
		}
	}
	if optional != nil {
		allowed := map[string]bool{}
		for _, k := range append(append([]string{}, required...), optional...) {
			allowed[k] = true
		}
		for k := range m {
			if !allowed[k] {
				v.errorf(path, "unknown key %q (accepted: %s)", k, strings.Join(append(required, optional...), ", "))
			}
		}
	}
	return m
}

func (v *validator) notebook(x any) {
	m := v.object("notebook", x, []string{"cells", "metadata", "nbformat", "nbformat_minor"}, []string{})
	if m == nil {
		return
	}
	if n, ok := number(m["nbformat"]); !ok || n != 4 {
		v.errorf("nbformat", "want 4, got %v", m["nbformat"])
	}
	minor, ok := number(m["nbformat_minor"])
	if !ok || minor < 0 {
		v.errorf("nbformat_minor", "want an integer ≥ 0, got %v", m["nbformat_minor"])
	}
	if md := v.object("metadata", m["metadata"], nil, nil); md != nil {
		if ks, ok := md["kernelspec"]; ok {
			v.object("metadata.kernelspec", ks, []string{"name", "display_name"}, nil)
		}
		if li, ok := md["language_info"]; ok {
			v.object("metadata.language_info", li, []string{"name"}, nil)
		}
	}
	cells, ok := m["cells"].([]any)
	if !ok {
		v.errorf("cells", "want an array, got %s", jsonType(m["cells"]))
		return
	}
	for i, c := range cells {
		v.cell(fmt.Sprintf("cells[%d]", i), c, minor >= 5)
	}
}

var cellID = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

func (v *validator) cell(path string, x any, needID bool) {
	m, ok := x.(map[string]any)
	if !ok {
		v.errorf(path, "want a JSON object, got %s", jsonType(x))
		return
	}
	req := []string{"cell_type", "metadata", "source"}
	if needID {
		req = append(req, "id")
	}
	var opt []string
	switch m["cell_type"] {
	case "code":
		req = append(req, "outputs", "execution_count")
		opt = []string{}
	case "markdown", "raw":
		opt = []string{"attachments"}
	default:
		v.errorf(path+".cell_type", "want \"code\", \"markdown\" or \"raw\", got %v", m["cell_type"])
		return
	}
	v.object(path, m, req, opt)
	if id, ok := m["id"]; ok {
		if !needID {
			v.errorf(path+".id", "cell ids need nbformat_minor ≥ 5")
		} else if s, _ := id.(string); !cellID.MatchString(s) {
			v.errorf(path+".id", "want 1 to 64 of [a-zA-Z0-9-_], got %v", id)
		}
	}
	v.object(path+".metadata", m["metadata"], nil, nil)
	v.multiline(path+".source", m["source"])
	if m["cell_type"] != "code" {
		return
	}
	if ec, ok := m["execution_count"]; ok && ec != nil {
		if n, ok := number(ec); !ok || n < 0 {
			v.errorf(path+".execution_count", "want null or an integer ≥ 0, got %v", ec)
		}
	}
	outs, ok := m["outputs"].([]any)
	if !ok {
		if _, has := m["outputs"]; has {
			v.errorf(path+".outputs", "want an array, got %s", jsonType(m["outputs"]))
		}
		return
	}
	for j, o := range outs {
		v.output(fmt.Sprintf("%s.outputs[%d]", path, j), o)
	}
}

func (v *validator) output(path string, x any) {
	m, ok := x.(map[string]any)
	if !ok {
		v.errorf(path, "want a JSON object, got %s", jsonType(x))
		return
	}
	switch m["output_type"] {
	case "stream":
		v.object(path, m, []string{"output_type", "name", "text"}, []string{})
		if _, ok := m["name"].(string); !ok {
			v.errorf(path+".name", "want a string")
		}
		v.multiline(path+".text", m["text"])
	case "display_data":
		v.object(path, m, []string{"output_type", "data", "metadata"}, []string{"transient"})
		v.bundle(path+".data", m["data"])
		v.object(path+".metadata", m["metadata"], nil, nil)
	case "execute_result":
		v.object(path, m, []string{"output_type", "data", "metadata", "execution_count"}, []string{})
		v.bundle(path+".data", m["data"])
		v.object(path+".metadata", m["metadata"], nil, nil)
		if ec := m["execution_count"]; ec != nil {
			if n, ok := number(ec); !ok || n < 0 {
				v.errorf(path+".execution_count", "want null or an integer ≥ 0, got %v", ec)
			}
		}
	case "error":
		v.object(path, m, []string{"output_type", "ename", "evalue", "traceback"}, []string{})
		tb, ok := m["traceback"].([]any)
		if !ok {
			v.errorf(path+".traceback", "want an array of strings")
		}
		for _, t := range tb {
			if _, ok := t.(string); !ok {
				v.errorf(path+".traceback", "want an array of strings")
				break
			}
		}
	default:
		v.errorf(path+".output_type", "want stream, display_data, execute_result or error, got %v", m["output_type"])
	}
}

var jsonMIME = regexp.MustCompile(`^application/(.*\+)?json$`)

func (v *validator) bundle(path string, x any) {
	m := v.object(path, x, nil, nil)
	for k, val := range m {
		if !jsonMIME.MatchString(k) {
			v.multiline(fmt.Sprintf("%s[%q]", path, k), val)
		}
	}
}

func (v *validator) multiline(path string, x any) {
	if !isMulti(x) {
		v.errorf(path, "want a string or an array of strings, got %s", jsonType(x))
	}
}

func number(x any) (int, bool) {
	f, ok := x.(float64)
	if !ok || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

func jsonType(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", x)
}

// Gophernotes kernel metadata that every notebook carries.
const (
	// KernelName is the kernelspec name of the gophernotes kernel.
	KernelName = "gophernotes"
	// LanguageName is the language name in the kernel metadata.
	LanguageName = "go"
)

// CheckExecuted checks what a notebook must satisfy before its recorded
// outputs mean anything: nbformat 4, kernelspec name "gophernotes",
// language_info name "go", every code cell executed with a strictly
// increasing execution_count (and its execute_result carrying the same
// count), no error outputs, and no gophernotes magic lines (% or $).
func CheckExecuted(nb *Notebook) error {
	var errs []error
	if nb.NBFormat != 4 {
		errs = append(errs, fmt.Errorf("nbformat is %d, want 4", nb.NBFormat))
	}
	if got := nameOf(nb.Metadata, "kernelspec"); got != KernelName {
		errs = append(errs, fmt.Errorf("metadata.kernelspec.name is %q, want %q", got, KernelName))
	}
	if got := nameOf(nb.Metadata, "language_info"); got != LanguageName {
		errs = append(errs, fmt.Errorf("metadata.language_info.name is %q, want %q", got, LanguageName))
	}
	errs = append(errs, CheckSource(nb))
	last := 0
	for _, i := range nb.CodeCells() {
		c := nb.Cells[i]
		if c.ExecutionCount == nil {
			errs = append(errs, fmt.Errorf("cell %d: not executed (execution_count is null)", i))
			continue
		}
		if *c.ExecutionCount <= last {
			errs = append(errs, fmt.Errorf("cell %d: execution_count %d does not increase (previous %d)", i, *c.ExecutionCount, last))
		}
		last = *c.ExecutionCount
		for j, o := range c.Outputs {
			switch {
			case o.Type == "error":
				errs = append(errs, fmt.Errorf("cell %d: output %d is an error: %s: %s", i, j, o.EName, o.EValue))
			case o.Type == "execute_result" && (o.ExecutionCount == nil || *o.ExecutionCount != *c.ExecutionCount):
				errs = append(errs, fmt.Errorf("cell %d: execute_result execution_count %v, want %d", i, nilOr(o.ExecutionCount), *c.ExecutionCount))
			}
		}
	}
	return errors.Join(errs...)
}

// CheckSource reports code-cell lines that start with a gophernotes magic
// (% or $), which the compiled harness cannot run.
func CheckSource(nb *Notebook) error {
	var errs []error
	for _, i := range nb.CodeCells() {
		for n, line := range strings.Split(nb.Cells[i].Source, "\n") {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "$") {
				errs = append(errs, fmt.Errorf("cell %d line %d: magic command %q is not allowed", i, n+1, t))
			}
		}
	}
	return errors.Join(errs...)
}

func nameOf(md map[string]any, key string) string {
	m, _ := md[key].(map[string]any)
	s, _ := m["name"].(string)
	return s
}
