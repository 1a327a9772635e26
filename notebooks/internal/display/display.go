package display

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
)

// MIME types known to Jupyter front ends.
const (
	// MIMETypeHTML is the MIME type of HTML.
	MIMETypeHTML = "text/html"
	// MIMETypeJavaScript is the MIME type of JavaScript.
	MIMETypeJavaScript = "application/javascript"
	// MIMETypeJPEG is the MIME type of JPEG images.
	MIMETypeJPEG = "image/jpeg"
	// MIMETypeJSON is the MIME type of JSON.
	MIMETypeJSON = "application/json"
	// MIMETypeLatex is the MIME type of LaTeX.
	MIMETypeLatex = "text/latex"
	// MIMETypeMarkdown is the MIME type of Markdown.
	MIMETypeMarkdown = "text/markdown"
	// MIMETypePNG is the MIME type of PNG images.
	MIMETypePNG = "image/png"
	// MIMETypePDF is the MIME type of PDF documents.
	MIMETypePDF = "application/pdf"
	// MIMETypeSVG is the MIME type of SVG images.
	MIMETypeSVG = "image/svg+xml"
	// MIMETypeText is the MIME type of plain text.
	MIMETypeText = "text/plain"
)

// MIMEMap maps a MIME type to its representation: a string, a []byte or a
// JSON-serializable value. It is an alias, as in gophernotes.
type MIMEMap = map[string]interface{}

// Data is a MIME bundle as Jupyter displays it. It is an alias of an unnamed
// struct, as in gophernotes, so other packages can return it from a Render
// method without importing this package.
type Data = struct {
	Data      MIMEMap
	Metadata  MIMEMap
	Transient MIMEMap
}

// Renderer is implemented by values that give their full MIME bundle.
type Renderer = interface {
	Render() Data
}

// SimpleRenderer is implemented by values that give a MIME map.
type SimpleRenderer = interface {
	SimpleRender() MIMEMap
}

// HTMLer is implemented by values that render as text/html.
type HTMLer = interface {
	HTML() string
}

// JavaScripter is implemented by values that render as application/javascript.
type JavaScripter = interface {
	JavaScript() string
}

// JPEGer is implemented by values that render as image/jpeg.
type JPEGer = interface {
	JPEG() []byte
}

// JSONer is implemented by values that render as application/json.
type JSONer = interface {
	JSON() map[string]interface{}
}

// Latexer is implemented by values that render as text/latex.
type Latexer = interface {
	Latex() string
}

// Markdowner is implemented by values that render as text/markdown.
type Markdowner = interface {
	Markdown() string
}

// PNGer is implemented by values that render as image/png.
type PNGer = interface {
	PNG() []byte
}

// PDFer is implemented by values that render as application/pdf.
type PDFer = interface {
	PDF() []byte
}

// SVGer is implemented by values that render as image/svg+xml.
type SVGer = interface {
	SVG() string
}

// MakeData returns the bundle {mimeType: data, "text/plain": fmt.Sprint(data)}
// (only {mimeType: data} when mimeType is text/plain).
func MakeData(mimeType string, data interface{}) Data {
	d := Data{Data: MIMEMap{mimeType: data}}
	if mimeType != MIMETypeText {
		d.Data[MIMETypeText] = fmt.Sprint(data)
	}
	return d
}

// MakeData3 returns the bundle {"text/plain": plaintext, mimeType: data}.
func MakeData3(mimeType string, plaintext string, data interface{}) Data {
	return Data{Data: MIMEMap{MIMETypeText: plaintext, mimeType: data}}
}

// MIME returns the bundle with the given data and metadata maps.
func MIME(data, metadata MIMEMap) Data {
	return Data{Data: data, Metadata: metadata}
}

// HTML returns html as a text/html bundle.
func HTML(html string) Data { return MakeData(MIMETypeHTML, html) }

// JavaScript returns javascript as an application/javascript bundle.
func JavaScript(javascript string) Data { return MakeData(MIMETypeJavaScript, javascript) }

// JPEG returns encoded JPEG bytes as an image/jpeg bundle.
func JPEG(jpeg []byte) Data { return MakeData(MIMETypeJPEG, jpeg) }

// JSON returns json as an application/json bundle.
func JSON(json map[string]interface{}) Data { return MakeData(MIMETypeJSON, json) }

// Latex returns latex as inline math, $latex$, in a text/latex bundle.
func Latex(latex string) Data {
	return MakeData3(MIMETypeLatex, latex, "$"+strings.Trim(latex, "$")+"$")
}

// Markdown returns markdown as a text/markdown bundle.
func Markdown(markdown string) Data { return MakeData(MIMETypeMarkdown, markdown) }

// Math returns latex as display math, $$latex$$, in a text/latex bundle.
func Math(latex string) Data {
	return MakeData3(MIMETypeLatex, latex, "$$"+strings.Trim(latex, "$")+"$$")
}

// PDF returns PDF bytes as an application/pdf bundle.
func PDF(pdf []byte) Data { return MakeData(MIMETypePDF, pdf) }

// PNG returns encoded PNG bytes as an image/png bundle.
func PNG(png []byte) Data { return MakeData(MIMETypePNG, png) }

// SVG returns svg as an image/svg+xml bundle.
func SVG(svg string) Data { return MakeData(MIMETypeSVG, svg) }

// Image encodes img as PNG and returns it as an image/png bundle whose
// metadata holds the image's width and height. If encoding fails the bundle
// holds the error the way gophernotes shows it (ename "ERROR", evalue).
func Image(img image.Image) Data {
	b, err := EncodePNG(img)
	if err != nil {
		return Data{Data: MIMEMap{
			"ename": "ERROR", "evalue": err.Error(), "traceback": nil, "status": "error",
		}}
	}
	return Data{
		Data:     MIMEMap{MIMETypePNG: b},
		Metadata: MIMEMap{MIMETypePNG: ImageMetadata(img)},
	}
}

// EncodePNG returns img encoded as PNG.
func EncodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ImageMetadata returns {"width": dx, "height": dy} of img's bounds.
func ImageMetadata(img image.Image) MIMEMap {
	r := img.Bounds()
	return MIMEMap{"width": r.Dx(), "height": r.Dy()}
}
