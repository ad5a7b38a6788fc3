"""``OpenCLBackend``: the device interface (gputensor/devices/backend.py) on one OpenCL device.

Device options (``gt.device("opencl:0", memory_limit=2**30)``):

- ``memory_limit``: bytes this device object may hold (tensors plus pool), below the
  device's global memory;
- ``disable_extensions``: extensions to treat as absent (e.g. ``("cl_khr_fp64",)`` to try
  code meant for GPUs without float64 on a device that has it).

>>> import gputensor as gt
>>> x = gt.arange(4.0, device="opencl:0")          # doctest: +SKIP
>>> (x * 2).sum().item()                            # doctest: +SKIP
12.0
"""

from __future__ import annotations

import math

import numpy as np
import pyopencl as cl

from ... import dtypes as dt
from ...errors import DeviceError, KernelLaunchError
from ..backend import Backend, DeviceInfo
from . import elementwise, fused, indexing, linalg, pooling, probe, random, reduction, sorting
from .array import Block, CLArray
from .pool import bucket
from .runtime import Runtime

_SMALL_UPLOAD = 1 << 20  # bytes uploaded with the buffer's creation, without the queue


class OpenCLBackend(Backend):
    """``opencl:N``: gputensor's kernels_cl/ kernels on the N-th OpenCL device."""

    type = "opencl"
    host_memory = False

    def __init__(self, index: int = 0, memory_limit: int | None = None, disable_extensions=()):
        found = probe.cl_devices()
        if index < 0 or index >= len(found):
            raise DeviceError(
                f"device: opencl:{index} does not exist; {len(found)} OpenCL device(s) found "
                "(python -m gputensor info lists them)"
            )
        platform, device = found[index]
        reason = probe.unusable_reason(device)
        if reason:
            raise DeviceError(f"device: opencl:{index} ({device.name.strip()}) cannot be used: {reason}")
        options = {}
        if memory_limit is not None:
            options["memory_limit"] = memory_limit
        if disable_extensions:
            options["disable_extensions"] = tuple(disable_extensions)
        super().__init__(index, **options)
        self.name = f"opencl:{index}"
        self.device = device
        self.disabled = frozenset(disable_extensions)
        self.dtypes = probe.supported_dtypes(device, self.disabled)
        self.has_fp64 = "cl_khr_fp64" in probe.extensions(device)
        self.rt = Runtime(device, self.name, memory_limit)
        self.plans: dict = {}  # launch plans of the elementwise fast paths

    # --- discovery ---------------------------------------------------------------------
    @classmethod
    def probe(cls) -> list[DeviceInfo]:
        return probe.probe()

    def describe(self) -> str:
        return probe.describe(self.device)

    def unsupported_reason(self, dtype) -> str:
        """Why this device cannot hold ``dtype`` (for the front end's error message)."""
        missing = probe.missing_extension(self.device, dtype, self.disabled)
        if missing is None:
            return ""
        return f"{self.name} ({self.device.name.strip()}) lacks the {missing} extension"

    # --- memory ------------------------------------------------------------------------
    def empty(self, shape, dtype):
        if type(shape) is not tuple:
            shape = tuple(shape)
        return CLArray(self.rt.pool.block(math.prod(shape) * dtype.itemsize), shape, dtype)

    def from_host(self, array):
        host = np.asarray(array)
        if not host.dtype.isnative:
            host = host.astype(host.dtype.newbyteorder("="))
        if not host.flags.c_contiguous:
            host = host.copy(order="C")
        dtype = dt.from_numpy_dtype(host.dtype)
        nbytes = host.nbytes
        size = bucket(nbytes)
        raw = host.reshape(-1).view(np.uint8)
        pool = self.rt.pool
        if nbytes <= _SMALL_UPLOAD:
            # a small upload is a host memcpy at the buffer's creation: no queue round trip
            staged = np.zeros(size, np.uint8)
            staged[:nbytes] = raw
            flags = cl.mem_flags.READ_WRITE | cl.mem_flags.COPY_HOST_PTR
            buffer = pool.adopt(size, lambda: cl.Buffer(self.rt.context, flags, hostbuf=staged))
            block = Block(buffer, size, pool)
        else:
            block = pool.block(nbytes)
            with self.rt.lock:
                cl.enqueue_copy(self.rt.queue, block.buffer, raw, is_blocking=True)
        return CLArray(block, tuple(host.shape), dtype)

    def to_host(self, x):
        out = np.empty(x.shape, x.dtype.np)
        if x.size == 0:
            return out
        src = x if x.contiguous else self.contiguous(x)
        try:
            with self.rt.lock:
                cl.enqueue_copy(self.rt.queue, out.reshape(-1).view(np.uint8), src.buffer,
                                src_offset=src.offset * src.itemsize, is_blocking=True)
        except cl.Error as exc:
            raise KernelLaunchError(
                f"{self.name}: reading a result failed ({exc}); an earlier kernel may have failed: "
                "run with GPUTENSOR_SYNC=1 to name it"
            ) from exc
        return out

    def view(self, root, shape, strides, offset):
        return CLArray(root.block, tuple(shape), root.dtype, tuple(strides), offset)

    def contiguous(self, x):
        return elementwise.contiguous(self, x)

    def copy_into(self, dst, src):
        elementwise.copy_into(self, dst, src)

    def memory_stats(self) -> dict:
        return self.rt.pool.stats()

    def empty_cache(self) -> None:
        self.rt.pool.empty()

    def synchronize(self) -> None:
        self.rt.finish()

    # --- helpers for the kernel families -------------------------------------------------
    def scalar_array(self, value, dtype) -> CLArray:
        """A 0-d device array holding ``value`` (a scalar operand of a strided kernel)."""
        return self.from_host(np.asarray(value, dtype=dtype.np))

    def unalias(self, x, out: CLArray):
        """``x`` itself, or a copy when it shares memory with ``out`` as a different view
        (writing ``out`` would change elements still to be read)."""
        if isinstance(x, CLArray) and x.block is out.block and not x.same_view(out):
            return self.contiguous(x)
        return x

    def as_contiguous(self, x: CLArray) -> CLArray:
        """``x`` when it is C-contiguous already, else a contiguous copy."""
        return x if x.contiguous else self.contiguous(x)

    # --- creation ----------------------------------------------------------------------
    def full(self, shape, value, dtype):
        out = self.empty(shape, dtype)
        elementwise.fill(self, out, value)
        return out

    def arange(self, start, step, n, dtype):
        return elementwise.arange(self, start, step, n, dtype)

    # --- elementwise -------------------------------------------------------------------
    def unary(self, op, x, dtype, out=None):
        return elementwise.unary(self, op, x, dtype, out)

    def binary(self, op, a, b, dtype, shape, out=None):
        return elementwise.binary(self, op, a, b, dtype, tuple(shape), out)

    def fma(self, a, b, c):
        return elementwise.fma(self, a, b, c)

    def where(self, cond, a, b, dtype, shape):
        return elementwise.where(self, cond, a, b, dtype, tuple(shape))

    def cast(self, x, dtype):
        return elementwise.cast(self, x, dtype)

    # --- reductions and scans ----------------------------------------------------------
    def reduce(self, op, x, axes, keepdims, dtype):
        return reduction.reduce(self, op, x, tuple(axes), keepdims, dtype)

    def arg_reduce(self, op, x, axis, keepdims):
        return reduction.arg_reduce(self, op, x, axis, keepdims)

    def scan(self, op, x, axis, dtype):
        return reduction.scan(self, op, x, axis, dtype)

    # --- linear algebra ----------------------------------------------------------------
    def matmul(self, a, b, dtype):
        return linalg.matmul(self, a, b, dtype)

    # --- indexing ----------------------------------------------------------------------
    def gather(self, x, index, axis):
        return indexing.gather(self, x, index, axis)

    def scatter_add(self, shape, index, values, axis, dtype):
        return indexing.scatter_add(self, tuple(shape), index, values, axis, dtype)

    def scatter(self, dst, index, values, axis):
        indexing.scatter(self, dst, index, values, axis)

    def nonzero(self, x):
        return indexing.nonzero(self, x)

    # --- random ------------------------------------------------------------------------
    def random(self, kind, shape, dtype, key, counter, low=0, high=1):
        return random.draw(self, kind, tuple(shape), dtype, key, counter, low, high)

    # --- sorting and searching ---------------------------------------------------------
    def sort(self, x, axis, descending):
        return sorting.sort(self, x, axis, descending)

    def searchsorted(self, sorted_1d, values, side):
        return sorting.searchsorted(self, sorted_1d, values, side)

    # --- optional fused primitives -------------------------------------------------------
    def softmax(self, x, axis):
        return fused.softmax(self, x, axis, log=False)

    def log_softmax(self, x, axis):
        return fused.softmax(self, x, axis, log=True)

    def pool2d(self, kind, x, kernel, stride, dilation, pads):
        return pooling.pool2d(self, kind, x, kernel, stride, dilation, pads)

    def pool2d_backward(self, kind, x, y, g, kernel, stride, dilation, pads):
        return pooling.pool2d_backward(self, kind, x, y, g, kernel, stride, dilation, pads)

    def softmax_cross_entropy(self, logits, labels):
        return fused.softmax_cross_entropy(self, logits, labels)

    def softmax_cross_entropy_backward(self, logits, labels, lse, gloss):
        return fused.softmax_cross_entropy_backward(self, logits, labels, lse, gloss)

    def optimizer_update(self, rule, var, grad, slots, hyper) -> bool:
        return fused.optimizer_update(self, rule, var, grad, slots, hyper)
