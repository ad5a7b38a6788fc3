"""``gputensor.linalg``: the array API linear-algebra extension's matrix-product family.

``matmul``, ``matrix_transpose``, ``tensordot`` and ``vecdot`` (the same functions as in the main
namespace), plus ``outer``, ``vector_norm``, ``diagonal`` and ``trace``. The decompositions and
solvers of the extension (``svd``, ``eigh``, ``qr``, ``cholesky``, ``solve``, ``inv``, ``det``, ...)
are not provided.

>>> import gputensor as gt
>>> gt.linalg.vecdot(gt.tensor([1.0, 2.0]), gt.tensor([3.0, 4.0])).item()
11.0
"""

from __future__ import annotations

from .errors import ArgumentTypeError, ShapeError
from .ops.core import to_tensor
from .ops.creation import arange
from .ops.linalg import matmul, outer, tensordot, vecdot, vector_norm
from .ops.manipulation import matrix_transpose
from .ops.reduction import sum as _sum
from .tensor import Tensor

__all__ = [
    "diagonal", "matmul", "matrix_transpose", "outer", "tensordot", "trace", "vecdot", "vector_norm",
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
