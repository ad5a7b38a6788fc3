"""gputensor as a Python array API standard 2024.12 namespace.

Three kinds of checks:

- *signatures*: every function, constant, dtype, inspection method and array attribute of the
  2024.12 standard exists, with the standard's positional-only / keyword-only parameters,
  keyword names and defaults. The table below is written from the standard's text; it is then
  cross-checked against array-api-strict's namespace so that a name the table forgot fails too.
- *behavior*: a sample of functions gives the same values, shapes and dtypes as array-api-strict
  on the same inputs, on every test device; the promotion table agrees with
  ``array_api_strict.result_type`` wherever the standard defines a result.
- *the dtype subset*: gputensor deliberately has no ``uint16``/``uint32``/``uint64`` and no complex
  dtypes; asking for them is a clear :class:`gputensor.errors.DTypeError`.

Implementation-defined behavior that gputensor documents (and these tests pin down):

- mixed-kind promotion (bool < integer < floating point): the result is the dtype of the
  operand of the higher kind (``int64`` with ``float16`` gives ``float16``, like PyTorch);
  ``float16`` with ``bfloat16`` gives ``float32``;
- Python scalars of a higher kind than the tensor take the default dtype of their kind
  (``int32 tensor + 1.5`` is ``float32``; ``bool tensor + 1`` is ``int64``);
- ``sum``/``prod``/``cumulative_sum``/``cumulative_prod`` of ``uint8`` give ``int64`` (the standard
  asks for ``uint64``, which gputensor does not have);
- a default value where the standard requires the argument (``expand_dims(x, axis=0)``,
  ``squeeze(x, axis=None)``) is a compatible extension.

Tested with array-api-strict 2.6.1 (api_version "2024.12"), NumPy 2.4.6, ml_dtypes 0.6.0 and
Python 3.11.7.
"""

from __future__ import annotations

import inspect

import array_api_strict as xs
import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import DTypeError, MissingDTypeError, ShapeError

# --- the standard, written out ------------------------------------------------------------------

_UNARY = (
    "abs acos acosh asin asinh atan atanh bitwise_invert ceil conj cos cosh exp expm1 floor imag "
    "isfinite isinf isnan log log1p log2 log10 logical_not negative positive real reciprocal round "
    "sign signbit sin sinh square sqrt tan tanh trunc"
).split()
_BINARY = (
    "add atan2 bitwise_and bitwise_left_shift bitwise_or bitwise_right_shift bitwise_xor copysign "
    "divide equal floor_divide greater greater_equal hypot less less_equal logaddexp logical_and "
    "logical_or logical_xor maximum minimum multiply nextafter not_equal pow remainder subtract"
).split()

_FUNCTIONS = """
arange(start, /, stop=None, step=1, *, dtype=None, device=None)
asarray(obj, /, *, dtype=None, device=None, copy=None)
empty(shape, *, dtype=None, device=None)
empty_like(x, /, *, dtype=None, device=None)
eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None)
from_dlpack(x, /, *, device=None, copy=None)
full(shape, fill_value, *, dtype=None, device=None)
full_like(x, /, fill_value, *, dtype=None, device=None)
linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True)
meshgrid(*arrays, indexing='xy')
ones(shape, *, dtype=None, device=None)
ones_like(x, /, *, dtype=None, device=None)
tril(x, /, *, k=0)
triu(x, /, *, k=0)
zeros(shape, *, dtype=None, device=None)
zeros_like(x, /, *, dtype=None, device=None)
astype(x, dtype, /, *, copy=True, device=None)
can_cast(from_, to, /)
finfo(type, /)
iinfo(type, /)
isdtype(dtype, kind)
result_type(*arrays_and_dtypes)
clip(x, /, min=None, max=None)
take(x, indices, /, *, axis=None)
take_along_axis(x, indices, /, *, axis=-1)
matmul(x1, x2, /)
matrix_transpose(x, /)
tensordot(x1, x2, /, *, axes=2)
vecdot(x1, x2, /, *, axis=-1)
broadcast_arrays(*arrays)
broadcast_to(x, /, shape)
concat(arrays, /, *, axis=0)
expand_dims(x, /, axis)
flip(x, /, *, axis=None)
moveaxis(x, source, destination, /)
permute_dims(x, /, axes)
repeat(x, repeats, /, *, axis=None)
reshape(x, /, shape, *, copy=None)
roll(x, /, shift, *, axis=None)
squeeze(x, /, axis)
stack(arrays, /, *, axis=0)
tile(x, repetitions, /)
unstack(x, /, *, axis=0)
argmax(x, /, *, axis=None, keepdims=False)
argmin(x, /, *, axis=None, keepdims=False)
count_nonzero(x, /, *, axis=None, keepdims=False)
nonzero(x, /)
searchsorted(x1, x2, /, *, side='left', sorter=None)
where(condition, x1, x2, /)
unique_all(x, /)
unique_counts(x, /)
unique_inverse(x, /)
unique_values(x, /)
argsort(x, /, *, axis=-1, descending=False, stable=True)
sort(x, /, *, axis=-1, descending=False, stable=True)
cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False)
cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False)
max(x, /, *, axis=None, keepdims=False)
mean(x, /, *, axis=None, keepdims=False)
min(x, /, *, axis=None, keepdims=False)
prod(x, /, *, axis=None, dtype=None, keepdims=False)
std(x, /, *, axis=None, correction=0.0, keepdims=False)
sum(x, /, *, axis=None, dtype=None, keepdims=False)
var(x, /, *, axis=None, correction=0.0, keepdims=False)
all(x, /, *, axis=None, keepdims=False)
any(x, /, *, axis=None, keepdims=False)
diff(x, /, *, axis=-1, n=1, prepend=None, append=None)
__array_namespace_info__()
""" + "".join(f"{name}(x, /)\n" for name in _UNARY) + "".join(f"{name}(x1, x2, /)\n" for name in _BINARY)

