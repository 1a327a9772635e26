package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A Writer builds an HDF5 file in memory, in the form Keras' legacy saver
// (through h5py and HDF5 1.8/1.10 defaults) writes: superblock version 0
// with 8-byte addresses, old-style groups (a symbol table: v1 B-tree, local
// heap, symbol table nodes), version 1 object headers, contiguous datasets
// and version 1 attribute messages, with variable-length strings in global
// heap collections. The output depends only on what was added: the same
// calls give the same bytes (no timestamps are stored).
//
// Build the tree from Root, then write it with WriteTo, WriteFile or Bytes.
// A Writer may be written any number of times.
type Writer struct {
	root *GroupWriter
}

// NewWriter returns a Writer holding an empty root group.
func NewWriter() *Writer {
	w := &Writer{}
	w.root = &GroupWriter{path: "/", members: map[string]any{}}
	return w
}

// Root returns the root group.
func (w *Writer) Root() *GroupWriter { return w.root }

// A GroupWriter is a group of a Writer's file.
type GroupWriter struct {
	path    string
	attrs   attrList
	members map[string]any // *GroupWriter or *DatasetWriter
}

// A DatasetWriter is a dataset of a Writer's file.
type DatasetWriter struct {
	path  string
	dims  []uint64
	dtype *wtype
	data  []byte
	attrs attrList
}

// CreateGroup adds an empty group called name to g and returns it. The name
// must be non-empty, not "." and hold no "/" or NUL; ':' and any other
// character are allowed (Keras uses names like "kernel:0").
func (g *GroupWriter) CreateGroup(name string) (*GroupWriter, error) {
	if err := g.checkMember(name); err != nil {
		return nil, err
	}
	sub := &GroupWriter{path: joinPath(g.path, name), members: map[string]any{}}
	g.members[name] = sub
	return sub, nil
}

// CreateDataset adds a dataset called name to g with the given shape (nil
// or empty for a scalar) and data, in row-major order: a []float32,
// []float64, []int8, []int16, []int32, []int64, []uint8, []uint16,
// []uint32 or []uint64 (stored as little-endian values of that type) with
// as many elements as the shape holds. The data is copied.
func (g *GroupWriter) CreateDataset(name string, shape []int, data any) (*DatasetWriter, error) {
	if err := g.checkMember(name); err != nil {
		return nil, err
	}
	path := joinPath(g.path, name)
	if len(shape) > maxRank {
		return nil, fmt.Errorf("hdf5: dataset %s: rank %d (at most %d)", path, len(shape), maxRank)
	}
	dims := make([]uint64, len(shape))
	n := int64(1)
	for i, d := range shape {
		var ok bool
		if n, ok = mulInt(n, int64(d)); d < 0 || !ok {
			return nil, fmt.Errorf("hdf5: dataset %s: invalid shape %v", path, shape)
		}
		dims[i] = uint64(d)
	}
	t, raw, count, err := encodeNumbers(data)
	if err != nil {
		return nil, fmt.Errorf("hdf5: dataset %s: %w", path, err)
	}
	if int64(count) != n {
		return nil, fmt.Errorf("hdf5: dataset %s: %d values for shape %v (%d elements)", path, count, shape, n)
	}
	d := &DatasetWriter{path: path, dims: dims, dtype: t, data: raw}
	g.members[name] = d
	return d, nil
}

func (g *GroupWriter) checkMember(name string) error {
	if name == "" || name == "." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("hdf5: group %s: invalid member name %q (it must be non-empty, not \".\", without '/' or NUL)", g.path, name)
	}
	if _, dup := g.members[name]; dup {
		return fmt.Errorf("hdf5: group %s already has a member %q", g.path, name)
	}
	return nil
}

// Path returns the group's path.
func (g *GroupWriter) Path() string { return g.path }

