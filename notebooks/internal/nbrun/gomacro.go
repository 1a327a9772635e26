package nbrun

import (
	"context"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
)

// The gomacro rules. gophernotes runs cells with the gomacro interpreter,
// which differs from the Go compiler in ways the compiled harness cannot see
// by running the program. Each rule below is one such difference, checked
// statically; every one was seen in a real gophernotes kernel (gophernotes
// 5514204 with gomacro 2ff796e, Go 1.26.8). notebooks/README.md lists them.
const (
	RuleCommaOkArgument     = "comma-ok-argument"     // f(m[k]), f(x.(T)), f(<-ch)
	RuleCommaOkResult       = "comma-ok-result"       // a cell ending in m[k], x.(T) or <-ch
	RuleProxyClash          = "proxy-clash"           // two packages of one import cell export an interface of the same name
	RuleGenericInterface    = "generic-interface"     // an imported package exports a generic interface
	RuleGenericOnly         = "generic-only-import"   // an imported package exports nothing but generics
	RuleGenericUse          = "generic-use"           // a generic function or type of an imported package
	RuleGenericSyntax       = "generic-syntax"        // type parameters or constraint elements in a cell
	RuleNewBuiltin          = "new-builtin"           // min, max, clear
	RuleRangeOverIntFunc    = "range-over-int-func"   // for range 10, for range f
	RuleLoopVarCapture      = "loopvar-capture"       // a closure or pointer keeps a loop variable
	RuleStdAfterGo118       = "std-after-go1.18"      // a standard-library name added after Go 1.18
	RuleNotebookMethods     = "notebook-methods"      // compiled code meets a notebook type's String/Error/... methods
	RuleInterfaceAssert     = "interface-assertion"   // x.(I) or case I with I a notebook interface
	RuleGoto                = "goto"                  // goto
	RuleUnsafe              = "unsafe"                // package unsafe
	RuleDeclarationOrder    = "declaration-order"     // a name declared in a later cell
	RuleInitMain            = "init-main"             // func init or func main in a cell
	RuleImportWithoutModule = "import-without-module" // third-party imports in a cell without a package of the module
	RuleRecursiveTypeValue  = "recursive-type-value"  // a slice, map, array or channel of a self-referring imported type held by a cell
)

// Problem is a place in a notebook that the gophernotes kernel would run
// differently from the compiled harness, or not at all.
type Problem struct {
	Cell      int    // index in the notebook's cells
	Line, Col int    // position in the cell, 1-based
	Rule      string // one of the Rule* names
	Msg       string // what gomacro does, and what to write instead
}

func (p Problem) String() string {
	return fmt.Sprintf("cell %d line %d: %s [%s]", p.Cell, p.Line, p.Msg, p.Rule)
}

// RuleError is the error of a notebook that breaks gomacro rules.
type RuleError struct {
	Notebook string
	Problems []Problem
}

func (e *RuleError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d place(s) that the gophernotes kernel (gomacro) runs differently or not at all (see notebooks/README.md, \"What the gophernotes kernel cannot run\"):", e.Notebook, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

// Lint builds the notebook at nbPath like Run and returns the places where
// it breaks a gomacro rule, in cell and line order. It does not run the
// notebook. The rules that need no types are checked first, and are all it
// returns when the notebook does not build.
func Lint(ctx context.Context, nbPath string, nb *Notebook, opt Options) ([]Problem, error) {
	opt = opt.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	pre, err := precheck(nb)
	if err != nil {
		return nil, err
	}
	b, err := buildProgram(ctx, nbPath, nb, opt)
	if b != nil {
		defer os.RemoveAll(b.tmp)
	}
	if err != nil {
		if len(pre) > 0 {
			return pre, nil
		}
		return nil, err
	}
	return b.lint(ctx, nb, opt)
}

// precheck applies the rules that need only the cells' syntax: those whose
// breach can keep the harness from building the notebook at all.
func precheck(nb *Notebook) ([]Problem, error) {
	var ps []Problem
	for _, i := range nb.CodeCells() {
		chunks, err := splitCell(nb.Cells[i].Source)
		if err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		for _, c := range chunks {
			if c.kind != chunkDecl {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), "", filePrefix+c.text, 0)
			if err != nil {
				continue
			}
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && (fd.Name.Name == "init" || fd.Name.Name == "main") {
					ps = append(ps, Problem{Cell: i, Line: c.line, Col: c.col, Rule: RuleInitMain,
						Msg: fmt.Sprintf("func %s in a cell: gomacro declares it as an ordinary function and never runs it, while compiled Go runs init at start and has its own main (the harness cannot build the notebook); give it another name and call it", fd.Name.Name)})
				}
			}
		}
	}
	return ps, nil
}

