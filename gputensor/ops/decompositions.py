"""Factorizations and solvers of the array API ``linalg`` extension, differentiable: ``cholesky``,
``det``, ``slogdet``, ``inv``, ``solve``, ``eigh``, ``eigvalsh``, ``qr``, ``svd``, ``svdvals``.

Where they compute: on the host, with NumPy's LAPACK (``numpy.linalg``), for every device. A call
reads its input once from the device (``Tensor.numpy()``), factorizes in float32 (float16,
bfloat16 and float32 inputs) or float64 (float64 inputs), and uploads each result once, cast back
to the input dtype, to the input's device. Matrices are batched over the leading axes. A kernel
path on the GPU is future work; until then these are a device-to-host round trip, fine for the
small and medium matrices of statistics and initialization, slow inside a GPU training step.

Gradients are written with gputensor ops (so gradients of gradients work) and follow the usual
conventions: ``cholesky`` and ``eigh`` read one triangle of a symmetric input and return the
gradient for a symmetric perturbation (symmetric, as PyTorch and JAX give it); ``eigh`` and ``svd``
need distinct eigenvalues / singular values for their vector gradients; ``inv``, ``solve``,
``det`` and ``slogdet`` need invertible matrices. Where the derivative does not exist (``svd``
vectors with ``full_matrices=True`` of a non-square matrix, ``qr`` of a wide matrix or in mode
``"complete"`` of a non-square one) the backward pass raises :class:`AutogradError`.

>>> import gputensor as gt
>>> a = gt.tensor([[4.0, 2.0], [2.0, 3.0]])
>>> gt.linalg.cholesky(a).tolist()
[[2.0, 0.0], [1.0, 1.4142135381698608]]
>>> gt.linalg.solve(a, gt.tensor([2.0, 1.0])).tolist()
[0.5, 0.0]
"""

from __future__ import annotations

import builtins
from collections import namedtuple

import numpy as np

from .. import dtypes as dt
from ..errors import ArgumentTypeError, ArgumentValueError, AutogradError, DTypeError, LinAlgError, ShapeError
from .core import Tensor, broadcast_shapes, record, state, sum_to_shape, tensor_args, to_tensor
from .creation import asarray, eye, tril
from .elementwise import astype, where
from .linalg import matmul
from .views import expand_dims, matrix_transpose, reshape

__all__ = [
    "EighResult", "QRResult", "SVDResult", "SlogdetResult", "cholesky", "det", "eigh", "eigvalsh",
    "inv", "qr", "slogdet", "solve", "svd", "svdvals",
]

EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])

# what to do when LAPACK refuses a matrix
_NAN = "check the input for NaN or inf"
_SINGULAR = "the matrix is singular (or numerically so); check the input or use linalg.pinv"


# --- the host round trip -------------------------------------------------------------------------

def as_matrices(op: str, x, *, square: bool) -> Tensor:
    """``x`` as a floating tensor of matrices (``square`` ones where the op needs them)."""
    x = to_tensor(x)
    if x._dtype.kind != "f":
        raise DTypeError(
            f"linalg.{op}: needs a floating-point tensor, got {x._dtype} (shape {x._shape}); "
            "cast it first, e.g. gt.astype(x, gt.float32)"
        )
    if x.ndim < 2:
        raise ShapeError(f"linalg.{op}: needs a stack of matrices (at least 2 axes), got shape {x._shape}")
    if square and x._shape[-1] != x._shape[-2]:
        raise ShapeError(
            f"linalg.{op}: needs square matrices, got shape {x._shape} "
            f"({x._shape[-2]} rows, {x._shape[-1]} columns)"
        )
    return x


def _host(x: Tensor) -> np.ndarray:
    """x's values on the host in the dtype LAPACK computes it in (float32 or float64)."""
    wide = np.float64 if x._dtype is dt.float64 else np.float32
    return np.asarray(x.numpy()).astype(wide, copy=False)


