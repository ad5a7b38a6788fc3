"""Matrix products: matmul, tensordot, vecdot, einsum, outer, and vector norms."""

from __future__ import annotations

import builtins
import math
import re

from .. import dtypes as dt
from ..errors import ArgumentTypeError, DTypeError, ShapeError
from .core import (
    Tensor,
    broadcast_shapes,
    make,
    normalize_axes,
    normalize_axis,
    record,
    state,
    sum_to_shape,
    tensor_args,
)
from .elementwise import astype
from .views import matrix_transpose, permute_dims, reshape

# Matmul precision, as JAX names it (jax.lax.Precision and its string aliases). Backends with
# reduced-precision units (the TPU's bf16 MXU) honour it; exact backends ignore it.
PRECISIONS = {
    "default": "default", "bfloat16": "default", "fastest": "default",
    "high": "high", "bfloat16_3x": "high", "tensorfloat32": "high",
    "highest": "highest", "float32": "highest",
}


def canonical_precision(precision, op: str = "matmul"):
    """None, ``"default"``, ``"high"`` or ``"highest"`` for any accepted spelling (case-insensitive;
    enum members such as ``Precision.HIGHEST`` work through their name)."""
    if precision is None:
        return None
    name = getattr(precision, "name", precision)
    key = name.lower() if isinstance(name, str) else None
    if key not in PRECISIONS:
        raise ArgumentTypeError(
            f"{op}: precision must be None or one of {sorted(set(PRECISIONS))}, got {precision!r}"
        )
    return PRECISIONS[key]


