// Package hdf5 reads and writes HDF5 files in pure Go, standard library
// only: enough of the format to load the model files of Keras 2.0 to 2.3,
// tf.keras 2.x and Keras 3 (legacy .h5, and the model.weights.h5 inside a
// .keras zip) and to write Keras 2.2.4-style .h5 files that h5py and Keras
// read.
//
// # Reading
//
// Open (an io.ReaderAt and its size) or Parse (a byte slice) reads the
// superblock and root group; groups, datasets and attributes are read when
// asked for:
//
//	f, err := hdf5.Parse(data)
//	mw, err := f.Root().Group("model_weights")
//	names, err := mw.Attr("layer_names")      // then names.Strings()
//	k, err := f.Root().Dataset("model_weights/lstm_1/lstm_1/kernel:0")
//	w, err := k.Float32s()                     // row-major, k.Shape() long
//
// Group.Members lists a group's links in the order h5py lists them: by
// creation order where the group tracks it (h5py's track_order=True),
// otherwise by name. Attrs lists attributes the same way. Lookup takes a
// path of names separated by "/" ("." is the group itself; ".." is a name
// like any other, as in HDF5) and follows soft links. Walk visits every
// group and dataset once.
//
// The typed readers convert: Float64s and Float32s read any float or
// integer type, Int64s any integer type, Strings and String fixed- and
// variable-length strings with the padding of fixed-length ones removed.
// Asking for another Go type is an error wrapping ErrType.
//
// What is read, with the sections of the HDF5 File Format Specification
// (version 3.0):
//
//   - superblock versions 0, 1, 2 and 3 (II.A), with 2-, 4- or 8-byte
//     addresses and lengths, at offset 0 or after a user block;
//   - object headers of version 1 and 2 (IV.A.1) with their continuation
//     blocks (IV.A.2.q), and messages shared through a committed object's
//     header, such as a committed datatype (IV.A.2.p);
//   - old-style groups: symbol table message (IV.A.2.r), version 1 B-tree
//     (III.A.1), symbol table nodes (III.B) and local heap (III.D);
//   - new-style groups: link info, group info and link messages (IV.A.2.c,
//     k, g) in the object header ("compact"), or in a fractal heap (III.G)
//     indexed by a version 2 B-tree (III.A.2) ("dense", as h5py writes a
//     group of more than 8 links with libver='latest'), by name or
//     creation order; hard and soft links;
//   - attributes, versions 1 to 3 (IV.A.2.m), scalar, array, empty or with
//     a null dataspace, in the object header or in dense storage (attribute
//     info message IV.A.2.v: fractal heap and v2 B-tree), including ones over
//     64 KiB stored as huge heap objects;
//   - dataspaces of versions 1 and 2 (IV.A.2.b): scalar, simple, null;
//   - datatypes (IV.A.2.d): integers of 1 to 8 bytes, signed or not, and
//     IEEE floats of 2, 4 and 8 bytes, of either byte order; enums (read as
//     their integers; h5py stores bool so); fixed-length strings of any
//     padding and character set; variable-length strings, from the global
//     heap (III.E);
//   - data layouts (IV.A.2.i) of versions 1 to 4: compact, contiguous and
//     chunked, with every chunk index (Appendix C): version 1 B-tree, single
//     chunk, implicit, fixed array, extensible array and version 2 B-tree;
//     unwritten chunks and storage read as the fill value (IV.A.2.f, e);
//   - the filters (IV.A.2.l) deflate (through compress/zlib), shuffle and
//     fletcher32.
//
// Not supported, each reported by an error wrapping ErrUnsupported that
// names the feature and the object: other filters (szip, nbit,
// scaleoffset, lzf, blosc, ...), datatypes of class compound, array,
// reference, opaque, bitfield, time, variable-length sequences other than
// strings, non-IEEE floats; virtual datasets, external storage (data in
// other files), external and user-defined links, messages in the shared
// object header message table, fractal heaps with I/O filters. SWMR files
// are read like others (their format is that of superblock 3).
//
// # Untrusted files
//
// A file is untrusted input. Every address and length is checked against
// the file's size before anything is read or allocated; a malformed,
// truncated or hostile file gives an error wrapping ErrCorrupt, never a
// panic or a hang. Loops (a B-tree node, continuation block or soft link
// chain that leads back to itself) are errors, and a group that contains
// itself is visited once by Walk. A structure shared by two objects, which
// no valid file has, is an error too: it would let a small file make
// reading repeat work without bound. Decoding a dataset or attribute may
// allocate at most the file's data limit, 2048 times the file's size by
// default (deflate compresses at most 1032 to 1): a dataspace that claims
// more elements, chunks that inflate past their size, or a mostly
// unwritten dataset larger than that give an error wrapping ErrTooLarge
// before any allocation. File.SetDataLimit changes the limit.
//
// # Writing
//
// A Writer builds a file in memory and writes it in the form HDF5 gives
// Keras' legacy saver by default: superblock version 0, old-style groups,
// version 1 object headers, contiguous little-endian datasets, attributes
// of version 1 and variable-length strings in global heap collections. It
// writes the same bytes for the same calls.
//
//	w := hdf5.NewWriter()
//	w.Root().SetAttr("keras_version", hdf5.ASCIIString("2.2.4"))
//	mw, _ := w.Root().CreateGroup("model_weights")
//	mw.SetAttr("layer_names", hdf5.FixedStrings{"lstm_1"})
//	g, _ := mw.CreateGroup("lstm_1")
//	g.CreateDataset("kernel:0", []int{4, 8}, kernel)   // []float32
//	err := w.WriteFile("model.h5")
//
// An attribute lives in its object's header, whose messages hold at most
// 64 KiB (MaxAttrSize bytes once encoded): SetAttr refuses a larger value
// with ErrTooLarge, and the caller splits it into several attributes as
// Keras does (layer_names0, layer_names1, ...).
package hdf5