// checkCounts checks that every object header of the tree can count its
// messages: the attributes and one more (symbol table message; dataspace,
// datatype, fill value and layout for a dataset).
func (g *GroupWriter) checkCounts() error {
	check := func(path string, attrs attrList, fixed int) error {
		if len(attrs.list)+fixed > maxMessages {
			return fmt.Errorf("hdf5: %s: %w", path, tooLargef("%d attributes, more than an object header counts (%d)", len(attrs.list), maxMessages-fixed))
		}
		return nil
	}
	if err := check(g.path, g.attrs, 1); err != nil {
		return err
	}
	for _, m := range g.members {
		var err error
		switch m := m.(type) {
		case *GroupWriter:
			err = m.checkCounts()
		case *DatasetWriter:
			err = check(m.path, m.attrs, 4)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Path returns the dataset's path.
func (d *DatasetWriter) Path() string { return d.path }

// ASCIIString is a variable-length string stored with the ASCII character
// set: what h5py writes for a Python bytes value, and Keras 2 for
// model_config, training_config, keras_version and backend. Its bytes are
// stored as they are.
type ASCIIString string

// FixedStrings is a one-dimensional array of fixed-length strings, each
// padded with NULs to the length of the longest (at least 1): what numpy's
// 'S' arrays are, and Keras writes for layer_names and weight_names.
// Trailing NULs of a string do not survive (readers strip the padding).
type FixedStrings []string

// SetAttr sets the attribute name of g to value, replacing any attribute of
// that name. The value is one of:
//
//	string             a variable-length UTF-8 string (h5py: str)
//	[]string           a 1-D array of variable-length UTF-8 strings
//	ASCIIString        a variable-length ASCII string (h5py: bytes)
//	[]ASCIIString      a 1-D array of variable-length ASCII strings
//	FixedStrings       a 1-D array of fixed-length strings (numpy 'S')
//	float32, float64, int8, int16, int32, int64, int, uint8, uint16, uint32,
//	uint64             a scalar number
//	a slice of one of these number types: a 1-D array, which may be empty
//	(Keras stores an empty []float64 as the weight_names of a layer
//	without weights)
//
// An attribute is stored in its group's object header, whose messages hold
// at most 64 KiB: a larger value is an error wrapping ErrTooLarge, and the
// caller splits it into several attributes, as Keras does (layer_names0,
// layer_names1, ...).
func (g *GroupWriter) SetAttr(name string, value any) error {
	return g.attrs.set(g.path, name, value)
}

// SetAttr sets an attribute of the dataset, as GroupWriter.SetAttr does.
func (d *DatasetWriter) SetAttr(name string, value any) error {
	return d.attrs.set(d.path, name, value)
}

// MaxAttrSize is the most bytes an attribute's encoded message may take in
// an object header (its name, datatype, dataspace and data, each padded to
// 8 bytes, as version 1 attribute messages are): the 16-bit message size
// of the object header, rounded down to a multiple of 8.
const MaxAttrSize = 65528

// A wtype is an encoded datatype message and the size of one element.
type wtype struct {
	msg  []byte
	size int
	vlen bool
}

// An attr is an attribute to write.
type attr struct {
	name   string
	dtype  *wtype
	scalar bool
	n      int
	data   []byte   // fixed-size elements
	vlen   []string // variable-length strings
}

// An attrList holds an object's attributes in the order they were first
// set.
type attrList struct {
	list  []*attr
	index map[string]int
}

func (l *attrList) set(path, name string, value any) error {
	if name == "" || strings.Contains(name, "\x00") {
		return fmt.Errorf("hdf5: %s: invalid attribute name %q", path, name)
	}
	a, err := newAttr(name, value)
	if err != nil {
		return fmt.Errorf("hdf5: %s: attribute %q: %w", path, name, err)
	}
	if size := len(a.message()); size > MaxAttrSize {
		return fmt.Errorf("hdf5: %s: attribute %q: %w", path, name, tooLargef(
			"its message takes %d bytes, more than the %d an object header message holds; split the value into several attributes", size, MaxAttrSize))
	}
	if i, ok := l.index[name]; ok {
		l.list[i] = a
		return nil
	}
	if l.index == nil {
		l.index = map[string]int{}
	}
	l.index[name] = len(l.list)
	l.list = append(l.list, a)
	return nil
}

func newAttr(name string, value any) (*attr, error) {
	a := &attr{name: name}
	switch v := value.(type) {
	case string:
		a.dtype, a.scalar, a.vlen = vlenStringType(UTF8), true, []string{v}
	case []string:
		a.dtype, a.vlen = vlenStringType(UTF8), v
	case ASCIIString:
		a.dtype, a.scalar, a.vlen = vlenStringType(ASCII), true, []string{string(v)}
	case []ASCIIString:
		a.dtype = vlenStringType(ASCII)
		for _, s := range v {
			a.vlen = append(a.vlen, string(s))
		}
	case FixedStrings:
		size := 1
		for _, s := range v {
			size = max(size, len(s))
		}
		a.dtype = fixedStringType(size)
		a.data = make([]byte, size*len(v))
		for i, s := range v {
			copy(a.data[i*size:], s)
		}
		a.n = len(v)
		return a, nil
	default:
		t, raw, n, err := encodeNumbers(value)
		if err != nil {
			return nil, err
		}
		a.dtype, a.data, a.n = t, raw, n
		a.scalar = !isSlice(value)
		return a, nil
	}
	a.n = len(a.vlen)
	return a, nil
}

func isSlice(v any) bool {
	switch v.(type) {
	case []float32, []float64, []int8, []int16, []int32, []int64, []int, []uint8, []uint16, []uint32, []uint64:
		return true
	}
	return false
}

// encodeNumbers encodes a number or slice of numbers little-endian.
func encodeNumbers(v any) (*wtype, []byte, int, error) {
	var buf bytes.Buffer
	var t *wtype
	n := 1
	put := func(x any, count int, typ *wtype) {
		binary.Write(&buf, binary.LittleEndian, x) // to a bytes.Buffer: cannot fail
		n, t = count, typ
	}
	switch x := v.(type) {
	case float32:
		put(x, 1, floatType(4))
	case float64:
		put(x, 1, floatType(8))
	case int8:
		put(x, 1, intType(1, true))
	case int16:
		put(x, 1, intType(2, true))
	case int32:
		put(x, 1, intType(4, true))
	case int64:
		put(x, 1, intType(8, true))
	case int:
		put(int64(x), 1, intType(8, true))
	case uint8:
		put(x, 1, intType(1, false))
	case uint16:
		put(x, 1, intType(2, false))
	case uint32:
		put(x, 1, intType(4, false))
	case uint64:
		put(x, 1, intType(8, false))
	case []float32:
		put(x, len(x), floatType(4))
	case []float64:
		put(x, len(x), floatType(8))
	case []int8:
		put(x, len(x), intType(1, true))
	case []int16:
		put(x, len(x), intType(2, true))
	case []int32:
		put(x, len(x), intType(4, true))
	case []int64:
		put(x, len(x), intType(8, true))
	case []int:
		wide := make([]int64, len(x))
		for i, e := range x {
			wide[i] = int64(e)
		}
		put(wide, len(x), intType(8, true))
	case []uint8:
		put(x, len(x), intType(1, false))
	case []uint16:
		put(x, len(x), intType(2, false))
	case []uint32:
		put(x, len(x), intType(4, false))
	case []uint64:
		put(x, len(x), intType(8, false))
	default:
		return nil, nil, 0, fmt.Errorf("%w: cannot store a %T (accepted: string, []string, ASCIIString, []ASCIIString, FixedStrings, and numbers: float32, float64, int8 to int64, int, uint8 to uint64, and slices of them)", ErrType, v)
	}
	return t, buf.Bytes(), n, nil
}

// floatType is the datatype message of a little-endian IEEE float of 4 or
// 8 bytes (IV.A.2.d, class 1, version 1).
func floatType(size int) *wtype {
	b := make([]byte, 20)
	b[0] = 0x11
	b[1] = 0x20 // mantissa normalization: implied leading 1
	b[2] = byte(8*size - 1)
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	binary.LittleEndian.PutUint16(b[10:], uint16(8*size)) // precision
	if size == 4 {
		b[12], b[13], b[14], b[15] = 23, 8, 0, 23
		binary.LittleEndian.PutUint32(b[16:], 127)
	} else {
		b[12], b[13], b[14], b[15] = 52, 11, 0, 52
		binary.LittleEndian.PutUint32(b[16:], 1023)
	}
	return &wtype{msg: b, size: size}
}

// intType is the datatype message of a little-endian integer (class 0).
func intType(size int, signed bool) *wtype {
	b := make([]byte, 12)
	b[0] = 0x10
	if signed {
		b[1] = 0x08
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	binary.LittleEndian.PutUint16(b[10:], uint16(8*size))
	return &wtype{msg: b, size: size}
}

// fixedStringType is a null-padded ASCII string of size bytes (class 3).
func fixedStringType(size int) *wtype {
	b := make([]byte, 8)
	b[0] = 0x13
	b[1] = byte(NullPad)
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	return &wtype{msg: b, size: size}
}

// vlenStringType is a variable-length, null-terminated string of the given
// character set (class 9 of an unsigned byte), as HDF5 writes h5py's
// strings.
func vlenStringType(cs Charset) *wtype {
	b := make([]byte, 8, 20)
	b[0] = 0x19
	b[1] = 0x01 // a string, null-terminated
	b[2] = byte(cs)
	binary.LittleEndian.PutUint32(b[4:], 4+8+4)
	b = append(b, intType(1, false).msg...)
	return &wtype{msg: b, size: 4 + 8 + 4, vlen: true}
}

// dataspace message (version 1) of a scalar or of the given dimensions,
// with the maximum dimensions equal to them.
func dataspaceMessage(scalar bool, dims []uint64) []byte {
	if scalar {
		return []byte{1, 0, 0, 0, 0, 0, 0, 0} // version 1, rank 0
	}
	b := make([]byte, 8+16*len(dims))
	b[0], b[1], b[2] = 1, byte(len(dims)), 1
	for i, d := range dims {
		binary.LittleEndian.PutUint64(b[8+8*i:], d)
		binary.LittleEndian.PutUint64(b[8+8*(len(dims)+i):], d)
	}
	return b
}

func pad8(n int) int { return (n + 7) &^ 7 }

// message encodes the attribute message (version 1) with zeros for the
// global heap references of variable-length strings.
func (a *attr) message() []byte {
	space := dataspaceMessage(a.scalar, []uint64{uint64(a.n)})
	name := append([]byte(a.name), 0)
	n := 8 + pad8(len(name)) + pad8(len(a.dtype.msg)) + pad8(len(space))
	data := a.data
	if a.dtype.vlen {
		data = make([]byte, a.n*a.dtype.size)
	}
	b := make([]byte, n+len(data))
	b[0] = 1
	binary.LittleEndian.PutUint16(b[2:], uint16(len(name)))
	binary.LittleEndian.PutUint16(b[4:], uint16(len(a.dtype.msg)))
	binary.LittleEndian.PutUint16(b[6:], uint16(len(space)))
	off := 8
	for _, part := range [][]byte{name, a.dtype.msg, space} {
		copy(b[off:], part)
		off += pad8(len(part))
	}
	copy(b[off:], data)
	return b
}

// The file layout of a Writer: superblock version 0, 8-byte addresses
// and lengths, group B-tree K of 16 (internal) and 4 (leaf), as HDF5's
// defaults.
const (
	wOffsets    = 8
	wLeafK      = 4  // symbol table node: 2K = 8 entries
	wInternalK  = 16 // group B-tree node: 2K = 32 children
	wEntrySize  = 2*wOffsets + 4 + 4 + 16
	wSnodSize   = 8 + 2*wLeafK*wEntrySize
	wBTreeSize  = 8 + 2*wOffsets + 2*wInternalK*wOffsets + (2*wInternalK+1)*wOffsets
	wSuperSize  = 8 + 8 + 4 + 4 + 4*wOffsets + wEntrySize
	wMinGlobal  = 4096 // HDF5 reads at least this much of a global heap collection
	wMaxObjects = 1<<16 - 1
)

// A block is a part of the file being written.
type block struct {
	addr uint64
	data []byte
}

// A fileBuilder lays out the blocks of a file: sizes and addresses first
// (planGroup, planDataset), then the bytes (encode), so that every block can
// hold the addresses of the others.
type fileBuilder struct {
	blocks []*block
	end    uint64
	// global heap objects of the variable-length strings, by attribute
	heapRefs map[*attr][]heapRef
	heaps    []*globalCollection
}

type heapRef struct {
	coll  *globalCollection
	index uint32
}

type globalCollection struct {
	block   *block
	objects [][]byte
	size    int
}

// alloc reserves a block of n bytes (at an 8-byte boundary).
func (b *fileBuilder) alloc(n int) *block {
	blk := &block{addr: b.end, data: make([]byte, n)}
	b.blocks = append(b.blocks, blk)
	b.end += uint64(pad8(n))
	return blk
}

// heapString adds s to the global heap and returns its reference.
func (b *fileBuilder) heapString(s string) heapRef {
	var c *globalCollection
	if len(b.heaps) > 0 {
		c = b.heaps[len(b.heaps)-1]
	}
	need := 16 + pad8(len(s))
	if c == nil || len(c.objects) >= wMaxObjects || (c.size+need > 1<<20 && len(c.objects) > 0) {
		c = &globalCollection{size: 16}
		b.heaps = append(b.heaps, c)
	}
	c.objects = append(c.objects, []byte(s))
	c.size += need
	return heapRef{c, uint32(len(c.objects))}
}

// Bytes returns the encoded file.
func (w *Writer) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes the file to the named file, through a temporary file in
// the same directory renamed over it: an existing file is replaced only
// when the new one is complete.
func (w *Writer) WriteFile(name string) (err error) {
	b, err := w.Bytes()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	if err = os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("hdf5: %w", err)
	}
	return nil
}

// WriteTo writes the file to out. An object with more than 65,000
// attributes is an error wrapping ErrTooLarge (an object header counts its
// messages in 16 bits).
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	if err := w.root.checkCounts(); err != nil {
		return 0, err
	}
	b := &fileBuilder{heapRefs: map[*attr][]heapRef{}}
	super := b.alloc(wSuperSize)
	root := b.planGroup(w.root)
	for _, c := range b.heaps {
		c.size = max(c.size+16, wMinGlobal) // room for the free-space object
		c.block = b.alloc(c.size)
	}
	root.encode(b)
	for _, c := range b.heaps {
		c.encode()
	}
	// Superblock (II.A, version 0).
	s := super.data
	copy(s, signature)
	s[13], s[14] = wOffsets, wOffsets
	binary.LittleEndian.PutUint16(s[16:], wLeafK)
	binary.LittleEndian.PutUint16(s[18:], wInternalK)
	p := s[24:]
	putUint(p[0:8], 0)           // base address
	putUint(p[8:16], ^uint64(0)) // no free-space info
	putUint(p[16:24], b.end)     // end of file
	putUint(p[24:32], ^uint64(0))
	root.entry(p[32:], 0)

	file := make([]byte, b.end)
	for _, blk := range b.blocks {
		copy(file[blk.addr:], blk.data)
	}
	n, err := out.Write(file)
	if err != nil {
		return int64(n), fmt.Errorf("hdf5: %w", err)
	}
	return int64(n), nil
}

// A plannedGroup is a group with its blocks allocated.
type plannedGroup struct {
	g        *GroupWriter
	header   *block
	heap     *block // local heap header and data
	nodes    []*block
	snods    []*block
	names    []string
	nameOff  map[string]uint64
	children map[string]planned
	attrs    []*attr
}

// A planned object has an object header and can fill a symbol table entry.
type planned interface {
	headerAddr() uint64
	entry(b []byte, nameOff uint64)
	encode(b *fileBuilder)
}

type plannedDataset struct {
	d      *DatasetWriter
	header *block
	data   *block
}

func (p *plannedGroup) headerAddr() uint64   { return p.header.addr }
func (p *plannedDataset) headerAddr() uint64 { return p.header.addr }

// entry encodes a symbol table entry (III.C) for the group: cache type 1
// holds the addresses of its B-tree and local heap.
func (p *plannedGroup) entry(b []byte, nameOff uint64) {
	putUint(b[0:8], nameOff)
	putUint(b[8:16], p.header.addr)
	binary.LittleEndian.PutUint32(b[16:], 1)
	putUint(b[24:32], p.nodes[len(p.nodes)-1].addr)
	putUint(b[32:40], p.heap.addr)
}

func (p *plannedDataset) entry(b []byte, nameOff uint64) {
	putUint(b[0:8], nameOff)
	putUint(b[8:16], p.header.addr)
}

// headerSize is the size of a version 1 object header holding messages of
// the given data sizes.
func headerSize(sizes ...int) int {
	n := 16
	for _, s := range sizes {
		n += 8 + pad8(s)
	}
	return n
}

// maxMessages is the most messages a version 1 object header counts.
const maxMessages = 1<<16 - 1

func (b *fileBuilder) planAttrs(attrs attrList) []int {
	var sizes []int
	for _, a := range attrs.list {
		sizes = append(sizes, len(a.message()))
		for _, s := range a.vlen {
			b.heapRefs[a] = append(b.heapRefs[a], b.heapString(s))
		}
	}
	return sizes
}

func (b *fileBuilder) planGroup(g *GroupWriter) *plannedGroup {
	p := &plannedGroup{g: g, children: map[string]planned{}, nameOff: map[string]uint64{}}
	sizes := append([]int{16}, b.planAttrs(g.attrs)...)
	p.header = b.alloc(headerSize(sizes...))
	// Local heap (III.D): the empty string at offset 0, then the names.
	for name := range g.members {
		p.names = append(p.names, name)
	}
	sort.Strings(p.names)
	heapSize := 8
	for _, name := range p.names {
		p.nameOff[name] = uint64(heapSize)
		heapSize += pad8(len(name) + 1)
	}
	p.heap = b.alloc(32 + heapSize)
	// Symbol table nodes of up to 8 entries, and the B-tree over them.
	nsnods := (len(p.names) + 2*wLeafK - 1) / (2 * wLeafK)
	for range nsnods {
		p.snods = append(p.snods, b.alloc(wSnodSize))
	}
	for n := max(nsnods, 1); ; {
		level := (n + 2*wInternalK - 1) / (2 * wInternalK)
		for range max(level, 1) {
			p.nodes = append(p.nodes, b.alloc(wBTreeSize))
		}
		if level <= 1 {
			break
		}
		n = level
	}
	for _, name := range p.names {
		switch m := g.members[name].(type) {
		case *GroupWriter:
			p.children[name] = b.planGroup(m)
		case *DatasetWriter:
			p.children[name] = b.planDataset(m)
		}
	}
	p.attrs = g.attrs.list
	return p
}

func (b *fileBuilder) planDataset(d *DatasetWriter) *plannedDataset {
	p := &plannedDataset{d: d}
	sizes := []int{len(dataspaceMessage(len(d.dims) == 0, d.dims)), len(d.dtype.msg), 8, 18}
	sizes = append(sizes, b.planAttrs(d.attrs)...)
	p.header = b.alloc(headerSize(sizes...))
	if len(d.data) > 0 {
		p.data = b.alloc(len(d.data))
		copy(p.data.data, d.data)
	}
	return p
}

// headerWriter appends version 1 object header messages to a block.
type headerWriter struct {
	blk  []byte
	off  int
	nmsg int
}

func newHeader(blk *block) *headerWriter {
	return &headerWriter{blk: blk.data, off: 16}
}

func (h *headerWriter) add(typ uint16, flags byte, data []byte) {
	binary.LittleEndian.PutUint16(h.blk[h.off:], typ)
	binary.LittleEndian.PutUint16(h.blk[h.off+2:], uint16(pad8(len(data))))
	h.blk[h.off+4] = flags
	copy(h.blk[h.off+8:], data)
	h.off += 8 + pad8(len(data))
	h.nmsg++
}

// finish writes the prefix: version 1, message count, reference count 1,
// size of the messages.
func (h *headerWriter) finish() {
	h.blk[0] = 1
	binary.LittleEndian.PutUint16(h.blk[2:], uint16(h.nmsg))
	binary.LittleEndian.PutUint32(h.blk[4:], 1)
	binary.LittleEndian.PutUint32(h.blk[8:], uint32(h.off-16))
}

func (b *fileBuilder) addAttrs(h *headerWriter, attrs []*attr) {
	for _, a := range attrs {
		msg := a.message()
		if a.dtype.vlen {
			data := msg[len(msg)-a.n*a.dtype.size:]
			for i, ref := range b.heapRefs[a] {
				e := data[i*a.dtype.size:]
				binary.LittleEndian.PutUint32(e, uint32(len(ref.coll.objects[ref.index-1])))
				putUint(e[4:12], ref.coll.block.addr)
				binary.LittleEndian.PutUint32(e[12:], ref.index)
			}
		}
		h.add(msgAttribute, 0, msg)
	}
}

func (p *plannedGroup) encode(b *fileBuilder) {
	h := newHeader(p.header)
	stab := make([]byte, 16)
	putUint(stab[0:8], p.nodes[len(p.nodes)-1].addr)
	putUint(stab[8:16], p.heap.addr)
	h.add(msgSymbolTable, 0, stab)
	b.addAttrs(h, p.attrs)
	h.finish()

	// local heap: header then data segment
	hp := p.heap.data
	copy(hp, "HEAP")
	putUint(hp[8:16], uint64(len(hp)-32)) // data segment size
	putUint(hp[16:24], 1)                 // no free list (H5HL_FREE_NULL)
	putUint(hp[24:32], p.heap.addr+32)
	for _, name := range p.names {
		copy(hp[32+p.nameOff[name]:], name)
	}

	// symbol table nodes, 8 entries each, in name order
	var maxNames []uint64 // the last name of each child of the current level
	for i, blk := range p.snods {
		s := blk.data
		copy(s, "SNOD")
		s[4] = 1
		names := p.names[i*2*wLeafK : min((i+1)*2*wLeafK, len(p.names))]
		binary.LittleEndian.PutUint16(s[6:], uint16(len(names)))
		for j, name := range names {
			p.children[name].entry(s[8+j*wEntrySize:], p.nameOff[name])
		}
		maxNames = append(maxNames, p.nameOff[names[len(names)-1]])
	}
	// B-tree nodes, level by level from the leaves (which point to the
	// symbol table nodes); the last node allocated is the root.
	children := make([]uint64, len(p.snods))
	for i, blk := range p.snods {
		children[i] = blk.addr
	}
	nodes := p.nodes
	for level := 0; ; level++ {
		count := max((len(children)+2*wInternalK-1)/(2*wInternalK), 1)
		levelNodes := nodes[:count]
		nodes = nodes[count:]
		var nextChildren, nextMax []uint64
		for i, blk := range levelNodes {
			lo, hi := i*2*wInternalK, min((i+1)*2*wInternalK, len(children))
			t := blk.data
			copy(t, "TREE")
			t[4] = btreeGroup
			t[5] = byte(level)
			binary.LittleEndian.PutUint16(t[6:], uint16(hi-lo))
			left, right := ^uint64(0), ^uint64(0)
			if i > 0 {
				left = levelNodes[i-1].addr
			}
			if i < count-1 {
				right = levelNodes[i+1].addr
			}
			putUint(t[8:16], left)
			putUint(t[16:24], right)
			off := 24
			putUint(t[off:off+8], 0) // key 0: the empty string
			for j := lo; j < hi; j++ {
				putUint(t[off+8:off+16], children[j])
				putUint(t[off+16:off+24], maxNames[j])
				off += 16
			}
			nextChildren = append(nextChildren, blk.addr)
			if hi > lo {
				nextMax = append(nextMax, maxNames[hi-1])
			}
		}
		if len(nodes) == 0 {
			break
		}
		children, maxNames = nextChildren, nextMax
	}
	for _, name := range p.names {
		p.children[name].encode(b)
	}
}

func (p *plannedDataset) encode(b *fileBuilder) {
	d := p.d
	h := newHeader(p.header)
	h.add(msgDataspace, 0, dataspaceMessage(len(d.dims) == 0, d.dims))
	h.add(msgDatatype, 1, d.dtype.msg)
	// fill value (version 2): allocated late, written if set, the
	// library's default (zeros)
	h.add(msgFillValue, 1, []byte{2, 2, 2, 1, 0, 0, 0, 0})
	layout := make([]byte, 18)
	layout[0], layout[1] = 3, byte(Contiguous)
	if p.data != nil {
		putUint(layout[2:10], p.data.addr)
	} else {
		putUint(layout[2:10], ^uint64(0)) // no storage allocated
	}
	putUint(layout[10:18], uint64(len(d.data)))
	h.add(msgLayout, 0, layout)
	b.addAttrs(h, d.attrs.list)
	h.finish()
}

// encode writes a global heap collection (III.E): its objects, then the
// free space as object 0.
func (c *globalCollection) encode() {
	g := c.block.data
	copy(g, "GCOL")
	g[4] = 1
	putUint(g[8:16], uint64(len(g)))
	off := 16
	for i, obj := range c.objects {
		binary.LittleEndian.PutUint16(g[off:], uint16(i+1))
		binary.LittleEndian.PutUint16(g[off+2:], 1) // reference count
		putUint(g[off+8:off+16], uint64(len(obj)))
		copy(g[off+16:], obj)
		off += 16 + pad8(len(obj))
	}
	if free := len(g) - off; free >= 16 {
		putUint(g[off+8:off+16], uint64(free))
	}
}
