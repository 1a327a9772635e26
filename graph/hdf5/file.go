package hdf5

import (
	"bytes"
	"fmt"
	"io"
)

// signature is the 8-byte format signature that starts the superblock
// (File Format Specification II.A).
var signature = []byte("\x89HDF\r\n\x1a\n")

// defaultExpansion bounds, relative to the file's size, the bytes that
// reading one dataset or attribute may allocate (see File.SetDataLimit).
// zlib's deflate expands at most 1032 times; the rest is room for fill
// values and chunk overhang.
const defaultExpansion = 2048

// A File is an HDF5 file opened for reading. Its methods may be called from
// one goroutine at a time.
type File struct {
	r    io.ReaderAt
	size int64

	base             uint64 // absolute file offset of address 0 (the superblock's)
	sizeOff, sizeLen int    // bytes in an address and in a length
	superVersion     int
	root             *Group

	dataLimit int64

	// owners maps the address of every structure read to the object (its
	// header's address) it belongs to: see claim.
	owners map[uint64]uint64

	// skipChecksums turns off the checksum test of v2 metadata, so that the
	// fuzzer reaches the decoders behind it.
	skipChecksums bool
}

// Open reads the superblock and root group of the HDF5 file of the given
// size held by r. The superblock is looked for at offset 0, 512, 1024, 2048,
// ... (a file may start with a user block); every address in the file is
// taken relative to where it is found.
//
// The file is untrusted: every structure is checked against size before it is
// read, a malformed file gives an error wrapping ErrCorrupt and never a
// panic, and no read allocates more than the file's size justifies.
func Open(r io.ReaderAt, size int64) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("hdf5: negative file size %d", size)
	}
	f := &File{r: r, size: size, owners: map[uint64]uint64{}}
	f.dataLimit = f.defaultDataLimit()
	if err := f.readSuperblock(); err != nil {
		return nil, fmt.Errorf("hdf5: %w", err)
	}
	return f, nil
}

// Parse opens the HDF5 file held in data. It is Open(bytes.NewReader(data),
// len(data)).
func Parse(data []byte) (*File, error) {
	return Open(bytes.NewReader(data), int64(len(data)))
}

// Root returns the root group, "/".
func (f *File) Root() *Group { return f.root }

// SuperblockVersion returns the version of the file's superblock (0 to 3):
// 0 is what HDF5 writes by default and Keras files have; h5py writes 2 with
// libver='v108' and 3 with libver='latest'.
func (f *File) SuperblockVersion() int { return f.superVersion }

// SetDataLimit sets the most bytes that reading the values of one dataset or
// attribute may allocate. The default, 2048 times the file's size, admits any
// dataset whose chunks zlib could have compressed; a dataset that is mostly
// unwritten chunks (read as the fill value) may need more. n <= 0 restores
// the default.
func (f *File) SetDataLimit(n int64) {
	if n <= 0 {
		n = f.defaultDataLimit()
	}
	f.dataLimit = n
}

func (f *File) defaultDataLimit() int64 {
	if f.size > (1<<62)/defaultExpansion {
		return 1 << 62
	}
	return max(f.size*defaultExpansion, 1<<16)
}

// undef is the "undefined address" of the file: all bits set.
func (f *File) undef() uint64 {
	if f.sizeOff >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(f.sizeOff)) - 1
}

// readAt reads n bytes at the file address addr (relative to the base).
func (f *File) readAt(addr uint64, n int64, what string) ([]byte, error) {
	if addr == f.undef() {
		return nil, corruptf("%s has an undefined address", what)
	}
	abs := f.base + addr
	if abs < f.base || n < 0 || abs > uint64(f.size) || uint64(n) > uint64(f.size)-abs {
		return nil, corruptf("%s at address %#x (%d bytes) is past the end of the file (%d bytes)", what, addr, n, f.size)
	}
	buf := make([]byte, n)
	if m, err := f.r.ReadAt(buf, int64(abs)); m < len(buf) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("reading %s at address %#x: %w", what, addr, err)
	}
	return buf, nil
}

// readUpTo reads at most n bytes at addr: fewer where the file ends first.
func (f *File) readUpTo(addr uint64, n int64, what string) ([]byte, error) {
	abs := f.base + addr
	if addr != f.undef() && abs >= f.base && abs <= uint64(f.size) {
		n = min(n, f.size-int64(abs))
	}
	return f.readAt(addr, n, what)
}

