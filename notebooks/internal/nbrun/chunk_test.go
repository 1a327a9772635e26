package nbrun

import (
	"reflect"
	"testing"
)

func TestSplitCell(t *testing.T) {
	type want struct {
		kind     chunkKind
		text     string
		line     int
		declared []string
		expr     string // last expression statement, "" if none
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"import block and statement", "import (\n\t\"fmt\"\n\tG \"gorgonia.org/gorgonia\"\n)\nx := 1\nx",
			[]want{{chunkImport, "import (\n\t\"fmt\"\n\tG \"gorgonia.org/gorgonia\"\n)", 1, nil, ""},
				{chunkStmt, "x := 1", 5, []string{"x"}, ""},
				{chunkStmt, "x", 6, nil, "x"}}},
		{"explicit semicolons stay in one chunk", "if err := f(); err != nil {\n\tpanic(err)\n}\na, _ := 1, 2; b := 3",
			[]want{{chunkStmt, "if err := f(); err != nil {\n\tpanic(err)\n}", 1, nil, ""},
				{chunkStmt, "a, _ := 1, 2; b := 3", 4, []string{"a", "b"}, ""}}},
		{"func, method, type, const go to package level", "func f() int {\n\treturn 1\n}\nfunc (T) M() {}\ntype T struct{}\nconst c = 2",
			[]want{{chunkDecl, "func f() int {\n\treturn 1\n}", 1, nil, ""},
				{chunkDecl, "func (T) M() {}", 4, nil, ""},
				{chunkDecl, "type T struct{}", 5, nil, ""},
				{chunkDecl, "const c = 2", 6, nil, ""}}},
		{"func literal call is a statement", "func() {\n\tprintln(1)\n}()",
			[]want{{chunkStmt, "func() {\n\tprintln(1)\n}()", 1, nil, "func() {\n\tprintln(1)\n}()"}}},
		{"var block, comments, multi-line call", "// c\nvar (\n\tu int\n\tv, _ = 1, 2\n)\nfmt.Println(u, // why\n\tv) // done\n",
			[]want{{chunkStmt, "var (\n\tu int\n\tv, _ = 1, 2\n)", 2, []string{"u", "v"}, ""},
				{chunkStmt, "fmt.Println(u, // why\n\tv) // done", 6, nil, "fmt.Println(u, // why\n\tv)"}}},
		{"empty cell", "// nothing\n", nil},
	}
	for _, tt := range tests {
		chunks, err := splitCell(tt.src)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var got []want
		for _, c := range chunks {
			w := want{c.kind, c.text, c.line, c.declared, ""}
			if c.exprStart >= 0 {
				w.expr = c.text[c.exprStart:c.exprEnd]
			}
			got = append(got, w)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestSplitCellError(t *testing.T) {
	if _, err := splitCell("x := \"unterminated\n"); err == nil {
		t.Error("unterminated string: no error")
	}
}

func TestPackageName(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{"", "fmt", "fmt"},
		{"", "math/rand/v2", "rand"},
		{"", "gopkg.in/yaml.v3", "yaml"},
		{"", "github.com/lucasb-eyer/go-colorful", "colorful"},
		{"G", "gorgonia.org/gorgonia", "G"},
		{"", "github.com/x/123abc", ""},
	}
	for _, tt := range tests {
		if got := packageName(importSpec{tt.name, tt.path}); got != tt.want {
			t.Errorf("packageName(%q %q) = %q, want %q", tt.name, tt.path, got, tt.want)
		}
	}
}
