package hdf5

import (
	"bytes"
	"fmt"
)

// Object header message types (File Format Specification IV.A.2).
const (
	msgNil           = 0x00
	msgDataspace     = 0x01
	msgLinkInfo      = 0x02
	msgDatatype      = 0x03
	msgFillValueOld  = 0x04
	msgFillValue     = 0x05
	msgLink          = 0x06
	msgExternalFiles = 0x07
	msgLayout        = 0x08
	msgGroupInfo     = 0x0a
	msgFilters       = 0x0b
	msgAttribute     = 0x0c
	msgContinuation  = 0x10
	msgSymbolTable   = 0x11
	msgAttributeInfo = 0x15
)

// Message flags (IV.A.1).
const (
	msgFlagShared        = 0x02
	msgFlagFailIfUnknown = 0x80
)

// knownMessages are the message types this package decodes or may ignore;
// an unknown one flagged "fail if unknown" is an error.
var knownMessages = map[uint16]bool{
	0x00: true, 0x01: true, 0x02: true, 0x03: true, 0x04: true, 0x05: true,
	0x06: true, 0x07: true, 0x08: true, 0x0a: true, 0x0b: true, 0x0c: true,
	0x0d: true, 0x0e: true, 0x10: true, 0x11: true, 0x12: true, 0x13: true,
	0x14: true, 0x15: true, 0x16: true, 0x17: true,
}

// maxHeaderChunks bounds the continuation blocks of one object header.
const maxHeaderChunks = 1 << 12

// A message is one object header message.
type message struct {
	typ      uint16
	flags    uint8
	crtOrder uint16 // creation order, in v2 headers that track it
	data     []byte
}

// A headerChunk is a block of object header messages: the first after the
// header's prefix, the others pointed to by continuation messages.
type headerChunk struct{ addr, size uint64 }

// An objectHeader is the decoded object header of a group, dataset or
// committed datatype (IV.A.1).
type objectHeader struct {
	addr     uint64
	version  int
	flags    uint8 // v2 header flags
	messages []message
	blocks   int // the first block and its continuation blocks
}

// attrOrderTracked reports whether the header tracks the creation order of
// its attributes (v2 header flag bit 2).
func (h *objectHeader) attrOrderTracked() bool { return h.version == 2 && h.flags&0x04 != 0 }

// find returns the first message of the given type, or nil.
func (h *objectHeader) find(typ uint16) *message {
	for i := range h.messages {
		if h.messages[i].typ == typ {
			return &h.messages[i]
		}
	}
	return nil
}

// readObjectHeader decodes the object header at addr with all its
// continuation blocks.
func (f *File) readObjectHeader(addr uint64) (*objectHeader, error) {
	if err := f.claim(addr, addr, "object header"); err != nil {
		return nil, err
	}
	prefix, err := f.readUpTo(addr, 64, "object header")
	if err != nil {
		return nil, err
	}
	h := &objectHeader{addr: addr}
	var queue []headerChunk
	if bytes.HasPrefix(prefix, []byte("OHDR")) {
		h.version = 2
		c := f.cursor(prefix, "object header")
		c.skip(4)
		if v := c.u8(); v != 2 && c.err == nil {
			return nil, unsupportedf("object header version %d at %#x", v, addr)
		}
		h.flags = c.u8()
		if h.flags&0x20 != 0 {
			c.skip(16) // access, modification, change and birth times
		}
		if h.flags&0x10 != 0 {
			c.skip(4) // attribute phase change values
		}
		size := c.uvar(1 << (h.flags & 3))
		if c.err != nil {
			return nil, c.err
		}
		start := uint64(c.off)
		if size > uint64(f.size) {
			return nil, corruptf("object header at %#x claims a %d-byte chunk in a %d-byte file", addr, size, f.size)
		}
		block, err := f.readAt(addr, int64(start+size+4), "object header")
		if err != nil {
			return nil, err
		}
		if err := f.checksum(block, "object header"); err != nil {
			return nil, err
		}
		if queue, err = f.decodeMessages(h, block[start:start+size], queue); err != nil {
			return nil, err
		}
	} else {
		c := f.cursor(prefix, "object header")
		if v := c.u8(); v != 1 {
			if c.err != nil {
				return nil, c.err
			}
			return nil, corruptf("object header at %#x has version %d (1 or 2 expected)", addr, v)
		}
		h.version = 1
		c.skip(1 + 2 + 4) // reserved, number of messages, reference count
		size := uint64(c.u32())
		if c.err != nil {
			return nil, c.err
		}
		// The messages start at the next 8-byte boundary (offset 16).
		queue = append(queue, headerChunk{addr + 16, size})
		if addr+16 < addr {
			return nil, corruptf("object header address %#x overflows", addr)
		}
	}
	var total uint64
	seen := map[uint64]bool{}
	for i := 0; i < len(queue); i++ {
		ch := queue[i]
		if i >= maxHeaderChunks {
			return nil, corruptf("object header at %#x has more than %d continuation blocks", addr, maxHeaderChunks)
		}
		if seen[ch.addr] {
			return nil, corruptf("object header at %#x has a continuation loop at %#x", addr, ch.addr)
		}
		seen[ch.addr] = true
		if i > 0 || h.version == 2 {
			if err := f.claim(ch.addr, addr, "object header continuation"); err != nil {
				return nil, err
			}
		}
		total += ch.size
		if ch.size > uint64(f.size) || total > uint64(f.size) {
			return nil, corruptf("object header at %#x has blocks larger than the file", addr)
		}
		block, err := f.readAt(ch.addr, int64(ch.size), "object header continuation")
		if err != nil {
			return nil, err
		}
		if h.version == 2 {
			if !bytes.HasPrefix(block, []byte("OCHK")) {
				return nil, corruptf("object header continuation at %#x has no OCHK signature", ch.addr)
			}
			if err := f.checksum(block, "object header continuation"); err != nil {
				return nil, err
			}
			block = block[4 : len(block)-4]
		}
		if queue, err = f.decodeMessages(h, block, queue); err != nil {
			return nil, err
		}
	}
	h.blocks = len(queue)
	if h.version == 2 {
		h.blocks++ // the first block is not in the queue
	}
	return h, nil
}

