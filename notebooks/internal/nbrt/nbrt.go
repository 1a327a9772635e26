package nbrt

import (
	"encoding/json"
	"fmt"
	"image"
	"os"
	"strings"

	"github.com/golstm/golstm/notebooks/internal/display"
)

// RS separates records from the program's ordinary output.
const RS = "\x1e"

// Record is one harness record; exactly one field is set.
type Record struct {
	// Cell is the index in the notebook's cells array of the cell that starts.
	Cell *int `json:"cell,omitempty"`
	// Result is the cell's execute_result bundle.
	Result *Bundle `json:"result,omitempty"`
	// Display is a display_data bundle shown with Display.
	Display *Bundle `json:"display,omitempty"`
	// End marks that every cell ran.
	End bool `json:"end,omitempty"`
}

// Bundle is a MIME bundle as Jupyter stores it in an output.
type Bundle struct {
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

func write(f *os.File, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = f.WriteString(RS + string(b) + RS)
	return err
}

func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("nbrt: writing a harness record: %v", err))
	}
}

// Cell marks the start of the cell with index i on stdout and stderr.
func Cell(i int) {
	must(write(os.Stdout, Record{Cell: &i}))
	must(write(os.Stderr, Record{Cell: &i}))
}

// End marks that the program ran every cell.
func End() { must(write(os.Stdout, Record{End: true})) }

// Display writes d as a display_data bundle, like the Display function that
// gophernotes predeclares in every notebook. It returns an error if d cannot
// be written as JSON.
func Display(d display.Data) error {
	return write(os.Stdout, Record{Display: &Bundle{Data: d.Data, Metadata: d.Metadata}})
}

// Show writes the execute_result that gophernotes gives a cell whose last
// statement is an expression with the values vals; see Result.
func Show(vals ...any) {
	if d, ok := Result(vals...); ok {
		must(write(os.Stdout, Record{Result: &Bundle{Data: d.Data, Metadata: d.Metadata}}))
	}
}

// Result returns the bundle gophernotes shows for a cell's values, and false
// when it shows nothing:
//   - every value nil: nothing;
//   - exactly one non-nil value and it is display.Data, an image.Image or
//     implements one of display's renderer interfaces: that value rendered;
//   - otherwise text/plain holding fmt.Fprint of each value, joined by " ".
func Result(vals ...any) (display.Data, bool) {
	var nils int
	var obj any
	for _, v := range vals {
		if canRender(v) {
			obj = v
		} else if v == nil {
			nils++
		}
	}
	if obj != nil && nils == len(vals)-1 {
		return render(obj), true
	}
	if nils == len(vals) {
		return display.Data{}, false
	}
	return display.MakeData(display.MIMETypeText, Text(vals...)), true
}

// Text returns fmt.Fprint of each value, joined by one space.
func Text(vals ...any) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, v)
	}
	return b.String()
}

func canRender(v any) bool {
	switch v.(type) {
	case display.Data, display.Renderer, display.SimpleRenderer, display.HTMLer,
		display.JavaScripter, display.JPEGer, display.JSONer, display.Latexer,
		display.Markdowner, display.PNGer, display.PDFer, display.SVGer, image.Image:
		return true
	}
	return false
}

// render mirrors gophernotes' autoRender and fillDefaults.
func render(v any) display.Data {
	var d display.Data
	if x, ok := v.(display.Data); ok {
		d = display.Data{Data: merge(nil, x.Data), Metadata: merge(nil, x.Metadata)}
	}
	set := func(mime string, val any) {
		d.Data = merge(d.Data, display.MIMEMap{mime: val})
	}
	if r, ok := v.(display.Renderer); ok {
		x := r.Render()
		d.Data = merge(d.Data, x.Data)
		d.Metadata = merge(d.Metadata, x.Metadata)
	}
	if r, ok := v.(display.SimpleRenderer); ok {
		d.Data = merge(d.Data, r.SimpleRender())
	}
	if r, ok := v.(display.HTMLer); ok {
		set(display.MIMETypeHTML, r.HTML())
	}
	if r, ok := v.(display.JavaScripter); ok {
		set(display.MIMETypeJavaScript, r.JavaScript())
	}
	if r, ok := v.(display.JPEGer); ok {
		set(display.MIMETypeJPEG, r.JPEG())
	}
	if r, ok := v.(display.JSONer); ok {
		set(display.MIMETypeJSON, r.JSON())
	}
	if r, ok := v.(display.Latexer); ok {
		set(display.MIMETypeLatex, r.Latex())
	}
	if r, ok := v.(display.Markdowner); ok {
		set(display.MIMETypeMarkdown, r.Markdown())
	}
	if r, ok := v.(display.PNGer); ok {
		set(display.MIMETypePNG, r.PNG())
	}
	if r, ok := v.(display.PDFer); ok {
		set(display.MIMETypePDF, r.PDF())
	}
	if r, ok := v.(display.SVGer); ok {
		set(display.MIMETypeSVG, r.SVG())
	}
	if img, ok := v.(image.Image); ok {
		x := display.Image(img)
		d.Data = merge(d.Data, x.Data)
		d.Metadata = merge(d.Metadata, x.Metadata)
	}
	if d.Data == nil {
		d.Data = display.MIMEMap{}
	}
	// gophernotes fills text/plain only where it is present and empty.
	if s, ok := d.Data[display.MIMETypeText].(string); ok && s == "" {
		d.Data[display.MIMETypeText] = fmt.Sprint(v)
	}
	return d
}

func merge(a, b display.MIMEMap) display.MIMEMap {
	if len(b) == 0 {
		return a
	}
	if a == nil {
		a = display.MIMEMap{}
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}