var cellName = regexp.MustCompile(`^cell\[(\d+)\]$`)

// linter checks one built notebook.
type linter struct {
	*checked
	b        *built
	nb       *Notebook
	std      *stdAPI
	problems []Problem
}

func (b *built) lint(ctx context.Context, nb *Notebook, opt Options) ([]Problem, error) {
	std, err := loadStdAPI(ctx, opt)
	if err != nil {
		return nil, err
	}
	c, err := b.typecheck(ctx, opt)
	if err != nil {
		return nil, err
	}
	pre, err := precheck(nb)
	if err != nil {
		return nil, err
	}
	l := &linter{checked: c, b: b, nb: nb, std: std, problems: pre}
	if err := l.imports(); err != nil {
		return nil, err
	}
	l.syntax()
	l.uses()
	l.recursiveTypeValues()
	slices.SortStableFunc(l.problems, func(a, b Problem) int {
		if a.Cell != b.Cell {
			return a.Cell - b.Cell
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return slices.Compact(l.problems), nil
}

func (l *linter) addAt(cell, line, col int, rule, format string, args ...any) {
	l.problems = append(l.problems, Problem{Cell: cell, Line: line, Col: col, Rule: rule, Msg: fmt.Sprintf(format, args...)})
}

// add records a problem at pos; positions outside the cells are the
// harness's own code and are ignored.
func (l *linter) add(pos token.Pos, rule, format string, args ...any) {
	if cell, line, col, ok := l.cellOf(pos); ok {
		l.addAt(cell, line, col, rule, format, args...)
	}
}

// src returns the source text of n as written in the cell.
func (l *linter) src(n ast.Node) string {
	tf := l.fset.File(n.Pos())
	if tf == nil {
		return types.ExprString(n.(ast.Expr))
	}
	return l.b.prog.src[tf.Offset(n.Pos()):tf.Offset(n.End())]
}

// cellImport is one import spec of a cell.
type cellImport struct {
	path      string // module-relative paths (".." style) mapped to import paths
	line, col int
}

// cellImports returns the import specs of each code cell.
func (l *linter) cellImports() (map[int][]cellImport, error) {
	imports := map[int][]cellImport{}
	for _, i := range l.nb.CodeCells() {
		chunks, err := splitCell(l.nb.Cells[i].Source)
		if err != nil {
			return nil, fmt.Errorf("cell %d: %w", i, err)
		}
		for _, c := range chunks {
			if c.kind != chunkImport {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "", filePrefix+c.text, parser.ImportsOnly)
			if err != nil {
				return nil, fmt.Errorf("cell %d: %w", i, err)
			}
			for _, spec := range f.Imports {
				p := strings.Trim(spec.Path.Value, "\"`")
				if strings.HasPrefix(p, ".") {
					p = path.Join(l.b.modPath, l.b.rel, p)
				}
				pos := fset.Position(spec.Pos())
				line, col := c.line+pos.Line-2, pos.Column
				if pos.Line == 2 {
					col += c.col - 1
				}
				imports[i] = append(imports[i], cellImport{path: p, line: line, col: col})
			}
		}
	}
	return imports, nil
}

// inModule reports whether the import path p is a package of the notebook's
// module.
func (l *linter) inModule(p string) bool {
	return p == l.b.modPath || strings.HasPrefix(p, l.b.modPath+"/")
}

// imports applies the rules about what one import cell may hold. gophernotes
// imports the standard packages of Go ≤ 1.18 from tables compiled into it;
// for every other package, all imports of one cell (even in separate import
// statements) go into one generated plugin, built with `go get` at @latest.
func (l *linter) imports() error {
	cells, err := l.cellImports()
	if err != nil {
		return err
	}
	for _, i := range l.nb.CodeCells() {
		proxyOwner := map[string]string{} // proxy type name → import path
		hasModule := false
		var thirdParty []cellImport
		for _, im := range cells[i] {
			if im.path == "C" || l.std.builtin(im.path) {
				continue
			}
			if l.inModule(im.path) {
				hasModule = true
			} else if !isStdPath(im.path) {
				thirdParty = append(thirdParty, im)
			}
			pkg, err := l.imp.Import(im.path)
			if err != nil {
				return fmt.Errorf("cell %d: %w", i, err)
			}
			names, generic := proxies(pkg)
			for _, g := range generic {
				l.addAt(i, im.line, im.col, RuleGenericInterface,
					"%q exports the generic interface %s: gomacro fails to import it (\"unexpected type\"), and with it every import of this cell; the kernel cannot import this package", im.path, g)
			}
			for _, n := range names {
				if other, ok := proxyOwner[n]; ok {
					l.addAt(i, im.line, im.col, RuleProxyClash,
						"%q and %q both export an interface named %s: gomacro builds the imports of one cell into one plugin with a proxy type P_%s for each, so the build fails (\"P_%s redeclared in this block\") and no import of this cell works; import them in separate cells", other, im.path, n, n, n)
					continue
				}
				proxyOwner[n] = im.path
			}
			if genericOnly(pkg) {
				l.addAt(i, im.line, im.col, RuleGenericOnly,
					"%q exports only generic functions and types, which gomacro does not import: its plugin fails to build (\"imported and not used\") and no import of this cell works; do without this package", im.path)
			}
		}
		if !hasModule && len(thirdParty) > 0 {
			im := thirdParty[0]
			l.addAt(i, im.line, im.col, RuleImportWithoutModule,
				"this cell imports %q but no package of %s: gophernotes resolves a cell's imports with `go get` at @latest in a fresh go.mod, so the versions that %s's go.mod pins do not apply (Gorgonia then panics at start on Go ≥ 1.20, and plugins of different cells disagree on shared packages); import a package of %s in the same cell", im.path, l.b.modPath, l.b.modPath, l.b.modPath)
		}
	}
	return nil
}

// isStdPath reports whether p looks like a standard-library import path
// (no dot in its first element).
func isStdPath(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

// proxies returns the names of pkg's exported interfaces for which gomacro
// generates a proxy type P_<name> in the plugin, and the generic interfaces
// on which its generator stops. It follows gomacro's genimport
// (extractInterface, interfaceExported, typeExported): an exported type
// whose underlying type is an interface with at least one method, all of
// them exported and with exported parameter and result types.
func proxies(pkg *types.Package) (names, generic []string) {
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || !obj.Exported() {
			continue
		}
		it, ok := types.Unalias(obj.Type()).Underlying().(*types.Interface)
		if !ok || it.NumMethods() == 0 {
			continue
		}
		exported, bad := interfaceExported(it)
		switch {
		case bad != nil:
			generic = append(generic, name)
		case exported:
			names = append(names, name)
		}
	}
	return names, generic
}

// interfaceExported reports whether gomacro counts the interface as
// exported; bad is the type (a type parameter) at which gomacro's generator
// would stop with "unexpected type".
func interfaceExported(it *types.Interface) (ok bool, bad types.Type) {
	for i := 0; i < it.NumMethods(); i++ {
		m := it.Method(i)
		if !m.Exported() {
			return false, nil
		}
		if ok, bad := signatureExported(m.Type().(*types.Signature)); !ok || bad != nil {
			return ok, bad
		}
	}
	return true, nil
}

func signatureExported(sig *types.Signature) (bool, types.Type) {
	for _, tup := range []*types.Tuple{sig.Params(), sig.Results()} {
		for i := 0; i < tup.Len(); i++ {
			if ok, bad := typeExported(tup.At(i).Type()); !ok || bad != nil {
				return ok, bad
			}
		}
	}
	return true, nil
}

func typeExported(t types.Type) (bool, types.Type) {
	for {
		switch u := types.Unalias(t).(type) {
		case *types.Array:
			t = u.Elem()
		case *types.Chan:
			t = u.Elem()
		case *types.Pointer:
			t = u.Elem()
		case *types.Slice:
			t = u.Elem()
		case *types.Map:
			if ok, bad := typeExported(u.Key()); !ok || bad != nil {
				return ok, bad
			}
			t = u.Elem()
		case *types.Basic:
			return true, nil
		case *types.Interface:
			return interfaceExported(u)
		case *types.Named:
			return u.Obj().Pkg() == nil || u.Obj().Exported(), nil
		case *types.Signature:
			return signatureExported(u)
		case *types.Struct:
			for i := 0; i < u.NumFields(); i++ {
				f := u.Field(i)
				if !f.Exported() {
					return false, nil
				}
				if ok, bad := typeExported(f.Type()); !ok || bad != nil {
					return ok, bad
				}
			}
			return true, nil
		default:
			return false, u
		}
	}
}

// isGeneric reports whether gomacro skips obj when it imports its package
// (genimport's isGenericFunc and isGenericType).
func isGeneric(obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Func:
		sig := o.Type().(*types.Signature)
		return sig.Recv() == nil && sig.TypeParams().Len() > 0
	case *types.TypeName:
		return isGenericType(types.Unalias(o.Type()))
	}
	return false
}

func isGenericType(t types.Type) bool {
	switch u := t.(type) {
	case *types.Named:
		if u.TypeParams().Len() > 0 && u.TypeArgs().Len() == 0 {
			return true
		}
		return isGenericType(u.Underlying())
	case *types.Signature:
		return u.TypeParams().Len() > 0 || u.RecvTypeParams().Len() > 0
	case *types.Interface:
		return u.IsImplicit() || !u.IsMethodSet()
	case *types.TypeParam:
		return true
	}
	return false
}

// genericOnly reports whether every exported name of pkg is a generic
// function or type (and there is one): gomacro then writes a plugin file
// that uses neither the package nor reflect.
func genericOnly(pkg *types.Package) bool {
	scope := pkg.Scope()
	any := false
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj.(type) {
		case *types.Const, *types.Var:
			return false
		case *types.Func, *types.TypeName:
			if !isGeneric(obj) {
				return false
			}
			any = true
		}
	}
	return any
}

// isShow reports whether call is the harness's nbrt__.Show wrapper of a
// cell's last expression.
func isShow(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "nbrt__" && sel.Sel.Name == "Show"
}

// commaOk reports whether e is a map index, a type assertion or a channel
// receive: the expressions that have a two-value form (v, ok).
func (l *linter) commaOk(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		_, ok := types.Unalias(l.info.TypeOf(x.X)).Underlying().(*types.Map)
		return ok
	case *ast.TypeAssertExpr:
		return x.Type != nil
	case *ast.UnaryExpr:
		return x.Op == token.ARROW
	}
	return false
}

