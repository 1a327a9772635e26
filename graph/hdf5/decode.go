package hdf5

import (
	"encoding/binary"
	"math/bits"
)

// cursor decodes the little-endian fields of an HDF5 metadata structure
// from a byte slice. A read past the end does not panic: it sets err (which
// sticks) and returns zeros, so a decoder reads all its fields and checks
// the error once.
type cursor struct {
	b   []byte
	off int
	err error
	// sizes of addresses ("offsets") and lengths, from the superblock
	sizeOff, sizeLen int
	what             string // the structure being decoded, for errors
}

func (f *File) cursor(b []byte, what string) *cursor {
	return &cursor{b: b, sizeOff: f.sizeOff, sizeLen: f.sizeLen, what: what}
}

// need reports whether n more bytes are available, setting err if not.
func (c *cursor) need(n int) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || n > len(c.b)-c.off {
		c.err = corruptf("%s is truncated (needs %d more bytes at offset %d of %d)", c.what, n, c.off, len(c.b))
		return false
	}
	return true
}

func (c *cursor) u8() uint8 {
	if !c.need(1) {
		return 0
	}
	v := c.b[c.off]
	c.off++
	return v
}

func (c *cursor) u16() uint16 {
	if !c.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(c.b[c.off:])
	c.off += 2
	return v
}

func (c *cursor) u32() uint32 {
	if !c.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(c.b[c.off:])
	c.off += 4
	return v
}

func (c *cursor) u64() uint64 {
	if !c.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(c.b[c.off:])
	c.off += 8
	return v
}

// uvar reads an n-byte little-endian unsigned integer (0 <= n <= 8).
func (c *cursor) uvar(n int) uint64 {
	if n > 8 {
		if c.err == nil {
			c.err = corruptf("%s has a %d-byte integer field (at most 8)", c.what, n)
		}
		return 0
	}
	if !c.need(n) {
		return 0
	}
	v := leUint(c.b[c.off : c.off+n])
	c.off += n
	return v
}

// addr reads a file address of the superblock's "size of offsets".
func (c *cursor) addr() uint64 { return c.uvar(c.sizeOff) }

// length reads a length of the superblock's "size of lengths".
func (c *cursor) length() uint64 { return c.uvar(c.sizeLen) }

// bytes returns the next n bytes (a sub-slice, not a copy).
func (c *cursor) bytes(n int) []byte {
	if !c.need(n) {
		return nil
	}
	v := c.b[c.off : c.off+n : c.off+n]
	c.off += n
	return v
}

func (c *cursor) skip(n int) {
	if c.need(n) {
		c.off += n
	}
}

func (c *cursor) rest() int { return len(c.b) - c.off }

// leUint decodes a little-endian unsigned integer of up to 8 bytes.
func leUint(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// putUint encodes v little-endian into b (up to 8 bytes).
func putUint(b []byte, v uint64) {
	for i := range b {
		b[i] = byte(v)
		v >>= 8
	}
}

// mulInt returns a*b, or ok=false if the product overflows or either is
// negative.
func mulInt(a, b int64) (int64, bool) {
	if a < 0 || b < 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > 1<<62 {
		return 0, false
	}
	return int64(lo), true
}

// lookup3 is Bob Jenkins' lookup3 hash ("hashlittle") of k with the given
// initial value: the checksum of every HDF5 metadata structure with a
// signature newer than version 1.6 (File Format Specification, section I.A)
// and the hash of link and attribute names in v2 B-trees.
func lookup3(k []byte, initval uint32) uint32 {
	a := 0xdeadbeef + uint32(len(k)) + initval
	b, c := a, a
	for len(k) > 12 {
		a += binary.LittleEndian.Uint32(k)
		b += binary.LittleEndian.Uint32(k[4:])
		c += binary.LittleEndian.Uint32(k[8:])
		a, b, c = lookup3Mix(a, b, c)
		k = k[12:]
	}
	if len(k) == 0 {
		return c
	}
	var tail [12]byte
	copy(tail[:], k)
	a += binary.LittleEndian.Uint32(tail[:])
	b += binary.LittleEndian.Uint32(tail[4:])
	c += binary.LittleEndian.Uint32(tail[8:])
	return lookup3Final(a, b, c)
}

func lookup3Mix(a, b, c uint32) (uint32, uint32, uint32) {
	a -= c
	a ^= bits.RotateLeft32(c, 4)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 6)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 8)
	b += a
	a -= c
	a ^= bits.RotateLeft32(c, 16)
	c += b
	b -= a
	b ^= bits.RotateLeft32(a, 19)
	a += c
	c -= b
	c ^= bits.RotateLeft32(b, 4)
	b += a
	return a, b, c
}

func lookup3Final(a, b, c uint32) uint32 {
	c ^= b
	c -= bits.RotateLeft32(b, 14)
	a ^= c
	a -= bits.RotateLeft32(c, 11)
	b ^= a
	b -= bits.RotateLeft32(a, 25)
	c ^= b
	c -= bits.RotateLeft32(b, 16)
	a ^= c
	a -= bits.RotateLeft32(c, 4)
	b ^= a
	b -= bits.RotateLeft32(a, 14)
	c ^= b
	c -= bits.RotateLeft32(b, 24)
	return c
}

// fletcher32 is the checksum of HDF5's Fletcher32 filter (H5Z_FILTER_FLETCHER32):
// the Fletcher checksum of the data read as big-endian 16-bit words, an odd
// last byte taken as the high byte of a word.
func fletcher32(data []byte) uint32 {
	var sum1, sum2 uint32
	n := len(data) / 2
	for n > 0 {
		t := min(n, 360)
		n -= t
		for ; t > 0; t-- {
			sum1 += uint32(data[0])<<8 | uint32(data[1])
			sum2 += sum1
			data = data[2:]
		}
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	if len(data) > 0 {
		sum1 += uint32(data[0]) << 8
		sum2 += sum1
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	sum1 = (sum1 & 0xffff) + (sum1 >> 16)
	sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	return sum2<<16 | sum1
}
