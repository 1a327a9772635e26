package nbrun

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// checked is a built notebook program with its syntax tree and type
// information; positions inside cells report as cell[i]:line:col through
// the program's //line directives.
type checked struct {
	fset *token.FileSet
	file *ast.File
	pkg  *types.Package
	info *types.Info
	// imp imports any package that the program depends on, from the
	// export data of its build.
	imp types.Importer
}

// typecheck type-checks the program in b.tmp/main.go against the export
// data that `go list -export` gives for its dependencies (taken from the
// build cache that buildProgram filled).
func (b *built) typecheck(ctx context.Context, opt Options) (*checked, error) {
	cmd := exec.CommandContext(ctx, opt.Go, "list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}\t{{.Export}}{{end}}", "main.go")
	cmd.Dir = b.tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -export: %v\n%s", err, stderr.Bytes())
	}
	exports := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), "\t"); ok {
			exports[path] = file
		}
	}
	fset := token.NewFileSet()
	src := filepath.Join(b.tmp, "main.go")
	file, err := parser.ParseFile(fset, src, b.prog.src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	lookup := func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(f)
	}
	c := &checked{
		fset: fset,
		file: file,
		imp:  importer.ForCompiler(fset, "gc", lookup),
		info: &types.Info{
			Types:      map[ast.Expr]types.TypeAndValue{},
			Defs:       map[*ast.Ident]types.Object{},
			Uses:       map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{},
		},
	}
	conf := types.Config{Importer: c.imp}
	c.pkg, err = conf.Check("main", fset, []*ast.File{file}, c.info)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// cellOf returns the notebook cell index, line and column of pos, and false
// for positions in the harness's own code.
func (c *checked) cellOf(pos token.Pos) (cell, line, col int, ok bool) {
	p := c.fset.Position(pos)
	if m := cellName.FindStringSubmatch(filepath.Base(p.Filename)); m != nil {
		fmt.Sscan(m[1], &cell)
		return cell, p.Line, p.Column, true
	}
	return 0, 0, 0, false
}