def matmul(x1, x2, /, *, precision=None, preferred_element_type=None) -> Tensor:
    """Matrix product with NumPy's rules: 1-D operands are vectors, leading axes broadcast.

    ``precision`` (``"default"``, ``"high"``, ``"highest"`` or a JAX alias) asks devices with
    reduced-precision matrix units for more bf16 passes (the TPU; see ``gt.tpu``); exact devices
    ignore it. ``preferred_element_type`` gives the result (and accumulation) dtype, as in JAX:
    bfloat16 inputs with ``float32`` keep the float32 sums; int8 inputs with ``int32`` give
    exact int32 products.

    >>> import gputensor as gt
    >>> (gt.ones((2, 3)) @ gt.ones((3, 4))).shape
    (2, 4)
    >>> a = gt.ones((2, 3), dtype=gt.int8)
    >>> gt.matmul(a, a.T, preferred_element_type=gt.int32).dtype
    gputensor.int32
    """
    precision = canonical_precision(precision)
    (a, b), dev = tensor_args("matmul", x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(
            f"matmul: operands must have at least one axis, got shapes {a._shape} and "
            f"{b._shape}"
        )
    if a._dtype is dt.bool_ and b._dtype is dt.bool_:
        raise DTypeError("matmul: not defined for two bool tensors; cast to a numeric dtype")
    squeeze_a = a.ndim == 1
    squeeze_b = b.ndim == 1
    if squeeze_a:
        a = reshape(a, (1, a._shape[0]))
    if squeeze_b:
        b = reshape(b, (b._shape[0], 1))
    if a._shape[-1] != b._shape[-2]:
        raise ShapeError(
            f"matmul: inner dimensions differ: a.shape={x1.shape if isinstance(x1, Tensor) else a._shape}, "
            f"b.shape={x2.shape if isinstance(x2, Tensor) else b._shape}"
        )
    batch = broadcast_shapes("matmul", a._shape[:-2], b._shape[:-2])
    dtype = a._dtype if a._dtype is b._dtype else dt.promote(a._dtype, b._dtype)
    if a._dtype is not dtype:
        a = astype(a, dtype)
    if b._dtype is not dtype:
        b = astype(b, dtype)
    out_dtype = _preferred(dtype, preferred_element_type)
    mixed = getattr(dev.backend, "matmul_mixed", None)
    if mixed is not None and (precision is not None or out_dtype is not dtype):
        data = mixed(a._data, b._data, dtype, out_dtype, precision)
    elif out_dtype is not dtype:
        # exact reference: the inputs widened to the result dtype
        data = dev.backend.matmul(astype(a, out_dtype)._data, astype(b, out_dtype)._data, out_dtype)
    else:
        data = dev.backend.matmul(a._data, b._data, dtype)
    y = make(data, batch + (a._shape[-2], b._shape[-1]), out_dtype, dev)
    if state.enabled and (a._rg or b._rg):
        record("matmul", _g_matmul, (a, b), y, save=(a, b), ctx=precision)
    if squeeze_a and squeeze_b:
        return reshape(y, batch)
    if squeeze_a:
        return reshape(y, batch + (y._shape[-1],))
    if squeeze_b:
        return reshape(y, batch + (y._shape[-2],))
    return y


def _preferred(dtype, preferred):
    """The result dtype for ``preferred_element_type`` (None: the inputs' dtype)."""
    if preferred is None:
        return dtype
    out = dt.get_dtype(preferred)
    if out is dtype:
        return out
    same_kind = (dtype.kind == "f") == (out.kind == "f") and dtype.kind != "b"
    if not same_kind or out.itemsize <= dtype.itemsize:
        raise DTypeError(
            f"matmul: preferred_element_type={out} cannot hold products of {dtype} inputs; "
            "pass a wider type of the same kind (bfloat16 -> float32, int8 -> int32)"
        )
    return out


def _g_matmul(node, g):
    a, b = node.saved_tensors
    precision = node.ctx
    ga = gb = None
    if node.edges[0] is not None:
        ga = sum_to_shape(matmul(g, matrix_transpose(b), precision=precision), a._shape)
        ga = ga if ga._dtype is a._dtype else astype(ga, a._dtype)
    if node.edges[1] is not None:
        gb = sum_to_shape(matmul(matrix_transpose(a), g, precision=precision), b._shape)
        gb = gb if gb._dtype is b._dtype else astype(gb, b._dtype)
    return ga, gb


def tensordot(x1, x2, /, *, axes=2, precision=None) -> Tensor:
    """Sum products over ``axes`` (an int: the last n of x1 with the first n of x2; or two
    sequences of axes); ``precision`` as in :func:`matmul`."""
    (a, b), _ = tensor_args("tensordot", x1, x2)
    if isinstance(axes, int):
        if axes < 0 or axes > builtins.min(a.ndim, b.ndim):
            raise ShapeError(f"tensordot: axes={axes} is out of range for shapes {a._shape} and {b._shape}")
        ax_a = list(range(a.ndim - axes, a.ndim))
        ax_b = list(range(axes))
    else:
        if len(axes) != 2:
            raise ArgumentTypeError("tensordot: axes must be an int or a pair of axis sequences")
        ax_a = [normalize_axis(i, a.ndim, "tensordot") for i in _seq(axes[0])]
        ax_b = [normalize_axis(i, b.ndim, "tensordot") for i in _seq(axes[1])]
    if len(ax_a) != len(ax_b):
        raise ShapeError(f"tensordot: {len(ax_a)} axes of x1 paired with {len(ax_b)} axes of x2")
    for i, j in zip(ax_a, ax_b):
        if a._shape[i] != b._shape[j]:
            raise ShapeError(
                f"tensordot: axis {i} of x1 (size {a._shape[i]}) and axis {j} of x2 "
                f"(size {b._shape[j]}) differ; "
                f"shapes {a._shape} and {b._shape}"
            )
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = math.prod(a._shape[i] for i in ax_a)
    am = reshape(permute_dims(a, tuple(free_a + ax_a)), (math.prod(a._shape[i] for i in free_a), k))
    bm = reshape(permute_dims(b, tuple(ax_b + free_b)), (k, math.prod(b._shape[i] for i in free_b)))
    out = matmul(am, bm, precision=precision)
    return reshape(out, tuple(a._shape[i] for i in free_a) + tuple(b._shape[i] for i in free_b))


def _seq(v):
    return [v] if isinstance(v, int) else list(v)


def vecdot(x1, x2, /, *, axis: int = -1) -> Tensor:
    """Dot product of vectors along ``axis`` (broadcasting the other axes)."""
    from .reduction import sum as rsum

    (a, b), _ = tensor_args("vecdot", x1, x2)
    na = normalize_axis(axis, a.ndim, "vecdot")
    nb = normalize_axis(axis, b.ndim, "vecdot")
    if a._shape[na] != b._shape[nb]:
        raise ShapeError(f"vecdot: axis {axis} sizes differ: {a._shape} and {b._shape}")
    return rsum(a * b, axis=axis)


def outer(x1, x2, /) -> Tensor:
    """Outer product of two 1-D tensors."""
    (a, b), _ = tensor_args("outer", x1, x2)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"outer: needs 1-D tensors, got shapes {a._shape} and {b._shape}")
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord=2) -> Tensor:
    """The vector ``ord``-norm over ``axis`` (2, 1, inf, -inf, 0, or any p)."""
    from .reduction import max as rmax
    from .reduction import min as rmin
    from .reduction import sum as rsum
    from .unary import abs as absolute
    from .unary import sqrt

    (x,), _ = tensor_args("vector_norm", x)
    if x._dtype.kind != "f":
        x = astype(x, dt.default_float)
    axes = normalize_axes(axis, x.ndim, "vector_norm")
    if ord == 2:
        return _safe_root(rsum(x * x, axis=axes, keepdims=keepdims), sqrt)
    ax = absolute(x)
    if ord == float("inf"):
        return rmax(ax, axis=axes, keepdims=keepdims)
    if ord == float("-inf"):
        return rmin(ax, axis=axes, keepdims=keepdims)
    if ord == 0:
        return rsum(astype(ax != 0, x._dtype), axis=axes, keepdims=keepdims)
    if ord == 1:
        return rsum(ax, axis=axes, keepdims=keepdims)
    return _safe_root(rsum(ax ** ord, axis=axes, keepdims=keepdims), lambda t: t ** (1.0 / ord))


