package hdf5

import (
	"fmt"
	"sort"
	"strings"
)

// An Object is a Group or a Dataset.
type Object interface {
	// Path is the object's path from the root, such as
	// "/model_weights/lstm_1".
	Path() string
	// Attrs lists the names of the object's attributes.
	Attrs() ([]string, error)
	// Attr returns the attribute of the given name.
	Attr(name string) (*Attribute, error)

	base() *object
}

// object is what groups and datasets have in common.
type object struct {
	f         *File
	path      string
	hdr       *objectHeader
	attrs     []*attrMessage // in h5py's order, once read
	attrsRead bool
}

func (o *object) base() *object { return o }

// A Group is an HDF5 group: named links to other groups and datasets.
type Group struct {
	object
	links []link // in member order; nil until read
	read  bool
}

func isGroup(h *objectHeader) bool {
	return h.find(msgSymbolTable) != nil || h.find(msgLinkInfo) != nil || h.find(msgLink) != nil
}

func isDataset(h *objectHeader) bool {
	return h.find(msgLayout) != nil
}

// Path returns the group's path, "/" for the root.
func (g *Group) Path() string { return g.path }

// Members lists the names of the group's links, in the order h5py lists
// them: by creation order where the group tracks it (h5py's
// track_order=True), otherwise by name (byte-wise, as HDF5 compares names).
// Old-style groups (symbol tables, as Keras files have) never track it.
func (g *Group) Members() ([]string, error) {
	links, err := g.getLinks()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(links))
	for i, l := range links {
		names[i] = l.name
	}
	return names, nil
}

func (g *Group) getLinks() ([]link, error) {
	if g.read {
		return g.links, nil
	}
	links, err := g.f.groupLinks(g.hdr)
	if err != nil {
		return nil, pathError(g.path, err)
	}
	g.links, g.read = links, true
	return links, nil
}

