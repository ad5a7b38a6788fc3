"""``gputensor.linalg``: the array API linear-algebra extension (2024.12), all of it.

- the matrix-product family: ``matmul``, ``matrix_transpose``, ``tensordot`` and ``vecdot`` (the
  same functions as in the main namespace), ``outer``, ``vector_norm``, ``diagonal``, ``trace``;
- factorizations and solvers: ``cholesky``, ``det``, ``slogdet``, ``inv``, ``solve``, ``eigh``,
  ``eigvalsh``, ``qr``, ``svd``, ``svdvals`` (see :mod:`gputensor.ops.decompositions`: they run
  on the host with NumPy's LAPACK, one device read and one upload per result, on every device);
- composed from those: ``cross``, ``matrix_norm``, ``matrix_power``, ``pinv``, ``matrix_rank``.

Everything is batched over leading axes and differentiable (gradients of gradients included),
with the limits the factorizations' docstrings give. These names live here only, not in the main
namespace, as the standard places them. A matrix the factorization cannot take (singular in
``inv``/``solve``, not positive-definite in ``cholesky``) raises
:class:`gputensor.errors.LinAlgError`, which is also NumPy's ``LinAlgError``.

>>> import gputensor as gt
>>> gt.linalg.vecdot(gt.tensor([1.0, 2.0]), gt.tensor([3.0, 4.0])).item()
11.0
"""

from __future__ import annotations

from .errors import ArgumentTypeError, ShapeError
from .ops.core import to_tensor
from .ops.creation import arange
from .ops.decompositions import (  # noqa: F401  (the result namedtuples are importable from here)
    EighResult,
    QRResult,
    SlogdetResult,
    SVDResult,
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
)
from .ops.linalg import matmul, outer, tensordot, vecdot, vector_norm
from .ops.linalg_composed import cross, matrix_norm, matrix_power, matrix_rank, pinv
from .ops.manipulation import matrix_transpose
from .ops.reduction import sum as _sum
from .tensor import Tensor

__all__ = [
    "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
    "matrix_power", "matrix_rank", "matrix_transpose", "outer", "pinv", "qr", "slogdet", "solve", "svd",
    "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
]


def diagonal(x, /, *, offset: int = 0) -> Tensor:
    """The ``offset``-th diagonal of each matrix in ``x`` (shape ``(..., M, N)`` -> ``(..., K)``).

    ``offset=0`` is the main diagonal, positive offsets lie above it, negative ones below.
    Differentiable (a gather of the diagonal elements).

    >>> import gputensor as gt
    >>> x = gt.reshape(gt.arange(9.0), (3, 3))
    >>> gt.linalg.diagonal(x).tolist(), gt.linalg.diagonal(x, offset=1).tolist()
    ([0.0, 4.0, 8.0], [1.0, 5.0])
    """
    x = to_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"linalg.diagonal: needs matrices (at least 2 axes), got shape {x.shape}")
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise ArgumentTypeError(f"linalg.diagonal: offset must be an int, got {offset!r}")
    rows, cols = x.shape[-2:]
    first_row = max(-offset, 0)
    first_col = max(offset, 0)
    length = max(0, min(rows - first_row, cols - first_col))
    i = arange(first_row, first_row + length, device=x.device)
    j = arange(first_col, first_col + length, device=x.device)
    return x[..., i, j]


def trace(x, /, *, offset: int = 0, dtype=None) -> Tensor:
    """The sum along the ``offset``-th diagonal of each matrix in ``x`` (dtype rules of ``sum``).

    >>> import gputensor as gt
    >>> gt.linalg.trace(gt.reshape(gt.arange(9), (3, 3))).item()
    12
    """
    return _sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)
