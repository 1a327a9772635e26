package nbrun

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// gomacroStdVersion is the last Go minor version whose standard library
// API gomacro (commit 2ff796e, the one gophernotes is built with) has
// compiled into its tables: its imports/*.go were generated with Go 1.18.10.
const gomacroStdVersion = 18

// stdAPI says which standard packages and package-level names the kernel
// has built in, from the API files of the Go toolchain ($GOROOT/api/go1*.txt,
// which list every exported name with the release that added it).
type stdAPI struct {
	// names maps each package of Go ≤ 1.gomacroStdVersion to the names
	// (func, type, var, const) it had then.
	names map[string]map[string]bool
}

var (
	stdOnce   sync.Once
	stdTable  *stdAPI
	stdErr    error
	apiFile   = regexp.MustCompile(`^go1(?:\.(\d+))?\.txt$`)
	apiLine   = regexp.MustCompile(`^pkg ([^ ,]+)(?: \([^)]*\))?, (?:func|type|var|const) (\w+)`)
	apiPkgRef = regexp.MustCompile(`^pkg ([^ ,]+)`)
)

// loadStdAPI reads the API files of the toolchain that opt.Go runs, once.
func loadStdAPI(ctx context.Context, opt Options) (*stdAPI, error) {
	stdOnce.Do(func() {
		out, err := exec.CommandContext(ctx, opt.Go, "env", "GOROOT").Output()
		if err != nil {
			stdErr = fmt.Errorf("go env GOROOT: %v", err)
			return
		}
		stdTable, stdErr = readStdAPI(filepath.Join(strings.TrimSpace(string(out)), "api"))
	})
	return stdTable, stdErr
}

func readStdAPI(dir string) (*stdAPI, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	api := &stdAPI{names: map[string]map[string]bool{}}
	files := 0
	for _, e := range ents {
		m := apiFile.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		if minor, _ := strconv.Atoi(m[1]); minor > gomacroStdVersion {
			continue
		}
		files++
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p := apiPkgRef.FindStringSubmatch(line)
			if p == nil {
				continue
			}
			if api.names[p[1]] == nil {
				api.names[p[1]] = map[string]bool{}
			}
			if n := apiLine.FindStringSubmatch(line); n != nil {
				api.names[n[1]][n[2]] = true
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	if files == 0 {
		return nil, fmt.Errorf("no go1*.txt API files in %s", dir)
	}
	// gomacro has no table for these two; it imports them like any other
	// package. It has one for unsafe, which the API files do not list.
	delete(api.names, "runtime/cgo")
	delete(api.names, "syscall")
	api.names["unsafe"] = map[string]bool{"Alignof": true, "Offsetof": true, "Pointer": true, "Sizeof": true}
	return api, nil
}

// builtin reports whether the kernel has package path compiled in (it then
// imports it without building a plugin).
func (a *stdAPI) builtin(path string) bool { return a.names[path] != nil }

// has reports whether the kernel's table of the built-in package path
// holds name.
func (a *stdAPI) has(path, name string) bool { return a.names[path][name] }