def _lapack(op: str, x: Tensor, fn, *args, advice: str, **kwargs):
    try:
        return fn(*args, **kwargs)
    except np.linalg.LinAlgError as exc:
        raise LinAlgError(
            f"linalg.{op}: LAPACK failed on a matrix of the input (shape {x._shape}, {x._dtype}): "
            f"{exc}; {advice}"
        ) from None


def _upload(values, like: Tensor) -> Tensor:
    return asarray(np.asarray(values), dtype=like._dtype, device=like._device)


def _tracks(x: Tensor) -> bool:
    return state.enabled and x._rg


def _diag(v: Tensor) -> Tensor:
    """A stack of diagonal matrices from a stack of vectors (differentiable)."""
    n = v._shape[-1]
    return expand_dims(v, axis=-2) * eye(n, dtype=v._dtype, device=v._device)


def _t(x: Tensor) -> Tensor:
    return matrix_transpose(x)


def _right_solve(b: Tensor, r: Tensor) -> Tensor:
    """``b @ inv(r)`` without forming the inverse: ``solve(r^T, b^T)^T``."""
    return _t(solve(_t(r), _t(b)))


# --- inverse, solve, determinants ----------------------------------------------------------------

def inv(x, /) -> Tensor:
    """The inverse of each square matrix in ``x`` (shape ``(..., M, M)``).

    >>> import gputensor as gt
    >>> gt.linalg.inv(gt.tensor([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    x = as_matrices("inv", x, square=True)
    y = _upload(_lapack("inv", x, np.linalg.inv, _host(x), advice=_SINGULAR), x)
    if _tracks(x):
        record("inv", _g_inv, (x,), y, save=(y,))
    return y


def _g_inv(node, g):
    (y,) = node.saved_tensors
    return -matmul(_t(y), matmul(g, _t(y)))


def solve(x1, x2, /) -> Tensor:
    """The solution ``X`` of ``x1 @ X = x2`` for each square matrix in ``x1``.

    ``x2`` of shape ``(M,)`` is one right-hand side for every matrix (the result has shape
    ``x1.shape[:-1]``); otherwise ``x2`` is ``(..., M, K)`` and the batch axes of both broadcast.

    >>> import gputensor as gt
    >>> a = gt.tensor([[3.0, 1.0], [1.0, 2.0]])
    >>> gt.linalg.solve(a, gt.tensor([9.0, 8.0])).tolist()
    [2.0, 3.0]
    """
    (a, b), _ = tensor_args("linalg.solve", x1, x2)
    a = as_matrices("solve", a, square=True)
    if b._dtype.kind != "f":
        raise DTypeError(f"linalg.solve: x2 must be floating-point, got {b._dtype}; cast it first")
    m = a._shape[-1]
    vector = b.ndim == 1
    if b.ndim == 0 or b._shape[-1 if vector else -2] != m:
        raise ShapeError(
            f"linalg.solve: x2 must have shape ({m},) or (..., {m}, K) to match x1.shape={a._shape}, "
            f"got x2.shape={b._shape}"
        )
    dtype = dt.promote(a._dtype, b._dtype)
    a = a if a._dtype is dtype else astype(a, dtype)
    b = b if b._dtype is dtype else astype(b, dtype)
    if vector:
        b = reshape(b, (m, 1))
    batch = broadcast_shapes("linalg.solve", a._shape[:-2], b._shape[:-2])
    host_a = np.broadcast_to(_host(a), batch + a._shape[-2:])
    host_b = np.broadcast_to(_host(b), batch + b._shape[-2:])
    y = _upload(_lapack("solve", a, np.linalg.solve, host_a, host_b, advice=_SINGULAR), a)
    if state.enabled and (a._rg or b._rg):
        record("solve", _g_solve, (a, b), y, save=(a, y), ctx=b._shape)
    return reshape(y, batch + (m,)) if vector else y


def _g_solve(node, g):
    a, y = node.saved_tensors
    gb = solve(_t(a), g)
    ga = None
    if node.edges[0] is not None:
        ga = sum_to_shape(-matmul(gb, _t(y)), a._shape)
    return ga, sum_to_shape(gb, node.ctx)


def det(x, /) -> Tensor:
    """The determinant of each square matrix in ``x`` (shape ``(..., M, M)`` -> ``(...)``).

    >>> import gputensor as gt
    >>> gt.linalg.det(gt.tensor([[1.0, 2.0], [3.0, 4.0]])).item()
    -2.0
    """
    x = as_matrices("det", x, square=True)
    y = _upload(np.linalg.det(_host(x)), x)
    if _tracks(x):
        record("det", _g_det, (x,), y, save=(x, y))
    return y


def _g_det(node, g):
    x, y = node.saved_tensors
    return expand_dims(g * y, axis=(-2, -1)) * _t(inv(x))


def slogdet(x, /) -> SlogdetResult:
    """The sign and the natural log of the absolute determinant of each square matrix in ``x``;
    a singular matrix gives sign 0 and logabsdet ``-inf``. ``logabsdet`` is differentiable.

    >>> import gputensor as gt
    >>> sign, logabsdet = gt.linalg.slogdet(gt.tensor([[0.0, 2.0], [3.0, 0.0]]))
    >>> sign.item(), round(logabsdet.item(), 4)
    (-1.0, 1.7918)
    """
    x = as_matrices("slogdet", x, square=True)
    sign, logabsdet = np.linalg.slogdet(_host(x))
    sign = _upload(sign, x)
    logabsdet = _upload(logabsdet, x)
    if _tracks(x):
        record("slogdet", _g_slogdet, (x,), logabsdet, save=(x,))
    return SlogdetResult(sign, logabsdet)


def _g_slogdet(node, g):
    (x,) = node.saved_tensors
    return expand_dims(g, axis=(-2, -1)) * _t(inv(x))


# --- Cholesky and the symmetric eigenproblem --------------------------------------------------------

def cholesky(x, /, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of each symmetric positive-definite matrix in ``x``: lower-triangular
    ``L`` with ``x = L @ L.mT``, or with ``upper=True`` upper-triangular ``U = L.mT`` with
    ``x = U.mT @ U``. Only the lower triangle of ``x`` is read.

    >>> import gputensor as gt
    >>> gt.linalg.cholesky(gt.tensor([[4.0, 2.0], [2.0, 2.0]]), upper=True).tolist()
    [[2.0, 1.0], [0.0, 1.0]]
    """
    x = as_matrices("cholesky", x, square=True)
    if not isinstance(upper, (builtins.bool, np.bool_)):
        raise ArgumentTypeError(f"linalg.cholesky: upper must be a bool, got {upper!r}")
    low = _lapack("cholesky", x, np.linalg.cholesky, _host(x),
                  advice="the matrix must be symmetric positive-definite; adding a small multiple of the "
                  "identity (x + eps * I) regularizes a nearly singular one")
    y = _upload(low, x)
    if _tracks(x):
        record("cholesky", _g_cholesky, (x,), y, save=(y,))
    return _t(y) if upper else y


