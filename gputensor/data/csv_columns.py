"""CSV column types from ``record_defaults``, and parsing one field the exact (slow) way."""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes as dt
from ..errors import ArgumentTypeError, ArgumentValueError
from ..tensor import Tensor

_TEXT = np.dtype(str)


class Column:
    """One output column: its NumPy dtype and default (``None``: the value is required)."""

    __slots__ = ("dtype", "default", "text")

    def __init__(self, dtype: np.dtype, default):
        self.dtype = dtype
        self.default = default
        self.text = dtype.kind == "U"

    def __repr__(self) -> str:
        return f"Column({self.dtype}, default={self.default!r})"


class FieldError(Exception):
    """A field that does not parse; the caller turns it into a ``CsvRecordError``."""


def column_specs(record_defaults, where: str = "decode_csv") -> list[Column]:
    """Columns from ``record_defaults``: ``[0.]`` float32, ``[0]`` int32, ``[""]`` text, a
    NumPy or gputensor scalar its own dtype, ``[]`` a required float32, and a dtype (``gt.int64``,
    ``str``) a required column of that type."""
    if not isinstance(record_defaults, (list, tuple)) or not record_defaults:
        raise ArgumentTypeError(f"{where}: record_defaults must be a non-empty list, one entry per column")
    return [_column(d, i, where) for i, d in enumerate(record_defaults)]


_SIMPLE = {float: np.dtype(np.float32), int: np.dtype(np.int32), str: _TEXT}


def _column(spec, index: int, where: str) -> Column:
    if type(spec) is list and len(spec) == 1 and type(spec[0]) in _SIMPLE:
        return Column(_SIMPLE[type(spec[0])], spec[0])
    if isinstance(spec, (list, tuple)):
        if len(spec) == 0:
            return Column(np.dtype(np.float32), None)
        if len(spec) > 1:
            raise ArgumentValueError(f"{where}: record_defaults[{index}] must hold one default, got {spec!r}")
        spec = spec[0]
    if isinstance(spec, (Tensor, np.ndarray)):
        host = spec.numpy() if isinstance(spec, Tensor) else spec
        if host.size == 0:
            return Column(_checked(host.dtype, index, where), None)
        if host.size > 1:
            raise ArgumentValueError(
                f"{where}: record_defaults[{index}] must hold one default, got {host.size}")
        return Column(_checked(host.dtype, index, where), host.reshape(()).item())
    if isinstance(spec, np.generic) and not isinstance(spec, np.bool_):
        return Column(_checked(spec.dtype, index, where), spec.item())
    if isinstance(spec, (bool, np.bool_)):
        raise ArgumentTypeError(f"{where}: record_defaults[{index}]: bool columns are not supported")
    if isinstance(spec, (str, bytes)):
        return Column(_TEXT, spec.decode() if isinstance(spec, bytes) else spec)
    if isinstance(spec, float):
        return Column(np.dtype(np.float32), spec)
    if isinstance(spec, int):
        return Column(np.dtype(np.int32), spec)
    return Column(_dtype_only(spec, index, where), None)


def _dtype_only(spec, index, where) -> np.dtype:
    if spec is str or spec is bytes or spec == "string":
        return _TEXT
    if spec is float:
        return np.dtype(np.float32)
    if spec is int:
        return np.dtype(np.int32)
    try:
        dtype = spec.np if isinstance(spec, dt.DType) else np.dtype(spec)
    except TypeError:
        raise ArgumentTypeError(
            f"{where}: record_defaults[{index}] is {spec!r}; give a default in a list ([0.], [0], "
            "['']), an empty list for a required float, or a dtype"
        ) from None
    return _checked(dtype, index, where)


def _checked(dtype: np.dtype, index: int, where: str) -> np.dtype:
    if dtype.kind in "USO":
        return _TEXT
    if dtype.kind in "iuf":
        return dtype
    raise ArgumentTypeError(f"{where}: record_defaults[{index}] has unsupported type {dtype}; "
                            "columns are float, int or text")


def missing(text: str, na_value: str) -> bool:
    return text == "" or text == na_value


def parse_field(text: str, col: Column, na_value: str):
    """The value of one field (its column's default when empty or ``na_value``)."""
    if missing(text, na_value):
        if col.default is None:
            raise FieldError("a required value is missing (the column has no default)")
        return col.default
    if col.text:
        return text
    if col.dtype.kind == "f":
        try:
            return float(text)
        except ValueError:
            raise FieldError(f"could not parse {text!r} as {col.dtype}") from None
    return parse_int(text, col.dtype)


def parse_int(text: str, dtype: np.dtype) -> int:
    try:
        value = int(text)
    except ValueError:
        try:
            f = float(text)
        except ValueError:
            raise FieldError(f"could not parse {text!r} as {dtype}") from None
        if not math.isfinite(f) or f != math.floor(f):
            raise FieldError(f"{text!r} is not an integer ({dtype} column)") from None
        value = int(f)
    info = np.iinfo(dtype)
    if not info.min <= value <= info.max:
        raise FieldError(f"{text!r} is out of range for {dtype}")
    return value


def column_array(values: list, col: Column) -> np.ndarray:
    """Parsed values of one column as an array of its dtype."""
    if col.text:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return np.array(values, dtype=col.dtype)