// groupLinks reads the links of the group with header h: from a symbol
// table (old-style group), link messages (compact new-style group) or a
// fractal heap indexed by a v2 B-tree (dense new-style group).
func (f *File) groupLinks(h *objectHeader) ([]link, error) {
	if m := h.find(msgSymbolTable); m != nil {
		return f.symbolTableLinks(m.data, h.addr)
	}
	var links []link
	tracked := false
	if m := h.find(msgLinkInfo); m != nil {
		li, err := f.decodeDenseInfo(m.data, "link info")
		if err != nil {
			return nil, err
		}
		tracked = li.orderTracked
		if li.heapAddr != f.undef() {
			heap, t, err := f.openDense(li, bt2LinkNames, h.addr)
			if err != nil {
				return nil, fmt.Errorf("dense links: %w", err)
			}
			err = f.bt2Records(t, func(rec []byte) error {
				if len(rec) < 4+heap.idLen {
					return corruptf("link name record of %d bytes for %d-byte heap IDs", len(rec), heap.idLen)
				}
				obj, err := heap.object(rec[4 : 4+heap.idLen])
				if err != nil {
					return err
				}
				l, err := f.decodeLink(obj)
				if err != nil {
					return err
				}
				links = append(links, l)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("dense links: %w", err)
			}
		}
	}
	for i := range h.messages {
		if h.messages[i].typ == msgLink {
			l, err := f.decodeLink(h.messages[i].data)
			if err != nil {
				return nil, err
			}
			links = append(links, l)
		}
	}
	sort.SliceStable(links, func(i, j int) bool {
		if tracked && links[i].crtOrder != links[j].crtOrder {
			return links[i].crtOrder < links[j].crtOrder
		}
		return links[i].name < links[j].name
	})
	return links, nil
}

// Group returns the group at path, relative to g unless it starts with "/".
func (g *Group) Group(path string) (*Group, error) {
	obj, err := g.Lookup(path)
	if err != nil {
		return nil, err
	}
	sub, ok := obj.(*Group)
	if !ok {
		return nil, pathError(obj.Path(), fmt.Errorf("is a dataset, not a group"))
	}
	return sub, nil
}

// Dataset returns the dataset at path, relative to g unless it starts
// with "/".
func (g *Group) Dataset(path string) (*Dataset, error) {
	obj, err := g.Lookup(path)
	if err != nil {
		return nil, err
	}
	d, ok := obj.(*Dataset)
	if !ok {
		return nil, pathError(obj.Path(), fmt.Errorf("is a group, not a dataset"))
	}
	return d, nil
}

// maxSoftLinks bounds the soft links followed in one lookup, as HDF5 does
// (H5L_NUM_LINKS).
const maxSoftLinks = 16

// Lookup returns the group or dataset at path: names separated by "/",
// relative to g unless path starts with "/"; empty names and "." stand for
// the group they are in. Soft links are followed (at most 16 in one
// lookup), and the object found through one has the path of the link's
// target; external links are not supported. A missing name is an error
// wrapping ErrNotFound.
func (g *Group) Lookup(path string) (Object, error) {
	hops := 0
	return g.lookup(path, &hops)
}

func (g *Group) lookup(path string, hops *int) (Object, error) {
	var cur Object = g
	if strings.HasPrefix(path, "/") {
		cur = g.f.root
	}
	parts := strings.Split(path, "/")
	for _, name := range parts {
		if name == "" || name == "." {
			continue
		}
		grp, ok := cur.(*Group)
		if !ok {
			return nil, pathError(cur.Path(), fmt.Errorf("is a dataset, not a group: cannot look up %q", name))
		}
		links, err := grp.getLinks()
		if err != nil {
			return nil, err
		}
		var l *link
		for j := range links {
			if links[j].name == name {
				l = &links[j]
				break
			}
		}
		child := joinPath(grp.path, name)
		if l == nil {
			return nil, pathError(child, ErrNotFound)
		}
		switch l.kind {
		case linkHard:
			cur, err = g.f.openObject(l.addr, child)
		case linkSoft:
			if *hops++; *hops > maxSoftLinks {
				return nil, pathError(child, fmt.Errorf("more than %d soft links in one lookup", maxSoftLinks))
			}
			cur, err = grp.lookup(l.target, hops)
			if err != nil {
				return nil, pathError(child, fmt.Errorf("soft link to %q: %w", l.target, err))
			}
		case linkExternal:
			return nil, pathError(child, unsupportedf("external link to %q", strings.Replace(strings.TrimRight(l.target, "\x00"), "\x00", ":", 1)))
		default:
			return nil, pathError(child, unsupportedf("user-defined link of type %d", l.kind))
		}
		if err != nil {
			return nil, err
		}
	}
	return cur, nil
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// openObject opens the group or dataset whose object header is at addr.
func (f *File) openObject(addr uint64, path string) (Object, error) {
	h, err := f.readObjectHeader(addr)
	if err != nil {
		return nil, pathError(path, err)
	}
	return f.objectFromHeader(h, path)
}

// objectFromHeader makes the group or dataset whose object header is h.
func (f *File) objectFromHeader(h *objectHeader, path string) (Object, error) {
	switch {
	case isGroup(h):
		return &Group{object: object{f: f, path: path, hdr: h}}, nil
	case isDataset(h):
		return f.newDataset(h, path)
	case h.find(msgDatatype) != nil:
		return nil, pathError(path, unsupportedf("committed datatype as an object"))
	}
	return nil, pathError(path, corruptf("object at %#x is neither a group nor a dataset", h.addr))
}

// maxWalkDepth bounds the nesting of groups that Walk descends.
const maxWalkDepth = 512

// Walk calls fn for every group and dataset below g, depth first in member
// order, each object once: an object reached again through another hard
// link (such as a group that contains itself) is not visited again, nor
// descended into. Soft and external links are not followed, and committed
// datatypes are skipped. Walk stops at the first error fn returns and
// returns it.
func (g *Group) Walk(fn func(path string, obj Object) error) error {
	seen := map[uint64]bool{g.hdr.addr: true}
	var walk func(g *Group, depth int) error
	walk = func(g *Group, depth int) error {
		if depth > maxWalkDepth {
			return pathError(g.path, fmt.Errorf("groups nested more than %d deep", maxWalkDepth))
		}
		links, err := g.getLinks()
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.kind != linkHard || seen[l.addr] {
				continue
			}
			seen[l.addr] = true
			path := joinPath(g.path, l.name)
			h, err := g.f.readObjectHeader(l.addr)
			if err != nil {
				return pathError(path, err)
			}
			if !isGroup(h) && !isDataset(h) && h.find(msgDatatype) != nil {
				continue // a committed datatype
			}
			obj, err := g.f.objectFromHeader(h, path)
			if err != nil {
				return err
			}
			if err := fn(path, obj); err != nil {
				return err
			}
			if sub, ok := obj.(*Group); ok {
				if err := walk(sub, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(g, 0)
}
