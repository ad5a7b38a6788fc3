"""``TextLineDataset``: the lines of one or more text files (plain or gzip), read in blocks."""

from __future__ import annotations

import codecs
import gzip
import os

import numpy as np

from ..errors import ArgumentTypeError, ArgumentValueError
from .chunk import Chunk
from .dataset import Dataset, resolve_parallelism
from .structure import LEAF

DEFAULT_BUFFER = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


def file_list(filenames, where: str) -> list[str]:
    """File names from a path, a list of paths or a NumPy array of names."""
    if isinstance(filenames, (str, bytes, os.PathLike)):
        filenames = [filenames]
    if isinstance(filenames, np.ndarray):
        filenames = filenames.reshape(-1).tolist()
    if not isinstance(filenames, (list, tuple)) or not filenames:
        raise ArgumentTypeError(f"{where}: filenames must be a path or a non-empty list of paths")
    out = []
    for f in filenames:
        if isinstance(f, bytes):
            f = f.decode()
        if not isinstance(f, (str, os.PathLike)):
            raise ArgumentTypeError(f"{where}: a file name must be a str or path, got {type(f).__name__}")
        out.append(os.fspath(f))
    return out


def open_binary(path: str, compression_type, where: str):
    """The file opened for reading bytes, decompressed as ``compression_type`` says
    (``None``: gzip if the file starts with the gzip magic bytes, else plain)."""
    kind = (compression_type or "").upper()
    if kind not in ("", "GZIP", "AUTO"):
        raise ArgumentValueError(
            f"{where}: compression_type must be None, '' or 'GZIP', got {compression_type!r}")
    if compression_type is None or kind == "AUTO":
        with open(path, "rb") as probe:
            kind = "GZIP" if probe.read(2) == _GZIP_MAGIC else ""
    if kind == "GZIP":
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_lines(path: str, compression_type=None, buffer_size=None, where: str = "TextLineDataset"):
    """Yield ``(first_line_number, lines)`` blocks of a text file; numbers start at 1, line ends
    (``\n`` or ``\r\n``) are removed."""
    size = buffer_size or DEFAULT_BUFFER
    line_no = 1
    carry = b""
    with open_binary(path, compression_type, where) as f:
        while True:
            block = f.read(size)
            if not block:
                break
            cut = block.rfind(b"\n")
            if cut < 0:
                carry += block
                continue
            lines = _block_lines(carry, block, cut, path, line_no)
            carry = block[cut + 1:]
            yield line_no, lines
            line_no += len(lines)
    if carry:
        yield line_no, _split(_decode(carry, path, line_no))


def _block_lines(carry: bytes, block: bytes, cut: int, path: str, line_no: int) -> list:
    """The lines ending in ``block[:cut + 1]``, the first one continuing ``carry``. The bulk is
    decoded straight from the block (no copy of it), the first line with the carry: a
    character split across blocks stays whole."""
    first = block.find(b"\n")
    lines = _split(_decode(carry + block[:first], path, line_no))
    if first < cut:
        view = memoryview(block)[first + 1:cut]
        lines += _split(_decode(view, path, line_no + 1))
    return lines


def _decode(raw, path: str, line_no: int) -> str:
    try:
        return codecs.utf_8_decode(raw, "strict", True)[0]
    except UnicodeDecodeError as exc:
        bad_line = line_no + bytes(raw).count(b"\n", 0, exc.start)
        raise ArgumentValueError(
            f"TextLineDataset: {path}, line {bad_line}: the text is not UTF-8 ({exc.reason})") from None


def _split(text: str) -> list:
    lines = text.split("\n")
    if "\r" in text:
        return [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


class TextLineDataset(Dataset):
    """The lines of text files, one ``str`` element per line, file after file.

    ``compression_type``: ``None`` detects gzip files, ``"GZIP"`` forces it, ``""`` reads
    plain text. ``buffer_size`` is the read block in bytes. ``num_parallel_reads`` reads that
    many files at once on threads, interleaving their lines.

    >>> import gputensor as gt, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> _ = open(path, "w").write("x,y\\n1,2\\n")
    >>> list(gt.data.TextLineDataset(path))
    ['x,y', '1,2']
    """

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None):
        self.filenames = file_list(filenames, "TextLineDataset")
        self._compression = compression_type
        self._buffer = buffer_size
        self._parallel = resolve_parallelism(num_parallel_reads, "TextLineDataset: num_parallel_reads")
        open_binary_check = (compression_type or "").upper()
        if open_binary_check not in ("", "GZIP", "AUTO"):
            raise ArgumentValueError(
                f"TextLineDataset: compression_type must be None, '' or 'GZIP', got {compression_type!r}"
            )

    def _stream(self, ctx):
        if self._parallel > 1 and len(self.filenames) > 1:
            yield from self._interleaved()._stream(ctx)
            return
        for path in self.filenames:
            for first, lines in read_lines(path, self._compression, self._buffer):
                yield Chunk(LEAF, [lines], len(lines), origin=(path, first))

    def _interleaved(self):
        from .sources import TensorSlices

        compression, buffer = self._compression, self._buffer
        names = TensorSlices(self.filenames)
        return names.interleave(lambda f: TextLineDataset(f, compression, buffer),
                                cycle_length=self._parallel, block_length=1,
                                num_parallel_calls=self._parallel)