// decodeMessages appends the messages of one header block to h and the
// continuation blocks they point to to queue.
func (f *File) decodeMessages(h *objectHeader, block []byte, queue []headerChunk) ([]headerChunk, error) {
	c := f.cursor(block, "object header messages")
	for {
		var m message
		if h.version == 1 {
			if c.rest() < 8 {
				break
			}
			m.typ = c.u16()
			n := int(c.u16())
			m.flags = c.u8()
			c.skip(3)
			m.data = c.bytes(n)
		} else {
			hdr := 4
			if h.flags&0x04 != 0 {
				hdr = 6
			}
			if c.rest() < hdr { // a gap before the checksum
				break
			}
			m.typ = uint16(c.u8())
			n := int(c.u16())
			m.flags = c.u8()
			if h.flags&0x04 != 0 {
				m.crtOrder = c.u16()
			}
			m.data = c.bytes(n)
		}
		if c.err != nil {
			return nil, fmt.Errorf("object header at %#x: %w", h.addr, c.err)
		}
		if !knownMessages[m.typ] && m.flags&msgFlagFailIfUnknown != 0 {
			return nil, unsupportedf("object header message type %#x (flagged fail-if-unknown) at %#x", m.typ, h.addr)
		}
		if m.typ == msgContinuation {
			mc := f.cursor(m.data, "continuation message")
			a, s := mc.addr(), mc.length()
			if mc.err != nil {
				return nil, mc.err
			}
			queue = append(queue, headerChunk{a, s})
			continue
		}
		if m.typ == msgNil {
			continue
		}
		h.messages = append(h.messages, m)
	}
	return queue, nil
}

// messageData returns the data of m, following a shared message to the
// object header that holds it.
func (f *File) messageData(m *message) ([]byte, error) {
	if m.flags&msgFlagShared == 0 {
		return m.data, nil
	}
	return f.sharedData(m.typ, m.data)
}

// sharedData returns the data of the message of type typ that the shared
// message encoding b points to (IV.A.2.p). Only messages shared through a
// committed object's header (such as a committed datatype) are read; those
// in the shared object header message table (SOHM) are not.
func (f *File) sharedData(typ uint16, b []byte) ([]byte, error) {
	c := f.cursor(b, "shared message")
	version := c.u8()
	kind := c.u8()
	switch version {
	case 1:
		c.skip(6)
	case 2:
	case 3:
		if kind == 1 {
			return nil, unsupportedf("shared object header message table (message type %#x stored in the SOHM heap)", typ)
		}
	default:
		if c.err == nil {
			return nil, corruptf("shared message version %d", version)
		}
	}
	addr := c.addr()
	if c.err != nil {
		return nil, c.err
	}
	h, err := f.readObjectHeader(addr)
	if err != nil {
		return nil, fmt.Errorf("shared message: %w", err)
	}
	for _, sm := range h.messages {
		if sm.typ == typ {
			if sm.flags&msgFlagShared != 0 {
				return nil, corruptf("shared message at %#x points to another shared message", addr)
			}
			return sm.data, nil
		}
	}
	return nil, corruptf("shared message points to object header %#x, which has no message of type %#x", addr, typ)
}
