"""``gputensor.linalg``: the array API linear-algebra extension's matrix-product family."""

from .ops.linalg import matmul, outer, tensordot, vecdot, vector_norm
from .ops.manipulation import matrix_transpose

__all__ = ["matmul", "matrix_transpose", "outer", "tensordot", "vecdot", "vector_norm"]
