package display

import (
	"bytes"
	"image"
	"image/png"
	"testing"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		d          Data
		mime, text string
		value      any
	}{
		{HTML("<b>x</b>"), MIMETypeHTML, "<b>x</b>", "<b>x</b>"},
		{Markdown("*m*"), MIMETypeMarkdown, "*m*", "*m*"},
		{SVG("<svg/>"), MIMETypeSVG, "<svg/>", "<svg/>"},
		{Latex("$x^2$"), MIMETypeLatex, "$x^2$", "$x^2$"},
		{Math("x^2"), MIMETypeLatex, "x^2", "$$x^2$$"},
		{MakeData(MIMETypeText, "t"), MIMETypeText, "t", "t"},
	}
	for _, tt := range tests {
		if got := tt.d.Data[tt.mime]; got != tt.value {
			t.Errorf("%s = %v, want %v", tt.mime, got, tt.value)
		}
		if got := tt.d.Data[MIMETypeText]; got != tt.text {
			t.Errorf("%s: text/plain = %v, want %v", tt.mime, got, tt.text)
		}
	}
	if got := PNG([]byte{1, 2}).Data[MIMETypeText]; got != "[1 2]" {
		t.Errorf("PNG text/plain = %v, want [1 2] (fmt.Sprint of the bytes, as gophernotes)", got)
	}
}

func TestImage(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 5, 3))
	d := Image(img)
	b, ok := d.Data[MIMETypePNG].([]byte)
	if !ok {
		t.Fatalf("Image data = %v, want image/png bytes", d.Data)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 5 || cfg.Height != 3 {
		t.Errorf("decoded %dx%d (err %v), want 5x3", cfg.Width, cfg.Height, err)
	}
	md := d.Metadata[MIMETypePNG].(MIMEMap)
	if md["width"] != 5 || md["height"] != 3 {
		t.Errorf("metadata = %v, want width 5 height 3", md)
	}
}
