package notebooks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestExportedInterfaceNamesUnique fails when two of the project's
// packages export an interface type of the same name. gophernotes (gomacro)
// builds every import of a notebook cell into one plugin and names the proxy
// type of each exported interface P_<Name>, without the package, so two such
// packages cannot be imported in the same cell ("P_Optimizer redeclared in
// this block"). The project keeps its interface names distinct instead of
// asking every notebook to work around it.
func TestExportedInterfaceNamesUnique(t *testing.T) {
	owners := map[string][]string{} // interface name -> packages
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != ".." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "internal") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				if _, isIface := ts.Type.(*ast.InterfaceType); isIface && ts.Name.IsExported() {
					owners[ts.Name.Name] = append(owners[ts.Name.Name], pkg)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(owners))
	for n := range owners {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if len(owners[n]) > 1 {
			t.Errorf("interface %s is exported by %v: a notebook cell importing both fails in gophernotes (P_%s redeclared); rename one", n, owners[n], n)
		}
	}
	if len(names) < 5 {
		t.Errorf("found only %d exported interfaces (%v): the walk missed the packages", len(names), names)
	}
}
