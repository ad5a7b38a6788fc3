"""``cache``: keep the elements of the first complete iteration, in memory or in a file.

A file cache is written next to its final name and renamed into place only when an iteration
has run to the end, so an interrupted run never leaves a partial cache that a later run would
trust. The file holds NumPy ``.npy`` blocks (``allow_pickle=False``) framed by small JSON
headers: no pickle, nothing executable.
"""

from __future__ import annotations

import collections
import io
import json
import os
import struct
import threading

import numpy as np

from .chunk import Chunk, Failed
from .dataset import Dataset
from .errors import DataError
from .iterator import opened
from .structure import TreeDef

_MAGIC = b"GPUTENSOR-DATA-CACHE-1\n"


class Cache(Dataset):
    """``dataset.cache(filename="")``: the first iteration that runs to the end records the
    elements (in memory, or in ``filename``); later iterations — and, for a file, later
    datasets with the same file name — replay them without running the pipeline above.

    >>> import gputensor as gt
    >>> calls = []
    >>> ds = gt.data.Dataset.range(3).map(lambda x: calls.append(1) or x).cache()
    >>> _ = list(ds); _ = list(ds)
    >>> len(calls)
    3
    """

    def __init__(self, dataset, filename: str = ""):
        self._input = dataset
        self._file = os.fspath(filename) if filename else ""
        self._memory = None
        self._lock = threading.Lock()

    def _stream(self, ctx):
        if self._file:
            if os.path.exists(self._file):
                yield from read_cache(self._file)
                return
            yield from self._record_file(ctx)
            return
        recorded = self._memory
        if recorded is not None:
            yield from recorded
            return
        yield from self._record_memory(ctx)

    def _record_memory(self, ctx):
        items = []
        with opened(self._input, ctx) as stream:
            for item in stream:
                items.append(item)
                yield item
        with self._lock:
            if self._memory is None:
                self._memory = items

    def _record_file(self, ctx):
        tmp = f"{self._file}.tmp-{os.getpid()}-{threading.get_ident()}"
        complete = False
        try:
            with open(tmp, "wb") as out, opened(self._input, ctx) as stream:
                out.write(_MAGIC)
                writable = True
                for item in stream:
                    if isinstance(item, Failed):
                        writable = False
                    elif writable:
                        write_chunk(out, item)
                    yield item
                out.flush()
                os.fsync(out.fileno())
                complete = writable
            if complete:
                os.replace(tmp, self._file)
        finally:
            if not complete and os.path.exists(tmp):
                os.remove(tmp)


# --- the file format --------------------------------------------------------------------------

def _tree_json(tree: TreeDef):
    if tree.kind == "leaf":
        return "leaf"
    return {"kind": tree.kind, "keys": list(tree.keys), "children": [_tree_json(c) for c in tree.children]}


def _tree_from(obj) -> TreeDef:
    if obj == "leaf":
        return TreeDef("leaf")
    children = [_tree_from(c) for c in obj["children"]]
    cls = None
    if obj["kind"] == "namedtuple":
        cls = collections.namedtuple("Element", obj["keys"])
    return TreeDef(obj["kind"], obj["keys"], children, cls)


def _column_arrays(col):
    """``(kind, arrays)`` for one column: one array, or one per row when rows differ."""
    if isinstance(col, np.ndarray):
        return "array", [col]
    values = [np.asarray(v) for v in col]
    if values and len({(v.shape, v.dtype) for v in values}) == 1:
        return "array", [np.stack(values)]
    return "rows", values


def write_chunk(out, chunk: Chunk) -> None:
    kinds = []
    arrays = []
    for col in chunk.cols:
        kind, parts = _column_arrays(col)
        kinds.append([kind, len(parts)])
        arrays.extend(parts)
    header = json.dumps({"n": chunk.n, "tree": _tree_json(chunk.tree), "cols": kinds,
                         "origin": list(chunk.origin) if chunk.origin else None}).encode()
    out.write(struct.pack("<I", len(header)))
    out.write(header)
    for a in arrays:
        buf = io.BytesIO()
        np.save(buf, a, allow_pickle=False)
        out.write(struct.pack("<Q", buf.tell()))
        out.write(buf.getvalue())


def read_cache(path: str):
    """The chunks stored in a cache file."""
    with open(path, "rb") as f:
        if f.read(len(_MAGIC)) != _MAGIC:
            raise DataError(f"cache: {path} is not a gputensor data cache file; delete it to rebuild")
        while True:
            size = f.read(4)
            if not size:
                return
            header = json.loads(f.read(struct.unpack("<I", size)[0]))
            cols = []
            for kind, count in header["cols"]:
                parts = [_read_array(f) for _ in range(count)]
                cols.append(parts[0] if kind == "array" else parts)
            origin = tuple(header["origin"]) if header["origin"] else None
            yield Chunk(_tree_from(header["tree"]), cols, header["n"], origin)


def _read_array(f) -> np.ndarray:
    (size,) = struct.unpack("<Q", f.read(8))
    return np.load(io.BytesIO(f.read(size)), allow_pickle=False)