// syntax walks the program and applies the rules about statements and
// expressions.
func (l *linter) syntax() {
	ast.Inspect(l.file, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			l.call(x)
		case *ast.FuncDecl:
			if x.Type.TypeParams != nil {
				l.add(x.Type.TypeParams.Pos(), RuleGenericSyntax, "func %s has type parameters: gomacro does not parse Go generics (\"expected '(', found '['\"); write one function for each type", x.Name.Name)
			}
		case *ast.TypeSpec:
			if x.TypeParams != nil {
				l.add(x.TypeParams.Pos(), RuleGenericSyntax, "type %s has type parameters: gomacro does not parse Go generics; declare a type for each element type", x.Name.Name)
			}
		case *ast.InterfaceType:
			for _, f := range x.Methods.List {
				if len(f.Names) == 0 && isConstraintElem(f.Type) {
					l.add(f.Pos(), RuleGenericSyntax, "the interface has a type-set element (%s): gomacro does not parse constraint interfaces", l.src(f.Type))
				}
			}
		case *ast.BranchStmt:
			if x.Tok == token.GOTO {
				l.add(x.Pos(), RuleGoto, "goto: gomacro does not find labels for goto (\"goto label not found\"), forward or backward; use a loop with break/continue")
			}
		case *ast.RangeStmt:
			switch t := types.Unalias(l.info.TypeOf(x.X)).Underlying().(type) {
			case *types.Basic:
				if t.Info()&types.IsInteger != 0 {
					l.add(x.X.Pos(), RuleRangeOverIntFunc, "range over an integer (Go 1.22): gomacro rejects it (\"cannot range over\"); write for i := 0; i < n; i++")
				}
			case *types.Signature:
				l.add(x.X.Pos(), RuleRangeOverIntFunc, "range over a function (Go 1.23): gomacro rejects it (\"cannot range over\"); call the function with a yield callback")
			}
			if x.Tok == token.DEFINE {
				l.loopVars(x.Body, x.Key, x.Value)
			}
		case *ast.ForStmt:
			if as, ok := x.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
				l.loopVars(x.Body, as.Lhs...)
			}
		case *ast.TypeAssertExpr:
			if x.Type != nil {
				l.interfaceTarget(x.Type, "the type assertion")
			}
		case *ast.TypeSwitchStmt:
			for _, s := range x.Body.List {
				for _, e := range s.(*ast.CaseClause).List {
					l.interfaceTarget(e, "the type switch case")
				}
			}
		}
		return true
	})
}

