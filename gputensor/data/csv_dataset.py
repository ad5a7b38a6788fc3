"""``CsvDataset``: typed records straight from CSV files, parsed a block of lines at a time."""

from __future__ import annotations

from ..errors import ArgumentValueError
from .chunk import Chunk, Failed
from .csv_columns import column_specs
from .csv_decode import CsvFormat, parse_block
from .dataset import Dataset
from .structure import LEAF, TreeDef
from .text import file_list, read_lines


class CsvDataset(Dataset):
    """The records of CSV files as tuples, one value per column.

    ``record_defaults`` types the columns as in :func:`decode_csv`; ``header=True`` skips each
    file's first line; ``select_cols`` / ``exclude_cols`` pick columns by index. A bad record
    fails with a ``CsvRecordError`` naming the file, line and field; after
    ``.ignore_errors()`` it is skipped and counted instead.

    >>> import gputensor as gt, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(path, "w").write("a,b\\n1,x\\n2,y\\n")
    >>> ds = gt.data.CsvDataset(path, [[0], [""]], header=True)
    >>> [(int(a), b) for a, b in ds]
    [(1, 'x'), (2, 'y')]
    """

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None,
                 header: bool = False, field_delim: str = ",", use_quote_delim: bool = True,
                 na_value: str = "", select_cols=None, exclude_cols=None):
        self.filenames = file_list(filenames, "CsvDataset")
        self._cols = column_specs(record_defaults, "CsvDataset")
        if exclude_cols is not None:
            if select_cols is not None:
                raise ArgumentValueError("CsvDataset: give select_cols or exclude_cols, not both")
            excluded = {int(c) for c in exclude_cols}
            total = len(self._cols) + len(excluded)
            select_cols = [i for i in range(total) if i not in excluded]
        self._fmt = CsvFormat(field_delim, use_quote_delim, na_value, select_cols, len(self._cols))
        self._compression = compression_type
        self._buffer = buffer_size
        self._header = bool(header)
        self._tree = TreeDef("tuple", (), [LEAF] * len(self._cols))

    def _stream(self, ctx):
        for path in self.filenames:
            skip = self._header
            for first, lines in read_lines(path, self._compression, self._buffer, "CsvDataset"):
                if skip:
                    lines = lines[1:]
                    first += 1
                    skip = False
                if lines:
                    yield from self._block(path, first, lines)

    def _block(self, path, first, lines):
        columns, _, errors = parse_block(lines, self._cols, self._fmt, strict=False)
        if not errors:
            yield Chunk(self._tree, columns, len(lines), (path, first))
            return
        done = 0
        start = 0
        for err in errors:
            n_good = err.record - start
            if n_good:
                part = [c[done:done + n_good] for c in columns]
                yield Chunk(self._tree, part, n_good, (path, first + start))
                done += n_good
            yield Failed(err.located(path, first))
            start = err.record + 1
        tail = len(lines) - start
        if tail:
            yield Chunk(self._tree, [c[done:done + tail] for c in columns], tail, (path, first + start))
