"""``decode_csv``: CSV records to typed columns, one record or a whole batch at once.

A batch of records is parsed with whole-array NumPy operations (see ``csv_fast``) when its
records have a uniform number of fields and no quotes; anything else (quoted fields, ragged
records, exotic numbers) takes the exact path through ``csv`` and ``float``/``int``, with the
same results. Either way a bad record raises ``CsvRecordError`` naming the record and field —
and, inside a pipeline reading files, the file and line.
"""

from __future__ import annotations

import csv

import numpy as np

from ..errors import ArgumentTypeError, ArgumentValueError
from ..ops.creation import asarray
from ..tensor import Tensor
from . import csv_fast
from .csv_columns import Column, FieldError, column_array, column_specs, missing, parse_field, parse_int
from .errors import CsvRecordError


class CsvFormat:
    """How fields are written: delimiter, quoting, the NA marker, the columns to keep."""

    __slots__ = ("delim", "quote", "na_value", "select")

    def __init__(self, field_delim=",", use_quote_delim=True, na_value="", select_cols=None, n_columns=0):
        if not isinstance(field_delim, str) or len(field_delim) != 1 or field_delim in '"\n\r':
            raise ArgumentValueError(f"decode_csv: field_delim must be one character other than a quote or "
                                     f"newline, got {field_delim!r}")
        self.delim = field_delim
        self.quote = bool(use_quote_delim)
        self.na_value = na_value
        self.select = None
        if select_cols is not None:
            select = [int(c) for c in select_cols]
            if select != sorted(set(select)) or (select and select[0] < 0):
                raise ArgumentValueError(
                    f"decode_csv: select_cols must be increasing column indices, got {select}")
            if len(select) != n_columns:
                raise ArgumentValueError(
                    f"decode_csv: {len(select)} select_cols but {n_columns} record_defaults")
            self.select = select


def parse_block(records: list, cols: list[Column], fmt: CsvFormat, strict: bool = True):
    """``(columns, good, errors)`` for a list of record strings: one array per column holding
    the good records, a bool mask of the good records, and a ``CsvRecordError`` per bad one.
    With ``strict`` the first bad record raises instead."""
    if records and fmt.delim.isascii():
        fast = _fast_block(records, cols, fmt)
        if fast is not None:
            if strict and fast[2]:
                raise fast[2][0]
            return fast
    return _exact_block(records, cols, fmt, strict)


# --- the vectorized path ------------------------------------------------------------------------

def _fast_block(records, cols, fmt):
    data = csv_fast.padded(records)
    if fmt.quote and b'"' in data:
        return None
    split = csv_fast.split_fields(data, ord(fmt.delim), len(records))
    if split is None:
        return None
    starts, ends, n_fields = split
    select = fmt.select if fmt.select is not None else list(range(len(cols)))
    if (fmt.select is None and n_fields != len(cols)) or select[-1] >= n_fields:
        return None
    starts = starts.reshape(len(records), n_fields)
    ends = ends.reshape(len(records), n_fields)
    numeric = [j for j, c in enumerate(cols) if not c.text]
    values, ok = _numbers(data, starts, ends, [select[j] for j in numeric], n_fields)
    errors = {}
    out = []
    for j, col in enumerate(cols):
        s, e = starts[:, select[j]], ends[:, select[j]]
        if col.text:
            out.append(_text_column(data, s, e, col, fmt, j, errors))
            continue
        k = numeric.index(j)
        out.append(_numeric_column(data, s, e, values[:, k], ok[:, k], col, fmt, j, errors))
    return _finish(out, errors, len(records))


def _numbers(data, starts, ends, fields, n_fields):
    if not fields:
        return np.empty((len(starts), 0)), np.empty((len(starts), 0), bool)
    if fields == list(range(n_fields)):
        values, ok = csv_fast.parse_numbers(data, starts.reshape(-1), ends.reshape(-1))
    else:
        values, ok = csv_fast.parse_numbers(data, starts[:, fields].reshape(-1), ends[:, fields].reshape(-1))
    return values.reshape(len(starts), -1), ok.reshape(len(starts), -1)


def _field_text(data, s, e) -> str:
    return data[s + csv_fast._PAD:e + csv_fast._PAD].decode()


def _numeric_column(data, s, e, values, ok, col, fmt, j, errors):
    if col.dtype.kind in "iu":
        ok = ok & _integral(values, col.dtype)
    column = values.astype(col.dtype)
    for i in np.flatnonzero(~ok).tolist():
        if i in errors:
            continue
        try:
            column[i] = parse_field(_field_text(data, s[i], e[i]), col, fmt.na_value)
        except FieldError as exc:
            errors.setdefault(i, CsvRecordError(str(exc), i, j))
    return column


def _integral(values, dtype):
    info = np.iinfo(dtype)
    with np.errstate(invalid="ignore"):
        return (np.floor(values) == values) & (values >= info.min) & (values <= info.max)


def _text_column(data, s, e, col, fmt, j, errors):
    texts = [_field_text(data, a, b) for a, b in zip(s.tolist(), e.tolist())]
    for i, text in enumerate(texts):
        if missing(text, fmt.na_value):
            if col.default is None:
                detail = "a required value is missing (the column has no default)"
                errors.setdefault(i, CsvRecordError(detail, i, j))
            texts[i] = col.default
    return column_array(texts, col)


def _finish(columns, errors: dict, n: int):
    good = np.ones(n, bool)
    if errors:
        bad = sorted(errors)
        good[bad] = False
        columns = [c[good] for c in columns]
    return columns, good, [errors[i] for i in sorted(errors)]


# --- the exact path -----------------------------------------------------------------------------