func isConstraintElem(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BinaryExpr:
		return x.Op == token.OR
	case *ast.UnaryExpr:
		return x.Op == token.TILDE
	}
	return false
}

// call applies the rules about one call expression.
func (l *linter) call(call *ast.CallExpr) {
	tv := l.info.Types[call.Fun]
	if isShow(call) {
		if len(call.Args) == 1 && l.commaOk(call.Args[0]) {
			e := ast.Unparen(call.Args[0])
			l.add(e.Pos(), RuleCommaOkResult, "the cell ends in %s, which gomacro evaluates in its two-value form and shows as \"v true\"; write v := %s and end the cell with v", l.src(e), l.src(e))
		}
		for _, a := range call.Args {
			l.methodsSeenByCompiledCode(a, "as the cell's result")
		}
		return
	}
	if tv.IsType() || tv.IsBuiltin() {
		return
	}
	if len(call.Args) == 1 && l.commaOk(call.Args[0]) {
		e := ast.Unparen(call.Args[0])
		l.add(e.Pos(), RuleCommaOkArgument, "%s is the only argument of a call: gomacro passes it in its two-value form (v, ok), so the call fails (\"not enough arguments in call\") or prints \"v true\"; write v := %s first and pass v", l.src(e), l.src(e))
	}
	sig, ok := types.Unalias(tv.Type).Underlying().(*types.Signature)
	if !ok || !l.compiled(call.Fun) {
		return
	}
	for i, a := range call.Args {
		var pt types.Type
		switch {
		case sig.Variadic() && i >= sig.Params().Len()-1:
			pt = sig.Params().At(sig.Params().Len() - 1).Type()
			if call.Ellipsis == token.NoPos {
				pt = pt.(*types.Slice).Elem()
			}
		case i < sig.Params().Len():
			pt = sig.Params().At(i).Type()
		default:
			continue
		}
		if it, ok := types.Unalias(pt).Underlying().(*types.Interface); ok && it.Empty() {
			l.methodsSeenByCompiledCode(a, "to "+l.src(call.Fun))
		}
	}
	l.formatVerbs(call)
}

