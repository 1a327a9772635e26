package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golstm/golstm/cmd/demo/seq2seq/encdec"
	"github.com/golstm/golstm/graph/model"
)

// TestRunSmall: a tiny run prints its figures and a progress line per
// epoch, and -save writes a model that loads back into a network.
func TestRunSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s2s.golstm")
	var out, errOut bytes.Buffer
	args := []string{"-examples", "300", "-digits", "2", "-units", "8", "-epochs", "2", "-batch", "32", "-low-first", "-save", path}
	if code := run(args, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"270 training and 30 held-out questions", "held-out, greedy decoding: per-character accuracy", "exact match", "trained 2 epochs of batch 32", "wrote " + path} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if n := strings.Count(errOut.String(), "epoch "); n != 2 || !strings.HasPrefix(errOut.String(), "epoch 1/2 ") {
		t.Errorf("%d progress lines for 2 epochs:\n%s", n, errOut.String())
	}
	m, err := model.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c := encdec.DefaultConfig()
	c.Digits, c.LowFirst = 2, true
	if _, err := encdec.FromTrained(m, c); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

func TestRunBadArguments(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "Usage: go run ./cmd/demo/seq2seq"},
		{[]string{"-units", "0"}, 2, "units 0: want at least 1"},
		{[]string{"-digits", "12"}, 2, "digits 12: want 1 to 9"},
		{[]string{"-optimizer", "adamw"}, 2, "adamw"},
		{[]string{"-nosuchflag"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, `unexpected arguments ["extra"]`},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		if code := run(c.args, &out, &errOut); code != c.code || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut.String(), c.code, c.want)
		}
	}
}
