package nbrun

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// at is a problem the linter must report: cell index, line in the cell and
// rule (and, for proxy-clash, the interface name in the message).
type at struct {
	cell, line int
	rule, msg  string
}

// ruleNotebooks lists, for each notebook of testdata/gomacro, every problem
// Lint must report. Each notebook breaks one rule (the import cells that
// break none are there for the others). Their outputs were recorded by a
// real gophernotes kernel, so TestGomacroRules also checks each rule's
// premise: the harness, run without the rules, gives other outputs than the
// kernel exactly in the cells that break a rule.
var ruleNotebooks = map[string][]at{
	"comma_ok_argument.ipynb": {
		{3, 1, RuleCommaOkArgument, ""}, {4, 1, RuleCommaOkArgument, ""},
		{5, 1, RuleCommaOkArgument, ""}, {6, 2, RuleCommaOkArgument, ""},
	},
	"comma_ok_result.ipynb": {
		{1, 2, RuleCommaOkResult, ""}, {2, 2, RuleCommaOkResult, ""}, {3, 3, RuleCommaOkResult, ""},
	},
	"proxy_clash.ipynb": {
		{1, 3, RuleProxyClash, "BLAS"}, {1, 3, RuleProxyClash, "Cloner"}, {1, 3, RuleProxyClash, "Dtyper"},
		{1, 3, RuleProxyClash, "NoOpError"}, {1, 3, RuleProxyClash, "Zeroer"},
	},
	"generic_interface.ipynb":   {{1, 1, RuleGenericInterface, "Getter"}},
	"generic_only_import.ipynb": {{1, 3, RuleGenericOnly, `"slices"`}},
	"generic_use.ipynb":         {{3, 1, RuleGenericUse, "rand.N"}},
	"generic_syntax.ipynb": {
		{1, 1, RuleGenericSyntax, ""}, {2, 1, RuleGenericSyntax, ""}, {3, 1, RuleGenericSyntax, ""},
	},
	"new_builtin.ipynb": {
		{1, 1, RuleNewBuiltin, "min"}, {2, 1, RuleNewBuiltin, "max"}, {3, 2, RuleNewBuiltin, "clear"},
	},
	"range_over_int_func.ipynb": {{2, 2, RuleRangeOverIntFunc, ""}, {3, 2, RuleRangeOverIntFunc, ""}},
	"loopvar_capture.ipynb":     {{2, 3, RuleLoopVarCapture, ""}, {3, 3, RuleLoopVarCapture, ""}},
	"std_after_go1_18.ipynb": {
		{2, 1, RuleStdAfterGo118, "CutPrefix"}, {3, 1, RuleStdAfterGo118, "Join"},
	},
	"notebook_methods.ipynb": {
		{3, 1, RuleNotebookMethods, "String"}, {4, 1, RuleNotebookMethods, "String"},
		{5, 1, RuleNotebookMethods, "%T"}, {6, 1, RuleNotebookMethods, "%#v"}, {7, 1, RuleNotebookMethods, "%+v"},
	},
	"interface_assertion.ipynb": {
		{3, 1, RuleInterfaceAssert, ""}, {4, 3, RuleInterfaceAssert, ""}, {5, 2, RuleInterfaceAssert, ""},
	},
	"goto.ipynb": {{1, 2, RuleGoto, ""}},
	"recursive_type_value.ipynb": {
		{2, 2, RuleRecursiveTypeValue, "[]*plain.Link{a, b}"}, {3, 1, RuleRecursiveTypeValue, "ls"},
		{3, 2, RuleRecursiveTypeValue, "ls"}, {3, 3, RuleRecursiveTypeValue, "ls"},
		{4, 1, RuleRecursiveTypeValue, "one"}, {4, 2, RuleRecursiveTypeValue, "one"}, {4, 3, RuleRecursiveTypeValue, "one"},
		{6, 1, RuleRecursiveTypeValue, "ls2"}, {6, 2, RuleRecursiveTypeValue, "ls2"},
		{7, 1, RuleRecursiveTypeValue, "ls3"}, {7, 2, RuleRecursiveTypeValue, "ls3"}, {7, 3, RuleRecursiveTypeValue, "ls3"},
	},
	"unsafe.ipynb":            {{2, 2, RuleUnsafe, ""}, {3, 1, RuleUnsafe, ""}},
	"declaration_order.ipynb": {{2, 1, RuleDeclarationOrder, "four"}, {3, 1, RuleDeclarationOrder, "method M"}},
	"init_main.ipynb":         {{2, 1, RuleInitMain, "init"}, {2, 2, RuleInitMain, "main"}},
	"import_without_module.ipynb": {
		{1, 1, RuleImportWithoutModule, "gorgonia.org/gorgonia"},
	},
}

