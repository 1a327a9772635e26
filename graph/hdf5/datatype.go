package hdf5

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Class is the class of an HDF5 datatype, numbered as in the datatype
// message (File Format Specification IV.A.2.d).
type Class int

// The datatype classes. This package reads the values of Integer, Float,
// String (fixed and variable length) and Enum (as its integer base type);
// the others are described but reading their values is an error wrapping
// ErrUnsupported.
const (
	Integer   Class = 0  // fixed-point numbers, signed or not
	Float     Class = 1  // IEEE floating point: half, single, double
	Time      Class = 2  // (not read)
	String    Class = 3  // strings, fixed or variable length
	Bitfield  Class = 4  // (not read)
	Opaque    Class = 5  // (not read)
	Compound  Class = 6  // (not read)
	Reference Class = 7  // (not read)
	Enum      Class = 8  // enumerations; h5py stores bool as an int8 enum
	VarLen    Class = 9  // variable-length sequences other than strings (not read)
	Array     Class = 10 // (not read)
	Complex   Class = 11 // HDF5 2.0 complex numbers (not read)
)

var classNames = []string{"integer", "float", "time", "string", "bitfield", "opaque",
	"compound", "reference", "enum", "variable-length sequence", "array", "complex"}

// String returns the class's name, such as "float" or "compound".
func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class %d", int(c))
}

// StringPad is how a fixed-length string fills the bytes after its end.
type StringPad int

// The string paddings. Reading a string removes the padding: a NullTerm
// string ends at its first NUL, a NullPad one loses its trailing NULs and a
// SpacePad one its trailing spaces (as h5py returns them).
const (
	NullTerm StringPad = 0 // NUL-terminated (C strings)
	NullPad  StringPad = 1 // padded with NULs (numpy 'S' strings)
	SpacePad StringPad = 2 // padded with spaces (Fortran strings)
)

// String returns the padding's name, such as "null-padded".
func (p StringPad) String() string {
	switch p {
	case NullTerm:
		return "null-terminated"
	case NullPad:
		return "null-padded"
	case SpacePad:
		return "space-padded"
	}
	return fmt.Sprintf("padding %d", int(p))
}

// Charset is the character set of a string datatype.
type Charset int

// The character sets. This package returns the bytes of a string as they
// are stored, whatever the set.
const (
	ASCII Charset = 0
	UTF8  Charset = 1
)

// String returns the character set's name, "ASCII" or "UTF-8".
func (c Charset) String() string {
	switch c {
	case ASCII:
		return "ASCII"
	case UTF8:
		return "UTF-8"
	}
	return fmt.Sprintf("charset %d", int(c))
}

// A Datatype describes the elements of a dataset or attribute.
type Datatype struct {
	Class Class
	// Size is the size in bytes of one element as stored. A variable-length
	// string is stored as a reference into the global heap (4 bytes of
	// length, an address and a 4-byte index).
	Size int
	// ByteOrder is the byte order of an Integer, Float or Enum.
	ByteOrder binary.ByteOrder
	// Signed tells whether an Integer (or the base of an Enum) is signed.
	Signed bool
	// VarLen tells whether a String has variable length.
	VarLen bool
	// Pad and Charset describe a String.
	Pad     StringPad
	Charset Charset
	// Base is the base type of an Enum, VarLen sequence or Array.
	Base *Datatype
	// Dims are the dimensions of an Array.
	Dims []int

	unreadable error // why values of this type are not read, if they are not
}

// String describes t, for example "little-endian float32",
// "fixed-length string (9 bytes, null-padded, ASCII)" or
// "variable-length string (UTF-8)".
func (t Datatype) String() string {
	switch t.Class {
	case Integer:
		name := fmt.Sprintf("int%d", 8*t.Size)
		if !t.Signed {
			name = "u" + name
		}
		if t.Size == 1 {
			return name
		}
		return orderName(t.ByteOrder) + " " + name
	case Float:
		return fmt.Sprintf("%s float%d", orderName(t.ByteOrder), 8*t.Size)
	case String:
		if t.VarLen {
			return fmt.Sprintf("variable-length string (%s)", t.Charset)
		}
		return fmt.Sprintf("fixed-length string (%d bytes, %s, %s)", t.Size, t.Pad, t.Charset)
	case Enum, VarLen, Array:
		if t.Base == nil {
			break
		}
		switch t.Class {
		case Enum:
			return "enum of " + t.Base.String()
		case VarLen:
			return "variable-length sequence of " + t.Base.String()
		}
		dims := make([]string, len(t.Dims))
		for i, d := range t.Dims {
			dims[i] = fmt.Sprint(d)
		}
		return fmt.Sprintf("array [%s] of %s", strings.Join(dims, ","), t.Base)
	}
	return fmt.Sprintf("%s (%d bytes)", t.Class, t.Size)
}