// claim records that the structure at addr (a B-tree node, heap block,
// continuation block, chunk, ...) belongs to the object whose header is at
// owner. In a valid file no two objects share a structure; a file whose
// objects did would make reading them repeat work without bound (a small
// file could make Walk read gigabytes), so it is reported as corrupt.
func (f *File) claim(addr, owner uint64, what string) error {
	if prev, ok := f.owners[addr]; ok && prev != owner {
		return corruptf("%s at %#x belongs to two objects (at %#x and %#x)", what, addr, prev, owner)
	}
	f.owners[addr] = owner
	return nil
}

// checksum tests the Jenkins lookup3 checksum stored little-endian in the
// last 4 bytes of b against the rest of b.
func (f *File) checksum(b []byte, what string) error {
	if len(b) < 4 {
		return corruptf("%s is too short for its checksum", what)
	}
	if f.skipChecksums {
		return nil
	}
	n := len(b) - 4
	stored := uint32(leUint(b[n:]))
	if got := lookup3(b[:n], 0); got != stored {
		return corruptf("%s has checksum %#08x, stored %#08x", what, got, stored)
	}
	return nil
}

// readSuperblock finds and decodes the superblock (File Format
// Specification II.A) and opens the root group.
func (f *File) readSuperblock() error {
	var at int64 = -1
	for off := int64(0); off+8 <= f.size; off = max(512, off*2) {
		sig := make([]byte, 8)
		if _, err := f.r.ReadAt(sig, off); err != nil && err != io.EOF {
			return err
		}
		if bytes.Equal(sig, signature) {
			at = off
			break
		}
	}
	if at < 0 {
		return corruptf("no HDF5 signature (not an HDF5 file)")
	}
	f.base = uint64(at)
	head := make([]byte, min(f.size-at, 256))
	if _, err := f.r.ReadAt(head, at); err != nil && err != io.EOF {
		return err
	}
	c := &cursor{b: head, what: "superblock"}
	c.skip(8)
	f.superVersion = int(c.u8())
	var rootAddr uint64
	var eof uint64
	switch f.superVersion {
	case 0, 1:
		c.skip(3) // free space, root symbol table entry versions, reserved
		if v := c.u8(); v != 0 && c.err == nil {
			return unsupportedf("shared header message format version %d", v)
		}
		f.sizeOff, f.sizeLen = int(c.u8()), int(c.u8())
		if err := f.checkSizes(); err != nil {
			return err
		}
		c.sizeOff, c.sizeLen = f.sizeOff, f.sizeLen
		c.skip(1 + 2 + 2 + 4) // reserved, group leaf and internal K, flags
		if f.superVersion == 1 {
			c.skip(4) // indexed storage internal K, reserved
		}
		c.addr() // base address: taken to be where the superblock is
		c.addr() // free-space info
		eof = c.addr()
		c.addr() // driver information block
		// root group symbol table entry
		c.addr() // link name offset
		rootAddr = c.addr()
		c.skip(4 + 4 + 16)
		if c.err != nil {
			return c.err
		}
	case 2, 3:
		f.sizeOff, f.sizeLen = int(c.u8()), int(c.u8())
		if err := f.checkSizes(); err != nil {
			return err
		}
		c.sizeOff, c.sizeLen = f.sizeOff, f.sizeLen
		c.skip(1) // file consistency flags
		c.addr()  // base address
		c.addr()  // superblock extension: holds nothing a reader needs
		eof = c.addr()
		rootAddr = c.addr()
		c.skip(4)
		if c.err != nil {
			return c.err
		}
		if err := f.checksum(head[:c.off], "superblock"); err != nil {
			return err
		}
	default:
		return unsupportedf("superblock version %d", f.superVersion)
	}
	// The end-of-file address counts the user block (H5F__super_read).
	if eof != f.undef() && eof > uint64(f.size) {
		return corruptf("truncated file: the superblock gives its end as %d bytes, the file has %d", eof, f.size)
	}
	root, err := f.openObject(rootAddr, "/")
	if err != nil {
		return err
	}
	g, ok := root.(*Group)
	if !ok {
		return corruptf("the root object is not a group")
	}
	f.root = g
	return nil
}

func (f *File) checkSizes() error {
	for _, s := range []int{f.sizeOff, f.sizeLen} {
		if s != 2 && s != 4 && s != 8 {
			return corruptf("superblock gives %d-byte offsets and %d-byte lengths (2, 4 or 8 expected)", f.sizeOff, f.sizeLen)
		}
	}
	return nil
}
