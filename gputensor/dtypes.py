"""Data types and the one promotion table.

gputensor's dtypes are small objects that wrap a NumPy dtype (bfloat16 through ml_dtypes).
Promotion follows the Python array API standard: within a kind (signed, unsigned, float) the
wider type wins, ``uint8`` with a signed type goes to the smallest signed type that holds both,
``bfloat16`` with ``float16`` goes to ``float32``; across kinds (bool < integer < float) the
result is the higher kind's operand type. Python scalars are *weak*: they take the tensor's
dtype when their kind allows it.

Examples
--------
>>> import gputensor as gt
>>> gt.result_type(gt.int8, gt.uint8)
gputensor.int16
>>> gt.result_type(gt.float16, 1.5)
gputensor.float16
"""

from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np

from .errors import DTypeError


class DType:
    """A gputensor data type (``gt.float32``, ``gt.int64``, ``gt.bool``, ...)."""

    __slots__ = ("name", "np", "kind", "itemsize", "short", "__weakref__")

    def __init__(self, name: str, np_dtype, kind: str, short: str):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.kind = kind  # 'b' bool, 'i' signed, 'u' unsigned, 'f' floating
        self.itemsize = self.np.itemsize
        self.short = short  # kernel entry-point suffix: exp_f32, add_i64, ...

    def __repr__(self) -> str:
        return f"gputensor.{self.name}"

    __str__ = __repr__

    def __reduce__(self):
        return (get_dtype, (self.name,))

    @property
    def is_floating(self) -> builtins.bool:
        return self.kind == "f"

    @property
    def is_integer(self) -> builtins.bool:
        return self.kind in "iu"


bool_ = DType("bool", np.bool_, "b", "b8")
int8 = DType("int8", np.int8, "i", "i8")
int16 = DType("int16", np.int16, "i", "i16")
int32 = DType("int32", np.int32, "i", "i32")
int64 = DType("int64", np.int64, "i", "i64")
uint8 = DType("uint8", np.uint8, "u", "u8")
float16 = DType("float16", np.float16, "f", "f16")
bfloat16 = DType("bfloat16", ml_dtypes.bfloat16, "f", "bf16")
float32 = DType("float32", np.float32, "f", "f32")
float64 = DType("float64", np.float64, "f", "f64")

ALL_DTYPES = (bool_, int8, int16, int32, int64, uint8, float16, bfloat16, float32, float64)
FLOAT_DTYPES = (float16, bfloat16, float32, float64)
INT_DTYPES = (int8, int16, int32, int64, uint8)
NUMERIC_DTYPES = INT_DTYPES + FLOAT_DTYPES

default_float = float32
default_int = int64

_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NAME["bool_"] = bool_
_BY_NP = {d.np: d for d in ALL_DTYPES}


def get_dtype(spec) -> DType:
    """Turn a dtype-like (``gt.float32``, ``"float32"``, ``np.float32``, ``float``) into a DType."""
    if isinstance(spec, DType):
        return spec
    if isinstance(spec, str) and spec in _BY_NAME:
        return _BY_NAME[spec]
    if spec is builtins.bool:
        return bool_
    if spec is builtins.int:
        return default_int
    if spec is builtins.float:
        return default_float
    try:
        npd = np.dtype(spec)
    except TypeError:
        npd = None
    if npd is not None and npd.newbyteorder("=") in _BY_NP:
        return _BY_NP[npd.newbyteorder("=")]
    if getattr(spec, "__module__", "").startswith("torch"):
        name = str(spec).removeprefix("torch.")
        if name in _BY_NAME:
            return _BY_NAME[name]
    supported = ", ".join(d.name for d in ALL_DTYPES)
    raise DTypeError(f"unsupported dtype {spec!r}; gputensor supports {supported}")


def dtype_of(x) -> DType:
    """The DType of a tensor or array (its ``.dtype``), or of a dtype-like such as ``np.float32``."""
    if isinstance(x, DType):
        return x
    # NumPy scalar *types* carry a class-level ``dtype`` descriptor: they are dtype-likes
    if not isinstance(x, type) and hasattr(x, "dtype"):
        return get_dtype(x.dtype)
    return get_dtype(x)


def from_numpy_dtype(npd: np.dtype) -> DType:
    """The DType for a NumPy dtype, or a DTypeError naming what is supported."""
    d = _BY_NP.get(npd)
    if d is None:
        return get_dtype(npd)
    return d


# --- the promotion table -------------------------------------------------------------------

