#!/usr/bin/python3
"""Make the HDF5 test files of package hdf5 with h5py, one per feature, and
the JSON dump of each (dump_h5.py) that the Go tests compare their reader with.

Run from this directory with Debian's h5py (python3-h5py 3.7, HDF5 1.10):

    /usr/bin/python3 make_h5.py

It also dumps the real Keras files of ../../keras/testdata into keras/.

The output is deterministic for a given h5py/HDF5 build (no timestamps are
stored; numbers come from fixed seeds). The files are checked in; rerun this
only to change them.
"""
import ctypes
import os
import tempfile
import zipfile
import zlib

import h5py
import numpy as np
from h5py import h5d, h5f, h5p, h5s, h5t

from dump_h5 import dump, write_json

OUT = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)


def path(name):
    return os.path.join(OUT, name)


LIBVER = {"earliest": h5f.LIBVER_EARLIEST, "v108": h5f.LIBVER_V18, "latest": h5f.LIBVER_LATEST}
HDF5 = ctypes.CDLL("libhdf5_serial.so.103")  # for what h5py does not wrap
HDF5.H5Pcreate.restype = ctypes.c_int64  # hid_t


def new_file(name, libver=("earliest", "latest"), userblock=0, fcpl=None):
    """Create a file whose objects store no times, so that its bytes are
    reproducible (datasets are made with track_times=False, groups with
    group())."""
    if fcpl is None:
        fcpl = h5p.create(h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    if userblock:
        fcpl.set_userblock(userblock)
    fapl = h5p.create(h5p.FILE_ACCESS)
    if isinstance(libver, str):
        libver = (libver, libver)
    fapl.set_libver_bounds(LIBVER[libver[0]], LIBVER[libver[1]])
    return h5py.File(h5f.create(path(name).encode(), h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))


def group(parent, name, track_order=False):
    """parent.create_group(name) without times."""
    gcpl = h5p.create(h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    if track_order:
        gcpl.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
        gcpl.set_attr_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl)
    return parent[name]


def dcpl_no_times():
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    return dcpl


def commit_type(parent, name, dtype):
    """Commit a named datatype (H5Tcommit2) without times."""
    cls = ctypes.c_int64.in_dll(HDF5, "H5P_CLS_DATATYPE_CREATE_ID_g").value
    tcpl = HDF5.H5Pcreate(ctypes.c_int64(cls))
    if tcpl < 0 or HDF5.H5Pset_obj_track_times(ctypes.c_int64(tcpl), ctypes.c_uint(0)) < 0:
        raise RuntimeError("H5Pset_obj_track_times failed")
    tid = h5t.py_create(np.dtype(dtype)).copy()
    if HDF5.H5Tcommit2(ctypes.c_int64(parent.id.id), name.encode(), ctypes.c_int64(tid.id),
                       ctypes.c_int64(0), ctypes.c_int64(tcpl), ctypes.c_int64(0)) < 0:
        raise RuntimeError("H5Tcommit2 failed")
    HDF5.H5Pclose(ctypes.c_int64(tcpl))


def keras_like_attrs(obj):
    """The attribute kinds Keras writes, plus the other string flavours."""
    obj.attrs["vlen_utf8"] = "héllo wörld ✓"                 # str: vlen UTF-8 scalar
    obj.attrs["vlen_ascii"] = b"tensorflow"                     # bytes: vlen ASCII scalar
    obj.attrs["fixed_S"] = np.array([b"lstm_1", b"dense_1", b"x"])  # numpy S: fixed, NULLPAD
    obj.attrs["vlen_array"] = np.array(["kernel:0", "recurrent_kernel:0", "bias:0"],
                                       dtype=h5py.string_dtype())
    obj.attrs["vlen_ascii_array"] = np.array([b"a", b"bc", b""], dtype=h5py.string_dtype("ascii"))
    obj.attrs["empty_f8"] = np.array([])                       # Keras: layer without weights
    obj.attrs["null_f8"] = h5py.Empty("f8")                     # null dataspace
    obj.attrs["scalar_f4"] = np.float32(1.5)
    obj.attrs["scalar_i8"] = np.int64(-42)
    obj.attrs["bool"] = True                                    # int8 enum
    obj.attrs["array_f8"] = np.array([0.1, -2.5e300, 3.0])
    obj.attrs["array_i4_2d"] = np.arange(6, dtype="<i4").reshape(2, 3)
    obj.attrs["array_u2_be"] = np.array([1, 65535], dtype=">u2")
    obj.attrs["empty_string"] = ""


def fixed_string_attr(obj, name, value, size, pad, cset=h5t.CSET_ASCII):
    """A scalar fixed-length string attribute with the given padding."""
    tid = h5t.C_S1.copy()
    tid.set_size(size)
    tid.set_strpad(pad)
    tid.set_cset(cset)
    space = h5s.create(h5s.SCALAR)
    aid = h5py.h5a.create(obj.id, name.encode(), tid, space)
    raw = np.frombuffer(value.ljust(size, b" " if pad == h5t.STR_SPACEPAD else b"\0"), dtype="S%d" % size)
    aid.write(np.array(raw[0], dtype="S%d" % size), mtype=tid)


def make_sb0_basic():
    """Superblock 0, old-style groups, v1 object headers, contiguous data."""
    with new_file("sb0_basic.h5") as f:
        keras_like_attrs(f)
        mw = group(f, "model_weights")
        mw.attrs["layer_names"] = np.array([b"lstm_1", b"masking_1"])
        g = group(group(mw, "lstm_1"), "lstm_1")
        g.create_dataset("kernel:0", data=rng.standard_normal((4, 12)).astype("<f4"), track_times=False)
        g.create_dataset("recurrent_kernel:0", data=rng.standard_normal((3, 12)).astype("<f4"),
                         track_times=False)
        g.create_dataset("bias:0", data=np.arange(12, dtype="<f4") / 7, track_times=False)
        group(mw, "masking_1").attrs["weight_names"] = np.array([])
        f.create_dataset("scalar_f8", data=np.float64(np.pi), track_times=False)
        f.create_dataset("big_f8", data=rng.standard_normal((40, 30)), track_times=False)
        f.create_dataset("empty", shape=(0, 3), dtype="<f4", track_times=False)
        # nine members: more than one symbol table node
        many = group(f, "many")
        for i in range(9):
            many.create_dataset("d%d" % (8 - i), data=np.float32(i), track_times=False)
        # 300 soft links: a two-level group B-tree
        links = group(f, "links")
        for i in range(300):
            links["s%03d" % i] = h5py.SoftLink("/scalar_f8")
        links["dangling"] = h5py.SoftLink("/no/such/thing")
        links["relative"] = h5py.SoftLink("../many/d3")  # HDF5 has no "..": dangling
        links["sibling"] = h5py.SoftLink("s001")
        group(f, "ünïcode ✓").attrs["ключ"] = "значение"


def make_sb0_continuation():
    """v1 object headers that overflow into continuation blocks."""
    with new_file("sb0_continuation.h5") as f:
        d = f.create_dataset("d", data=np.arange(5, dtype="<f8"), track_times=False)
        g = group(f, "g")
        for i in range(40):
            d.attrs["attr%02d" % i] = np.arange(i + 1, dtype="<i2")
            g.attrs["s%02d" % i] = "value %d" % i


def make_sb1():
    """Superblock 1: a non-default indexed storage B-tree K."""
    fcpl = h5p.create(h5p.FILE_CREATE)
    # h5py does not wrap H5Pset_istore_k
    if HDF5.H5Pset_istore_k(ctypes.c_int64(fcpl.id), ctypes.c_uint(64)) < 0:
        raise RuntimeError("H5Pset_istore_k failed")
    with new_file("sb1_istore_k.h5", fcpl=fcpl) as f:
        f.create_dataset("chunked", data=np.arange(200, dtype="<i4").reshape(20, 10), chunks=(3, 4),
                         track_times=False)


def make_sb2():
    """Superblock 2 (libver v108): v2 object headers, new-style groups."""
    with new_file("sb2_v108.h5", libver=("v108", "v108")) as f:
        keras_like_attrs(f)
        g = group(f, "group")
        g.create_dataset("x", data=np.linspace(0, 1, 7, dtype="<f4"), track_times=False)
        g.create_dataset("chunked", data=np.arange(60, dtype="<f8").reshape(6, 10), chunks=(4, 4),
                         compression="gzip", shuffle=True, track_times=False)
        group(group(g, "sub"), "deeper")
        g["soft"] = h5py.SoftLink("x")


def make_sb3():
    """Superblock 3 (libver latest): dense links and attributes (fractal
    heaps, v2 B-trees), creation order, continuation blocks (OCHK), big
    attributes and every chunk index of layout message version 4."""
    with new_file("sb3_latest.h5", libver="latest") as f:
        keras_like_attrs(f)
        compact = group(f, "compact")
        for n in ["zeta", "alpha", "Mid"]:
            group(compact, n)
        dense = group(f, "dense")
        for i in range(30):
            dense.create_dataset("n%02d:0" % (29 - i), data=np.float32(i), track_times=False)
        # enough links for a v2 B-tree of two levels and a fractal heap with
        # an indirect block, and UTF-8 names
        deep = group(f, "dense_deep")
        for i in range(150):
            group(deep, "g%03d_ü" % ((i * 37) % 150))
        ordered = group(f, "ordered", track_order=True)
        for n in ["zeta", "alpha", "Mid", "b:0"]:
            group(ordered, n)
        ordered_dense = group(f, "ordered_dense", track_order=True)
        for i in range(25):
            group(ordered_dense, "g%02d" % ((i * 7) % 25))
        # dense attributes (more than 8), with and without creation order
        da = group(f, "dense_attrs")
        for i in range(20):
            da.attrs["a%02d" % (19 - i)] = np.arange(i, dtype="<f4")
        oa = group(f, "ordered_attrs", track_order=True)
        for i in range(12):
            oa.attrs["o%02d" % ((i * 5) % 12)] = "v%d" % i
        oc = group(f, "ordered_compact_attrs", track_order=True)
        for n in ["z", "a", "m", "ü:0"]:
            oc.attrs[n] = n
        for i in range(60):  # a v2 B-tree of two levels for attribute names
            da.attrs["more%02d" % i] = i
        # committed datatypes used by a dataset and an attribute (shared
        # messages in version 2 object headers)
        commit_type(f, "ctype", "<f4")
        d = f.create_dataset("uses_ctype", data=np.array([1.5, -2]), dtype=f["ctype"], track_times=False)
        d.attrs.create("typed", np.array([0.25, 4]), dtype=f["ctype"])
        # an attribute over 64 KiB: only dense storage holds it (a huge
        # fractal heap object)
        big = group(f, "big_attr")
        big.attrs["big"] = np.arange(9000, dtype="<f8")
        big.attrs["big_strings"] = np.array(["layer_%05d" % i for i in range(6500)], dtype="S11")
        # continuation blocks in a v2 header
        d = f.create_dataset("cont", data=np.arange(4, dtype="<i8"), track_times=False)
        for i in range(6):
            d.attrs["m%d" % i] = np.full(40, i, dtype="<f8")
        # chunk indexes (Appendix C)
        ci = group(f, "chunk_index")
        ci.create_dataset("single", data=np.arange(12, dtype="<f4").reshape(3, 4), chunks=(3, 4),
                          track_times=False)
        ci.create_dataset("single_filtered", data=np.arange(12, dtype="<f4").reshape(3, 4),
                          chunks=(3, 4), compression="gzip", track_times=False)
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk((2, 3))
        dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
        tid = h5t.py_create(np.dtype("<i2"))
        dcpl.set_obj_track_times(False)
        h5d.create(ci.id, b"implicit", tid, h5s.create_simple((5, 7)), dcpl=dcpl)
        ci["implicit"][...] = np.arange(35, dtype="<i2").reshape(5, 7)
        ci.create_dataset("fixed", data=np.arange(90, dtype="<f8").reshape(9, 10), chunks=(2, 3),
                          track_times=False)
        ci.create_dataset("fixed_filtered", data=np.arange(90, dtype="<f8").reshape(9, 10),
                          chunks=(2, 3), compression="gzip", shuffle=True, track_times=False)
        ci.create_dataset("fixed_maxshape", data=np.arange(10, dtype="<i4"), maxshape=(25,),
                          chunks=(3,), track_times=False)
        paged = ci.create_dataset("fixed_paged", shape=(1100,), dtype="<i4", chunks=(1,),
                                  fillvalue=-1, track_times=False)
        paged[1030:1100] = np.arange(70)  # page 0 of the index is never written
        ci.create_dataset("extensible", data=np.arange(30, dtype="<f4"), maxshape=(None,),
                          chunks=(4,), track_times=False)
        ea = ci.create_dataset("extensible_big", shape=(310,), maxshape=(None,), dtype="<i2",
                               chunks=(1,), fillvalue=7, track_times=False)
        ea[:300] = np.arange(300)
        ci.create_dataset("extensible_filtered", data=np.arange(50, dtype="<f8"), maxshape=(None,),
                          chunks=(8,), compression="gzip", track_times=False)
        ci.create_dataset("extensible_dim1", data=np.arange(24, dtype="<i4").reshape(4, 6),
                          maxshape=(4, None), chunks=(3, 2), track_times=False)
        ci.create_dataset("btree2", data=np.arange(48, dtype="<f4").reshape(6, 8),
                          maxshape=(None, None), chunks=(4, 3), track_times=False)
        ci.create_dataset("btree2_deep", data=np.arange(1600, dtype="<i2").reshape(40, 40),
                          maxshape=(None, None), chunks=(2, 2), track_times=False)
        ci.create_dataset("btree2_filtered", data=np.arange(48, dtype="<f4").reshape(6, 8),
                          maxshape=(None, None), chunks=(4, 3), compression="gzip",
                          track_times=False)


def make_chunked():
    """Chunked datasets (superblock 0, v1 B-tree index) with filters."""
    with new_file("chunked.h5") as f:
        data = rng.standard_normal((17, 23)).astype("<f4")
        f.create_dataset("gzip", data=data, chunks=(5, 6), compression="gzip", compression_opts=4,
                         track_times=False)
        f.create_dataset("shuffle_gzip", data=data, chunks=(5, 6), compression="gzip", shuffle=True,
                         track_times=False)
        f.create_dataset("shuffle_only", data=data.astype("<f8"), chunks=(4, 4), shuffle=True,
                         track_times=False)
        f.create_dataset("fletcher32", data=data, chunks=(8, 8), fletcher32=True, track_times=False)
        f.create_dataset("all_filters", data=np.arange(1000, dtype=">i8").reshape(10, 100),
                         chunks=(3, 30), shuffle=True, compression="gzip", fletcher32=True,
                         track_times=False)
        f.create_dataset("plain_3d", data=np.arange(120, dtype="<u2").reshape(4, 5, 6),
                         chunks=(3, 2, 4), track_times=False)
        fv = f.create_dataset("fill", shape=(10, 12), dtype="<f8", chunks=(4, 5), fillvalue=-7.5,
                              compression="gzip", track_times=False)
        fv[0:4, 0:5] = 1.0
        fv[8:10, 10:12] = 2.0
        f.create_dataset("unwritten", shape=(6,), dtype="<i4", chunks=(2,), fillvalue=3,
                         track_times=False)
        f.create_dataset("no_fill", shape=(5,), dtype="<f4", chunks=(2,), track_times=False)
        # contiguous storage never allocated: the fill value
        f.create_dataset("unwritten_contiguous", shape=(2, 3), dtype=">i4", fillvalue=-9, track_times=False)
        f.create_dataset("null_dataset", data=h5py.Empty("<f8"), track_times=False)
        big = f.create_dataset("many_chunks", data=np.arange(4000, dtype="<f4"), chunks=(10,),
                               compression="gzip", track_times=False)
        big.attrs["note"] = "400 chunks: a v1 B-tree of two levels"


def make_dtypes():
    """Every numeric type in both byte orders, strings of every padding,
    compact and scalar datasets."""
    with new_file("dtypes.h5") as f:
        vals = [0, 1, -1, 100, -100, 127, -128]
        for kind in "iu":
            for size in (1, 2, 4, 8):
                for order in "<>":
                    dt = np.dtype("%s%s%d" % (order, kind, size))
                    info = np.iinfo(dt)
                    v = np.array([x for x in vals if info.min <= x <= info.max] + [info.min, info.max], dtype=dt)
                    name = "%s%d%s" % ("int" if kind == "i" else "uint", 8 * size, "le" if order == "<" else "be")
                    f.create_dataset(name, data=v, track_times=False)
                    f.attrs[name] = v
        fvals = [0.0, -0.0, 1.0, -2.5, 3.4e38, 1e-40, np.inf, -np.inf, np.nan, 65504.0, 1.0 / 3]
        for size in (2, 4, 8):
            for order in "<>":
                dt = np.dtype("%sf%d" % (order, size))
                with np.errstate(over="ignore"):
                    v = np.array(fvals, dtype=dt)
                name = "float%d%s" % (8 * size, "le" if order == "<" else "be")
                f.create_dataset(name, data=v, track_times=False)
                f.attrs[name] = v
        f.create_dataset("bool", data=np.array([True, False, True]), track_times=False)
        f.create_dataset("scalar_i2", data=np.int16(-3), track_times=False)
        f.create_dataset("fixed_S", data=np.array([b"a", b"bcd", b"efghij"]), track_times=False)
        f.create_dataset("vlen_str", data=np.array(["α", "beta", ""], dtype=h5py.string_dtype()),
                         track_times=False)
        f.create_dataset("vlen_bytes_2d", data=np.array([[b"a", b"b"], [b"cc", b"dd"]],
                                                         dtype=h5py.string_dtype("ascii")),
                         track_times=False)
        fixed_string_attr(f, "nullterm", b"abc\0def", 8, h5t.STR_NULLTERM)
        fixed_string_attr(f, "nullpad", b"abc", 6, h5t.STR_NULLPAD)
        fixed_string_attr(f, "spacepad", b"abc", 6, h5t.STR_SPACEPAD)
        fixed_string_attr(f, "utf8_fixed", "ünï".encode(), 8, h5t.STR_NULLPAD, h5t.CSET_UTF8)
        # compact layout
        dcpl = dcpl_no_times()
        dcpl.set_layout(h5d.COMPACT)
        tid = h5t.py_create(np.dtype(">f4"))
        h5d.create(f.id, b"compact", tid, h5s.create_simple((2, 3)), dcpl=dcpl)
        f["compact"][...] = np.arange(6, dtype=">f4").reshape(2, 3) - 2.5
        # a committed (shared) datatype used by a dataset
        commit_type(f, "committed_type", "<f8")
        f.create_dataset("uses_committed", data=np.array([1.25, 2.5]), dtype=f["committed_type"],
                         track_times=False)


def make_userblock():
    """A 512-byte user block before the superblock: addresses are relative
    to the superblock."""
    with new_file("userblock.h5", userblock=512) as f:
        f.create_dataset("x", data=np.arange(3, dtype="<f4"), track_times=False)
        f.attrs["a"] = "user block"
    with open(path("userblock.h5"), "r+b") as fh:
        fh.write(b"a user block written by make_h5.py".ljust(512, b"\0"))


def make_links():
    """Hard links that make a cycle and an alias, an external link."""
    with new_file("links.h5") as f:
        g = group(f, "g")
        g["self"] = g                                  # the group contains itself
        d = g.create_dataset("d", data=np.arange(3, dtype="<f4"), track_times=False)
        f["alias"] = d
        f["ext"] = h5py.ExternalLink("other.h5", "/x")
        f["g/up"] = f                                  # the root again


def make_unsupported():
    """Features the Go package reports as not supported."""
    with new_file("unsupported.h5") as f:
        f.create_dataset("lzf", data=np.arange(10, dtype="<f4"), chunks=(5,), compression="lzf",
                         track_times=False)
        f.create_dataset("scaleoffset", data=np.arange(10, dtype="<i4"), chunks=(5,), scaleoffset=0,
                         track_times=False)
        f.create_dataset("compound", data=np.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f8")]),
                         track_times=False)
        f.create_dataset("array_type", shape=(2,), dtype=np.dtype(("<f4", (3,))), track_times=False)
        f.create_dataset("opaque", data=np.void(b"\x01\x02"), track_times=False)
        f.create_dataset("reference", data=np.array([f.ref]), dtype=h5py.ref_dtype, track_times=False)
        f.create_dataset("vlen_int", shape=(2,), dtype=h5py.vlen_dtype(np.dtype("<i4")),
                         track_times=False)
        with open(path("external.bin"), "wb") as ext:
            ext.write(np.arange(4, dtype="<f4").tobytes())
        f.create_dataset("external", shape=(4,), dtype="<f4", external=[("external.bin", 0, 16)],
                         track_times=False)
        f.attrs["compound_attr"] = np.array([(1, 2.0)], dtype=[("a", "<i4"), ("b", "<f8")])
        f["ext_link"] = h5py.ExternalLink("other.h5", "/x")
    os.remove(path("external.bin"))
    with new_file("virtual.h5", libver="latest") as f:
        f.create_dataset("src", data=np.arange(4, dtype="<f4"), track_times=False)
        dcpl = dcpl_no_times()
        space = h5s.create_simple((4,))
        dcpl.set_virtual(space, b".", b"/src", h5s.create_simple((4,)))
        h5d.create(f.id, b"vds", h5t.py_create(np.dtype("<f4")), space, dcpl=dcpl)


def make_hostile():
    """Chunks that lie (hostile/chunks.h5, not dumped: h5py cannot read it
    either): a deflate bomb, chunks that inflate short or are not zlib, a
    bad fletcher32 checksum, and fill-value datasets far larger than the
    file."""
    os.makedirs(path("hostile"), exist_ok=True)
    with new_file(os.path.join("hostile", "chunks.h5")) as f:
        def chunked(name, **kw):
            return f.create_dataset(name, shape=(10,), dtype="<f8", chunks=(10,), track_times=False, **kw)
        # 80-byte chunks
        chunked("bomb", compression="gzip").id.write_direct_chunk((0,), zlib.compress(bytes(10 << 20), 9))
        chunked("short", compression="gzip").id.write_direct_chunk((0,), zlib.compress(bytes(40)))
        chunked("not_zlib", compression="gzip").id.write_direct_chunk((0,), b"not a zlib stream")
        chunked("fletcher", fletcher32=True).id.write_direct_chunk((0,), bytes(80) + b"\x01\x02\x03\x04")
        chunked("good", compression="gzip").id.write_direct_chunk((0,), zlib.compress(np.arange(10.0).tobytes()))
        f.create_dataset("huge_fill", shape=(1 << 40,), dtype="u1", chunks=(1 << 20,), fillvalue=1,
                         track_times=False)
        f.create_dataset("big_fill", shape=(3_000_000,), dtype="u1", chunks=(1 << 18,), fillvalue=7,
                         track_times=False)


def make_fuzz_seeds():
    """Small files (a few KiB) that the reader's fuzzer starts from
    (seeds/, not dumped): mutating small inputs is fast."""
    os.makedirs(path("seeds"), exist_ok=True)

    def seed(name, **kw):
        return new_file(os.path.join("seeds", name), **kw)

    with seed("sb0.h5") as f:
        g = group(f, "g")
        g.attrs["names"] = np.array([b"kernel:0", b"bias:0"])
        g.attrs["empty"] = np.array([])
        g.attrs["x"] = np.float64(2.5)
        g.create_dataset("kernel:0", data=np.arange(6, dtype="<f4").reshape(2, 3), track_times=False)
        g.create_dataset("chunked", data=np.arange(8, dtype=">i2"), chunks=(4,), compression="gzip",
                         shuffle=True, fletcher32=True, track_times=False)
        g["soft"] = h5py.SoftLink("/g/kernel:0")
    with seed("vlen.h5") as f:
        f.attrs["config"] = "{}"
        f.attrs["names"] = np.array(["a", "bc"], dtype=h5py.string_dtype())
    with seed("sb3.h5", libver="latest") as f:
        g = group(f, "g", track_order=True)
        for i in range(10):
            g.attrs["a%d" % i] = np.float32(i)
        dense = group(f, "dense")
        for i in range(9):
            group(dense, "l%d" % i)
        f.create_dataset("fa", data=np.arange(6, dtype="<i4"), chunks=(2,), track_times=False)
        f.create_dataset("ea", data=np.arange(6, dtype="<i4"), chunks=(2,), maxshape=(None,),
                         compression="gzip", track_times=False)
        f.create_dataset("bt2", data=np.arange(4, dtype="<u1").reshape(2, 2), chunks=(1, 1),
                         maxshape=(None, None), track_times=False)
        f.create_dataset("single", data=np.arange(3, dtype="<f8"), chunks=(3,), track_times=False)


def dump_keras_files():
    """Dump the real Keras files of ../../keras/testdata (for a .keras zip,
    its model.weights.h5) into keras/<file>.json."""
    src = os.path.join(OUT, "..", "..", "keras", "testdata")
    os.makedirs(path("keras"), exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.endswith(".h5"):
            d = dump(os.path.join(src, name))
        elif name.endswith(".keras"):
            with zipfile.ZipFile(os.path.join(src, name)) as z, tempfile.TemporaryDirectory() as tmp:
                d = dump(z.extract("model.weights.h5", tmp))
        else:
            continue
        write_json(d, path(os.path.join("keras", name + ".json")))
        print("keras/" + name + ".json")


MAKERS = [make_sb0_basic, make_sb0_continuation, make_sb1, make_sb2, make_sb3, make_chunked,
          make_dtypes, make_userblock, make_links, make_unsupported, make_hostile, make_fuzz_seeds]


if __name__ == "__main__":
    for make in MAKERS:
        make()
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".h5"):
            write_json(dump(path(name)), path(name[:-3] + ".json"))
            print(name, os.path.getsize(path(name)))
    dump_keras_files()
