"""The CUDA backend (``cuda:N``): every primitive runs through gputensor's own CUDA kernels in
``kernels_cuda/``, compiled with NVRTC and launched through CuPy.

Importing this package does not import CuPy: ``CudaBackend.probe()`` says why CUDA cannot be
used on a machine without CuPy, a driver or a GPU, and the default device falls back to the
CPU there.
"""

from .backend import CudaBackend

__all__ = ["CudaBackend"]