# The linalg extension: its matrix-product family (also in the main namespace) and the functions
# that live in gputensor.linalg only.
_LINALG = """
diagonal(x, /, *, offset=0)
trace(x, /, *, offset=0, dtype=None)
matmul(x1, x2, /)
matrix_transpose(x, /)
tensordot(x1, x2, /, *, axes=2)
vecdot(x1, x2, /, *, axis=-1)
outer(x1, x2, /)
vector_norm(x, /, *, axis=None, keepdims=False, ord=2)
cholesky(x, /, *, upper=False)
cross(x1, x2, /, *, axis=-1)
det(x, /)
eigh(x, /)
eigvalsh(x, /)
inv(x, /)
matrix_norm(x, /, *, keepdims=False, ord='fro')
matrix_power(x, n, /)
matrix_rank(x, /, *, rtol=None)
pinv(x, /, *, rtol=None)
qr(x, /, *, mode='reduced')
slogdet(x, /)
solve(x1, x2, /)
svd(x, /, *, full_matrices=True)
svdvals(x, /)
"""
_LINALG_ONLY = ("cholesky cross det eigh eigvalsh inv matrix_norm matrix_power matrix_rank pinv qr slogdet "
                "solve svd svdvals").split()

_INFO = """
capabilities(self)
default_device(self)
default_dtypes(self, *, device=None)
devices(self)
dtypes(self, *, device=None, kind=None)
"""

_OPERATORS = "add sub mul truediv floordiv mod pow matmul and or xor lshift rshift".split()
_ARRAY_METHODS = """
__array_namespace__(self, /, *, api_version=None)
__bool__(self, /)
__complex__(self, /)
__dlpack__(self, /, *, stream=None, max_version=None, dl_device=None, copy=None)
__dlpack_device__(self, /)
__float__(self, /)
__index__(self, /)
__int__(self, /)
__getitem__(self, key, /)
__setitem__(self, key, value, /)
to_device(self, device, /, *, stream=None)
""" + "".join(f"__{n}__(self, /)\n" for n in ("abs", "invert", "neg", "pos")) + "".join(
    f"__{p}{n}__(self, other, /)\n" for n in _OPERATORS + ["eq", "ne", "lt", "le", "gt", "ge"]
    for p in ("", "r", "i") if p == "" or n in _OPERATORS
)
_ARRAY_ATTRIBUTES = ("dtype", "device", "mT", "ndim", "shape", "size", "T")
_CONSTANTS = {"e": np.e, "pi": np.pi, "inf": float("inf")}
_DTYPES = ("bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64")
_LEFT_OUT_DTYPES = ("uint16", "uint32", "uint64", "complex64", "complex128")
# Names in array-api-strict that are not part of gputensor's 2024.12 namespace, and why.
_NOT_OURS = {
    "ArrayAPIStrictFlags": "array-api-strict's own", "Device": "array-api-strict's own",
    "__version__": "array-api-strict's own", "get_array_api_strict_flags": "array-api-strict's own",
    "set_array_api_strict_flags": "array-api-strict's own",
    "reset_array_api_strict_flags": "array-api-strict's own",
    "fft": "optional extension gputensor does not provide (needs complex dtypes)",
    **{name: "a dtype gputensor leaves out" for name in _LEFT_OUT_DTYPES},
}


def _parse(table: str) -> dict[str, inspect.Signature]:
    """Signature lines -> name: signature (via a throwaway ``def`` with that parameter list)."""
    out = {}
    for line in table.strip().splitlines():
        name, params = line.split("(", 1)
        scope = {}
        exec(f"def _f({params}: pass", scope)  # noqa: S102  (a parameter list from the table above)
        out[name] = inspect.signature(scope["_f"])
    return out


SPEC_FUNCTIONS = _parse(_FUNCTIONS)
SPEC_LINALG = _parse(_LINALG)
SPEC_INFO = _parse(_INFO)
SPEC_ARRAY = _parse(_ARRAY_METHODS)


