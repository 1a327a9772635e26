package nbrun

import (
	"context"
	"strings"
	"testing"
	"time"
)

// notebook returns a notebook with a markdown cell first and then one code
// cell per source, so code cell k has index k+1.
func notebook(sources ...string) *Notebook {
	nb := &Notebook{NBFormat: 4, NBFormatMinor: 4, Cells: []*Cell{{Type: "markdown", Source: "# t"}}}
	for _, s := range sources {
		nb.Cells = append(nb.Cells, &Cell{Type: "code", Source: s})
	}
	return nb
}

func run(t *testing.T, nb *Notebook) (*Result, error) {
	t.Helper()
	// The notebook "lives" in this package's directory, inside the module,
	// as the generated program must be.
	return Run(context.Background(), "t.ipynb", nb, Options{Timeout: 3 * time.Minute})
}

var features = []string{
	1:  "import (\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"image\"\n\t\"math/rand/v2\"\n\t\"strings\"\n)",
	2:  "func hello() {\n\tfmt.Println(\"hello\")\n}",
	3:  "hello()",
	4:  "r := rand.New(rand.NewPCG(1, 2))\n_ = r\nx := 1\nif y := x + 1; y > 1 {\n\tfmt.Print(\"y>1 \")\n}\nx",
	5:  "x := \"now a string\"\nx + \"!\"",
	6:  "type pair struct{ a, b int }\nfunc (p pair) sum() int { return p.a + p.b }\nconst k = 10\npair{1, 2}.sum() * k",
	7:  "func() { println(\"to stderr\") }()",
	8:  "json := struct{ N int }{3}\njson.N",
	9:  "var e error\ne",
	10: "fmt.Println(\"a\")",
	11: "Display(display.Image(image.NewGray(image.Rect(0, 0, 4, 2))))\ndisplay.HTML(\"<b>b</b>\")",
	12: "two := func() (string, int) { return \"a\", 1 }\ntwo()",
}

func TestRunFeatures(t *testing.T) {
	t.Parallel()
	nb := notebook(features[1:]...)
	res, err := run(t, nb)
	if err != nil {
		t.Fatalf("%v\n%s", err, Numbered(res.Source))
	}
	want := []struct {
		stdout, stderr, result, displays string
	}{
		1:  {},
		2:  {},
		3:  {stdout: "hello\n"},
		4:  {stdout: "y>1 ", result: "1"},
		5:  {result: "now a string!"},
		6:  {result: "30"},
		7:  {stderr: "to stderr\n"},
		8:  {result: "3"},
		9:  {},
		10: {stdout: "a\n", result: "2 <nil>"},
		11: {result: "MIME text/html, text/plain", displays: "MIME image/png 4x2 sha256:cf1fe2656e95"},
		12: {result: "a 1"},
	}
	for i := 1; i < len(want); i++ {
		c := res.Cells[i]
		if c == nil {
			t.Errorf("cell %d did not run", i)
			continue
		}
		var result, displays []string
		if c.Result != nil {
			result = append(result, Summary(c.Result.Data))
		}
		for _, d := range c.Displays() {
			displays = append(displays, Summary(d.Data))
		}
		w := want[i]
		if c.Stdout() != w.stdout || c.Stderr != w.stderr || strings.Join(result, "") != w.result || strings.Join(displays, "|") != w.displays {
			t.Errorf("cell %d (%q):\n got stdout %q stderr %q result %q displays %q\nwant stdout %q stderr %q result %q displays %q",
				i, nb.Cells[i].Source, c.Stdout(), c.Stderr, result, displays, w.stdout, w.stderr, w.result, w.displays)
		}
	}
	for _, frag := range []string{"\t_ \"strings\"\n", "\t_ \"encoding/json\"\n", "\t\"math/rand/v2\"\n"} {
		if !strings.Contains(res.Source, frag) {
			t.Errorf("generated imports lack %q:\n%s", frag, res.Source)
		}
	}
	if strings.Contains(res.Source, "nbrt__.Show(hello())") {
		t.Error("hello() (no value) is still wrapped in Show")
	}

	// Recording the run and comparing it with itself finds no difference,
	// also after encoding and decoding the notebook.
	if err := Update(nb, res); err != nil {
		t.Fatal(err)
	}
	data, err := Encode(nb)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode(Encode(nb)): %v\n%s", err, data)
	}
	if err := CheckExecuted(back); err != nil {
		t.Errorf("updated notebook: %v", err)
	}
	if ms := Compare(back, res); len(ms) != 0 {
		t.Errorf("updated notebook differs from its run: %v", ms)
	}

	// A changed recorded output is reported with its cell.
	back.Cells[10].Outputs[0].Text = "b\n"
	ms := Compare(back, res)
	if len(ms) != 1 || ms[0].Cell != 10 || ms[0].What != "stdout" {
		t.Fatalf("after editing cell 10's stdout, Compare = %v, want one stdout mismatch in cell 10", ms)
	}
	if got, want := ms[0].Error(), "cell 10: stdout differs (-recorded +run):\n- b\n+ a\n"; got != want {
		t.Errorf("mismatch message = %q, want %q", got, want)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		nb    *Notebook
		wants []string
	}{
		{"panic", notebook("x := 1", "panic(\"boom\")", "x"), []string{"cell 2 failed", "boom"}},
		{"compile error", notebook("import \"fmt\"", "fmt.Println(1)\ny := undefinedThing"), []string{"cell[2]:2:", "undefined: undefinedThing"}},
	}
	for _, tt := range tests {
		_, err := run(t, tt.nb)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tt.name, err, w)
			}
		}
	}
}
