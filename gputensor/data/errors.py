"""Errors of input pipelines, and ``ignore_errors``."""

from __future__ import annotations

import logging

from ..errors import GputensorError
from .chunk import Failed
from .dataset import Dataset
from .iterator import opened

log = logging.getLogger("gputensor.data")


class DataError(GputensorError, ValueError):
    """Input data that cannot be read as asked."""


class CsvRecordError(DataError):
    """A CSV record that does not fit the columns: wrong field count, a value that does not
    parse, a missing required value. Names the file and line when the pipeline knows them,
    else the record's index in the batch, and the field (0-based column index)."""

    def __init__(self, detail: str, record: int = 0, field=None, filename=None, line=None):
        self.detail = detail
        self.record = record
        self.field = field
        self.filename = filename
        self.line = line
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"record {self.record}" if self.filename is None else f"{self.filename}, line {self.line}"
        if self.field is not None:
            where += f", field {self.field}"
        return f"decode_csv: {where}: {self.detail}"

    def located(self, filename: str, first_line: int) -> CsvRecordError:
        """The same error placed in ``filename``, whose record 0 is at ``first_line``."""
        err = CsvRecordError(self.detail, self.record, self.field, filename, first_line + self.record)
        return err.with_traceback(self.__traceback__)


class IgnoreErrors(Dataset):
    """``dataset.ignore_errors()``: drop elements that failed; ``error_count`` is the number
    of records dropped so far (over every iteration).

    >>> import gputensor as gt
    >>> ds = gt.data.Dataset.from_tensor_slices(["1,2", "3,x", "5,6"])
    >>> ds = ds.map(lambda line: gt.data.decode_csv(line, [[0], [0]])).ignore_errors()
    >>> [(int(a), int(b)) for a, b in ds], ds.error_count
    ([(1, 2), (5, 6)], 1)
    """

    def __init__(self, dataset: Dataset, log_warning: bool = False):
        self._input = dataset
        self._log = log_warning
        self.error_count = 0

    def _stream(self, ctx):
        with opened(self._input, ctx) as items:
            for item in items:
                if isinstance(item, Failed):
                    self.error_count += item.count
                    if self._log:
                        log.warning("ignore_errors: skipped an element: %s", item.error)
                    continue
                yield item