// compiled reports whether fun names a function or method of an imported
// package (compiled code, for gomacro).
func (l *linter) compiled(fun ast.Expr) bool {
	var obj types.Object
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		obj = l.info.Uses[f]
	case *ast.SelectorExpr:
		if sel := l.info.Selections[f]; sel != nil {
			obj = sel.Obj()
		} else {
			obj = l.info.Uses[f.Sel]
		}
	}
	return obj != nil && obj.Pkg() != nil && obj.Pkg() != l.pkg
}

// notebookType returns the named type declared in a cell that t is, or
// points to; nil if none.
func (l *linter) notebookType(t types.Type) *types.Named {
	t = types.Unalias(t)
	if p, ok := t.Underlying().(*types.Pointer); ok {
		if _, named := t.(*types.Named); !named {
			t = types.Unalias(p.Elem())
		}
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() != l.pkg {
		return nil
	}
	if _, _, _, ok := l.cellOf(n.Obj().Pos()); !ok {
		return nil
	}
	return n
}

// dynamicMethods are the methods that compiled code (fmt, errors,
// encoding/json, ...) looks for on a value it gets as interface{}.
var dynamicMethods = []string{"String", "Error", "Format", "GoString", "MarshalJSON", "MarshalText"}

// methodsSeenByCompiledCode flags a value of a notebook type with one of
// dynamicMethods that goes to compiled code as interface{}.
func (l *linter) methodsSeenByCompiledCode(e ast.Expr, where string) {
	n := l.notebookType(l.info.TypeOf(e))
	if n == nil {
		return
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	for _, m := range dynamicMethods {
		if ms.Lookup(l.pkg, m) != nil {
			l.add(e.Pos(), RuleNotebookMethods, "%s (type %s, declared in the notebook) goes %s with its method %s, which gomacro's emulated types hide from compiled code: fmt prints the bare fields, errors.Is/As and encoding/json ignore it; call the method yourself (e.g. pass %s.%s())", l.src(e), n.Obj().Name(), where, m, l.src(e), m)
			return
		}
	}
}

// formatVerbs flags %T and %#v (and %+v of structs with unexported fields)
// applied to notebook types in fmt and log format calls: gomacro's types
// are unnamed structs, so these print differently.
func (l *linter) formatVerbs(call *ast.CallExpr) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	obj, ok := l.info.Uses[sel.Sel].(*types.Func)
	if !ok || obj.Pkg() == nil {
		return
	}
	fi := -1
	switch obj.Pkg().Path() + "." + obj.Name() {
	case "fmt.Printf", "fmt.Sprintf", "fmt.Errorf", "log.Printf", "log.Fatalf", "log.Panicf":
		fi = 0
	case "fmt.Fprintf", "fmt.Appendf":
		fi = 1
	}
	if fi < 0 || fi >= len(call.Args) {
		return
	}
	tv := l.info.Types[call.Args[fi]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return
	}
	verbs, ok := parseVerbs(constant.StringVal(tv.Value))
	if !ok {
		return
	}
	for k, v := range verbs {
		ai := fi + 1 + k
		if ai >= len(call.Args) {
			return
		}
		a := call.Args[ai]
		t := l.info.TypeOf(a)
		if !l.containsNotebookType(t, map[types.Type]bool{}) {
			continue
		}
		switch {
		case v.verb == 'T', v.verb == 'v' && v.sharp:
			l.add(a.Pos(), RuleNotebookMethods, "%%%s%c of %s prints the type of a notebook-declared type, which gomacro emulates with an unnamed struct (\"struct { X int }{X:1}\", not \"main.P{X:1}\"); print the fields you need", v.flags(), v.verb, l.src(a))
		case v.verb == 'v' && v.plus && l.hasUnexportedFields(t):
			l.add(a.Pos(), RuleNotebookMethods, "%%+v of %s prints field names of a notebook-declared struct with unexported fields, which gomacro mangles (\"{𒀸n:1}\"); print the fields you need", l.src(a))
		}
	}
}

type fmtVerb struct {
	verb        rune
	sharp, plus bool
}

func (v fmtVerb) flags() string {
	s := ""
	if v.plus {
		s += "+"
	}
	if v.sharp {
		s += "#"
	}
	return s
}

// parseVerbs returns the verbs of a format string in argument order; false
// when it uses explicit argument indexes or * widths, which it does not follow.
func parseVerbs(format string) ([]fmtVerb, bool) {
	var verbs []fmtVerb
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		var v fmtVerb
		i++
	flags:
		for ; i < len(format); i++ {
			switch format[i] {
			case '+':
				v.plus = true
			case '#':
				v.sharp = true
			case '-', ' ', '0':
			case '[', '*':
				return nil, false
			default:
				break flags
			}
		}
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.') {
			i++
		}
		if i >= len(format) {
			break
		}
		if format[i] == '%' {
			continue
		}
		v.verb = rune(format[i])
		verbs = append(verbs, v)
	}
	return verbs, true
}