func orderName(o binary.ByteOrder) string {
	if o == binary.BigEndian {
		return "big-endian"
	}
	return "little-endian"
}

// maxTypeDepth bounds the nesting of datatypes (an enum of an array of ...).
const maxTypeDepth = 8

// decodeDatatype decodes a datatype message (IV.A.2.d) from c.
func (f *File) decodeDatatype(c *cursor, depth int) (*Datatype, error) {
	if depth > maxTypeDepth {
		return nil, corruptf("datatypes nested more than %d deep", maxTypeDepth)
	}
	cv := c.u8()
	bf := c.bytes(3)
	size := c.u32()
	if c.err != nil {
		return nil, c.err
	}
	version := cv >> 4
	t := &Datatype{Class: Class(cv & 0x0f), Size: int(size), ByteOrder: binary.LittleEndian}
	if version < 1 || version > 5 {
		return nil, corruptf("datatype version %d", version)
	}
	if size == 0 || int64(size) > f.size+16 {
		return nil, corruptf("datatype of %d bytes", size)
	}
	switch t.Class {
	case Integer, Bitfield:
		if bf[0]&1 != 0 {
			t.ByteOrder = binary.BigEndian
		}
		t.Signed = t.Class == Integer && bf[0]&0x08 != 0
		offset, precision := c.u16(), c.u16()
		if c.err != nil {
			return nil, c.err
		}
		if t.Class == Integer && (offset != 0 || int(precision) != 8*t.Size || t.Size > 8) {
			t.unreadable = unsupportedf("%d-byte integer with %d-bit precision at bit offset %d", t.Size, precision, offset)
		}
	case Float:
		switch bf[0] & 0x41 {
		case 0x00:
		case 0x01:
			t.ByteOrder = binary.BigEndian
		default:
			t.unreadable = unsupportedf("VAX byte order of a float")
		}
		offset, precision := c.u16(), c.u16()
		expLoc, expSize, mantLoc, mantSize := c.u8(), c.u8(), c.u8(), c.u8()
		bias := c.u32()
		if c.err != nil {
			return nil, c.err
		}
		ieee := map[int][6]uint32{2: {10, 5, 0, 10, 15, 16}, 4: {23, 8, 0, 23, 127, 32}, 8: {52, 11, 0, 52, 1023, 64}}
		want, ok := ieee[t.Size]
		got := [6]uint32{uint32(expLoc), uint32(expSize), uint32(mantLoc), uint32(mantSize), bias, uint32(precision)}
		if !ok || got != want || offset != 0 || int(bf[1]) != 8*t.Size-1 {
			t.unreadable = unsupportedf("%d-byte float that is not IEEE 754 half, single or double precision", t.Size)
		}
	case String:
		t.Pad = StringPad(bf[0] & 0x0f)
		t.Charset = Charset(bf[0] >> 4)
	case VarLen:
		base, err := f.decodeDatatype(c, depth+1)
		if err != nil {
			return nil, err
		}
		if bf[0]&0x0f == 1 { // a variable-length string
			t.Class = String
			t.VarLen = true
			t.Pad = StringPad(bf[0] >> 4)
			t.Charset = Charset(bf[1] & 0x0f)
			return t, nil
		}
		t.Base = base
	case Enum:
		base, err := f.decodeDatatype(c, depth+1)
		if err != nil {
			return nil, err
		}
		t.Base = base
		if base.Class != Integer {
			t.unreadable = unsupportedf("enum of %s", base)
		}
		t.ByteOrder, t.Signed = base.ByteOrder, base.Signed
		// The member names and values follow; reading an enum as its base
		// integer type does not need them.
	case Array:
		rank := int(c.u8())
		if version < 3 {
			c.skip(3)
		}
		for range rank {
			t.Dims = append(t.Dims, int(c.u32()))
		}
		if version < 3 {
			c.skip(4 * rank) // permutation indices
		}
		if c.err != nil {
			return nil, c.err
		}
		base, err := f.decodeDatatype(c, depth+1)
		if err != nil {
			return nil, err
		}
		t.Base = base
	case Time, Opaque, Compound, Reference, Complex:
		// described by class and size only
	default:
		return nil, corruptf("datatype class %d", t.Class)
	}
	return t, c.err
}

// readable reports an error wrapping ErrUnsupported unless this package
// reads values of t.
func (t *Datatype) readable() error {
	if t.unreadable != nil {
		return t.unreadable
	}
	if t.Class == Enum && t.Base.unreadable != nil {
		return t.Base.unreadable
	}
	switch t.Class {
	case Integer, Float, String, Enum:
		return nil
	}
	return unsupportedf("reading values of datatype %s", t)
}
