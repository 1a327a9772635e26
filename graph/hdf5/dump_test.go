package hdf5

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"sort"
	"strings"
	"testing"
)

// This file turns what the package reads from a file into the JSON form
// that testdata/dump_h5.py writes from h5py, and compares the two.

// maxListed is dump_h5.py's MAX_LISTED: more elements are summarized by a
// SHA-256 of their values.
const maxListed = 256

// dumpFile returns the Go reader's view of f in dump_h5.py's form.
func dumpFile(f *File) (map[string]any, error) {
	var objects []any
	seen := map[uint64]string{f.root.hdr.addr: "/"}
	var visit func(g *Group) error
	visit = func(g *Group) error {
		attrs, err := dumpAttrs(g)
		if err != nil {
			return err
		}
		members, err := g.Members()
		if err != nil {
			return err
		}
		links, hard := map[string]any{}, map[string]any{}
		obj := map[string]any{"path": g.path, "kind": "group", "members": members,
			"links": links, "hardlinks": hard, "attrs": attrs}
		objects = append(objects, obj)
		ls, err := g.getLinks()
		if err != nil {
			return err
		}
		for _, l := range ls {
			child := joinPath(g.path, l.name)
			switch l.kind {
			case linkSoft:
				links[l.name] = map[string]any{"soft": l.target}
				continue
			case linkExternal:
				parts := strings.SplitN(strings.TrimRight(l.target, "\x00"), "\x00", 2)
				links[l.name] = map[string]any{"external": parts}
				continue
			}
			if first, ok := seen[l.addr]; ok {
				hard[l.name] = first
				continue
			}
			seen[l.addr] = child
			h, err := f.readObjectHeader(l.addr)
			if err != nil {
				return err
			}
			if !isGroup(h) && !isDataset(h) {
				objects = append(objects, map[string]any{"path": child, "kind": "datatype"})
				continue
			}
			o, err := f.objectFromHeader(h, child)
			if err != nil {
				return err
			}
			switch o := o.(type) {
			case *Group:
				if err := visit(o); err != nil {
					return err
				}
			case *Dataset:
				d, err := dumpDataset(o)
				if err != nil {
					return err
				}
				objects = append(objects, d)
			}
		}
		return nil
	}
	if err := visit(f.root); err != nil {
		return nil, err
	}
	return map[string]any{"superblock": f.SuperblockVersion(), "objects": objects}, nil
}

func dumpType(t Datatype) map[string]any {
	d := map[string]any{"class": int(t.Class)}
	if t.Class == String {
		d["vlen"] = t.VarLen
		if !t.VarLen {
			d["size"] = t.Size
		}
		d["pad"] = int(t.Pad)
		d["cset"] = int(t.Charset)
		return d
	}
	d["size"] = t.Size
	if t.Class == Integer || t.Class == Float || t.Class == Enum {
		d["order"] = "<"
		if t.ByteOrder == binary.BigEndian {
			d["order"] = ">"
		}
	}
	if t.Class == Integer || t.Class == Enum {
		d["signed"] = t.Signed
	}
	return d
}

func spaceName(s *dataspace) string {
	return [...]string{"scalar", "simple", "null"}[s.kind]
}

func shapeOf(shape []int) []int {
	if shape == nil {
		return []int{}
	}
	return shape
}

// dumpData reads a value as dump_h5.py's data_of does. A value this package
// does not read gives {"unsupported": true}, as dump_h5.py gives for the
// classes it does not list.
func dumpData(v *value) (map[string]any, error) {
	out, err := dumpValues(v)
	if errors.Is(err, ErrUnsupported) {
		return map[string]any{"unsupported": true}, nil
	}
	return out, err
}

