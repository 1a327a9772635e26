package nbrun

import (
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	nb := notebook(
		"import (\n\t\"fmt\"\n\t\"os\"\n\tgr \"../graph\"\n)",
		"x := gr.NewRNG(1)\nfmt.Sprint(x != nil)",
		"func f() int { return 1 }\nx := f()\nx",
	)
	p, err := generate(nb, "t.ipynb", "example.com/m", "notebooks", genOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		"\tgr \"example.com/m/graph\"\n", // relative import mapped to the module
		"\t_ \"os\"\n",                   // unused import
		"\t\"fmt\"\n",
		"func Display(d display.Data) error",
		"//line cell[3]:1:1\nfunc f() int { return 1 }\n\n//line main.go:", // package level
		"\nfunc main() {\n",
		"{\nnbrt__.Cell(2)\n//line cell[2]:1:1\nx := gr.NewRNG(1)\n_ = x\n//line cell[2]:2:1\nnbrt__.Show(fmt.Sprint(x != nil))\n",
		"{\nnbrt__.Cell(3)\n//line cell[3]:2:1\nx := f()\n_ = x\n//line cell[3]:3:1\nnbrt__.Show(x)\n}\n}\n}\nnbrt__.End()\n}\n",
	} {
		if !strings.Contains(p.src, frag) {
			t.Errorf("program lacks %q:\n%s", frag, p.src)
		}
	}
	if !p.shows[2] || !p.shows[3] || p.shows[1] || !p.blanks["os"] {
		t.Errorf("shows %v blanks %v, want shows of cells 2 and 3 and os blank", p.shows, p.blanks)
	}
	p, err = generate(nb, "t.ipynb", "example.com/m", "notebooks", genOptions{noShow: map[int]bool{3: true}, noGuess: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.src, "\n\t\"os\"\n") || strings.Contains(p.src, "nbrt__.Show(x)") {
		t.Errorf("noShow/noGuess not applied:\n%s", p.src)
	}
}

func TestRevise(t *testing.T) {
	p := program{shows: map[int]bool{3: true}, blanks: map[string]bool{"example.com/m/stats": true}}
	gen := genOptions{noShow: map[int]bool{}, blank: map[string]bool{}}
	out := "# command-line-arguments\n_nb1/cell[3]:2:13: hello() (no value) used as value\n" +
		"./main.go:6:2: \"strings\" imported and not used\ncell[4]:1:1: undefined: stats\n"
	if !revise(&gen, p, out) {
		t.Fatal("revise changed nothing")
	}
	if !gen.noShow[3] || !gen.blank["strings"] || !gen.noGuess {
		t.Errorf("gen = %+v, want cell 3 unwrapped, strings blank, guesses off", gen)
	}
	if revise(&gen, p, out) {
		t.Error("second revise with the same errors changed something")
	}
}