func (l *linter) containsNotebookType(t types.Type, seen map[types.Type]bool) bool {
	t = types.Unalias(t)
	if seen[t] {
		return false
	}
	seen[t] = true
	if l.notebookType(t) != nil {
		return true
	}
	switch u := t.(type) {
	case *types.Pointer:
		return l.containsNotebookType(u.Elem(), seen)
	case *types.Slice:
		return l.containsNotebookType(u.Elem(), seen)
	case *types.Array:
		return l.containsNotebookType(u.Elem(), seen)
	case *types.Map:
		return l.containsNotebookType(u.Key(), seen) || l.containsNotebookType(u.Elem(), seen)
	}
	return false
}

func (l *linter) hasUnexportedFields(t types.Type) bool {
	n := l.notebookType(t)
	if n == nil {
		return false
	}
	st, ok := n.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if !st.Field(i).Exported() {
			return true
		}
	}
	return false
}

// interfaceTarget flags a type assertion or type switch case whose type is
// an interface declared in the notebook (or an interface literal with
// methods): gomacro emulates those with structs and gets such assertions
// wrong.
func (l *linter) interfaceTarget(e ast.Expr, what string) {
	tv := l.info.Types[e]
	if !tv.IsType() {
		return
	}
	t := types.Unalias(tv.Type)
	it, ok := t.Underlying().(*types.Interface)
	if !ok || it.NumMethods() == 0 {
		return
	}
	named, isNamed := t.(*types.Named)
	if isNamed && named.Obj().Pkg() != l.pkg {
		return
	}
	l.add(e.Pos(), RuleInterfaceAssert, "%s to %s, an interface declared in the notebook: gomacro emulates such interfaces and fails on it (\"non-interface type passed to Type.Implements\") or never matches; assert to the concrete types, or call the method through a variable of the interface type", what, l.src(e))
}

// loopVars flags closures and pointers that keep a loop variable declared
// by the loop: gomacro has one variable for the whole loop (Go before 1.22),
// compiled Go one per iteration.
func (l *linter) loopVars(body *ast.BlockStmt, lhs ...ast.Expr) {
	vars := map[types.Object]bool{}
	for _, e := range lhs {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			if obj := l.info.Defs[id]; obj != nil {
				vars[obj] = true
			}
		}
	}
	if len(vars) == 0 {
		return
	}
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch x := n.(type) {
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(x.X).(*ast.Ident); ok && x.Op == token.AND && vars[l.info.Uses[id]] {
				l.add(x.Pos(), RuleLoopVarCapture, "&%s takes the address of a loop variable: gomacro has one %s for the whole loop (Go before 1.22), compiled Go one per iteration; copy it first (%s := %s) inside the loop", id.Name, id.Name, id.Name, id.Name)
			}
		case *ast.FuncLit:
			if immediatelyCalled(x, stack) {
				return true
			}
			reported := false
			ast.Inspect(x.Body, func(m ast.Node) bool {
				if id, ok := m.(*ast.Ident); ok && !reported && vars[l.info.Uses[id]] {
					reported = true
					l.add(id.Pos(), RuleLoopVarCapture, "a closure keeps the loop variable %s: gomacro has one %s for the whole loop (Go before 1.22), so every closure sees its last value, while compiled Go has one per iteration; copy it first (%s := %s) inside the loop", id.Name, id.Name, id.Name, id.Name)
				}
				return !reported
			})
			return false
		}
		return true
	})
}

