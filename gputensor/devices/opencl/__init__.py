"""The OpenCL backend (``opencl:N``): every primitive runs through gputensor's own OpenCL C
kernels in ``kernels_cl/``, loaded and launched with pyopencl, on any OpenCL device (PoCL on
the CPU in CI, a GPU driver where one is installed).

Importing this package imports pyopencl; gputensor imports it only when an ``opencl`` device
is first used or listed.
"""

try:
    import pyopencl  # noqa: F401
except ImportError as exc:  # the optional dependency is missing: say how to install it
    raise ImportError(
        f"the OpenCL backend needs pyopencl ({exc}); install it with pip install 'gputensor[opencl]'"
    ) from exc

from .backend import OpenCLBackend

__all__ = ["OpenCLBackend"]