def _exact_block(records, cols, fmt, strict):
    values = [[] for _ in cols]
    errors = {}
    for i, record in enumerate(records):
        try:
            parsed = parse_record(record, cols, fmt)
        except CsvRecordError as exc:
            err = CsvRecordError(exc.detail, i, exc.field)
            if strict:
                raise err from None
            errors[i] = err
            continue
        for column, v in zip(values, parsed):
            column.append(v)
    columns = [column_array(v, c) for v, c in zip(values, cols)]
    good = np.ones(len(records), bool)
    if errors:
        good[sorted(errors)] = False
    return columns, good, [errors[i] for i in sorted(errors)]


def split_record(record: str, fmt: CsvFormat) -> list:
    """The fields of one record, quotes resolved (``"a,b"`` and ``""`` escapes)."""
    if fmt.quote and '"' in record:
        try:
            return next(csv.reader([record], delimiter=fmt.delim, quotechar='"', strict=True))
        except csv.Error as exc:
            raise CsvRecordError(f"bad quoting: {exc}") from None
    return record.split(fmt.delim)


def parse_record(record: str, cols: list[Column], fmt: CsvFormat) -> list:
    """The parsed values of one record (Python scalars and strings)."""
    fields = split_record(record, fmt)
    if fmt.select is None:
        if len(fields) != len(cols):
            raise CsvRecordError(f"expected {len(cols)} fields, found {len(fields)} in {record!r:.80}")
        chosen = fields
    else:
        if len(fields) <= fmt.select[-1]:
            raise CsvRecordError(f"select_cols needs {fmt.select[-1] + 1} fields, found {len(fields)} "
                                 f"in {record!r:.80}")
        chosen = [fields[k] for k in fmt.select]
    out = []
    for j, (text, col) in enumerate(zip(chosen, cols)):
        try:
            out.append(parse_field(text, col, fmt.na_value))
        except FieldError as exc:
            raise CsvRecordError(str(exc), 0, j) from None
    return out


# --- the public function ------------------------------------------------------------------------

def decode_csv(records, record_defaults, field_delim: str = ",", use_quote_delim: bool = True,
               na_value: str = "", select_cols=None, name=None, device=None) -> list:
    """Parse CSV records into one value per column.

    ``records`` is one record (``str``) or many (a list or NumPy array of strings, e.g. a
    batch of lines). ``record_defaults`` gives each column's type and the value used when a
    field is empty or equals ``na_value``: ``[0.]`` float32, ``[0]`` int32, ``[""]`` text,
    ``[np.float64(0)]`` or ``[gt.tensor(0, dtype=gt.int64)]`` that dtype, ``[]`` or a dtype (``gt.int64``)
    a required column. ``select_cols`` keeps only those column indices (``record_defaults``
    then describes just them). Quoted fields (``"a, b"``) are read when ``use_quote_delim``.

    Numeric columns come back as tensors on ``device`` (default: the current device; inside
    ``Dataset.map``, the host); text columns as ``str`` or NumPy ``str_`` arrays. A bad record
    raises ``CsvRecordError`` naming the record (file and line inside a pipeline) and field.

    >>> import gputensor as gt
    >>> x, y, label = gt.data.decode_csv("1.5,2,cat", [[0.], [0], [""]])
    >>> float(x), int(y), label
    (1.5, 2, 'cat')
    >>> cols = gt.data.decode_csv(["1,,a", "2,5,b"], [[0.], [7], ["?"]])
    >>> cols[0].tolist(), cols[1].tolist(), cols[2].tolist()
    ([1.0, 2.0], [7, 5], ['a', 'b'])
    """
    cols = column_specs(record_defaults)
    fmt = CsvFormat(field_delim, use_quote_delim, na_value, select_cols, len(cols))
    if isinstance(records, bytes):
        records = records.decode()
    if isinstance(records, str):
        values = parse_record(records, cols, fmt)
        return [_scalar_out(v, c, device) for v, c in zip(values, cols)]
    batch, shape = _records_list(records)
    try:
        columns, _, _ = parse_block(batch, cols, fmt, strict=True)
    except TypeError:  # bytes or non-strings among the records: convert (or name the culprit)
        columns, _, _ = parse_block([_record_str(r) for r in batch], cols, fmt, strict=True)
    return [_array_out(a.reshape(shape), device) for a in columns]


def _records_list(records):
    if isinstance(records, Tensor):
        raise ArgumentTypeError("decode_csv: records must be strings (str, a list or a NumPy str array), "
                                "not a numeric tensor")
    if isinstance(records, np.ndarray):
        if records.dtype.kind not in "USO":
            raise ArgumentTypeError(f"decode_csv: records must be strings, got a {records.dtype} array")
        flat = records.reshape(-1).tolist()
        shape = records.shape
        if records.dtype.kind == "U":
            return flat, shape
    elif isinstance(records, (list, tuple)):
        flat = list(records)
        shape = (len(flat),)
    else:
        raise ArgumentTypeError(f"decode_csv: records must be a str or strings, got {type(records).__name__}")
    return flat, shape


def _record_str(record) -> str:
    if isinstance(record, bytes):
        return record.decode()
    if not isinstance(record, str):
        raise ArgumentTypeError(f"decode_csv: every record must be a str, got {type(record).__name__}")
    return record


def _scalar_out(value, col: Column, device):
    if col.text:
        return value
    return asarray(np.asarray(value, dtype=col.dtype), device=device)


def _array_out(array: np.ndarray, device):
    if array.dtype.kind in "UO":
        return array
    return asarray(array, device=device)


__all__ = ["CsvFormat", "decode_csv", "parse_block", "parse_int", "parse_record", "split_record"]