// immediatelyCalled reports whether the func literal on top of stack is
// called where it stands, and not by a go or defer statement.
func immediatelyCalled(lit *ast.FuncLit, stack []ast.Node) bool {
	if len(stack) < 2 {
		return false
	}
	call, ok := stack[len(stack)-2].(*ast.CallExpr)
	if !ok || ast.Unparen(call.Fun) != lit {
		return false
	}
	if len(stack) >= 3 {
		switch stack[len(stack)-3].(type) {
		case *ast.GoStmt, *ast.DeferStmt:
			return false
		}
	}
	return true
}

// uses applies the rules about the names a cell uses.
func (l *linter) uses() {
	for id, obj := range l.info.Uses {
		cell, _, _, ok := l.cellOf(id.Pos())
		if !ok {
			continue
		}
		switch o := obj.(type) {
		case *types.Builtin:
			switch o.Name() {
			case "min", "max", "clear":
				l.add(id.Pos(), RuleNewBuiltin, "the builtin %s (Go 1.21) is undefined in gomacro; write it out (an if, or a loop)", o.Name())
			}
			continue
		case *types.PkgName:
			if o.Imported().Path() == "unsafe" {
				l.add(id.Pos(), RuleUnsafe, "package unsafe: gomacro implements neither unsafe.Pointer conversions nor unsafe.Sizeof and the like; do without it")
			}
			continue
		}
		if obj.Pkg() == nil {
			continue
		}
		if obj.Pkg() != l.pkg {
			if isGeneric(obj) {
				l.add(id.Pos(), RuleGenericUse, "%s.%s is generic: gomacro skips generic functions and types when it imports a package (\"importing generic functions or types is not supported yet\"), so the kernel reports it undefined; use a non-generic equivalent (sort.Float64s for slices.Sort, a loop for slices.Max, ...)", obj.Pkg().Name(), obj.Name())
			}
			continue
		}
		if obj.Parent() != l.pkg.Scope() && !isMethod(obj) {
			continue
		}
		if dc, _, _, ok := l.cellOf(obj.Pos()); ok && dc > cell {
			name := obj.Name()
			if isMethod(obj) {
				name = "the method " + name
			}
			l.add(id.Pos(), RuleDeclarationOrder, "%s is declared in a later cell (%d): gomacro compiles each cell when it runs, so a function, method, type or constant must be declared in this or an earlier cell; move the declaration up", name, dc)
		}
	}
	l.problems = append(l.problems, l.stdSelectors()...)
}

func isMethod(obj types.Object) bool {
	f, ok := obj.(*types.Func)
	return ok && f.Type().(*types.Signature).Recv() != nil
}

// stdSelectors flags pkg.Name selectors on a built-in standard package
// whose Name came after Go 1.18.
func (l *linter) stdSelectors() []Problem {
	var ps []Problem
	ast.Inspect(l.file, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		pn, ok := l.info.Uses[x].(*types.PkgName)
		if !ok || pn.Imported().Path() == "unsafe" {
			return true
		}
		p := pn.Imported().Path()
		if l.std.builtin(p) && !l.std.has(p, sel.Sel.Name) {
			if cell, line, col, ok := l.cellOf(sel.Pos()); ok {
				ps = append(ps, Problem{Cell: cell, Line: line, Col: col, Rule: RuleStdAfterGo118,
					Msg: fmt.Sprintf("%s.%s came after Go 1.18: gophernotes' built-in table of the standard library stops at Go 1.18, so the kernel says \"package %s %q has no symbol %s\"; write it with what Go 1.18 had", x.Name, sel.Sel.Name, pn.Imported().Name(), p, sel.Sel.Name)})
			}
		}
		return true
	})
	return ps
}

