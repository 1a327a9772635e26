package npz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/golstm/golstm/graph"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	"gorgonia.org/tensor"
)

// Read reads every array of the NumPy archive at path, as written by
// numpy.savez or numpy.savez_compressed (for example
// numpy.savez(path, *layer.get_weights()) gives arr_0, arr_1, ...).
//
// names lists the arrays in archive order, without the ".npy" suffix that
// numpy adds to each entry; arrays maps each name to a tensor of the same
// shape and dtype: float32 ('<f4', '>f4') and float64 ('<f8', '>f8') only.
// Fortran-order arrays are converted to row-major. Any other dtype, a
// zero-size array, an empty or duplicate name, or a truncated or corrupt file is an
// error; Read does not panic on bad input.
func Read(path string) (names []string, arrays map[string]*tensor.Dense, err error) {
	defer func() {
		if r := recover(); r != nil {
			names, arrays = nil, nil
			err = fmt.Errorf("npz: Read %s: malformed archive: %v", path, r)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("npz: Read: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("npz: Read: %w", err)
	}
	zr, err := npz.NewReader(f, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("npz: Read %s: not a NumPy .npz archive: %w", path, err)
	}
	arrays = make(map[string]*tensor.Dense)
	for _, key := range zr.Keys() {
		name := strings.TrimSuffix(key, ".npy")
		if name == "" {
			return nil, nil, fmt.Errorf("npz: Read %s: entry %q has an empty array name", path, key)
		}
		if _, dup := arrays[name]; dup {
			return nil, nil, fmt.Errorf("npz: Read %s: two arrays named %q", path, name)
		}
		t, err := readNPY(zr, key)
		if err != nil {
			return nil, nil, fmt.Errorf("npz: Read %s: array %q: %w", path, name, err)
		}
		names = append(names, name)
		arrays[name] = t
	}
	return names, arrays, nil
}

// readNPY reads the archive entry key as a float32 or float64 tensor.
func readNPY(zr *npz.Reader, key string) (*tensor.Dense, error) {
	rc, err := zr.Open(key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf, err := io.ReadAll(rc) // archive/zip checks the size and CRC-32
	if err != nil {
		return nil, err
	}
	off, err := npyDataOffset(buf)
	if err != nil {
		return nil, err
	}
	r, err := npy.NewReader(bytes.NewReader(buf))
	if err != nil {
		return nil, err
	}
	h := r.Header.Descr
	var esize int
	typ := strings.Trim(h.Type, `'"`)
	switch typ {
	case "<f4", ">f4":
		esize = 4
	case "<f8", ">f8":
		esize = 8
	default:
		return nil, fmt.Errorf("dtype %q not supported: want float32 ('<f4') or float64 ('<f8')", typ)
	}
	n := 1
	for _, d := range h.Shape {
		if d < 0 || (d > 0 && n > math.MaxInt32/d) {
			return nil, fmt.Errorf("bad shape %v", h.Shape)
		}
		n *= d
	}
	if n == 0 {
		return nil, fmt.Errorf("zero-size array of shape %v not supported", h.Shape)
	}
	if got := len(buf) - off; got != n*esize {
		return nil, fmt.Errorf("%d data bytes, shape %v of %s needs %d: truncated or corrupt", got, h.Shape, typ, n*esize)
	}
	var backing any
	if esize == 4 {
		v := make([]float32, n)
		err, backing = r.Read(&v), v
		if h.Fortran {
			backing = fromFortran(v, h.Shape)
		}
	} else {
		v := make([]float64, n)
		err, backing = r.Read(&v), v
		if h.Fortran {
			backing = fromFortran(v, h.Shape)
		}
	}
	if err != nil {
		return nil, err
	}
	return tensor.New(tensor.WithShape(h.Shape...), tensor.WithBacking(backing)), nil
}

// npyDataOffset checks the fixed part of a .npy header (magic, version 1 or
// 2, header length) and returns where the data starts.
func npyDataOffset(buf []byte) (int, error) {
	if len(buf) < 10 || !bytes.Equal(buf[:6], npy.Magic[:]) {
		return 0, fmt.Errorf("not a .npy array (bad magic)")
	}
	var off, hlen int
	switch buf[6] {
	case 1:
		off, hlen = 10, int(binary.LittleEndian.Uint16(buf[8:10]))
	case 2:
		if len(buf) < 12 {
			return 0, fmt.Errorf("truncated .npy header")
		}
		off, hlen = 12, int(binary.LittleEndian.Uint32(buf[8:12]))
	default:
		return 0, fmt.Errorf(".npy format version %d.%d not supported: want 1.x or 2.x", buf[6], buf[7])
	}
	if hlen > len(buf)-off || hlen == 0 || buf[off+hlen-1] != '\n' {
		return 0, fmt.Errorf("truncated or corrupt .npy header")
	}
	return off + hlen, nil
}

// fromFortran returns the row-major copy of v, which holds an array of the
// given shape in column-major (Fortran) order.
func fromFortran[T float32 | float64](v []T, shape []int) []T {
	if len(shape) < 2 {
		return v
	}
	fstride := make([]int, len(shape))
	s := 1
	for j, d := range shape {
		fstride[j] = s
		s *= d
	}
	out := make([]T, len(v))
	idx := make([]int, len(shape))
	for c := range out {
		f := 0
		for j, i := range idx {
			f += i * fstride[j]
		}
		out[c] = v[f]
		for j := len(idx) - 1; j >= 0; j-- { // next row-major index
			if idx[j]++; idx[j] < shape[j] {
				break
			}
			idx[j] = 0
		}
	}
	return out
}

// syncFile flushes f to disk; tests replace it to simulate a failed write.
var syncFile = (*os.File).Sync

// Write writes arrays under names to the NumPy archive at path, in that
// order, as numpy.savez does (entries "<name>.npy", uncompressed, C order),
// so that numpy.load(path)[name] gives each array back. Arrays must be
// float32 or float64; their dtype is kept. names must be non-empty and
// unique, one per array.
//
// The write is atomic: the archive goes to a temporary file in the same
// directory, which is synced and then renamed over path, so on failure an
// existing file at path is left as it was.
func Write(path string, names []string, arrays []*tensor.Dense) (err error) {
	if len(names) != len(arrays) {
		return fmt.Errorf("npz: Write: %d names for %d arrays: want one name per array", len(names), len(arrays))
	}
	vals := make([]any, len(arrays))
	seen := map[string]bool{}
	for i, t := range arrays {
		switch {
		case names[i] == "":
			return fmt.Errorf("npz: Write: names[%d] is empty", i)
		case seen[names[i]]:
			return fmt.Errorf("npz: Write: name %q given twice", names[i])
		case t == nil:
			return fmt.Errorf("npz: Write: array %q is nil", names[i])
		}
		seen[names[i]] = true
		if err := graph.CheckDtype(t.Dtype()); err != nil {
			return fmt.Errorf("npz: Write: array %q: %w", names[i], err)
		}
		vals[i] = npyValue(t)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("npz: Write: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := npz.NewWriter(tmp)
	for i, v := range vals {
		if err := w.Write(names[i]+".npy", v); err != nil {
			return fmt.Errorf("npz: Write: array %q: %w", names[i], err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("npz: Write: %w", err)
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("npz: Write: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("npz: Write: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("npz: Write: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("npz: Write: %w", err)
	}
	if d, err := os.Open(dir); err == nil { // persist the rename; best effort
		d.Sync()
		d.Close()
	}
	return nil
}

// npyValue returns t's values in a form npy.Write writes with t's shape:
// a scalar, a slice, or nested slices (row-major, sharing t's data).
func npyValue(t *tensor.Dense) any {
	if t.IsMaterializable() { // a view: copy it out in row-major order
		t = t.Materialize().(*tensor.Dense)
	}
	data := t.Data()
	shape := t.Shape()
	if t.IsScalar() || len(shape) == 0 {
		return data
	}
	if len(shape) == 1 {
		return data
	}
	v := reflect.ValueOf(data)
	return nest(v, shape).Interface()
}

// nest splits the flat slice v into nested slices of the given shape.
func nest(v reflect.Value, shape []int) reflect.Value {
	if len(shape) == 1 {
		return v
	}
	n := shape[0]
	step := v.Len() / n
	inner := nest(v.Slice(0, step), shape[1:]).Type()
	out := reflect.MakeSlice(reflect.SliceOf(inner), n, n)
	for i := 0; i < n; i++ {
		out.Index(i).Set(nest(v.Slice(i*step, (i+1)*step), shape[1:]))
	}
	return out
}
