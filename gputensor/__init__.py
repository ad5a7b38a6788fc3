"""gputensor: a GPU-first tensor library with our own kernels, tape autograd and Keras-style models.

The namespace is the Python array API standard (2024.12) plus autograd, devices and extras.

>>> import gputensor as gt
>>> x = gt.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad.tolist()
[2.0, 4.0, 6.0]
"""

import math as _math

from . import config, errors
from .autograd.functional import grad, value_and_grad
from .autograd.state import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.tape import GradientTape
from .devices.registry import Device, current_device, default_device, device, set_default_device
from .dtypes import ALL_DTYPES as _ALL_DTYPES
from .dtypes import (
    DType,
    bfloat16,
    can_cast,
    finfo,
    float16,
    float32,
    float64,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    isdtype,
    result_type,
    uint8,
)
from .dtypes import bool_ as bool  # noqa: A001  (the array API names it bool)
from .interop import from_dlpack
from .namespace_info import __array_namespace_info__
from .ops import *  # noqa: F401,F403
from .ops import __dict__ as _ops_dict
from .tensor import Tensor
from .tensor_methods import install as _install

_install()

from . import (
    data,  # noqa: E402
    estimator,  # noqa: E402
    feature_column,  # noqa: E402
    linalg,  # noqa: E402
    nn,  # noqa: E402
    testing,  # noqa: E402
    tpu,  # noqa: E402
)

__version__ = "0.1.0"
__array_api_version__ = "2024.12"

e = _math.e
pi = _math.pi
inf = float("inf")
nan = float("nan")
newaxis = None

manual_seed = _ops_dict["manual_seed"]

# Standard dtypes gputensor leaves out on purpose (see gputensor.dtypes).
_MISSING_DTYPES = ("uint16", "uint32", "uint64", "complex64", "complex128")


def __getattr__(name: str):
    if name in _MISSING_DTYPES:
        supported = ", ".join(d.name for d in _ALL_DTYPES)
        raise errors.MissingDTypeError(
            f"gputensor has no {name} dtype (a deliberate subset of the array API's dtypes); "
            f"supported dtypes: {supported}"
        )
    raise AttributeError(f"module 'gputensor' has no attribute {name!r}")


def _pick(spec):
    from .devices.registry import device as lookup

    return current_device() if spec is None else lookup(spec)


def synchronize(device=None) -> None:  # noqa: F811  (the keyword is the API's name)
    """Wait for all queued work on ``device`` (the current device by default)."""
    _pick(device).synchronize()


def memory_stats(device=None) -> dict:  # noqa: F811  (the keyword is the API's name)
    """Memory statistics of ``device`` (bytes in use, pooled, allocation counts)."""
    return _pick(device).memory_stats()


def empty_cache(device=None) -> None:  # noqa: F811  (the keyword is the API's name)
    """Release pooled memory no tensor uses on ``device``."""
    _pick(device).empty_cache()


del _ops_dict