func readNotebook(t *testing.T, path string) *Notebook {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return nb
}

// TestGomacroRules checks that the harness finds exactly the listed
// problems of each rule notebook, and that the rules are right: run by the
// harness all the same, the notebook gives the outputs the real kernel
// recorded in exactly the cells without a problem (init_main aside: its
// func main does not compile).
func TestGomacroRules(t *testing.T) {
	files, err := filepath.Glob("testdata/gomacro/*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(ruleNotebooks) {
		t.Errorf("testdata/gomacro has %d notebooks, the test lists %d", len(files), len(ruleNotebooks))
	}
	for _, f := range files {
		want, ok := ruleNotebooks[filepath.Base(f)]
		if !ok {
			t.Errorf("%s: not in ruleNotebooks", f)
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			nb := readNotebook(t, f)
			opt := Options{Timeout: 3 * time.Minute, skipRules: true}
			res, problems, err := runNotebook(context.Background(), f, nb, opt)
			if err != nil && filepath.Base(f) != "init_main.ipynb" {
				t.Fatal(err)
			}
			var got []at
			for _, p := range problems {
				got = append(got, at{p.Cell, p.Line, p.Rule, ""})
				if p.Msg == "" {
					t.Errorf("%v: empty message", p)
				}
			}
			var wantAt []at
			for _, w := range want {
				wantAt = append(wantAt, at{w.cell, w.line, w.rule, ""})
				if !slices.ContainsFunc(problems, func(p Problem) bool {
					return p.Cell == w.cell && p.Line == w.line && p.Rule == w.rule && strings.Contains(p.Msg, w.msg)
				}) {
					t.Errorf("no %s problem in cell %d line %d mentioning %q", w.rule, w.cell, w.line, w.msg)
				}
			}
			if !slices.Equal(got, wantAt) {
				var b strings.Builder
				for _, p := range problems {
					fmt.Fprintf(&b, "\t%v\n", p)
				}
				t.Errorf("found\n%swant problems at %v", b.String(), wantAt)
			}
			if filepath.Base(f) == "init_main.ipynb" {
				return
			}
			differ := map[int]bool{}
			for _, m := range Compare(nb, res) {
				differ[m.Cell] = true
			}
			flagged := map[int]bool{}
			for _, w := range want {
				flagged[w.cell] = true
			}
			for _, i := range nb.CodeCells() {
				switch {
				case flagged[i] && !differ[i]:
					t.Errorf("cell %d breaks a rule, but the harness gives the outputs the real kernel recorded", i)
				case !flagged[i] && differ[i]:
					t.Errorf("cell %d breaks no rule, but the harness and the real kernel differ: %v", i, Compare(nb, res))
				}
			}
		})
	}
}

