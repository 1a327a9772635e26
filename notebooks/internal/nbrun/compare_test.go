package nbrun

import (
	"encoding/base64"
	"image"
	"testing"

	"github.com/golstm/golstm/notebooks/internal/display"
	"github.com/golstm/golstm/notebooks/internal/nbrt"
)

// pngBase64 encodes a black w×h PNG, or one with its first pixel at
// level lit when lit is given.
func pngBase64(t *testing.T, w, h int, lit ...uint8) string {
	img := image.NewGray(image.Rect(0, 0, w, h))
	if len(lit) > 0 {
		img.Pix[0] = lit[0]
	}
	b, err := display.EncodePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func TestSummary(t *testing.T) {
	tests := []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"text/plain": "2 <nil>"}, "2 <nil>"},
		{map[string]any{"text/plain": "[1 2]", "image/png": pngBase64(t, 8, 4)}, "MIME image/png 8x4 sha256:15447168b962, text/plain"},
		{map[string]any{"image/png": "not base64!"}, "MIME image/png (bad base64)"},
		{map[string]any{"image/png": "aGVsbG8="}, "MIME image/png (bad image)"},
		{map[string]any{"text/html": "<b>", "text/plain": "<b>"}, "MIME text/html, text/plain"},
	}
	for _, tt := range tests {
		if got := Summary(tt.data); got != tt.want {
			t.Errorf("Summary(%v) = %q, want %q", tt.data, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	nb := notebook("x")
	count := 1
	nb.Cells[1].ExecutionCount = &count
	nb.Cells[1].Outputs = []Output{
		{Type: "stream", Name: "stdout", Text: "// warning: skipping import of func iter.Pull\nhi\n"},
		{Type: "display_data", Data: map[string]any{"image/png": pngBase64(t, 8, 4), "text/plain": "[...]"}},
		{Type: "stream", Name: "stdout", Text: "there\n"},
		{Type: "execute_result", Data: map[string]any{"text/plain": "1"}, ExecutionCount: &count},
	}
	same := &CellOutput{
		Items:  []Item{{Text: "hi\nthere\n"}, {Display: &nbrt.Bundle{Data: map[string]any{"image/png": pngBase64(t, 8, 4), "text/plain": "[other bytes]"}}}},
		Result: &nbrt.Bundle{Data: map[string]any{"text/plain": "1"}},
	}
	if ms := Compare(nb, &Result{Cells: map[int]*CellOutput{1: same}}); len(ms) != 0 {
		t.Errorf("equal outputs: %v", ms)
	}
	tests := []struct {
		name string
		got  *CellOutput
		what string
	}{
		{"other image size", &CellOutput{Items: []Item{{Text: "hi\nthere\n"}, {Display: &nbrt.Bundle{Data: map[string]any{"image/png": pngBase64(t, 8, 5), "text/plain": ""}}}}, Result: same.Result}, "display_data"},
		{"one other pixel", &CellOutput{Items: []Item{{Text: "hi\nthere\n"}, {Display: &nbrt.Bundle{Data: map[string]any{"image/png": pngBase64(t, 8, 4, 1), "text/plain": ""}}}}, Result: same.Result}, "display_data"},
		{"no result", &CellOutput{Items: same.Items}, "execute_result"},
		{"stderr", &CellOutput{Items: same.Items, Result: same.Result, Stderr: "x"}, "stderr"},
		{"stdout", &CellOutput{Items: append([]Item{{Text: "!"}}, same.Items...), Result: same.Result}, "stdout"},
	}
	for _, tt := range tests {
		ms := Compare(nb, &Result{Cells: map[int]*CellOutput{1: tt.got}})
		if len(ms) != 1 || ms[0].What != tt.what || ms[0].Cell != 1 {
			t.Errorf("%s: Compare = %v, want one %s mismatch in cell 1", tt.name, ms, tt.what)
		}
	}
	if ms := Compare(nb, &Result{Cells: map[int]*CellOutput{}}); len(ms) != 1 || ms[0].What != "run" {
		t.Errorf("cell that did not run: Compare = %v", ms)
	}
}

func TestDiff(t *testing.T) {
	tests := []struct{ want, got, diff string }{
		{"a\nb\nc\n", "a\nc\nd\n", "  a\n- b\n  c\n+ d\n"},
		{"a\n", "a", "- a\n+ a ⏎ missing\n"},
		{"", "x\n", "+ x\n"},
	}
	for _, tt := range tests {
		if got := Diff(tt.want, tt.got); got != tt.diff {
			t.Errorf("Diff(%q, %q) = %q, want %q", tt.want, tt.got, got, tt.diff)
		}
	}
}

func TestDenoise(t *testing.T) {
	in := "// warning: skipping import of func iter.Pull[V any]\na\n// debug: x\n b // warning: kept\n"
	if got, want := Denoise(in), "a\n b // warning: kept\n"; got != want {
		t.Errorf("Denoise = %q, want %q", got, want)
	}
}
