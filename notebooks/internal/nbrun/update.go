package nbrun

import (
	"fmt"
	"runtime"
)

// Kernelspec and LanguageInfo are the notebook metadata that a gophernotes
// kernel writes; Update sets them.
var (
	// Kernelspec is the notebook's "kernelspec" metadata.
	Kernelspec = map[string]any{"display_name": "Go", "language": "go", "name": KernelName}

	// LanguageInfo is the notebook's "language_info" metadata.
	LanguageInfo = map[string]any{
		"codemirror_mode": "", "file_extension": ".go", "mimetype": "", "name": LanguageName,
		"nbconvert_exporter": "", "pygments_lexer": "", "version": runtime.Version(),
	}
)

// Update replaces the outputs of every code cell of nb with those in res and
// numbers the code cells 1..n. Each cell gets its stdout text and displayed
// bundles in the order they came, then its stderr text, then its
// execute_result. It sets nbformat 4 and the gophernotes kernelspec and
// language_info. It fails if a code cell has no output in res.
func Update(nb *Notebook, res *Result) error {
	nb.NBFormat = 4
	if nb.NBFormatMinor == 0 {
		nb.NBFormatMinor = 4
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	nb.Metadata["kernelspec"] = Kernelspec
	nb.Metadata["language_info"] = LanguageInfo
	for n, i := range nb.CodeCells() {
		got := res.Cells[i]
		if got == nil {
			return fmt.Errorf("cell %d did not run", i)
		}
		count := n + 1
		c := nb.Cells[i]
		c.ExecutionCount = &count
		c.Outputs = nil
		for _, it := range got.Items {
			if it.Display != nil {
				c.Outputs = append(c.Outputs, Output{Type: "display_data", Data: it.Display.Data, Metadata: it.Display.Metadata})
			} else if t := Denoise(it.Text); t != "" {
				c.Outputs = append(c.Outputs, Output{Type: "stream", Name: "stdout", Text: t})
			}
		}
		if t := Denoise(got.Stderr); t != "" {
			c.Outputs = append(c.Outputs, Output{Type: "stream", Name: "stderr", Text: t})
		}
		if r := got.Result; r != nil {
			c.Outputs = append(c.Outputs, Output{Type: "execute_result", Data: r.Data, Metadata: r.Metadata, ExecutionCount: &count})
		}
	}
	return nil
}