func dumpValues(v *value) (map[string]any, error) {
	if err := v.t.readable(); err != nil {
		return nil, err
	}
	if v.t.Class == String {
		s, err := v.strings()
		if err != nil {
			return nil, err
		}
		if len(s) <= maxListed {
			return map[string]any{"values": s}, nil
		}
		h := sha256.New()
		for _, x := range s {
			h.Write([]byte(x))
			h.Write([]byte{0})
		}
		return map[string]any{"n": len(s), "sha256": hex.EncodeToString(h.Sum(nil))}, nil
	}
	var vals []any
	var buf bytes.Buffer
	switch {
	case v.t.Class == Float:
		x, err := v.float64s()
		if err != nil {
			return nil, err
		}
		for _, f := range x {
			vals = append(vals, jsonFloat(f))
			binary.Write(&buf, binary.LittleEndian, f)
		}
	case v.t.Signed:
		x, err := v.int64s()
		if err != nil {
			return nil, err
		}
		for _, i := range x {
			vals = append(vals, i)
			binary.Write(&buf, binary.LittleEndian, i)
		}
	default:
		x, err := v.uint64s()
		if err != nil {
			return nil, err
		}
		for _, u := range x {
			vals = append(vals, u)
			binary.Write(&buf, binary.LittleEndian, u)
		}
	}
	if len(vals) <= maxListed {
		if vals == nil {
			vals = []any{}
		}
		return map[string]any{"values": vals}, nil
	}
	sum := sha256.Sum256(buf.Bytes())
	return map[string]any{"n": len(vals), "sha256": hex.EncodeToString(sum[:])}, nil
}

func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return f
}

func dumpAttrs(o Object) ([]any, error) {
	names, err := o.Attrs()
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, name := range names {
		a, err := o.Attr(name)
		if err != nil {
			return nil, err
		}
		data, err := dumpData(&a.value)
		if err != nil {
			return nil, a.err(err)
		}
		out = append(out, map[string]any{"name": name, "dtype": dumpType(a.Datatype()),
			"space": spaceName(a.msg.space), "shape": shapeOf(a.Shape()), "data": data})
	}
	return out, nil
}

func dumpDataset(d *Dataset) (map[string]any, error) {
	attrs, err := dumpAttrs(d)
	if err != nil {
		return nil, err
	}
	data, err := dumpData(d.value())
	if err != nil {
		return nil, pathError(d.path, err)
	}
	var chunks any
	if c := d.Chunks(); c != nil {
		chunks = c
	}
	filters := []int{}
	for _, flt := range d.Filters() {
		filters = append(filters, flt.ID)
	}
	return map[string]any{"path": d.path, "kind": "dataset", "dtype": dumpType(d.Datatype()),
		"space": spaceName(d.space), "shape": shapeOf(d.Shape()), "layout": d.Layout().String(),
		"chunks": chunks, "filters": filters, "data": data, "attrs": attrs}, nil
}

// normalize round-trips v through JSON so that it compares with a decoded
// dump: numbers become json.Number.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, b)
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func readDump(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeJSON(t, b)
}

// diffJSON lists the differences between want and got: numbers compare
// exactly by value (integers as integers, floats as float64).
func diffJSON(path string, want, got any, out *[]string) {
	if len(*out) > 20 {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: want an object, got %T", path, got))
			return
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			if !wok || !gok {
				*out = append(*out, fmt.Sprintf("%s.%s: want %v, got %v", path, k, abbrev(wv), abbrev(gv)))
				continue
			}
			diffJSON(path+"."+k, wv, gv, out)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", path, abbrev(want), abbrev(got)))
			return
		}
		for i := range w {
			label := fmt.Sprintf("%s[%d]", path, i)
			if m, ok := w[i].(map[string]any); ok {
				if p, ok := m["path"].(string); ok {
					label = path + "[" + p + "]"
				} else if n, ok := m["name"].(string); ok {
					label = path + "[" + n + "]"
				}
			}
			diffJSON(label, w[i], g[i], out)
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !sameNumber(w, g) {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", path, want, got))
		}
	default:
		if want != got {
			*out = append(*out, fmt.Sprintf("%s: want %v, got %v", path, abbrev(want), abbrev(got)))
		}
	}
}

func sameNumber(a, b json.Number) bool {
	if a == b {
		return true
	}
	isInt := func(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }
	if isInt(a) && isInt(b) {
		x, ok1 := new(big.Int).SetString(string(a), 10)
		y, ok2 := new(big.Int).SetString(string(b), 10)
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	x, err1 := a.Float64()
	y, err2 := b.Float64()
	return err1 == nil && err2 == nil && math.Float64bits(x) == math.Float64bits(y)
}

func abbrev(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}
