package nbrt

import (
	"errors"
	"image"
	"testing"

	"github.com/golstm/golstm/notebooks/internal/display"
)

type htmler struct{}

func (htmler) HTML() string { return "<b>h</b>" }

func TestResult(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	var nilErr error
	tests := []struct {
		name string
		vals []any
		ok   bool
		keys []string
		text string // text/plain, when checked
	}{
		{"none", nil, false, nil, ""},
		{"all nil", []any{nil, nilErr}, false, nil, ""},
		{"int", []any{2}, true, []string{"text/plain"}, "2"},
		{"Println results", []any{9, nilErr}, true, []string{"text/plain"}, "9 <nil>"},
		{"strings joined by a space", []any{"a", "b", 1}, true, []string{"text/plain"}, "a b 1"},
		{"error value", []any{errors.New("boom")}, true, []string{"text/plain"}, "boom"},
		{"display.Data", []any{display.HTML("<i>x</i>")}, true, []string{"text/html", "text/plain"}, "<i>x</i>"},
		{"data with nil error", []any{display.Markdown("m"), nilErr}, true, []string{"text/markdown", "text/plain"}, "m"},
		{"data with a second value", []any{display.Markdown("m"), 1}, true, []string{"text/plain"}, ""},
		{"image", []any{img}, true, []string{"image/png"}, ""},
		{"HTMLer", []any{htmler{}}, true, []string{"text/html"}, ""},
	}
	for _, tt := range tests {
		d, ok := Result(tt.vals...)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if len(d.Data) != len(tt.keys) {
			t.Errorf("%s: MIME types %v, want %v", tt.name, d.Data, tt.keys)
		}
		for _, k := range tt.keys {
			if _, ok := d.Data[k]; !ok {
				t.Errorf("%s: no %s in %v", tt.name, k, d.Data)
			}
		}
		if tt.text != "" && d.Data["text/plain"] != tt.text {
			t.Errorf("%s: text/plain = %q, want %q", tt.name, d.Data["text/plain"], tt.text)
		}
	}
	d, _ := Result(img)
	md, _ := d.Metadata["image/png"].(display.MIMEMap)
	if md["width"] != 3 || md["height"] != 2 {
		t.Errorf("image metadata = %v, want width 3 height 2", d.Metadata)
	}
}

func TestText(t *testing.T) {
	// gophernotes joins fmt.Fprint of each value with one space, unlike
	// fmt.Sprint, which puts no space next to a string.
	if got, want := Text("a", "b", 1, nil), "a b 1 <nil>"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}
