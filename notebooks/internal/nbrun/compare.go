package nbrun

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/jpeg" // image/jpeg sizes
	_ "image/png"  // image/png sizes
	"regexp"
	"slices"
	"strings"
)

// Mismatch is a difference between a notebook's recorded outputs and the
// outputs of running it.
type Mismatch struct {
	Cell      int    // index in the notebook's cells
	What      string // "stdout", "stderr", "execute_result", "display_data", "error" or "run"
	Want, Got string
}

// Error describes the mismatch: the cell, the output kind and a line diff
// of the recorded output and the output of the run.
func (m Mismatch) Error() string {
	return fmt.Sprintf("cell %d: %s differs (-recorded +run):\n%s", m.Cell, m.What, Diff(m.Want, m.Got))
}

// Compare compares, cell by cell, the outputs recorded in nb with res:
// error outputs, the stdout and stderr stream text (without gomacro's "// warning:" and
// "// debug:" lines), the execute_result (its text/plain when that is its
// only MIME type, otherwise its MIME types and image sizes) and, for
// display_data, the MIME types and the size of each PNG or JPEG image.
func Compare(nb *Notebook, res *Result) []Mismatch {
	var ms []Mismatch
	for _, i := range nb.CodeCells() {
		got := res.Cells[i]
		if got == nil {
			ms = append(ms, Mismatch{Cell: i, What: "run", Want: "cell ran", Got: "cell did not run"})
			continue
		}
		var wantResult, wantStdout, wantStderr, wantErr string
		var wantDisplays []string
		for _, o := range nb.Cells[i].Outputs {
			switch o.Type {
			case "stream":
				if o.Name == "stderr" {
					wantStderr += o.Text
				} else {
					wantStdout += o.Text
				}
			case "display_data":
				wantDisplays = append(wantDisplays, Summary(o.Data))
			case "execute_result":
				wantResult = Summary(o.Data)
			case "error":
				wantErr += o.EName + ": " + o.EValue + "\n"
			}
		}
		check := func(what, w, g string) {
			if w != g {
				ms = append(ms, Mismatch{Cell: i, What: what, Want: w, Got: g})
			}
		}
		check("stdout", Denoise(wantStdout), Denoise(got.Stdout()))
		check("error", pidFree(wantErr), pidFree(got.Err))
		check("stderr", Denoise(wantStderr), Denoise(got.Stderr))
		gotResult := ""
		if got.Result != nil {
			gotResult = Summary(got.Result.Data)
		}
		check("execute_result", wantResult, gotResult)
		var gotDisplays []string
		for _, d := range got.Displays() {
			gotDisplays = append(gotDisplays, Summary(d.Data))
		}
		check("display_data", strings.Join(wantDisplays, "\n"), strings.Join(gotDisplays, "\n"))
	}
	return ms
}

var gomacroPID = regexp.MustCompile(`gomacro_pid_[0-9]+`)

// pidFree replaces the process id in the directories that gomacro names in
// its messages (gomacro_pid_1234), which differs from run to run.
func pidFree(s string) string { return gomacroPID.ReplaceAllString(s, "gomacro_pid_*") }

// Denoise drops the lines that start with "// warning:" or "// debug:",
// which gomacro writes to stdout on imports.
func Denoise(s string) string {
	if !strings.Contains(s, "// warning:") && !strings.Contains(s, "// debug:") {
		return s
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(line, "// warning:") && !strings.HasPrefix(line, "// debug:") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// Summary describes a MIME bundle for comparison: its text/plain value when
// that is its only type, otherwise "MIME " and its sorted types, each image
// type with the image's size and the first 12 hex digits of the SHA-256 of
// its bytes, e.g. "MIME image/png 8x4 sha256:0a1b2c3d4e5f, text/plain".
// Two images compare equal only when their bytes are equal: the notebooks'
// plots are deterministic, so a changed pixel is a changed output.
func Summary(data map[string]any) string {
	if len(data) == 1 {
		if s, ok := data["text/plain"].(string); ok {
			return s
		}
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if k == "image/png" || k == "image/jpeg" {
			keys[i] += " " + imageSize(data[k])
		}
	}
	return "MIME " + strings.Join(keys, ", ")
}

func imageSize(v any) string {
	s, _ := v.(string)
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return "(bad base64)"
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "(bad image)"
	}
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%dx%d sha256:%x", cfg.Width, cfg.Height, sum[:6])
}

// Diff returns a line diff of want and got: common lines prefixed "  ",
// lines only in want "- ", lines only in got "+ "; a last line without a
// newline is marked "⏎ missing".
func Diff(want, got string) string {
	a, b := splitLines(want), splitLines(got)
	if len(a)*len(b) > 4e6 {
		return "- " + want + "\n+ " + got + "\n"
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:], b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	line := func(prefix, s string) {
		if t, ok := strings.CutSuffix(s, "\n"); ok {
			out.WriteString(prefix + t + "\n")
		} else {
			out.WriteString(prefix + s + " ⏎ missing\n")
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			line("  ", a[i])
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			line("- ", a[i])
			i++
		default:
			line("+ ", b[j])
			j++
		}
	}
	return out.String()
}

// splitLines splits s after each newline; "" has no lines.
func splitLines(s string) []string {
	l := strings.SplitAfter(s, "\n")
	if l[len(l)-1] == "" {
		l = l[:len(l)-1]
	}
	return l
}
