package hdf5

import (
	"bytes"
	"encoding/binary"
	"math"
)

// A value is the data of a dataset or attribute: n elements of type t,
// read as stored by raw.
type value struct {
	f    *File
	t    *Datatype
	n    int64
	null bool
	raw  func() ([]byte, error)
}

// elements returns the stored elements, after checking that the type is
// one this package reads, that converting them to outSize-byte values stays
// within the file's data limit, and that the data has the right size.
func (v *value) elements(outSize int) ([]byte, error) {
	if err := v.t.readable(); err != nil {
		return nil, err
	}
	if v.null || v.n == 0 {
		return nil, nil
	}
	if out, ok := mulInt(v.n, int64(outSize)); !ok || out > v.f.dataLimit {
		return nil, tooLargef("%d elements read as %d-byte values exceed the data limit of %d bytes", v.n, outSize, v.f.dataLimit)
	}
	b, err := v.raw()
	if err != nil {
		return nil, err
	}
	want, _ := mulInt(v.n, int64(v.f.elemSize(v.t)))
	if int64(len(b)) < want {
		return nil, corruptf("%d bytes of data for %d elements of %d bytes", len(b), v.n, v.f.elemSize(v.t))
	}
	return b[:want], nil
}

// check reports why the elements cannot be read as the Go type want, if
// they cannot: a type this package does not read (ErrUnsupported), or one
// of another class than the classes (ErrType).
func (v *value) check(want string, classes ...Class) error {
	if err := v.t.readable(); err != nil {
		return err
	}
	for _, c := range classes {
		if v.t.Class == c {
			return nil
		}
	}
	return typef("cannot read %s as %s", v.t, want)
}

// float64s converts every element (float or integer) to float64.
func (v *value) float64s() ([]float64, error) {
	if err := v.check("float64", Integer, Float, Enum); err != nil {
		return nil, err
	}
	b, err := v.elements(8)
	if err != nil {
		return nil, err
	}
	out := make([]float64, v.n)
	size, order := v.t.Size, v.t.ByteOrder
	for i := range out {
		e := b[i*size : (i+1)*size]
		switch {
		case v.t.Class == Float && size == 8:
			out[i] = math.Float64frombits(order.Uint64(e))
		case v.t.Class == Float && size == 4:
			out[i] = float64(math.Float32frombits(order.Uint32(e)))
		case v.t.Class == Float:
			out[i] = halfToFloat64(order.Uint16(e))
		case v.t.Signed:
			out[i] = float64(signedInt(e, v.t))
		default:
			out[i] = float64(unsignedInt(e, v.t))
		}
	}
	return out, nil
}

// float32s converts every element to float32: float32 data exactly, others
// rounded to the nearest float32.
func (v *value) float32s() ([]float32, error) {
	if v.t.Class == Float && v.t.Size == 4 {
		b, err := v.elements(4)
		if err != nil {
			return nil, err
		}
		out := make([]float32, v.n)
		for i := range out {
			out[i] = math.Float32frombits(v.t.ByteOrder.Uint32(b[4*i:]))
		}
		return out, nil
	}
	f64, err := v.float64s()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(f64))
	for i, x := range f64 {
		out[i] = float32(x)
	}
	return out, nil
}

// int64s converts integer (and enum) elements to int64.
func (v *value) int64s() ([]int64, error) {
	if err := v.check("int64", Integer, Enum); err != nil {
		return nil, err
	}
	b, err := v.elements(8)
	if err != nil {
		return nil, err
	}
	out := make([]int64, v.n)
	size := v.t.Size
	for i := range out {
		e := b[i*size : (i+1)*size]
		if v.t.Signed {
			out[i] = signedInt(e, v.t)
			continue
		}
		u := unsignedInt(e, v.t)
		if u > math.MaxInt64 {
			return nil, typef("element %d, %d, does not fit in an int64", i, u)
		}
		out[i] = int64(u)
	}
	return out, nil
}

// uint64s converts unsigned integer elements to uint64.
func (v *value) uint64s() ([]uint64, error) {
	if err := v.check("uint64", Integer, Enum); err != nil {
		return nil, err
	}
	if v.t.Signed {
		return nil, typef("cannot read %s as uint64", v.t)
	}
	b, err := v.elements(8)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, v.n)
	for i := range out {
		out[i] = unsignedInt(b[i*v.t.Size:(i+1)*v.t.Size], v.t)
	}
	return out, nil
}

func unsignedInt(e []byte, t *Datatype) uint64 {
	if t.ByteOrder == binary.BigEndian {
		var u uint64
		for _, b := range e {
			u = u<<8 | uint64(b)
		}
		return u
	}
	return leUint(e)
}

func signedInt(e []byte, t *Datatype) int64 {
	u := unsignedInt(e, t)
	shift := 64 - 8*uint(len(e))
	return int64(u<<shift) >> shift
}

// halfToFloat64 converts an IEEE 754 half-precision number.
func halfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, mant := int(h>>10)&0x1f, float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(mant, -24)
	case 31:
		if mant != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1+mant/1024, exp-15)
}

// strings returns the elements of a string type: fixed-length ones without
// their padding (as h5py returns them), variable-length ones from the
// global heap.
func (v *value) strings() ([]string, error) {
	if err := v.check("strings", String); err != nil {
		return nil, err
	}
	b, err := v.elements(16 + v.f.elemSize(v.t))
	if err != nil {
		return nil, err
	}
	out := make([]string, v.n)
	if v.t.VarLen {
		heaps := v.f.globalHeaps()
		size := v.f.elemSize(v.t)
		for i := range out {
			s, err := heaps.vlen(b[i*size:(i+1)*size], 1)
			if err != nil {
				return nil, err
			}
			out[i] = string(s)
		}
		return out, nil
	}
	size := v.t.Size
	for i := range out {
		out[i] = string(unpad(b[i*size:(i+1)*size], v.t.Pad))
	}
	return out, nil
}

func unpad(s []byte, pad StringPad) []byte {
	switch pad {
	case NullTerm:
		if i := bytes.IndexByte(s, 0); i >= 0 {
			return s[:i]
		}
	case SpacePad:
		return bytes.TrimRight(s, " ")
	default:
		return bytes.TrimRight(s, "\x00")
	}
	return s
}

// scalarString returns the only element of a string value.
func (v *value) scalarString() (string, error) {
	if v.n != 1 {
		return "", typef("%d strings, not one", v.n)
	}
	s, err := v.strings()
	if err != nil {
		return "", err
	}
	return s[0], nil
}
