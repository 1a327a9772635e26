package hdf5

import (
	"fmt"
	"unicode/utf8"
)

// Dataspace kinds.
const (
	scalarSpace = 0
	simpleSpace = 1
	nullSpace   = 2
)

// maxRank is the most dimensions a dataspace may have (H5S_MAX_RANK).
const maxRank = 32

// A dataspace is the shape of a dataset or attribute (IV.A.2.b).
type dataspace struct {
	kind    int
	dims    []uint64
	maxDims []uint64 // nil when not stored (equal to dims)
}

// count returns the number of elements, or an error if it overflows.
func (s *dataspace) count() (int64, error) {
	if s.kind == nullSpace {
		return 0, nil
	}
	n := int64(1)
	for _, d := range s.dims {
		if d > 1<<62 {
			return 0, corruptf("dataspace dimension %d is too large", d)
		}
		var ok bool
		if n, ok = mulInt(n, int64(d)); !ok {
			return 0, corruptf("dataspace %v has too many elements", s.dims)
		}
	}
	return n, nil
}

func (s *dataspace) shape() []int {
	if s.kind == nullSpace {
		return nil
	}
	shape := make([]int, len(s.dims))
	for i, d := range s.dims {
		shape[i] = int(d)
	}
	return shape
}

func (f *File) decodeDataspace(b []byte) (*dataspace, error) {
	c := f.cursor(b, "dataspace message")
	version := c.u8()
	rank := int(c.u8())
	flags := c.u8()
	s := &dataspace{kind: simpleSpace}
	switch version {
	case 1:
		c.skip(5)
		if rank == 0 {
			s.kind = scalarSpace
		}
	case 2:
		s.kind = int(c.u8())
		if s.kind > nullSpace {
			return nil, corruptf("dataspace type %d", s.kind)
		}
	default:
		if c.err != nil {
			return nil, c.err
		}
		return nil, corruptf("dataspace message version %d", version)
	}
	if rank > maxRank {
		return nil, corruptf("dataspace of rank %d (at most %d)", rank, maxRank)
	}
	if s.kind != simpleSpace && rank != 0 {
		return nil, corruptf("scalar or null dataspace of rank %d", rank)
	}
	for range rank {
		s.dims = append(s.dims, c.length())
	}
	if flags&1 != 0 {
		for range rank {
			s.maxDims = append(s.maxDims, c.length())
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if _, err := s.count(); err != nil {
		return nil, err
	}
	return s, nil
}

// Layout is how a dataset's data is stored (IV.A.2.i).
type Layout int

// The storage layouts.
const (
	Compact    Layout = 0 // in the object header
	Contiguous Layout = 1 // in one block of the file
	Chunked    Layout = 2 // in chunks, each maybe compressed, found through an index
	Virtual    Layout = 3 // mapped from other datasets (not read)
)

// String returns the layout's name, such as "chunked".
func (l Layout) String() string {
	switch l {
	case Compact:
		return "compact"
	case Contiguous:
		return "contiguous"
	case Chunked:
		return "chunked"
	case Virtual:
		return "virtual"
	}
	return fmt.Sprintf("layout %d", int(l))
}

// Chunk index types of a version 4 layout message (Appendix C).
const (
	idxBTree1   = 0 // version 1 B-tree (layout versions 1 to 3)
	idxSingle   = 1
	idxImplicit = 2
	idxFixed    = 3
	idxExtended = 4
	idxBTree2   = 5
)

// A layout is a decoded data layout message.
type layout struct {
	class   Layout
	version int
	// compact
	compact []byte
	// contiguous
	addr, size uint64
	// chunked: chunk dimensions (without the element size), index
	chunk      []uint64
	elemSize   uint64
	index      int
	indexAddr  uint64
	chunkFlags uint8
	// single chunk index with filters
	singleSize uint64
	singleMask uint32
	// fixed and extensible array parameters
	pageBits      uint8
	eaMaxBits     uint8
	eaIdxElmts    uint8
	eaSupMinPtrs  uint8
	eaDataMinElts uint8
}

func (f *File) decodeLayout(b []byte) (*layout, error) {
	c := f.cursor(b, "data layout message")
	l := &layout{version: int(c.u8())}
	switch l.version {
	case 1, 2:
		rank := int(c.u8())
		l.class = Layout(c.u8())
		c.skip(5)
		if rank < 1 || rank > maxRank+1 {
			return nil, corruptf("data layout of rank %d", rank)
		}
		if l.class != Compact {
			l.addr = c.addr()
			l.indexAddr = l.addr
		}
		dims := make([]uint64, rank)
		for i := range dims {
			dims[i] = uint64(c.u32())
		}
		switch l.class {
		case Chunked:
			l.chunk, l.elemSize = dims[:rank-1], dims[rank-1]
			if rank < 2 {
				return nil, corruptf("chunked data layout of rank %d", rank)
			}
		case Compact:
			n := int(c.u32())
			l.compact = c.bytes(n)
		case Contiguous:
			// the size follows from the dataspace and datatype
		default:
			return nil, corruptf("data layout class %d", l.class)
		}
	case 3, 4:
		l.class = Layout(c.u8())
		switch l.class {
		case Compact:
			n := int(c.u16())
			l.compact = c.bytes(n)
		case Contiguous:
			l.addr, l.size = c.addr(), c.length()
		case Chunked:
			if l.version == 3 {
				rank := int(c.u8())
				if rank < 2 || rank > maxRank+1 {
					return nil, corruptf("chunked data layout of rank %d", rank)
				}
				l.indexAddr = c.addr()
				dims := make([]uint64, rank)
				for i := range dims {
					dims[i] = uint64(c.u32())
				}
				l.chunk, l.elemSize = dims[:rank-1], dims[rank-1]
				break
			}
			l.chunkFlags = c.u8()
			rank := int(c.u8())
			if rank < 2 || rank > maxRank+1 {
				return nil, corruptf("chunked data layout of rank %d", rank)
			}
			n := int(c.u8())
			if n < 1 || n > 8 {
				return nil, corruptf("chunked data layout with %d-byte dimensions", n)
			}
			dims := make([]uint64, rank)
			for i := range dims {
				dims[i] = c.uvar(n)
			}
			l.chunk, l.elemSize = dims[:rank-1], dims[rank-1]
			l.index = int(c.u8())
			switch l.index {
			case idxSingle:
				if l.chunkFlags&0x02 != 0 {
					l.singleSize = c.length()
					l.singleMask = c.u32()
				}
			case idxImplicit:
			case idxFixed:
				l.pageBits = c.u8()
			case idxExtended:
				l.eaMaxBits, l.eaIdxElmts, l.eaSupMinPtrs = c.u8(), c.u8(), c.u8()
				l.eaDataMinElts, l.pageBits = c.u8(), c.u8()
			case idxBTree2:
				c.skip(6) // node size, split and merge percents: in the B-tree header too
			default:
				if c.err == nil {
					return nil, corruptf("chunk index type %d", l.index)
				}
			}
			l.indexAddr = c.addr()
		case Virtual:
			return l, nil
		default:
			return nil, corruptf("data layout class %d", l.class)
		}
	default:
		if c.err != nil {
			return nil, c.err
		}
		return nil, corruptf("data layout message version %d", l.version)
	}
	if c.err != nil {
		return nil, c.err
	}
	for _, d := range l.chunk {
		if d == 0 {
			return nil, corruptf("chunk dimension 0")
		}
	}
	return l, nil
}

// Filter identifiers (IV.A.2.l).
const (
	filterDeflate    = 1
	filterShuffle    = 2
	filterFletcher32 = 3
	filterSzip       = 4
	filterNbit       = 5
	filterScaleOff   = 6
)

var filterNames = map[uint16]string{
	filterDeflate: "deflate", filterShuffle: "shuffle", filterFletcher32: "fletcher32",
	filterSzip: "szip", filterNbit: "nbit", filterScaleOff: "scaleoffset",
	32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle", 32013: "zfp",
	32015: "zstd", 32017: "sz",
}

// A Filter is one stage of a chunked dataset's filter pipeline.
type Filter struct {
	// ID is the HDF5 filter identifier: 1 deflate (gzip), 2 shuffle,
	// 3 fletcher32, 4 szip, 5 nbit, 6 scaleoffset; registered third-party
	// filters have IDs from 256 (32000 is lzf).
	ID int
	// Name is the name stored in the file, or the registered name.
	Name string
	// Optional is set for a filter that may be skipped on failure.
	Optional bool
	// Params are the filter's client data values (the level for deflate,
	// the element size for shuffle).
	Params []uint32
}

func (f *File) decodeFilters(b []byte) ([]Filter, error) {
	c := f.cursor(b, "filter pipeline message")
	version := c.u8()
	n := int(c.u8())
	if version == 1 {
		c.skip(6)
	} else if version != 2 && c.err == nil {
		return nil, corruptf("filter pipeline message version %d", version)
	}
	if n > 32 {
		return nil, corruptf("filter pipeline of %d filters (at most 32)", n)
	}
	var filters []Filter
	for range n {
		id := c.u16()
		nameLen := 0
		if version == 1 || id >= 256 {
			nameLen = int(c.u16())
		}
		flags := c.u16()
		nvals := int(c.u16())
		var name []byte
		if nameLen > 0 {
			name = c.bytes(nameLen)
			if version == 1 {
				c.skip((8 - nameLen%8) % 8)
			}
		}
		flt := Filter{ID: int(id), Optional: flags&1 != 0, Name: filterNames[id]}
		if i := indexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if len(name) > 0 && utf8.Valid(name) {
			flt.Name = string(name)
		}
		if nvals > c.rest()/4 {
			c.need(4 * nvals) // reports the truncation
			break
		}
		for range nvals {
			flt.Params = append(flt.Params, c.u32())
		}
		if version == 1 && nvals%2 == 1 {
			c.skip(4)
		}
		filters = append(filters, flt)
	}
	return filters, c.err
}

func indexByte(b []byte, x byte) int {
	for i, v := range b {
		if v == x {
			return i
		}
	}
	return -1
}

// decodeFillValue returns the fill value of a dataset from a fill value
// message (IV.A.2.f) or an old one (IV.A.2.e), nil when undefined: then
// unwritten elements read as zeros.
func (f *File) decodeFillValue(m *message) ([]byte, error) {
	c := f.cursor(m.data, "fill value message")
	if m.typ == msgFillValueOld {
		n := int(c.u32())
		return c.bytes(n), c.err
	}
	version := c.u8()
	switch version {
	case 1, 2:
		c.skip(2) // allocation and write times
		defined := c.u8()
		if version == 1 || defined != 0 {
			n := int(c.u32())
			if n == 0 {
				return nil, c.err
			}
			return c.bytes(n), c.err
		}
	case 3:
		flags := c.u8()
		if flags&0x20 != 0 {
			n := int(c.u32())
			return c.bytes(n), c.err
		}
	default:
		if c.err == nil {
			return nil, corruptf("fill value message version %d", version)
		}
	}
	return nil, c.err
}

// Link types (IV.A.2.g).
const (
	linkHard     = 0
	linkSoft     = 1
	linkExternal = 64
)

// A link is one member of a group.
type link struct {
	name     string
	kind     int
	addr     uint64 // hard links
	target   string // soft and external links
	crtOrder int64  // -1 when not tracked
}

func (f *File) decodeLink(b []byte) (link, error) {
	c := f.cursor(b, "link message")
	l := link{crtOrder: -1}
	if v := c.u8(); v != 1 && c.err == nil {
		return l, corruptf("link message version %d", v)
	}
	flags := c.u8()
	if flags&0x08 != 0 {
		l.kind = int(c.u8())
	}
	if flags&0x04 != 0 {
		l.crtOrder = int64(c.u64())
	}
	if flags&0x10 != 0 {
		c.u8() // name character set
	}
	n := c.uvar(1 << (flags & 3))
	if n == 0 && c.err == nil {
		return l, corruptf("link with an empty name")
	}
	if n > uint64(c.rest()) {
		c.need(c.rest() + 1)
		return l, c.err
	}
	l.name = string(c.bytes(int(n)))
	switch l.kind {
	case linkHard:
		l.addr = c.addr()
	case linkSoft:
		k := int(c.u16())
		l.target = string(c.bytes(k))
	case linkExternal:
		k := int(c.u16())
		v := c.bytes(k)
		if len(v) > 1 {
			l.target = string(v[1:]) // file name NUL object path
		}
	default:
		// user-defined: reported when followed
	}
	return l, c.err
}

// A denseInfo is a decoded link info message (IV.A.2.c) of a new-style
// group or attribute info message (IV.A.2.v): whether creation order is
// tracked, and where links or attributes are stored densely.
type denseInfo struct {
	orderTracked bool
	heapAddr     uint64 // fractal heap of the messages, or undefined
	nameIndex    uint64 // v2 B-tree by name
	orderIndex   uint64 // v2 B-tree by creation order, or undefined
}

// decodeDenseInfo decodes a link info message (what is "link info", whose
// maximum creation index takes 8 bytes) or an attribute info message
// ("attribute info", 2 bytes).
func (f *File) decodeDenseInfo(b []byte, what string) (*denseInfo, error) {
	c := f.cursor(b, what+" message")
	if v := c.u8(); v != 0 && c.err == nil {
		return nil, corruptf("%s message version %d", what, v)
	}
	flags := c.u8()
	info := &denseInfo{orderTracked: flags&1 != 0, orderIndex: f.undef()}
	if flags&1 != 0 {
		if what == "link info" {
			c.skip(8) // maximum creation index
		} else {
			c.skip(2)
		}
	}
	info.heapAddr = c.addr()
	info.nameIndex = c.addr()
	if flags&2 != 0 {
		info.orderIndex = c.addr()
	}
	return info, c.err
}

// openDense opens the fractal heap and name index of dense storage, whose
// B-tree records are of type typ.
func (f *File) openDense(info *denseInfo, typ int, owner uint64) (*fractalHeap, *btree2, error) {
	heap, err := f.readFractalHeap(info.heapAddr, owner)
	if err != nil {
		return nil, nil, err
	}
	t, err := f.readBTree2(info.nameIndex, typ, owner)
	return heap, t, err
}

// An attrMessage is a decoded attribute message (IV.A.2.m), its value still
// encoded.
type attrMessage struct {
	name  string
	dtype *Datatype
	space *dataspace
	data  []byte
}

func (f *File) decodeAttribute(b []byte) (*attrMessage, error) {
	c := f.cursor(b, "attribute message")
	version := c.u8()
	flags := c.u8()
	nameLen := int(c.u16())
	typeLen := int(c.u16())
	spaceLen := int(c.u16())
	if version == 3 {
		c.u8() // name character set
	}
	pad := func(n int) int { return n }
	switch version {
	case 1:
		pad = func(n int) int { return (n + 7) &^ 7 }
	case 2, 3:
		if flags&0x02 != 0 {
			return nil, unsupportedf("attribute with a shared dataspace")
		}
	default:
		if c.err == nil {
			return nil, corruptf("attribute message version %d", version)
		}
	}
	name := c.bytes(nameLen)
	c.skip(pad(nameLen) - nameLen)
	typeBytes := c.bytes(typeLen)
	c.skip(pad(typeLen) - typeLen)
	spaceBytes := c.bytes(spaceLen)
	c.skip(pad(spaceLen) - spaceLen)
	if c.err != nil {
		return nil, c.err
	}
	if i := indexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	a := &attrMessage{name: string(name)}
	var err error
	if version > 1 && flags&0x01 != 0 { // a committed datatype
		if typeBytes, err = f.sharedData(msgDatatype, typeBytes); err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.name, err)
		}
	}
	if a.dtype, err = f.decodeDatatype(f.cursor(typeBytes, "attribute datatype"), 0); err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.name, err)
	}
	if a.space, err = f.decodeDataspace(spaceBytes); err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.name, err)
	}
	n, _ := a.space.count()
	size, ok := mulInt(n, int64(f.elemSize(a.dtype)))
	if !ok || size > int64(c.rest()) {
		return nil, corruptf("attribute %q: %d elements of %d bytes do not fit in its %d-byte message", a.name, n, f.elemSize(a.dtype), c.rest())
	}
	a.data = c.bytes(int(size))
	return a, c.err
}

// elemSize is the size of one stored element of t: a variable-length
// element is a length, a global heap address and an index.
func (f *File) elemSize(t *Datatype) int {
	if t.VarLen || t.Class == VarLen {
		return 4 + f.sizeOff + 4
	}
	return t.Size
}