def _safe_root(total: Tensor, root) -> Tensor:
    """``root(total)`` with a zero gradient where total is 0 (a zero vector), as PyTorch takes
    it, instead of the 0 * inf = NaN of the chain rule."""
    from .elementwise import where

    empty = total == 0
    return where(empty, 0.0, root(where(empty, 1.0, total)))


# --- einsum ------------------------------------------------------------------------------------

def einsum(subscripts: str, *operands, precision=None) -> Tensor:
    """Einstein summation over one or more tensors, contracted pairwise left to right with
    matmul (``"ij,jk->ik"``, ``"bij,bjk->bik"``, ``"i,i->"``, ``"ij->ji"``, ``"...ij,...jk"``);
    ``precision`` as in :func:`matmul`.

    >>> import gputensor as gt
    >>> gt.einsum("ij,jk->ik", gt.ones((2, 3)), gt.ones((3, 4))).shape
    (2, 4)
    """
    tensors, _ = tensor_args("einsum", *operands)
    inputs, output = _parse_einsum(subscripts, tensors)
    current, cur_sub = tensors[0], inputs[0]
    for k in range(1, len(tensors)):
        needed = set(output).union(*inputs[k + 1:])
        current, cur_sub = _contract_pair(current, cur_sub, tensors[k], inputs[k], needed, precision)
    return _finish(current, cur_sub, output)


def _parse_einsum(subscripts, tensors):
    text = subscripts.replace(" ", "")
    if "->" in text:
        lhs, output = text.split("->")
    else:
        lhs, output = text, None
    inputs = lhs.split(",")
    if len(inputs) != len(tensors):
        raise ShapeError(f"einsum: {len(inputs)} operands in '{subscripts}' but {len(tensors)} tensors given")
    letters = "".join(chr(c) for c in range(ord("A"), ord("Z") + 1))
    ell_dims = 0
    for sub, t in zip(inputs, tensors):
        if "..." in sub:
            ell_dims = builtins.max(ell_dims, t.ndim - len(sub.replace("...", "")))
    ell = letters[-ell_dims:] if ell_dims else ""
    expanded = []
    for sub, t in zip(inputs, tensors):
        if "..." in sub:
            n = t.ndim - len(sub.replace("...", ""))
            sub = sub.replace("...", ell[len(ell) - n:] if n else "")
        if not re.fullmatch(r"[a-zA-Z]*", sub):
            raise ShapeError(f"einsum: bad subscripts '{subscripts}'")
        if len(sub) != t.ndim:
            raise ShapeError(
                f"einsum: subscripts '{sub}' need {len(sub)} axes but the tensor has shape "
                f"{t._shape}"
            )
        if len(set(sub)) != len(sub):
            raise ShapeError(
                f"einsum: repeated index within one operand ('{sub}', a diagonal) is not "
                "supported"
            )
        expanded.append(sub)
    if output is None:
        counts = {}
        for sub in expanded:
            for c in sub:
                counts[c] = counts.get(c, 0) + 1
        output = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        output = output.replace("...", ell)
    sizes = {}
    for sub, t in zip(expanded, tensors):
        for c, n in zip(sub, t._shape):
            if c in sizes and sizes[c] != n and 1 not in (sizes[c], n):
                raise ShapeError(f"einsum: index '{c}' has sizes {sizes[c]} and {n}")
            sizes[c] = builtins.max(sizes.get(c, 1), n)
    for c in output:
        if c not in sizes:
            raise ShapeError(f"einsum: output index '{c}' does not appear in the inputs")
    return expanded, output


def _sum_out(t, sub, keep):
    from .reduction import sum as rsum

    drop = [i for i, c in enumerate(sub) if c not in keep]
    if drop:
        t = rsum(t, axis=tuple(drop))
        sub = "".join(c for c in sub if c in keep)
    return t, sub


def _contract_pair(a, sa, b, sb, needed, precision=None):
    a, sa = _sum_out(a, sa, set(sb) | needed)
    b, sb = _sum_out(b, sb, set(sa) | needed)
    batch = [c for c in sa if c in sb and c in needed]
    contract = [c for c in sa if c in sb and c not in needed]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]
    at = permute_dims(a, tuple(sa.index(c) for c in batch + left + contract))
    bt = permute_dims(b, tuple(sb.index(c) for c in batch + contract + right))
    bshape = broadcast_shapes("einsum", at._shape[:len(batch)], bt._shape[:len(batch)])
    nl = math.prod(at._shape[len(batch):len(batch) + len(left)])
    nk = math.prod(at._shape[len(batch) + len(left):])
    nr = math.prod(bt._shape[len(batch) + len(contract):])
    am = reshape(at, at._shape[:len(batch)] + (nl, nk))
    bm = reshape(bt, bt._shape[:len(batch)] + (nk, nr))
    out = matmul(am, bm, precision=precision)
    shape = bshape + at._shape[len(batch):len(batch) + len(left)] + bt._shape[len(batch) + len(contract):]
    return reshape(out, shape), "".join(batch + left + right)


def _finish(t, sub, output):
    t, sub = _sum_out(t, sub, set(output))
    return permute_dims(t, tuple(sub.index(c) for c in output)) if sub != output else t
