"""Reading and writing the safetensors format (no pickle, no code on load), atomically.

A file is an 8-byte little-endian header length ``n``, ``n`` bytes of JSON (each tensor's
dtype, shape and byte range, plus a ``__metadata__`` map of strings), then the tensors' bytes.
We add a CRC-32 of the data to the metadata, so a flipped byte is caught, not loaded.

Writes go to a temporary file in the target's folder, are flushed to disk, then renamed over
the target: a crash mid-save leaves the previous file whole. Any damage found on reading
(truncation, bad JSON, ranges outside the file, checksum mismatch) raises
:class:`CorruptFileError` naming the file.

>>> import numpy as np, tempfile, os
>>> from gputensor.nn import safetensors_format as st
>>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
>>> st.save_file({"w": np.arange(3, dtype=np.float32)}, path, {"note": "hi"})
>>> tensors, meta = st.load_file(path)
>>> tensors["w"].tolist(), meta["note"]
([0.0, 1.0, 2.0], 'hi')
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zlib

import numpy as np

from .. import dtypes as dt
from ..errors import GputensorError

_CODES = {
    "F64": np.dtype(np.float64),
    "F32": np.dtype(np.float32),
    "F16": np.dtype(np.float16),
    "BF16": dt.bfloat16.np,
    "I64": np.dtype(np.int64),
    "I32": np.dtype(np.int32),
    "I16": np.dtype(np.int16),
    "I8": np.dtype(np.int8),
    "U8": np.dtype(np.uint8),
    "BOOL": np.dtype(np.bool_),
}
_NAMES = {v: k for k, v in _CODES.items()}
_CHECKSUM_KEY = "gputensor.crc32"
_MAX_HEADER = 100 * 1024 * 1024


class CorruptFileError(GputensorError, ValueError):
    """A saved file that is truncated, damaged or not in the expected format."""


def save_file(tensors: dict, path, metadata: dict | None = None) -> None:
    """Write NumPy arrays ``tensors`` (name -> array) and string ``metadata`` to ``path``
    atomically."""
    path = os.fspath(path)
    header: dict = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        code = _NAMES.get(array.dtype)
        if code is None:
            raise GputensorError(f"safetensors: cannot store {name!r} of dtype {array.dtype}")
        raw = array.tobytes()
        header[name] = {
            "dtype": code,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    crc = 0
    for raw in chunks:
        crc = zlib.crc32(raw, crc)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    meta[_CHECKSUM_KEY] = f"{crc:08x}"
    header["__metadata__"] = meta
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    _atomic_write(path, [struct.pack("<Q", len(encoded)), encoded, *chunks])


def _atomic_write(path: str, parts) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_header(path) -> tuple[dict, int, int]:
    """(header dict, data start, file size) of a safetensors file, checked for damage."""
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise CorruptFileError(f"{path}: truncated safetensors file ({size} bytes, no header)")
            (n,) = struct.unpack("<Q", head)
            if n > _MAX_HEADER or 8 + n > size:
                raise CorruptFileError(
                    f"{path}: truncated or not a safetensors file (header of {n} bytes, file of {size} bytes)"
                )
            text = f.read(n)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"{path}: damaged safetensors header ({exc})") from None
    if not isinstance(header, dict):
        raise CorruptFileError(f"{path}: damaged safetensors header (not a JSON object)")
    return header, 8 + n, size


def load_file(path) -> tuple[dict, dict]:
    """(name -> NumPy array, metadata) from ``path``; CorruptFileError naming the file when it
    is truncated, damaged, or fails its checksum."""
    path = os.fspath(path)
    header, start, size = read_header(path)
    meta = header.pop("__metadata__", {}) or {}
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read()
    if start + len(data) != size:
        raise CorruptFileError(f"{path}: could not read the whole file")
    expected = meta.get(_CHECKSUM_KEY)
    if expected is not None and f"{zlib.crc32(data):08x}" != expected:
        raise CorruptFileError(f"{path}: checksum mismatch: the tensor data is damaged")
    tensors = {}
    for name, info in header.items():
        tensors[name] = _tensor(path, name, info, data)
    return tensors, meta


def _tensor(path: str, name: str, info, data: bytes) -> np.ndarray:
    try:
        dtype = _CODES[info["dtype"]]
        shape = tuple(int(n) for n in info["shape"])
        begin, end = (int(v) for v in info["data_offsets"])
    except (KeyError, TypeError, ValueError):
        raise CorruptFileError(f"{path}: damaged entry for tensor {name!r}: {info!r}") from None
    count = int(np.prod(shape, dtype=np.int64))
    if not 0 <= begin <= end <= len(data) or end - begin != count * dtype.itemsize:
        raise CorruptFileError(
            f"{path}: tensor {name!r} ({info['dtype']} {list(shape)}) claims bytes {begin}..{end} "
            f"of {len(data)}: the file is truncated or damaged"
        )
    return np.frombuffer(data, dtype=dtype, count=count, offset=begin).reshape(shape).copy()