def _build_table() -> dict[tuple[DType, DType], DType]:
    rank_i = {int8: 0, int16: 1, int32: 2, int64: 3}
    rank_f = {float16: 0, bfloat16: 0, float32: 1, float64: 2}
    table = {}
    for a in ALL_DTYPES:
        for b in ALL_DTYPES:
            table[(a, b)] = _promote_pair(a, b, rank_i, rank_f)
    return table


def _promote_pair(a: DType, b: DType, rank_i, rank_f) -> DType:
    if a is b:
        return a
    if a.kind == "f" and b.kind == "f":
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if rank_f[a] > rank_f[b] else b
    if a.kind == "f":
        return a
    if b.kind == "f":
        return b
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if rank_i[a] > rank_i[b] else b


PROMOTION_TABLE = _build_table()


def promote(a: DType, b: DType) -> DType:
    """The result dtype of a binary op on tensors of dtypes ``a`` and ``b``."""
    return PROMOTION_TABLE[(a, b)]


def scalar_result(dtype: DType, value) -> DType:
    """Result dtype of a tensor of ``dtype`` with the Python scalar ``value`` (weak scalar)."""
    if isinstance(value, builtins.bool):
        return dtype
    if isinstance(value, builtins.int):
        return default_int if dtype is bool_ else dtype
    if isinstance(value, builtins.float):
        return dtype if dtype.kind == "f" else default_float
    raise DTypeError(f"unsupported scalar of type {type(value).__name__}: {value!r}")


def result_type(*arrays_and_dtypes) -> DType:
    """Array API ``result_type``: promote tensors, dtypes and (weak) Python scalars.

    >>> import gputensor as gt
    >>> gt.result_type(gt.int32, gt.float16)
    gputensor.float16
    """
    strong = None
    scalars = []
    for x in arrays_and_dtypes:
        if isinstance(x, (builtins.bool, builtins.int, builtins.float)):
            scalars.append(x)
            continue
        if isinstance(x, builtins.complex):
            raise DTypeError(
                f"result_type: complex scalars ({x!r}) are not supported; gputensor has no complex dtypes"
            )
        d = dtype_of(x)
        strong = d if strong is None else promote(strong, d)
    if strong is None:
        if not scalars:
            raise DTypeError("result_type: needs at least one tensor, dtype or scalar")
        strong = _scalar_dtype(scalars[0])
        scalars = scalars[1:]
    for s in scalars:
        strong = scalar_result(strong, s)
    return strong


def _scalar_dtype(value) -> DType:
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, builtins.int):
        return default_int
    return default_float


def can_cast(from_, to, /) -> builtins.bool:
    """Whether ``from_`` promotes to ``to`` without changing kind downward (array API)."""
    f = dtype_of(from_)
    t = get_dtype(to)
    return promote(f, t) is t


class finfo:
    """Machine limits of a floating dtype (array API ``finfo``)."""

    def __init__(self, dtype, /):
        d = dtype_of(dtype)
        if d.kind != "f":
            raise DTypeError(f"finfo: {d} is not a floating-point dtype")
        info = ml_dtypes.finfo(d.np) if d is bfloat16 else np.finfo(d.np)
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.tiny = self.smallest_normal
        self.resolution = float(info.resolution)
        self.dtype = d

    def __repr__(self) -> str:
        return f"finfo(bits={self.bits}, eps={self.eps}, max={self.max}, dtype={self.dtype.name})"


class iinfo:
    """Limits of an integer dtype (array API ``iinfo``)."""

    def __init__(self, dtype, /):
        d = dtype_of(dtype)
        if d.kind not in "iu":
            raise DTypeError(f"iinfo: {d} is not an integer dtype")
        info = np.iinfo(d.np)
        self.bits = info.bits
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = d

    def __repr__(self) -> str:
        return f"iinfo(bits={self.bits}, min={self.min}, max={self.max}, dtype={self.dtype.name})"


_KIND_NAMES = {
    "bool": ("b",),
    "signed integer": ("i",),
    "unsigned integer": ("u",),
    "integral": ("i", "u"),
    "real floating": ("f",),
    "numeric": ("i", "u", "f"),
    "complex floating": (),
}


def isdtype(dtype, kind) -> builtins.bool:
    """Array API ``isdtype``: does ``dtype`` belong to ``kind`` (a dtype, a kind name, or a tuple)."""
    d = get_dtype(dtype)
    if isinstance(kind, tuple):
        return builtins.any(isdtype(d, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KIND_NAMES:
            raise DTypeError(f"isdtype: unknown kind {kind!r}; expected one of {sorted(_KIND_NAMES)}")
        return d.kind in _KIND_NAMES[kind]
    return d is get_dtype(kind)