def _mismatches(spec: inspect.Signature, ours: inspect.Signature) -> list[str]:
    """How ``ours`` fails to accept exactly the calls ``spec`` allows (empty when it conforms).

    Positional-only names are free; other names, kinds and defaults must match. gputensor may add
    keyword-only parameters with defaults, and a default for a parameter the standard requires.
    """
    P = inspect.Parameter
    problems = []
    s_pos = [p for p in spec.parameters.values() if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    o_pos = [p for p in ours.parameters.values() if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    if len(s_pos) != len(o_pos):
        problems.append(f"{len(o_pos)} positional parameters, the standard has {len(s_pos)}")
    for s, o in zip(s_pos, o_pos):
        if s.kind != o.kind:
            problems.append(f"{o.name}: {o.kind.description}, the standard says {s.kind.description}")
        if s.kind is P.POSITIONAL_OR_KEYWORD and s.name != o.name:
            problems.append(f"parameter named {o.name!r}, the standard names it {s.name!r}")
        problems += _default_problems(s, o)
    s_kw = {p.name: p for p in spec.parameters.values() if p.kind is P.KEYWORD_ONLY}
    o_kw = {p.name: p for p in ours.parameters.values() if p.kind is P.KEYWORD_ONLY}
    for name, s in s_kw.items():
        if name not in o_kw:
            problems.append(f"keyword-only {name!r} missing")
        else:
            problems += _default_problems(s, o_kw[name])
    for name, o in o_kw.items():
        if name not in s_kw and o.default is P.empty:
            problems.append(f"extra required keyword-only {name!r}")
    for kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD):
        in_spec = any(p.kind is kind for p in spec.parameters.values())
        if in_spec != any(p.kind is kind for p in ours.parameters.values()):
            problems.append(f"{kind.description} differs")
    return problems


def _default_problems(s, o) -> list[str]:
    if s.default is inspect.Parameter.empty:
        return []
    same = o.default == s.default and type(o.default) is type(s.default)
    if o.default is inspect.Parameter.empty or not same:
        return [f"{o.name}: default {o.default!r}, the standard says {s.default!r}"]
    return []


@pytest.fixture
def strict():
    """array-api-strict set to the 2024.12 standard for the duration of a test."""
    with xs.ArrayAPIStrictFlags(api_version="2024.12"):
        yield xs


# --- signatures -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SPEC_FUNCTIONS))
def test_function_has_the_standard_signature(name):
    assert hasattr(gt, name), f"gputensor.{name} is missing"
    problems = _mismatches(SPEC_FUNCTIONS[name], inspect.signature(getattr(gt, name)))
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", sorted(SPEC_LINALG))
def test_linalg_function_has_the_standard_signature(name):
    fn = getattr(gt.linalg, name)
    problems = _mismatches(SPEC_LINALG[name], inspect.signature(fn))
    assert not problems, f"linalg.{name}: " + "; ".join(problems)
    if name in SPEC_FUNCTIONS:
        assert fn is getattr(gt, name), f"linalg.{name} must be the main namespace's {name}"


@pytest.mark.parametrize("name", sorted(SPEC_ARRAY))
def test_tensor_method_has_the_standard_signature(name):
    assert hasattr(gt.Tensor, name), f"Tensor.{name} is missing"
    problems = _mismatches(SPEC_ARRAY[name], inspect.signature(getattr(gt.Tensor, name)))
    assert not problems, f"Tensor.{name}: " + "; ".join(problems)


def test_tensor_has_the_standard_attributes():
    x = gt.reshape(gt.arange(6, dtype=gt.float32), (2, 3))
    for name in _ARRAY_ATTRIBUTES:
        assert isinstance(getattr(gt.Tensor, name), property), name
    assert (x.dtype, x.shape, x.ndim, x.size) == (gt.float32, (2, 3), 2, 6)
    assert x.T.shape == (3, 2)
    assert x.mT.shape == (3, 2)
    assert gt.reshape(x, (1, 2, 3)).mT.shape == (1, 3, 2)
    assert x.device == gt.__array_namespace_info__().default_device()
    with pytest.raises(ShapeError, match="mT"):
        _ = gt.reshape(x, (1, 2, 3)).T


@pytest.mark.parametrize("name", sorted(SPEC_INFO))
def test_inspection_method_has_the_standard_signature(name):
    info = gt.__array_namespace_info__()
    problems = _mismatches(SPEC_INFO[name], inspect.signature(getattr(type(info), name)))
    assert not problems, f"info.{name}: " + "; ".join(problems)


def test_constants_dtypes_and_version():
    assert gt.__array_api_version__ == "2024.12"
    for name, value in _CONSTANTS.items():
        assert getattr(gt, name) == value
    assert np.isnan(gt.nan)
    assert gt.newaxis is None
    for name in _DTYPES:
        dtype = getattr(gt, name)
        assert isinstance(dtype, gt.DType)
        assert dtype == getattr(gt, name) and dtype.name == name


def _newer_than_2024_12(strict, name: str) -> bool:
    """Whether array-api-strict refuses ``name`` because it belongs to a later standard."""
    fn = getattr(strict, name)
    if not callable(fn):
        return False
    try:
        fn()
    except RuntimeError as exc:
        return "requires API version" in str(exc)
    except Exception:
        return False
    return False


def test_table_covers_array_api_strict(strict):
    """Every 2024.12 name array-api-strict exports is in the tables above, or deliberately not ours."""
    ours = set(SPEC_FUNCTIONS) | set(_CONSTANTS) | {"nan", "newaxis", "linalg", "__array_api_version__"}
    ours |= set(_DTYPES)
    unknown = set(strict.__all__) - ours - set(_NOT_OURS)
    missing = sorted(name for name in unknown if not _newer_than_2024_12(strict, name))
    assert not missing, f"standard names missing from the test's table: {missing}"
    strict_array = type(strict.asarray(1))
    methods = {n for n in vars(strict_array) if n.startswith("__") or not n.startswith("_")}
    extras = {"__annotations__", "__array__", "__buffer__", "__doc__", "__hash__", "__iter__", "__module__",
              "__new__", "__reduce__", "__repr__", "__slots__", "__str__", "__weakref__"}
    missing = sorted(methods - set(SPEC_ARRAY) - set(_ARRAY_ATTRIBUTES) - extras)
    assert not missing, f"array methods missing from the test's table: {missing}"
    matmul_family = {"matmul", "matrix_transpose", "tensordot", "vecdot"}
    assert matmul_family <= set(strict.linalg.__all__)
    assert set(strict.linalg.__all__) == set(SPEC_LINALG) == set(gt.linalg.__all__)


def test_linalg_only_functions_stay_out_of_the_main_namespace():
    """The standard places the decompositions, solvers and norms in ``linalg`` only."""
    for name in _LINALG_ONLY:
        assert name in gt.linalg.__all__ and callable(getattr(gt.linalg, name))
        assert not hasattr(gt, name), f"gputensor.{name} should exist only as gputensor.linalg.{name}"


def test_array_namespace_protocol():
    x = gt.ones(2)
    assert x.__array_namespace__() is gt
    for version in ("2021.12", "2022.12", "2023.12", "2024.12"):
        assert x.__array_namespace__(api_version=version) is gt
    with pytest.raises(ValueError, match="2099.01"):
        x.__array_namespace__(api_version="2099.01")


# --- the inspection object --------------------------------------------------------------------

def test_namespace_info(device):
    info = gt.__array_namespace_info__()
    caps = info.capabilities()
    assert caps == {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}
    assert gt.device("cpu") in info.devices()
    assert device in info.devices()
    with device:
        assert info.default_device() is device
        assert gt.zeros(1).device == info.default_device()
    defaults = info.default_dtypes(device=device)
    assert defaults == {"real floating": gt.float32, "complex floating": None,
                        "integral": gt.int64, "indexing": gt.int64}
    names = info.dtypes(device=device)
    assert set(names) <= {d.name for d in gt.dtypes.ALL_DTYPES}
    assert {"bool", "int8", "int16", "int32", "int64", "uint8", "float32"} <= set(names)
    assert all(getattr(gt, n) is d for n, d in names.items())
    assert set(info.dtypes(device=device, kind="signed integer")) == {"int8", "int16", "int32", "int64"}
    assert info.dtypes(device=device, kind="unsigned integer") == {"uint8": gt.uint8}
    assert info.dtypes(device=device, kind="complex floating") == {}
    assert set(info.dtypes(device=device, kind=("bool", gt.int8))) == {"bool", "int8"}
    assert "float32" in info.dtypes(device=device, kind="real floating")


# --- behavior against array-api-strict --------------------------------------------------------

_RNG = np.random.RandomState(0)
F = _RNG.randn(3, 4)
P = _RNG.rand(3, 4) + 0.5
I = _RNG.randint(-5, 6, (3, 4)).astype(np.int64)  # noqa: E741
I32 = _RNG.randint(-5, 6, (3, 4)).astype(np.int32)
U = _RNG.randint(0, 200, (3, 4)).astype(np.uint8)
B = _RNG.rand(3, 4) > 0.5
S = np.sort(_RNG.randn(6))
V = _RNG.randn(4)
SQ = _RNG.randn(3, 3) + 3 * np.eye(3)
SPD = SQ @ SQ.T
C3 = _RNG.randn(2, 3)


CASES = {}


def case(*inputs):
    """Register ``fn(xp, *arrays)``: run on gputensor and on array-api-strict with ``inputs``."""

    def register(fn):
        CASES[fn.__name__] = (fn, inputs)
        return fn

    return register


def _set(a, key, value):
    a = a * 1
    a[key] = value
    return a


@case(F)
def statistics(xp, a):
    return (xp.mean(a, axis=(0, 1), keepdims=True), xp.std(a, axis=0, correction=1),
            xp.var(a, axis=1, correction=1.0, keepdims=True), xp.max(a, axis=-1),
            xp.min(a, axis=(0, 1), keepdims=True))


@case(I32)
def integer_sums(xp, a):
    return xp.sum(a, dtype=xp.int64), xp.sum(a, axis=1), xp.prod(a, axis=1)


@case(I, V, P)
def cumulative(xp, a, v, p):
    return (xp.cumulative_sum(a, axis=1, include_initial=True), xp.cumulative_sum(v),
            xp.cumulative_prod(p, axis=0, include_initial=True))


@case(F, I)
def searching(xp, a, i):
    return (xp.argmax(a, axis=1, keepdims=True), xp.argmin(a), xp.count_nonzero(i, axis=0, keepdims=True))


@case(F, I)
def sorting(xp, a, i):
    return (xp.sort(a, axis=0, descending=True), xp.argsort(i, axis=1, stable=True),
            xp.argsort(i, axis=1, descending=True, stable=True))


@case(S, V)
def searchsorted(xp, s, v):
    return (xp.searchsorted(s, v), xp.searchsorted(s, s, side="right"),
            xp.searchsorted(xp.flip(s), v, sorter=xp.argsort(xp.flip(s))))


@case(I)
def unique(xp, a):
    return (xp.unique_values(a),) + tuple(xp.unique_counts(a)) + tuple(xp.unique_inverse(a)) + tuple(
        xp.unique_all(a))


@case(F, V)
def take(xp, a, v):
    return (xp.take(a, xp.asarray([2, 0, 2]), axis=1), xp.take(v, xp.asarray([3, 1])),
            xp.take_along_axis(a, xp.argsort(a, axis=1), axis=1))


@case(F, P, I32, I)
def joining(xp, a, b, i32, i64):
    return ((xp.concat((a, b), axis=None), xp.concat([a, b], axis=1), xp.concat([i32, i64], axis=0),
             xp.stack((a, b), axis=-1)) + xp.unstack(a, axis=1))


@case(F, V, I)
def clip(xp, a, v, i):
    bound = xp.asarray(1.0, dtype=xp.float64)
    return xp.clip(a, -0.5, 0.5), xp.clip(a, min=v * 0.1, max=bound), xp.clip(i, max=2)


@case(F, P)
def where(xp, a, b):
    return xp.where(a > 0, a, 0.0), xp.where(a > 0, -1.0, a), xp.where(a > 0.2, a, b)


@case(I32)
def astype(xp, a):
    return xp.astype(a, xp.int32, copy=False), xp.astype(a, xp.float64), xp.astype(a, xp.bool)


@case(I)
def reshape_and_nonzero(xp, a):
    return (xp.reshape(a, (2, -1)),) + xp.nonzero(a)


@case(F)
def diff(xp, a):
    edge = a[:, :1]
    return xp.diff(a, axis=0), xp.diff(a, n=2, prepend=edge, append=edge)


@case(I)
def tile_and_repeat(xp, a):
    return (xp.tile(a, (2, 1, 2)), xp.repeat(a, 2, axis=0), xp.repeat(a, 2),
            xp.repeat(a, xp.asarray([1, 0, 2, 1]), axis=1))


@case(F)
def axes(xp, a):
    return (xp.roll(a, (1, -1), axis=(0, 1)), xp.roll(a, 5), xp.moveaxis(xp.reshape(a, (3, 2, 2)), 0, -1),
            xp.flip(a, axis=1), xp.flip(a), xp.permute_dims(a, (1, 0)),
            xp.squeeze(xp.expand_dims(a, axis=1), axis=1), a.T, xp.reshape(a, (1, 3, 4)).mT)


@case(F, V, S)
def broadcasting(xp, a, v, s):
    return ((xp.broadcast_to(v, (3, 4)),) + tuple(xp.broadcast_arrays(a, v))
            + tuple(xp.meshgrid(v, s, indexing="ij")) + tuple(xp.meshgrid(v, s)))


@case()
def creation(xp):
    return (xp.eye(3, 4, k=1, dtype=xp.float32), xp.arange(1, 10, 3),
            xp.linspace(0.0, 1.0, 5, endpoint=False, dtype=xp.float64),
            xp.arange(0.0, 1.0, 0.25, dtype=xp.float64), xp.full((2, 3), 7, dtype=xp.int32),
            xp.ones((2,), dtype=xp.uint8))


@case(I32, F)
def like_and_triangles(xp, i, a):
    return (xp.full_like(i, 3), xp.zeros_like(i, dtype=xp.int8), xp.ones_like(i), xp.tril(a, k=-1),
            xp.triu(a, k=1))


@case(F, P, V)
def products(xp, a, b, v):
    return (xp.matmul(a, xp.matrix_transpose(b)), a @ v, xp.vecdot(a, v), xp.vecdot(a, b, axis=-2),
            xp.tensordot(a, b, axes=([1], [1])), xp.tensordot(a, b, axes=2))


@case(F, P, V)
def linalg(xp, a, b, v):
    return (xp.linalg.matmul(a, b.mT), xp.linalg.vecdot(a, v), xp.linalg.tensordot(a, b, axes=2),
            xp.linalg.matrix_transpose(xp.reshape(a, (1, 3, 4))), xp.linalg.outer(v, v),
            xp.linalg.vector_norm(a, axis=1, keepdims=True), xp.linalg.vector_norm(a, ord=1),
            xp.linalg.diagonal(a), xp.linalg.diagonal(a, offset=2), xp.linalg.diagonal(a, offset=-1),
            xp.linalg.trace(a), xp.linalg.trace(xp.astype(a > 0, xp.int32), offset=1))


@case(SQ, SPD, F)
def linalg_factorizations(xp, a, s, f):
    la = xp.linalg
    return (la.inv(a), la.det(a), *la.slogdet(a), la.solve(a, f[:, 0]), la.solve(a, f), la.cholesky(s),
            la.cholesky(s, upper=True), *la.eigh(s), la.eigvalsh(s), *la.qr(f), *la.qr(f.mT, mode="complete"),
            *la.svd(f), *la.svd(f.mT, full_matrices=False), la.svdvals(f))


@case(SQ, F, C3)
def linalg_composed(xp, a, f, c):
    la = xp.linalg
    return (la.pinv(f), la.pinv(a, rtol=0.5), la.matrix_rank(f), la.matrix_rank(a, rtol=0.5),
            la.matrix_power(a, 3), la.matrix_power(a, -2), la.matrix_power(a, 0), la.cross(c, c * c),
            la.cross(c.mT, c.mT + 1.0, axis=-2), la.matrix_norm(f),
            la.matrix_norm(f, ord="nuc", keepdims=True), la.matrix_norm(f, ord=1), la.matrix_norm(f, ord=-1),
            la.matrix_norm(f, ord=2),
            la.matrix_norm(f, ord=-2), la.matrix_norm(f, ord=xp.inf), la.matrix_norm(f, ord=-xp.inf))


@case(I)
def integer_arithmetic(xp, a):
    return (xp.floor_divide(a, 3), xp.remainder(a, -3), xp.pow(a, 2), a // 2, a % 4, 3 * a, a + 1,
            xp.ceil(a), xp.sign(a), abs(a), -a, +a)


@case(F, P)
def float_arithmetic(xp, a, b):
    return (xp.floor_divide(a, b), a % b, b ** a, a / b, 1 - a, 2 / b, a * 2.0, xp.copysign(b, a),
            xp.hypot(a, b), xp.logaddexp(a, b), xp.nextafter(a, b), xp.atan2(a, b), xp.maximum(a, b),
            xp.minimum(a, 0.0))


@case(F)
def rounding(xp, a):
    return xp.round(a * 2.5), xp.trunc(a * 3), xp.floor(a), xp.ceil(a), xp.signbit(a), xp.sign(a)


@case(I32, B)
def bitwise_and_logical(xp, i, b):
    return (~i, (i & i) | (i ^ 3), xp.bitwise_left_shift(xp.abs(i), 2) >> 1, ~b, xp.logical_and(b, b),
            xp.logical_xor(b, xp.logical_not(b)), xp.logical_or(b, xp.flip(b)))


@case(F, I, U, I32)
def python_scalars_and_mixed_ints(xp, a, i, u, i32):
    return (a < 0.5, 0.5 <= a, a == 1, a != 1, i > 2, 3 < i, i >= -1, u + 3, u + i32, u * 2)


@case(P, F)
def elementwise_functions(xp, p, a):
    return (xp.exp(p), xp.log(p), xp.log1p(p), xp.expm1(p), xp.log2(p), xp.log10(p), xp.sqrt(p),
            xp.square(p), xp.reciprocal(p), xp.sin(a), xp.cos(a), xp.tan(a), xp.asin(a / 4),
            xp.acos(a / 4), xp.atan(a), xp.sinh(a), xp.cosh(a), xp.tanh(a), xp.asinh(a),
            xp.acosh(xp.abs(a) + 1.0), xp.atanh(a / 4), xp.isnan(a), xp.isinf(a), xp.isfinite(a),
            xp.real(a), xp.conj(a))


@case(B)
def all_any(xp, b):
    return xp.all(b, axis=0), xp.any(b, axis=1, keepdims=True), xp.all(b), xp.any(b)


@case(F)
def getitem(xp, a):
    return (a[1:, ::-2], a[..., None, 1], a[xp.asarray([2, 0]), xp.asarray([1, 3])], a[a > 0],
            a[xp.asarray(True)], a[xp.asarray(False)], a[xp.asarray(1), xp.asarray(2)])


@case(F, V)
def setitem(xp, a, v):
    b = a * 1
    b += 1.0
    b *= 2
    b /= 4
    return (_set(a, (slice(None), 1), 5.0), _set(a, a < 0, 0.0), _set(a, (0, ...), v),
            _set(a, (1, 2), -7.0), _set(a, xp.asarray(True), 1.0), b)


def _dtype_name(dtype) -> str:
    return str(dtype).rsplit(".", 1)[-1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_behavior_matches_array_api_strict(name, device, strict):
    fn, inputs = CASES[name]
    expected = fn(strict, *[strict.asarray(a) for a in inputs])
    with device:
        got = fn(gt, *[gt.asarray(a, device=device) for a in inputs])
    expected = expected if isinstance(expected, tuple) else (expected,)
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        where = f"{name} result {i}"
        assert isinstance(g, gt.Tensor), where
        assert g.device == device, where
        assert g.dtype.name == _dtype_name(e.dtype), where
        assert g.shape == tuple(e.shape), where
        e_host = np.asarray(e)
        if e_host.dtype.kind == "f":
            np.testing.assert_allclose(g.numpy(), e_host, rtol=1e-12, atol=1e-12, err_msg=where)
        else:
            np.testing.assert_array_equal(g.numpy(), e_host, err_msg=where)


# --- promotion ----------------------------------------------------------------------------------

def _kind_rank(dtype) -> int:
    return {"b": 0, "i": 1, "u": 1, "f": 2}[dtype.kind]


def _higher_kind(a, b):
    """gputensor's documented rule for mixed kinds: the dtype of the operand of the higher kind."""
    return a if _kind_rank(a) > _kind_rank(b) else b


@pytest.mark.parametrize("a", _DTYPES)
def test_promotion_matches_array_api_strict(a, strict):
    for b in _DTYPES:
        ours = gt.result_type(getattr(gt, a), getattr(gt, b))
        assert ours is gt.result_type(getattr(gt, b), getattr(gt, a))
        try:
            theirs = strict.result_type(getattr(strict, a), getattr(strict, b))
        except TypeError:  # mixed kinds: implementation-defined
            assert ours is _higher_kind(getattr(gt, a), getattr(gt, b)), (a, b)
            continue
        assert ours.name == _dtype_name(theirs), (a, b)


@pytest.mark.parametrize("a", _DTYPES)
def test_python_scalar_promotion_matches_array_api_strict(a, strict):
    defaults = {bool: gt.bool, int: gt.int64, float: gt.float32}
    for scalar in (True, 3, 1.5):
        ours = gt.result_type(getattr(gt, a), scalar)
        tensor_result = (gt.ones(2, dtype=getattr(gt, a)) + scalar).dtype
        assert tensor_result is ours, (a, scalar)
        try:
            theirs = strict.result_type(getattr(strict, a), scalar)
        except TypeError:  # a scalar of a higher kind: implementation-defined
            kind_dtype = defaults[type(scalar)]
            assert ours is _higher_kind(getattr(gt, a), kind_dtype), (a, scalar)
            continue
        assert ours.name == _dtype_name(theirs), (a, scalar)


def test_non_standard_float_promotion_is_documented():
    assert gt.result_type(gt.float16, gt.bfloat16) is gt.float32
    assert gt.result_type(gt.float16, gt.float32) is gt.float32
    assert gt.result_type(gt.bfloat16, gt.float64) is gt.float64
    assert gt.result_type(gt.int64, gt.float16) is gt.float16
    assert gt.result_type(gt.uint8, gt.bfloat16) is gt.bfloat16


def test_unsigned_reductions_widen_to_int64():
    u = gt.asarray(U)
    results = (gt.sum(u), gt.prod(u, axis=0), gt.cumulative_sum(u, axis=0), gt.cumulative_prod(u, axis=1))
    for result in results:
        assert result.dtype is gt.int64
    assert gt.sum(u).item() == int(U.astype(np.int64).sum())


# --- the dtype subset ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", _LEFT_OUT_DTYPES)
def test_left_out_dtype_attribute_is_a_clear_error(name):
    assert not hasattr(gt, name)
    with pytest.raises(MissingDTypeError, match=f"no {name} dtype") as info:
        getattr(gt, name)
    assert isinstance(info.value, DTypeError) and isinstance(info.value, AttributeError)
    assert "float32" in str(info.value)


_LEFT_OUT_REQUESTS = {
    "asarray_uint16": lambda x: gt.asarray(np.ones(2, np.uint16)),
    "asarray_uint32": lambda x: gt.asarray(np.ones(2, np.uint32)),
    "asarray_uint64": lambda x: gt.asarray(np.ones(2, np.uint64)),
    "asarray_complex64": lambda x: gt.asarray(np.ones(2, np.complex64)),
    "asarray_complex_list": lambda x: gt.asarray([1.0, 2j]),
    "asarray_complex_scalar": lambda x: gt.asarray(1j),
    "zeros_complex": lambda x: gt.zeros(2, dtype="complex64"),
    "ones_uint32": lambda x: gt.ones(2, dtype=np.uint32),
    "full_complex": lambda x: gt.full((2,), 1j),
    "full_like_complex": lambda x: gt.full_like(x, 1 + 1j),
    "linspace_complex": lambda x: gt.linspace(0, 1j, 3),
    "arange_uint16": lambda x: gt.arange(3, dtype=np.uint16),
    "eye_complex": lambda x: gt.eye(2, dtype=np.complex128),
    "astype_uint32": lambda x: gt.astype(x, "uint32"),
    "astype_complex": lambda x: gt.astype(x, np.complex128),
    "sum_uint64": lambda x: gt.sum(x, dtype="uint64"),
    "add_complex": lambda x: x + 1j,
    "radd_complex": lambda x: 1j * x,
    "compare_complex": lambda x: x == 2j,
    "where_complex": lambda x: gt.where(x > 1, x, 1j),
    "setitem_complex": lambda x: x.__setitem__(0, 1j),
    "result_type_complex": lambda x: gt.result_type(x, 1j),
    "result_type_uint16": lambda x: gt.result_type(x, np.uint16),
    "can_cast_complex": lambda x: gt.can_cast(gt.float32, "complex64"),
    "finfo_complex": lambda x: gt.finfo(np.complex64),
    "iinfo_uint16": lambda x: gt.iinfo(np.uint16),
    "isdtype_uint64": lambda x: gt.isdtype(np.uint64, "integral"),
    "from_dlpack_complex": lambda x: gt.from_dlpack(np.ones(2, np.complex64)),
}


@pytest.mark.parametrize("request_name", sorted(_LEFT_OUT_REQUESTS))
def test_asking_for_a_left_out_dtype_is_a_dtype_error(request_name):
    x = gt.asarray([1.0, 2.0])
    with pytest.raises(DTypeError, match="complex|uint16|uint32|uint64"):
        _LEFT_OUT_REQUESTS[request_name](x)


def test_kind_queries_work_without_the_left_out_dtypes():
    assert not gt.isdtype(gt.float32, "complex floating")
    assert gt.isdtype(gt.uint8, "unsigned integer")
    assert gt.isdtype(gt.float16, ("real floating", "complex floating"))
    assert gt.finfo(np.float32).eps == gt.finfo(gt.float32).eps
    assert gt.iinfo(np.int8).min == -128
    assert gt.result_type(np.float32, gt.int8) is gt.float32
    assert gt.can_cast(np.int8, gt.int16)


# --- data-type functions and array protocols ----------------------------------------------------

def test_finfo_iinfo_fields(strict):
    for name in ("float32", "float64"):
        ours = gt.finfo(getattr(gt, name))
        theirs = strict.finfo(getattr(strict, name))
        for field in ("bits", "eps", "max", "min", "smallest_normal"):
            assert getattr(ours, field) == getattr(theirs, field), (name, field)
        assert ours.dtype is getattr(gt, name)
    assert gt.finfo(gt.ones(2, dtype=gt.float16)).bits == 16
    assert gt.finfo(gt.bfloat16).bits == 16
    for name in ("int8", "int16", "int32", "int64", "uint8"):
        ours = gt.iinfo(getattr(gt, name))
        theirs = strict.iinfo(getattr(strict, name))
        assert (ours.bits, ours.min, ours.max) == (theirs.bits, theirs.min, theirs.max), name


def test_can_cast_matches_array_api_strict(strict):
    """Within a kind as array-api-strict; across kinds (which the standard leaves open, and
    array-api-strict refuses) by gputensor's promotion: to a higher kind yes, to a lower no."""
    for a in _DTYPES:
        for b in _DTYPES:
            ours = gt.can_cast(getattr(gt, a), getattr(gt, b))
            da, db = getattr(gt, a), getattr(gt, b)
            if _kind_rank(da) == _kind_rank(db):
                assert ours is strict.can_cast(getattr(strict, a), getattr(strict, b)), (a, b)
            else:
                assert ours is (_higher_kind(da, db) is db), (a, b)


def test_isdtype_matches_array_api_strict(strict):
    kinds = ("bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating",
             "numeric", ("bool", "real floating"))
    for name in _DTYPES:
        for kind in kinds:
            expected = strict.isdtype(getattr(strict, name), kind)
            assert gt.isdtype(getattr(gt, name), kind) is expected, (name, kind)


def test_python_conversions_and_index():
    assert [10, 11, 12][gt.asarray(2)] == 12
    assert bool(gt.asarray(True)) is True
    assert int(gt.asarray(7)) == 7
    assert float(gt.asarray(2.5)) == 2.5
    assert complex(gt.asarray(1.5)) == 1.5 + 0j
    with pytest.raises(TypeError):
        [1, 2][gt.asarray(1.0)]


def test_copy_keyword():
    host = np.arange(4.0)
    shared = gt.asarray(host, copy=False)
    host[0] = 9.0
    assert shared[0].item() == 9.0
    assert gt.asarray(host, copy=True)[1].item() == 1.0
    with pytest.raises(ValueError, match="copy"):
        gt.asarray([1.0, 2.0], copy=False)
    with pytest.raises(ValueError, match="copy"):
        gt.asarray(np.arange(3), dtype=gt.float32, copy=False)
    with pytest.raises(ValueError, match="copy"):
        gt.reshape(gt.ones((2, 3)).mT, (6,), copy=False)
    x = gt.ones(3)
    assert gt.astype(x, gt.float32, copy=False) is x
    assert gt.astype(x, gt.float32) is not x


def test_device_placement(device):
    x = gt.asarray([1.0, 2.0], device=device)
    assert x.device == device
    assert x.to_device(device).device == device
    assert x.to_device("cpu", stream=None).device == gt.device("cpu")
    assert gt.astype(x, gt.int32, device="cpu").device == gt.device("cpu")
    for make in (gt.zeros, gt.ones, gt.empty):
        assert make((2,), device=device).device == device
    assert gt.zeros_like(x).device == device
    assert gt.arange(3, device=device).device == device


def test_dlpack_round_trip(device):
    x = gt.reshape(gt.arange(6, dtype=gt.float32, device=device), (2, 3))
    host = x.cpu()
    assert host.__dlpack_device__() == (1, 0)
    np.testing.assert_array_equal(np.from_dlpack(host), np.arange(6, dtype=np.float32).reshape(2, 3))
    back = gt.from_dlpack(host)
    assert back.dtype is gt.float32 and back.tolist() == host.tolist()
    assert gt.from_dlpack(np.arange(3.0), device=device).device == device
    assert host.__dlpack__(max_version=(1, 0)) is not None


def test_size_zero_views():
    empty = gt.zeros((2, 0))
    assert [c.shape for c in gt.nonzero(empty)] == [(0,), (0,)]
    assert empty[1:2].shape == (1, 0)
    assert gt.unstack(gt.zeros((3, 0)))[2].shape == (0,)


def test_signature_check_catches_deviations():
    """The audit above is not vacuous: each kind of deviation is reported."""
    spec = SPEC_FUNCTIONS["std"]

    def keyword_x(x, *, axis=None, correction=0.0, keepdims=False): ...
    def renamed(x, /, *, axis=None, ddof=0.0, keepdims=False): ...
    def wrong_default(x, /, *, axis=None, correction=1.0, keepdims=False): ...
    def positional_axis(x, /, axis=None, *, correction=0.0, keepdims=False): ...
    def extra_required(x, /, *, axis=None, correction=0.0, keepdims=False, out): ...

    for bad in (keyword_x, renamed, wrong_default, positional_axis, extra_required):
        assert _mismatches(spec, inspect.signature(bad)), bad.__name__

    def extended(x, /, *, axis=None, correction=0.0, keepdims=False, dtype=None): ...

    assert not _mismatches(spec, inspect.signature(extended))
    assert _mismatches(SPEC_FUNCTIONS["add"], inspect.signature(lambda a, b: None))


def test_zero_d_results_are_arrays_for_numpy():
    """NumPy-based fallbacks (SciPy's, scikit-learn's) call ``np.asarray`` on 0-d results."""
    for result in (gt.asarray(1.0) + 1, gt.exp(gt.asarray(0.5)), gt.sum(gt.ones(3)), gt.asarray(2) * 3):
        host = np.asarray(result)
        assert type(host) is np.ndarray and host.shape == ()
    y = gt.asarray(1.0) * 2
    y[...] = 5.0
    assert y.item() == 5.0