def _g_cholesky(node, g):
    (low,) = node.saved_tensors
    p = tril(matmul(_t(low), g))
    p = p - 0.5 * p * eye(p._shape[-1], dtype=p._dtype, device=p._device)
    s = solve(_t(low), p)
    ga = _right_solve(s, low)
    return 0.5 * (ga + _t(ga))


def eigh(x, /) -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors (the columns) of each symmetric matrix
    in ``x``; only the lower triangle is read.

    >>> import gputensor as gt
    >>> w, v = gt.linalg.eigh(gt.tensor([[2.0, 1.0], [1.0, 2.0]]))
    >>> w.tolist()
    [1.0, 3.0]
    """
    x = as_matrices("eigh", x, square=True)
    w, v = _lapack("eigh", x, np.linalg.eigh, _host(x), advice=_NAN)
    w = _upload(w, x)
    v = _upload(v, x)
    if _tracks(x):
        record("eigh", _g_eigh, (x,), (w, v), save=(w, v))
    return EighResult(w, v)


def _g_eigh(node, gw, gv):
    w, v = node.saved_tensors
    inner = None
    if gv is not None:
        k = matmul(_t(v), gv)
        # w_j - w_i off the diagonal; the diagonal term of k (a rotation of one vector) is gauge
        inner = 0.5 * (k - _t(k)) * _inverse_gaps(expand_dims(w, axis=-2) - expand_dims(w, axis=-1))
    if gw is not None:
        inner = _diag(gw) if inner is None else inner + _diag(gw)
    return matmul(v, matmul(inner, _t(v)))


def _inverse_gaps(gaps: Tensor) -> Tensor:
    """``1 / gaps`` off the diagonal, 0 on it."""
    on_diagonal = eye(gaps._shape[-1], dtype=dt.bool_, device=gaps._device)
    return where(on_diagonal, 0.0, 1.0 / where(on_diagonal, 1.0, gaps))


def eigvalsh(x, /) -> Tensor:
    """The eigenvalues (ascending) of each symmetric matrix in ``x``; only the lower triangle is
    read. Differentiable (through :func:`eigh`'s eigenvectors when a gradient is recorded).

    >>> import gputensor as gt
    >>> gt.linalg.eigvalsh(gt.tensor([[2.0, 0.0], [0.0, -1.0]])).tolist()
    [-1.0, 2.0]
    """
    x = as_matrices("eigvalsh", x, square=True)
    if _tracks(x):
        return eigh(x).eigenvalues
    w = _lapack("eigvalsh", x, np.linalg.eigvalsh, _host(x), advice=_NAN)
    return _upload(w, x)


# --- QR and SVD -------------------------------------------------------------------------------------

def qr(x, /, *, mode: str = "reduced") -> QRResult:
    """The QR factorization of each matrix in ``x`` (shape ``(..., M, N)``, K = min(M, N)):
    ``mode="reduced"`` gives Q ``(..., M, K)`` and R ``(..., K, N)``; ``"complete"`` gives Q
    ``(..., M, M)`` and R ``(..., M, N)``. Gradients: mode ``"reduced"`` with M >= N (and square
    matrices in either mode).

    >>> import gputensor as gt
    >>> q, r = gt.linalg.qr(gt.ones((3, 2)))
    >>> q.shape, r.shape
    ((3, 2), (2, 2))
    """
    x = as_matrices("qr", x, square=False)
    if mode not in ("reduced", "complete"):
        raise ArgumentValueError(f"linalg.qr: mode must be 'reduced' or 'complete', got {mode!r}")
    q, r = _lapack("qr", x, np.linalg.qr, _host(x), mode=mode, advice=_NAN)
    q = _upload(q, x)
    r = _upload(r, x)
    if _tracks(x):
        record("qr", _g_qr, (x,), (q, r), save=(q, r), ctx=(mode, x._shape))
    return QRResult(q, r)


def _g_qr(node, gq, gr):
    mode, shape = node.ctx
    m, n = shape[-2:]
    if m < n:
        raise AutogradError(
            f"linalg.qr: no gradient for a matrix with fewer rows than columns (shape {shape}): its Q "
            "and R are not smooth functions of it; differentiate qr of a tall or square matrix"
        )
    if mode == "complete" and m != n:
        raise AutogradError(
            f"linalg.qr: no gradient in mode='complete' for a non-square matrix (shape {shape}): the "
            "extra columns of Q are an arbitrary basis; use mode='reduced'"
        )
    q, r = node.saved_tensors
    # M = R gR^T - gQ^T Q; gA = (gQ + Q sym(M)) R^-T, sym() mirroring M's lower triangle upward
    if gr is None:
        inner = -matmul(_t(gq), q)
    elif gq is None:
        inner = matmul(r, _t(gr))
    else:
        inner = matmul(r, _t(gr)) - matmul(_t(gq), q)
    sym = tril(inner) + _t(tril(inner, k=-1))
    b = matmul(q, sym) if gq is None else gq + matmul(q, sym)
    return _right_solve(b, _t(r))


def svd(x, /, *, full_matrices: bool = True) -> SVDResult:
    """The singular value decomposition ``x = U @ diag(S) @ Vh`` of each matrix in ``x``
    (shape ``(..., M, N)``, K = min(M, N)); S is descending. ``full_matrices=True`` gives U
    ``(..., M, M)`` and Vh ``(..., N, N)``, ``False`` gives ``(..., M, K)`` and ``(..., K, N)``.
    Gradients: U, S and Vh with ``full_matrices=False`` or square matrices (U and Vh of a
    non-square matrix need nonzero singular values); with ``full_matrices=True`` on a non-square
    matrix only S has one, first order only (its gradient uses U and Vh).

    >>> import gputensor as gt
    >>> u, s, vh = gt.linalg.svd(gt.tensor([[3.0, 0.0], [0.0, -4.0]]))
    >>> s.tolist()
    [4.0, 3.0]
    """
    x = as_matrices("svd", x, square=False)
    if not isinstance(full_matrices, (builtins.bool, np.bool_)):
        raise ArgumentTypeError(f"linalg.svd: full_matrices must be a bool, got {full_matrices!r}")
    u, s, vh = _lapack("svd", x, np.linalg.svd, _host(x), full_matrices=full_matrices,
                       advice=_NAN)
    u = _upload(u, x)
    s = _upload(s, x)
    vh = _upload(vh, x)
    if _tracks(x):
        record("svd", _g_svd, (x,), (u, s, vh), save=(u, s, vh), ctx=(full_matrices, x._shape))
    return SVDResult(u, s, vh)


def _g_svd(node, gu, gs, gvh):
    full, shape = node.ctx
    m, n = shape[-2:]
    k = builtins.min(m, n)
    if full and m != n and (gu is not None or gvh is not None):
        raise AutogradError(
            f"linalg.svd: no gradient with respect to U or Vh of a non-square matrix (shape {shape}) "
            "with full_matrices=True: their extra columns are an arbitrary basis; use "
            "full_matrices=False"
        )
    u, s, vh = node.saved_tensors
    if full and m != n:
        u = u[..., :, :k]
        vh = vh[..., :k, :]
    inner = None if gs is None else _diag(gs)
    if gu is not None or gvh is not None:
        s2 = s * s
        f = _inverse_gaps(expand_dims(s2, axis=-2) - expand_dims(s2, axis=-1))
        if gu is not None:
            j = matmul(_t(u), gu)
            term = f * (j - _t(j)) * expand_dims(s, axis=-2)
            inner = term if inner is None else inner + term
        if gvh is not None:
            kv = matmul(vh, _t(gvh))
            term = expand_dims(s, axis=-1) * (f * (kv - _t(kv)))
            inner = term if inner is None else inner + term
    ga = matmul(u, matmul(inner, vh))
    if gu is not None and m > k:
        # the part of gU outside U's column space
        outside = (gu - matmul(u, matmul(_t(u), gu))) / expand_dims(s, axis=-2)
        ga = ga + matmul(outside, vh)
    if gvh is not None and n > k:
        outside = (gvh - matmul(matmul(gvh, _t(vh)), vh)) / expand_dims(s, axis=-1)
        ga = ga + matmul(u, outside)
    return ga


def svdvals(x, /) -> Tensor:
    """The singular values (descending) of each matrix in ``x`` (shape ``(..., M, N)`` ->
    ``(..., min(M, N))``). Differentiable (through :func:`svd` when a gradient is recorded).

    >>> import gputensor as gt
    >>> gt.linalg.svdvals(gt.tensor([[0.0, 2.0], [1.0, 0.0]])).tolist()
    [2.0, 1.0]
    """
    x = as_matrices("svdvals", x, square=False)
    if _tracks(x):
        return svd(x, full_matrices=False).S
    s = _lapack("svdvals", x, np.linalg.svd, _host(x), compute_uv=False, advice=_NAN)
    return _upload(s, x)
