"""Every exception gputensor raises on purpose.

Each type also derives from the built-in exception a Python user would catch for the same
mistake (``ValueError`` for a bad shape, ``TypeError`` for a bad dtype or argument type,
``IndexError`` for an out-of-range index), so ``except ValueError`` keeps working;
:class:`LinAlgError` also derives from NumPy's, as NumPy-written code catches that one.
Messages name the op, the offending shapes, dtypes or devices, and what to do.
"""

from __future__ import annotations

import numpy as np


class GputensorError(Exception):
    """Base class of all gputensor errors."""


class ShapeError(GputensorError, ValueError):
    """Shapes that do not fit the op (broadcasting, matmul inner dimensions, reshape sizes)."""


class AxisError(GputensorError, ValueError, IndexError):
    """An axis outside ``[-ndim, ndim)`` or repeated."""


class DTypeError(GputensorError, TypeError):
    """A dtype the op or the device does not support."""


class UnsupportedDTypeError(DTypeError):
    """The device cannot hold or compute this dtype."""


class MissingDTypeError(DTypeError, AttributeError):
    """A standard dtype gputensor deliberately lacks (``gt.complex64``, ``gt.uint32``, ...).

    Also an ``AttributeError``, so ``hasattr(gt, "complex64")`` is False and array-API code that
    probes for optional dtypes keeps working.
    """


class ArgumentTypeError(GputensorError, TypeError):
    """An argument of the wrong Python type."""


class ArgumentValueError(GputensorError, ValueError):
    """An argument of the right type with a value the op does not accept (an unknown option
    string, a probability outside [0, 1], ...)."""


class LinAlgError(GputensorError, np.linalg.LinAlgError):
    """A matrix the factorization cannot take: singular in ``inv``/``solve``, not positive-definite
    in ``cholesky``, or an iteration that did not converge.

    Also NumPy's ``LinAlgError`` (itself a ``ValueError``), so code written against NumPy or SciPy
    that catches ``numpy.linalg.LinAlgError`` keeps working.
    """


class IndexOutOfRangeError(GputensorError, IndexError):
    """An index outside the axis it indexes."""


class DeviceError(GputensorError, RuntimeError):
    """Unknown or unavailable device, or tensors on different devices in one op."""


class AutogradError(GputensorError, RuntimeError):
    """A gradient that cannot be computed as asked."""


class OutOfMemoryError(GputensorError, MemoryError):
    """A device could not allocate the requested buffer."""


class KernelBuildError(GputensorError, RuntimeError):
    """A kernel file failed to compile; the message carries the compiler log."""


class KernelLaunchError(GputensorError, RuntimeError):
    """A kernel failed at run time (reported when ``GPUTENSOR_SYNC=1``)."""
