package nbrun

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// chunkKind says where a top-level piece of a cell goes in the program.
type chunkKind int

const (
	chunkStmt   chunkKind = iota // statements: into main, in the cell's block
	chunkImport                  // import declarations: merged into one block
	chunkDecl                    // func, method, type, const: package level
)

// chunk is one top-level statement or declaration of a cell.
type chunk struct {
	kind      chunkKind
	text      string
	line, col int // position of text in the cell, 1-based
	imports   []importSpec
	// declared names the variables the statements declare at the cell's top level.
	declared []string
	// exprStart, exprEnd locate in text the expression of the last statement
	// when it is an expression statement; -1 otherwise.
	exprStart, exprEnd int
}

type importSpec struct{ name, path string }

// splitCell splits a cell's source into top-level chunks. A chunk ends at a
// semicolon that the scanner inserted at a newline at bracket depth 0;
// explicit semicolons, as in `if err := f(); err != nil`, do not end one.
func splitCell(src string) ([]chunk, error) {
	fset := token.NewFileSet()
	file := fset.AddFile("cell", fset.Base(), len(src))
	var errs scanner.ErrorList
	var s scanner.Scanner
	s.Init(file, []byte(src), errs.Add, 0)
	var chunks []chunk
	depth, start := 0, -1
	var first token.Token
	emit := func(end int) error {
		text := strings.TrimRight(src[start:end], " \t\r\n")
		p := file.Position(file.Pos(start))
		c, err := classify(first, text)
		if err != nil {
			return fmt.Errorf("line %d: %w", p.Line, err)
		}
		c.line, c.col = p.Line, p.Column
		chunks = append(chunks, c)
		start = -1
		return nil
	}
	for {
		pos, tok, lit := s.Scan()
		off := file.Offset(pos)
		if tok == token.EOF {
			if start >= 0 {
				if err := emit(len(src)); err != nil {
					return nil, err
				}
			}
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		case token.SEMICOLON:
			if depth == 0 && lit == "\n" && start >= 0 {
				if err := emit(off); err != nil {
					return nil, err
				}
			}
			continue
		}
		if start < 0 {
			start, first = off, tok
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return chunks, nil
}

const (
	filePrefix = "package p\n"
	bodyPrefix = "package p\nfunc _() {\n"
)

// classify decides where a chunk goes and analyses it.
func classify(first token.Token, text string) (chunk, error) {
	c := chunk{kind: chunkStmt, text: text, exprStart: -1, exprEnd: -1}
	switch first {
	case token.IMPORT:
		f, err := parser.ParseFile(token.NewFileSet(), "", filePrefix+text, parser.ImportsOnly)
		if err != nil {
			return c, err
		}
		if len(f.Decls) == 0 {
			return c, fmt.Errorf("no import in %q", text)
		}
		c.kind = chunkImport
		for _, spec := range f.Imports {
			is := importSpec{path: strings.Trim(spec.Path.Value, "\"`")}
			if spec.Name != nil {
				is.name = spec.Name.Name
			}
			c.imports = append(c.imports, is)
		}
		return c, nil
	case token.FUNC, token.TYPE, token.CONST:
		// A func literal called at top level is a statement, not a declaration.
		if f, err := parser.ParseFile(token.NewFileSet(), "", filePrefix+text, 0); err == nil && len(f.Decls) > 0 {
			c.kind = chunkDecl
			return c, nil
		}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", bodyPrefix+text+"\n}", 0)
	if err != nil {
		// Leave the error to the compiler, which reports it at the cell's line.
		return c, nil
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	for _, st := range body {
		c.declared = append(c.declared, declaredNames(st)...)
	}
	if n := len(body); n > 0 {
		if es, ok := body[n-1].(*ast.ExprStmt); ok {
			tf := fset.File(f.Pos())
			c.exprStart = tf.Offset(es.X.Pos()) - len(bodyPrefix)
			c.exprEnd = tf.Offset(es.X.End()) - len(bodyPrefix)
		}
	}
	return c, nil
}

// declaredNames returns the non-blank names that st declares with := or var.
func declaredNames(st ast.Stmt) []string {
	var names []string
	add := func(id *ast.Ident) {
		if id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	switch s := st.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			for _, e := range s.Lhs {
				if id, ok := e.(*ast.Ident); ok {
					add(id)
				}
			}
		}
	case *ast.DeclStmt:
		if g, ok := s.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
			for _, sp := range g.Specs {
				for _, id := range sp.(*ast.ValueSpec).Names {
					add(id)
				}
			}
		}
	}
	return names
}
