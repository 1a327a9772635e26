package nbrun

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Notebook is a decoded nbformat 4 notebook. Fields the harness does not use
// (cell metadata and ids, attachments, notebook metadata) are kept so that
// Encode writes them back.
type Notebook struct {
	Cells         []*Cell
	Metadata      map[string]any
	NBFormat      int
	NBFormatMinor int
}

// Cell is one notebook cell.
type Cell struct {
	Type     string // "code", "markdown" or "raw"
	ID       string // "" when absent (nbformat < 4.5)
	Metadata map[string]any
	Source   string
	// ExecutionCount is nil for a code cell that was never run.
	ExecutionCount *int
	Outputs        []Output
	// Extra holds other keys of markdown and raw cells (attachments).
	Extra map[string]any
}

// Output is one output of a code cell.
type Output struct {
	Type           string         // "stream", "display_data", "execute_result" or "error"
	Name           string         // stream: "stdout" or "stderr"
	Text           string         // stream text
	Data           map[string]any // MIME bundle; multi-line strings joined
	Metadata       map[string]any
	ExecutionCount *int // execute_result
	EName, EValue  string
	Traceback      []string
}

// Decode validates data with Validate and decodes it.
func Decode(data []byte) (*Notebook, error) {
	if err := Validate(data); err != nil {
		return nil, err
	}
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	nb := &Notebook{
		Metadata:      obj(raw["metadata"]),
		NBFormat:      intOf(raw["nbformat"]),
		NBFormatMinor: intOf(raw["nbformat_minor"]),
	}
	for _, rc := range raw["cells"].([]any) {
		m := rc.(map[string]any)
		c := &Cell{Type: m["cell_type"].(string), Metadata: obj(m["metadata"]), Source: multi(m["source"])}
		if id, ok := m["id"].(string); ok {
			c.ID = id
		}
		if c.Type == "code" {
			c.ExecutionCount = intPtr(m["execution_count"])
			for _, ro := range m["outputs"].([]any) {
				c.Outputs = append(c.Outputs, decodeOutput(ro.(map[string]any)))
			}
		} else {
			for k, v := range m {
				switch k {
				case "cell_type", "metadata", "source", "id":
				default:
					if c.Extra == nil {
						c.Extra = map[string]any{}
					}
					c.Extra[k] = v
				}
			}
		}
		nb.Cells = append(nb.Cells, c)
	}
	return nb, nil
}

func decodeOutput(m map[string]any) Output {
	o := Output{Type: m["output_type"].(string)}
	switch o.Type {
	case "stream":
		o.Name, _ = m["name"].(string)
		o.Text = multi(m["text"])
	case "display_data", "execute_result":
		o.Data = map[string]any{}
		for k, v := range obj(m["data"]) {
			if isMulti(v) {
				o.Data[k] = multi(v)
			} else {
				o.Data[k] = v
			}
		}
		o.Metadata = obj(m["metadata"])
		o.ExecutionCount = intPtr(m["execution_count"])
	case "error":
		o.EName, _ = m["ename"].(string)
		o.EValue, _ = m["evalue"].(string)
		for _, t := range asSlice(m["traceback"]) {
			s, _ := t.(string)
			o.Traceback = append(o.Traceback, s)
		}
	}
	return o
}

// Encode returns nb as nbformat JSON the way Jupyter writes it: keys sorted,
// one-space indent, multi-line strings as lists of lines, no HTML escaping,
// a final newline.
func Encode(nb *Notebook) ([]byte, error) {
	cells := make([]any, 0, len(nb.Cells))
	for _, c := range nb.Cells {
		m := map[string]any{
			"cell_type": c.Type,
			"metadata":  orEmpty(c.Metadata),
			"source":    lines(c.Source),
		}
		if c.ID != "" {
			m["id"] = c.ID
		}
		if c.Type == "code" {
			m["execution_count"] = nilOr(c.ExecutionCount)
			outs := make([]any, 0, len(c.Outputs))
			for _, o := range c.Outputs {
				outs = append(outs, encodeOutput(o))
			}
			m["outputs"] = outs
		}
		for k, v := range c.Extra {
			m[k] = v
		}
		cells = append(cells, m)
	}
	raw := map[string]any{
		"cells":          cells,
		"metadata":       orEmpty(nb.Metadata),
		"nbformat":       nb.NBFormat,
		"nbformat_minor": nb.NBFormatMinor,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeOutput(o Output) map[string]any {
	m := map[string]any{"output_type": o.Type}
	switch o.Type {
	case "stream":
		m["name"] = o.Name
		m["text"] = lines(o.Text)
	case "display_data", "execute_result":
		data := map[string]any{}
		for k, v := range o.Data {
			s, ok := v.(string)
			if ok && !isBinaryMIME(k) && k != "application/json" {
				data[k] = lines(s)
			} else {
				data[k] = v
			}
		}
		m["data"] = data
		m["metadata"] = orEmpty(o.Metadata)
		if o.Type == "execute_result" {
			m["execution_count"] = nilOr(o.ExecutionCount)
		}
	case "error":
		m["ename"] = o.EName
		m["evalue"] = o.EValue
		m["traceback"] = append([]string{}, o.Traceback...)
	}
	return m
}

// isBinaryMIME reports whether values of MIME type mime are base64 strings,
// which nbformat keeps as one string.
func isBinaryMIME(mime string) bool {
	return mime == "application/pdf" || (strings.HasPrefix(mime, "image/") && mime != "image/svg+xml")
}

// lines splits s after each newline, as nbformat stores multi-line strings.
func lines(s string) []string {
	out := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

func isMulti(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// multi joins an nbformat multi-line string (a string or a list of strings).
func multi(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, e := range x {
			s, _ := e.(string)
			b.WriteString(s)
		}
		return b.String()
	}
	return ""
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func intOf(v any) int {
	if p := intPtr(v); p != nil {
		return *p
	}
	return 0
}

func intPtr(v any) *int {
	var n int64
	switch x := v.(type) {
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return nil
		}
		n = i
	case float64:
		n = int64(x)
	default:
		return nil
	}
	i := int(n)
	return &i
}

func nilOr(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// CodeCells returns the indexes in nb.Cells of the code cells.
func (nb *Notebook) CodeCells() []int {
	var idx []int
	for i, c := range nb.Cells {
		if c.Type == "code" {
			idx = append(idx, i)
		}
	}
	return idx
}
