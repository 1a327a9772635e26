package nbrun

import (
	"strings"
	"testing"
)

// TestEncodeDecode checks that a notebook survives Encode/Decode and that
// Encode writes the nbformat layout: sorted keys, one-space indent, lists of
// lines, base64 images as one string, no HTML escaping.
func TestEncodeDecode(t *testing.T) {
	in := nbJSON("5", `{"id": "c1", "cell_type": "code", "execution_count": 1, "metadata": {"tags": ["x"]}, "source": "a := 1\nb",
		"outputs": [{"output_type": "stream", "name": "stdout", "text": "one\ntwo\n"},
		{"output_type": "display_data", "data": {"image/png": "iVBO\n", "text/html": ["<b>\n", "x</b>"]}, "metadata": {"image/png": {"width": 2}}},
		{"output_type": "execute_result", "data": {"text/plain": "1"}, "metadata": {}, "execution_count": 1}]},
		{"id": "m1", "cell_type": "markdown", "metadata": {}, "source": "# <T>", "attachments": {}}`)
	nb, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	c := nb.Cells[0]
	if c.ID != "c1" || c.Source != "a := 1\nb" || c.Outputs[0].Text != "one\ntwo\n" || c.Outputs[1].Data["text/html"] != "<b>\nx</b>" {
		t.Errorf("decoded cell = %+v", c)
	}
	out, err := Encode(nb)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		"{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"execution_count\": 1,\n   \"id\": \"c1\",",
		"\"source\": [\n    \"a := 1\\n\",\n    \"b\"\n   ]",
		"\"image/png\": \"iVBO\\n\",",
		"\"text/html\": [\n       \"<b>\\n\",\n       \"x</b>\"\n      ]",
		"\"source\": [\n    \"# <T>\"\n   ]",
		"\"attachments\": {}",
		"\"nbformat_minor\": 5\n}\n",
	} {
		if !strings.Contains(string(out), frag) {
			t.Errorf("Encode output lacks %q:\n%s", frag, out)
		}
	}
	again, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := Encode(again)
	if string(out2) != string(out) {
		t.Errorf("Encode(Decode(Encode(nb))) differs:\n%s\nvs\n%s", out2, out)
	}
}
