package callbacks

import (
	"math"
	"strings"
	"testing"
)

// TestFormatPath: file path fields filled as Python's str.format fills
// them; every expected string was printed by CPython 3
// (pattern.format(epoch=7, **logs)).
func TestFormatPath(t *testing.T) {
	logs := map[string]float64{"loss": 0.123456789, "val_loss": 1e-05, "acc": 0.5, "big": 1234567.891, "neg": -2.5,
		"nan": math.NaN(), "inf": math.Inf(1), "one": 1.0, "e16": 1e16}
	for _, c := range []struct{ pattern, want string }{
		{"weights.{epoch:02d}-{val_loss:.2f}.golstm", "weights.07-0.00.golstm"},
		{"{epoch}", "7"},
		{"{epoch:03d}_{loss:.4f}", "007_0.1235"},
		{"{loss}", "0.123456789"},
		{"{val_loss}", "1e-05"},
		{"{big}", "1234567.891"},
		{"{big:,.2f}", "1,234,567.89"},
		{"{neg:+08.3f}", "-002.500"},
		{"{neg:=^10.1f}", "===-2.5==="},
		{"{acc:.1%}", "50.0%"},
		{"{loss:e}", "1.234568e-01"},
		{"{loss:.3E}", "1.235E-01"},
		{"{loss:g}", "0.123457"},
		{"{big:g}", "1.23457e+06"},
		{"{loss:.3}", "0.123"},
		{"{one}", "1.0"},
		{"{one:.2}", "1.0"},
		{"{big:.3}", "1.23e+06"},
		{"{nan}", "nan"},
		{"{inf:f}", "inf"},
		{"{inf:F}", "INF"},
		{"{e16}", "1e+16"},
		{"{epoch:x}-{epoch:b}-{epoch:o}", "7-111-7"},
		{"{epoch:>4}|{epoch:<4}|{epoch:^5}", "   7|7   |  7  "},
		{"{epoch:.2f}", "7.00"},
		{"{{literal}}-{epoch}", "{literal}-7"},
		{"{epoch:+d}", "+7"},
		{"{loss:10.3f}|", "     0.123|"},
		{"{loss:_<10.3f}|", "0.123_____|"},
		{"{big:_.1f}", "1_234_567.9"},
		{"{epoch:e}", "7.000000e+00"},
		{"{neg}", "-2.5"},
		{"{one:.1}", "1e+00"},
		{"{loss:.0}", "0.1"},
		{"{val_loss:.3}", "1e-05"},
		{"{big:.10}", "1234567.891"},
	} {
		got, err := formatPath(c.pattern, 7, logs)
		if err != nil || got != c.want {
			t.Errorf("formatPath(%q) = %q, %v; want %q", c.pattern, got, err, c.want)
		}
	}
}

// TestFormatPathErrors: what Python refuses is refused, saying why.
func TestFormatPathErrors(t *testing.T) {
	logs := map[string]float64{"loss": 1, "val_loss": 2}
	for _, c := range []struct{ pattern, want string }{
		{"{val_acc:.2f}", `"val_acc" is not logged: the fields are epoch, loss, val_loss`},
		{"{loss:d}", "unknown format code 'd' for a float"},
		{"{epoch:.2d}", "precision not allowed"},
		{"{}", "want a log name or epoch"},
		{"{loss!r}", "want a log name or epoch"},
		{"{loss", "is not closed"},
		{"loss}", "single '}'"},
		{"{loss:#x}", "alternate form"},
		{"{loss:.2q}", "want [[fill]align]"},
	} {
		_, err := formatPath(c.pattern, 1, logs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("formatPath(%q): error %v, want %q", c.pattern, err, c.want)
		}
	}
}

// TestPyRepr: CSVLogger's values as Python's repr prints floats.
func TestPyRepr(t *testing.T) {
	for v, want := range map[float64]string{0.1: "0.1", 1: "1.0", 1e-05: "1e-05", 0.0001: "0.0001", 123456.75: "123456.75",
		1e16: "1e+16", 1e15: "1000000000000000.0", -0.5: "-0.5", math.Inf(-1): "-inf", 2.5e-07: "2.5e-07"} {
		if got := pyRepr(v); got != want {
			t.Errorf("pyRepr(%v) = %q, want %q", v, got, want)
		}
	}
	if got := pyRepr(math.NaN()); got != "nan" {
		t.Errorf("pyRepr(NaN) = %q", got)
	}
}