// TestRunRefusesRuleBreach checks that Run does not run a notebook that
// breaks a rule, and that Lint reports the same problems.
func TestRunRefusesRuleBreach(t *testing.T) {
	t.Parallel()
	const f = "testdata/gomacro/goto.ipynb"
	nb := readNotebook(t, f)
	opt := Options{Timeout: 3 * time.Minute}
	res, err := Run(context.Background(), f, nb, opt)
	var re *RuleError
	if !errors.As(err, &re) || len(re.Problems) != 1 || re.Problems[0].Rule != RuleGoto || res == nil || res.Cells != nil {
		t.Fatalf("Run = %+v, %v; want a RuleError with one goto problem and no cell run", res, err)
	}
	for _, want := range []string{"goto.ipynb: 1 place(s)", "cell 1 line 2: goto:", "[goto]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	problems, err := Lint(context.Background(), f, nb, opt)
	if err != nil || !slices.Equal(problems, re.Problems) {
		t.Errorf("Lint = %v, %v; want %v", problems, err, re.Problems)
	}
}

// TestMagicRule checks the rule against gophernotes' % and $ lines on a
// notebook that has them.
func TestMagicRule(t *testing.T) {
	nb := readNotebook(t, "testdata/magic.ipynb")
	err := CheckSource(nb)
	for _, want := range []string{`cell 1 line 1: magic command "%cd .."`, `cell 2 line 2: magic command "$ ls"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckSource = %v, want it to contain %q", err, want)
		}
	}
}

// TestProxies checks which exported names get a gomacro proxy type, on a
// package written for the purpose.
func TestProxies(t *testing.T) {
	const src = `package p
type Stepper interface{ Step() int }          // proxy P_Stepper
type Alias = Stepper                          // proxy P_Alias
type Empty interface{}                        // no methods: none
type Hidden interface{ hidden() }             // unexported method: none
type Leaky interface{ Get() unexported }      // unexported type in a method: none
type unexported int
type lower interface{ M() }                   // unexported: none
type Box struct{ N int }                      // not an interface
type Getter[T any] interface{ Get() T }       // generic: gomacro stops
type Ordered interface{ ~int | ~float64 }     // no methods: none
func One() int { return 1 }
`
	pkg := checkSource(t, src)
	names, generic := proxies(pkg)
	if want := []string{"Alias", "Stepper"}; !slices.Equal(names, want) {
		t.Errorf("proxies = %v, want %v", names, want)
	}
	if want := []string{"Getter"}; !slices.Equal(generic, want) {
		t.Errorf("generic interfaces = %v, want %v", generic, want)
	}
	if genericOnly(pkg) {
		t.Error("genericOnly = true for a package with plain names")
	}
	if !genericOnly(checkSource(t, "package q\nfunc Map[T any](x T) T { return x }\ntype Set[T comparable] map[T]bool\nfunc helper() {}\n")) {
		t.Error("genericOnly = false for a package with only generic exported names")
	}
}

func checkSource(t *testing.T, src string) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.Default()}
	pkg, err := conf.Check(f.Name.Name, fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

func TestParseVerbs(t *testing.T) {
	verbs, ok := parseVerbs("%d%% %+v %#v %-8.3f %T")
	if !ok || len(verbs) != 5 || verbs[1] != (fmtVerb{'v', false, true}) || verbs[2] != (fmtVerb{'v', true, false}) || verbs[4].verb != 'T' {
		t.Errorf("parseVerbs = %v, %v", verbs, ok)
	}
	if _, ok := parseVerbs("%[2]d %[1]d"); ok {
		t.Error("explicit argument indexes: ok")
	}
}

func TestStdAPI(t *testing.T) {
	api, err := loadStdAPI(context.Background(), Options{Go: "go"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, name     string
		builtin, found bool
	}{
		{"strings", "Cut", true, true},        // Go 1.18
		{"strings", "CutPrefix", true, false}, // Go 1.20
		{"errors", "Is", true, true},
		{"errors", "Join", true, false},
		{"net/http", "Get", true, true},
		{"slices", "Sort", false, false}, // Go 1.21: a plugin package
		{"math/rand/v2", "N", false, false},
		{"unsafe", "Sizeof", true, true},
		{"syscall", "Getpid", false, false},
	}
	for _, tt := range tests {
		if b, f := api.builtin(tt.path), api.has(tt.path, tt.name); b != tt.builtin || f != tt.found {
			t.Errorf("%s.%s: built in %v, has %v; want %v, %v", tt.path, tt.name, b, f, tt.builtin, tt.found)
		}
	}
}
