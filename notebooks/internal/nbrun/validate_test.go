package nbrun

import (
	"strings"
	"testing"
)

const okCell = `{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": ["x := 1\n", "x"]}`

func nbJSON(minor, cells string) string {
	return `{"cells": [` + cells + `], "metadata": {"kernelspec": {"display_name": "Go", "language": "go", "name": "gophernotes"},
		"language_info": {"name": "go"}}, "nbformat": 4, "nbformat_minor": ` + minor + `}`
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, json string
		want       string // "" if valid, else a fragment of the error
	}{
		{"valid", nbJSON("4", okCell+`, {"cell_type": "markdown", "metadata": {}, "source": "# t"}`), ""},
		{"valid outputs", nbJSON("4", `{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "", "outputs": [
			{"output_type": "stream", "name": "stdout", "text": ["a\n"]},
			{"output_type": "display_data", "data": {"image/png": "iVBO", "application/json": {"a": 1}}, "metadata": {}},
			{"output_type": "execute_result", "data": {"text/plain": "1"}, "metadata": {}, "execution_count": 1},
			{"output_type": "error", "ename": "ERROR", "evalue": "e", "traceback": []}]}`), ""},
		{"valid 4.5 ids", nbJSON("5", `{"id": "a-1", "cell_type": "raw", "metadata": {}, "source": ""}`), ""},
		{"not JSON", `{"cells": [`, "not JSON"},
		{"nbformat 3", strings.Replace(nbJSON("4", okCell), `"nbformat": 4`, `"nbformat": 3`, 1), "nbformat: want 4"},
		{"unknown top-level key", strings.Replace(nbJSON("4", okCell), `"cells"`, `"worksheets": [], "cells"`, 1), `unknown key "worksheets"`},
		{"no source", nbJSON("4", `{"cell_type": "markdown", "metadata": {}}`), `cells[0]: missing key "source"`},
		{"code without outputs", nbJSON("4", `{"cell_type": "code", "execution_count": null, "metadata": {}, "source": ""}`), `cells[0]: missing key "outputs"`},
		{"code without execution_count", nbJSON("4", `{"cell_type": "code", "outputs": [], "metadata": {}, "source": ""}`), `missing key "execution_count"`},
		{"bad cell type", nbJSON("4", `{"cell_type": "python", "metadata": {}, "source": ""}`), `cells[0].cell_type: want "code"`},
		{"source not text", nbJSON("4", `{"cell_type": "raw", "metadata": {}, "source": [1]}`), `cells[0].source: want a string or an array of strings`},
		{"markdown with outputs", nbJSON("4", `{"cell_type": "markdown", "metadata": {}, "source": "", "outputs": []}`), `unknown key "outputs"`},
		{"id before 4.5", nbJSON("4", `{"id": "x", "cell_type": "raw", "metadata": {}, "source": ""}`), "cell ids need nbformat_minor ≥ 5"},
		{"no id in 4.5", nbJSON("5", `{"cell_type": "raw", "metadata": {}, "source": ""}`), `missing key "id"`},
		{"stream without name", nbJSON("4", `{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "", "outputs": [{"output_type": "stream", "text": "a"}]}`), `cells[0].outputs[0]: missing key "name"`},
		{"bad output type", nbJSON("4", `{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "", "outputs": [{"output_type": "pyout"}]}`), `cells[0].outputs[0].output_type`},
		{"bad execution_count", nbJSON("4", `{"cell_type": "code", "execution_count": "1", "metadata": {}, "source": "", "outputs": []}`), `execution_count: want null or an integer`},
		{"kernelspec without name", strings.Replace(nbJSON("4", okCell), `"name": "gophernotes"`, `"nom": "x"`, 1), `metadata.kernelspec: missing key "name"`},
		{"data value not text", nbJSON("4", `{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "", "outputs": [{"output_type": "display_data", "data": {"text/plain": 3}, "metadata": {}}]}`), `data["text/plain"]: want a string`},
	}
	for _, tt := range tests {
		checkErr(t, tt.name, Validate([]byte(tt.json)), tt.want)
	}
}

func TestCheckExecuted(t *testing.T) {
	tests := []struct {
		name, json string
		want       string
	}{
		{"ok", nbJSON("4", okCell), ""},
		{"wrong kernel", strings.Replace(nbJSON("4", okCell), `"gophernotes"`, `"python3"`, 1), `kernelspec.name is "python3"`},
		{"wrong language", strings.Replace(nbJSON("4", okCell), `{"name": "go"}`, `{"name": "python"}`, 1), `language_info.name is "python"`},
		{"not executed", nbJSON("4", strings.Replace(okCell, `"execution_count": 1`, `"execution_count": null`, 1)), "cell 0: not executed"},
		{"not increasing", nbJSON("4", okCell+", "+okCell), "cell 1: execution_count 1 does not increase"},
		{"error output", nbJSON("4", `{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": "", "outputs": [{"output_type": "error", "ename": "ERROR", "evalue": "boom", "traceback": []}]}`), "output 0 is an error: ERROR: boom"},
		{"result count", nbJSON("4", `{"cell_type": "code", "execution_count": 2, "metadata": {}, "source": "", "outputs": [{"output_type": "execute_result", "data": {"text/plain": "1"}, "metadata": {}, "execution_count": 1}]}`), "execute_result execution_count 1, want 2"},
		{"magic", nbJSON("4", strings.Replace(okCell, `"x := 1\n"`, `"%cd ..\n"`, 1)), `cell 0 line 1: magic command "%cd .."`},
		{"shell", nbJSON("4", strings.Replace(okCell, `"x := 1\n"`, `"  $ ls\n"`, 1)), `magic command "$ ls"`},
	}
	for _, tt := range tests {
		nb, err := Decode([]byte(tt.json))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		checkErr(t, tt.name, CheckExecuted(nb), tt.want)
	}
}

// checkErr checks that err is nil when want is "", else that it contains want.
func checkErr(t *testing.T, name string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error %v", name, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want %q", name, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s: error %q does not contain %q", name, err, want)
	}
}
