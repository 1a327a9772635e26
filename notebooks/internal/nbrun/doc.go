// Package nbrun is the notebook test harness: it reads and checks Jupyter
// notebooks written for the gophernotes Go kernel, runs them and compares
// or rewrites their recorded outputs.
//
// Decode and Encode read and write nbformat 4 JSON; Validate, CheckExecuted
// and CheckSource check a notebook before its outputs are trusted. Run turns
// the code cells into one Go program (linked with package nbrt, which marks
// where each cell's output starts), builds it against the working tree that
// holds the notebook and runs it; Compare lists the cells whose outputs
// differ from the recorded ones, and Update writes the new outputs into the
// notebook instead.
//
// gophernotes runs cells with the gomacro interpreter, which cannot run
// everything the Go compiler can. Lint (and Run, which refuses such a
// notebook) checks the gomacro rules that can be checked statically, each
// one seen in a real kernel (testdata/gomacro has a notebook for each).
// RunKernel runs a notebook in a real Jupyter kernel instead, for Compare.
package nbrun