// recursiveTypeValues applies RuleRecursiveTypeValue: gomacro imports a
// named type that refers to itself through its fields (model.Node, whose
// layer applications hold nodes) as a forward-declared type, and a slice,
// map, array or channel of it that the interpreter holds (a composite
// literal, make, append, a variable, even one assigned from compiled code)
// does not convert to or from the real type. A container made by compiled
// code and passed straight to compiled code works, so call results are
// not flagged, only the places where the interpreter holds such a value.
// One problem per cell line.
func (l *linter) recursiveTypeValues() {
	seen := map[[2]int]bool{}
	memo := map[*types.Named]bool{}
	ast.Inspect(l.file, func(n ast.Node) bool {
		e, ok := n.(ast.Expr)
		if !ok {
			return true
		}
		switch x := e.(type) {
		case *ast.CompositeLit, *ast.Ident:
		case *ast.CallExpr:
			if !isBuiltinCall(l.info, x, "make", "append", "new") {
				return true
			}
		default:
			return true
		}
		t := l.info.TypeOf(e)
		if t == nil {
			return true
		}
		if _, isType := l.info.Types[e]; isType && l.info.Types[e].IsType() {
			return true
		}
		named := l.recursiveElem(t, memo)
		if named == nil {
			return true
		}
		cell, line, _, ok := l.cellOf(e.Pos())
		if !ok || seen[[2]int{cell, line}] {
			return true
		}
		seen[[2]int{cell, line}] = true
		ts := types.TypeString(t, func(p *types.Package) string { return p.Name() })
		l.add(e.Pos(), RuleRecursiveTypeValue, "%s holds a %s, a container of %s.%s, a type that refers to itself: gomacro imports it as a forward declaration, and a %s held by the interpreter does not convert to compiled code's (\"reflect: Call using []xreflect.Forward ...\", \"reflect.Set: ... not assignable\"); make it in compiled code and pass it straight on (for model nodes: model.New(dt, model.Nodes(x, y), model.Nodes(out)))",
			l.src(e), ts, named.Obj().Pkg().Name(), named.Obj().Name(), ts)
		return true
	})
}

// isBuiltinCall reports whether call calls one of the named builtins.
func isBuiltinCall(info *types.Info, call *ast.CallExpr, names ...string) bool {
	id, ok := ast.Unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := info.Uses[id].(*types.Builtin)
	return ok && slices.Contains(names, b.Name())
}

// recursiveElem returns the self-referring named type of an imported
// package that t is a container (slice, array, map, channel, pointer to
// one) of, or nil.
func (l *linter) recursiveElem(t types.Type, memo map[*types.Named]bool) *types.Named {
	container := false
	for {
		switch u := types.Unalias(t).(type) {
		case *types.Slice:
			t, container = u.Elem(), true
			continue
		case *types.Array:
			t, container = u.Elem(), true
			continue
		case *types.Chan:
			t, container = u.Elem(), true
			continue
		case *types.Map:
			if n := l.recursiveElem(types.NewSlice(u.Key()), memo); n != nil {
				return n
			}
			t, container = u.Elem(), true
			continue
		case *types.Pointer:
			t = u.Elem()
			continue
		case *types.Named:
			if !container || u.Obj().Pkg() == nil || u.Obj().Pkg() == l.pkg {
				return nil
			}
			if refersToItself(u, memo) {
				return u
			}
		}
		return nil
	}
}

// refersToItself reports whether the named type n reaches itself through
// its structure: struct fields (exported or not), pointers, slices, arrays,
// maps, channels and function signatures, and the named types on the way.
func refersToItself(n *types.Named, memo map[*types.Named]bool) bool {
	if v, ok := memo[n]; ok {
		return v
	}
	memo[n] = false
	visited := map[types.Type]bool{}
	var reaches func(t types.Type) bool
	reaches = func(t types.Type) bool {
		t = types.Unalias(t)
		if visited[t] {
			return false
		}
		visited[t] = true
		switch u := t.(type) {
		case *types.Named:
			if u == n || u.Origin() == n {
				return true
			}
			return reaches(u.Underlying())
		case *types.Pointer:
			return reaches(u.Elem())
		case *types.Slice:
			return reaches(u.Elem())
		case *types.Array:
			return reaches(u.Elem())
		case *types.Chan:
			return reaches(u.Elem())
		case *types.Map:
			return reaches(u.Key()) || reaches(u.Elem())
		case *types.Struct:
			for i := 0; i < u.NumFields(); i++ {
				if reaches(u.Field(i).Type()) {
					return true
				}
			}
		case *types.Signature:
			for _, tup := range []*types.Tuple{u.Params(), u.Results()} {
				for i := 0; i < tup.Len(); i++ {
					if reaches(tup.At(i).Type()) {
						return true
					}
				}
			}
		}
		return false
	}
	v := reaches(n.Underlying())
	memo[n] = v
	return v
}
