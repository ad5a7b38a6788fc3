"""``CudaBackend``: the device interface (gputensor/devices/backend.py) on one NVIDIA GPU,
with CuPy as the runtime and gputensor's own kernels from ``kernels_cuda/``.

Device options (``gt.device("cuda:0", memory_limit=2**30, tf32=True)``):

- ``memory_limit``: bytes this device object's memory pool may hold;
- ``tf32``: float32 matrix products on the TF32 tensor cores (10-bit mantissa products,
  float32 sums; like ``torch.backends.cuda.matmul.allow_tf32``). Off by default: float32
  products are exact float32 unless a matmul asks for ``precision="default"`` or ``"high"``.

Optional fused primitives beyond the interface: ``softmax``, ``log_softmax``,
``optimizer_update`` (the contracts in backend.py), and

- ``optimizer_update_many(rule, variables, grads, slots, hyper) -> bool``: the same update for
  many variables in one launch (lists of native arrays; ``slots`` a list of tuples);
- ``softmax_cross_entropy(logits, labels) -> (loss, lse) | None``: for (N, K) floating logits
  and (N,) int64 labels in range, ``lse = log(sum(exp(logits), axis=1))`` and
  ``loss = lse - logits[i, labels[i]]``, both (N,) in float32 (float64 for float64 logits);
- ``softmax_cross_entropy_backward(logits, labels, lse, gloss) -> grad``:
  ``(softmax(logits) - onehot(labels)) * gloss[:, None]`` in the logits' dtype;
- ``fma(a, b, c) -> array | None``: ``a * b + c`` rounded once for contiguous floating
  arrays of one shape and dtype;
- ``conv2d(x, w, pads, stride, dilation, groups) -> array | None``: the implicit-GEMM
  convolution forward of kernels_cuda/conv.cu (contract in gputensor/nn/conv.py);
- ``pool2d(kind, x, kernel, stride, dilation, pads) -> array | None``: max or sum over the
  windows of an (N, C, H, W) input with implicit padding, kernels_cuda/pool.cu (contract in
  gputensor/nn/pooling.py), and ``pool2d_backward(kind, x, y, g, kernel, stride, dilation,
  pads)``, its first derivative;
- ``matmul_mixed(a, b, dtype, out_dtype, precision)``: products with wider results
  (bfloat16 inputs, float32 results on the tensor cores) or at TF32 precision.

>>> import gputensor as gt
>>> x = gt.arange(4.0, device="cuda:0")          # doctest: +SKIP
>>> (x * 2).sum().item()                          # doctest: +SKIP
12.0
"""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from ...errors import DeviceError
from ..backend import Backend, DeviceInfo
from . import probe
from .array import CudaArray


class CudaBackend(Backend):
    """``cuda:N``: gputensor's kernels_cuda/ kernels on the N-th CUDA device."""

    type = "cuda"
    host_memory = False
    dtypes = frozenset(dt.ALL_DTYPES)

    def __init__(self, index: int = 0, memory_limit: int | None = None, tf32: bool = False):
        count, reason = probe.devices()
        if count == 0:
            raise DeviceError(f"device: cuda:{index} cannot be used: {reason}")
        if index < 0 or index >= count:
            raise DeviceError(
                f"device: cuda:{index} does not exist; {count} CUDA device(s) found "
                "(python -m gputensor info lists them)"
            )
        why = probe.unusable_reason(probe.properties(index))
        if why:
            raise DeviceError(f"device: cuda:{index} ({probe.describe(index)}) cannot be used: {why}")
        options = {}
        if memory_limit is not None:
            options["memory_limit"] = memory_limit
        if tf32:
            options["tf32"] = True
        super().__init__(index, **options)
        from . import conv, elementwise, fused, indexing, linalg, pooling, reduction, transfer
        from .runtime import Runtime

        self._conv, self._pool = conv, pooling
        self._ew, self._fused, self._idx, self._linalg, self._red, self._io = (
            elementwise,
            fused,
            indexing,
            linalg,
            reduction,
            transfer,
        )
        self.name = f"cuda:{index}"
        self.tf32 = bool(tf32)
        self.rt = Runtime(index, self.name, memory_limit)
        self.staging = transfer.Staging(self.rt)

    # --- discovery ---------------------------------------------------------------------
    @classmethod
    def probe(cls) -> list[DeviceInfo]:
        return probe.probe()

    def describe(self) -> str:
        return probe.describe(self.index)

    # --- memory ------------------------------------------------------------------------
    def empty(self, shape, dtype):
        if type(shape) is not tuple:
            shape = tuple(shape)
        return CudaArray(self.rt.alloc(math.prod(shape) * dtype.itemsize), shape, dtype)

    def from_host(self, array):
        host = np.asarray(array)
        if not host.dtype.isnative:
            host = host.astype(host.dtype.newbyteorder("="))
        if not host.flags.c_contiguous:
            host = np.ascontiguousarray(host)
        out = self.empty(tuple(host.shape), dt.from_numpy_dtype(host.dtype))
        self._io.upload(self.rt, self.staging, out.address, host)
        return out

    def to_host(self, x):
        out = np.empty(x.shape, x.dtype.np)
        if x.size == 0:
            return out
        src = x if x.contiguous else self.contiguous(x)
        return self._io.download(self.rt, self.staging, src.address, out)

    def view(self, root, shape, strides, offset):
        return CudaArray(root.block, tuple(shape), root.dtype, tuple(strides), offset)

    def contiguous(self, x):
        return self._ew.contiguous(self, x)

    def copy_into(self, dst, src):
        self._ew.copy_into(self, dst, src)

    def memory_stats(self) -> dict:
        return self.rt.stats()

    def empty_cache(self) -> None:
        self.rt.synchronize()
        self.rt.pool.free_all_blocks()

    def synchronize(self) -> None:
        self.rt.synchronize()

    # --- helpers for the kernel families -------------------------------------------------
    def scalar_array(self, value, dtype) -> CudaArray:
        """A 0-d device array holding ``value`` (a scalar operand of a strided kernel)."""
        return self.from_host(np.asarray(value, dtype=dtype.np))

    def unalias(self, x, out: CudaArray):
        """``x`` itself, or a copy when it shares memory with ``out`` as a different view."""
        if isinstance(x, CudaArray) and x.block is out.block and not x.same_view(out):
            return self.contiguous(x)
        return x

    def as_contiguous(self, x: CudaArray) -> CudaArray:
        return x if x.contiguous else self.contiguous(x)

    def memcpy_d2d(self, dst: int, src: int, nbytes: int) -> None:
        self._io.copy_d2d(self.rt, dst, src, nbytes)

    def memset(self, address: int, nbytes: int) -> None:
        self._io.zero(self.rt, address, nbytes)

    # --- creation ----------------------------------------------------------------------
    def full(self, shape, value, dtype):
        out = self.empty(shape, dtype)
        self._ew.fill(self, out, value)
        return out

    def arange(self, start, step, n, dtype):
        return self._ew.arange(self, start, step, n, dtype)

    # --- elementwise -------------------------------------------------------------------
    def unary(self, op, x, dtype, out=None):
        return self._ew.unary(self, op, x, dtype, out)

    def binary(self, op, a, b, dtype, shape, out=None):
        return self._ew.binary(self, op, a, b, dtype, tuple(shape), out)

    def where(self, cond, a, b, dtype, shape):
        return self._ew.where(self, cond, a, b, dtype, tuple(shape))

    def cast(self, x, dtype):
        return self._ew.cast(self, x, dtype)

    # --- reductions and scans ----------------------------------------------------------
    def reduce(self, op, x, axes, keepdims, dtype):
        return self._red.reduce(self, op, x, tuple(axes), keepdims, dtype)

    def arg_reduce(self, op, x, axis, keepdims):
        return self._red.arg_reduce(self, op, x, axis, keepdims)

    def scan(self, op, x, axis, dtype):
        return self._red.scan(self, op, x, axis, dtype)

    # --- linear algebra ----------------------------------------------------------------
    def matmul(self, a, b, dtype):
        return self._linalg.matmul(self, a, b, dtype)

    def matmul_mixed(self, a, b, dtype, out_dtype, precision):
        return self._linalg.matmul_mixed(self, a, b, dtype, out_dtype, precision)

    # --- indexing ----------------------------------------------------------------------
    def gather(self, x, index, axis):
        return self._idx.gather(self, x, index, axis)

    def scatter_add(self, shape, index, values, axis, dtype):
        return self._idx.scatter_add(self, tuple(shape), index, values, axis, dtype)

    def scatter(self, dst, index, values, axis):
        self._idx.scatter(self, dst, index, values, axis)

    def nonzero(self, x):
        return self._idx.nonzero(self, x)

    # --- random ------------------------------------------------------------------------
    def random(self, kind, shape, dtype, key, counter, low=0, high=1):
        return self._idx.random(self, kind, tuple(shape), dtype, key, counter, low, high)

    # --- sorting and searching ---------------------------------------------------------
    def sort(self, x, axis, descending):
        return self._idx.sort(self, x, axis, descending)

    def searchsorted(self, sorted_1d, values, side):
        return self._idx.searchsorted(self, sorted_1d, values, side)

    # --- optional fused primitives -------------------------------------------------------
    def softmax(self, x, axis):
        return self._fused.softmax(self, x, axis, log=False)

    def log_softmax(self, x, axis):
        return self._fused.softmax(self, x, axis, log=True)

    def softmax_cross_entropy(self, logits, labels):
        return self._fused.softmax_cross_entropy(self, logits, labels)

    def softmax_cross_entropy_backward(self, logits, labels, lse, gloss):
        return self._fused.softmax_cross_entropy_backward(self, logits, labels, lse, gloss)

    def optimizer_update(self, rule, var, grad, slots, hyper) -> bool:
        return self._fused.optimizer_update(self, rule, var, grad, slots, hyper)

    def optimizer_update_many(self, rule, variables, grads, slots, hyper) -> bool:
        return self._fused.optimizer_update_many(self, rule, list(variables), list(grads), list(slots), hyper)

    def fma(self, a, b, c):
        return self._ew.fma(self, a, b, c)

    def conv2d(self, x, w, pads, stride, dilation, groups):
        return self._conv.conv2d(self, x, w, pads, stride, dilation, groups)

    def pool2d(self, kind, x, kernel, stride, dilation, pads):
        return self._pool.pool2d(self, kind, x, kernel, stride, dilation, pads)

    def pool2d_backward(self, kind, x, y, g, kernel, stride, dilation, pads):
        return self._pool.pool2d_backward(self, kind, x, y, g, kernel, stride, dilation, pads)

    # --- interchange ---------------------------------------------------------------------
    def dlpack_device(self, x) -> tuple:
        return (self._io.KDL_CUDA, self.index)

    def to_dlpack(self, x, stream=None):
        return self._io.to_cupy(self.rt, x).__dlpack__(stream=stream)

    def to_cupy(self, x):
        """A CuPy array sharing ``x``'s memory."""
        return self._io.to_cupy(self.rt, x)

    def from_dlpack(self, obj) -> CudaArray:
        """A native array viewing the memory of a DLPack producer on this GPU (no copy)."""
        import cupy as cp

        with self.rt.device:
            array = cp.from_dlpack(obj)
        block, shape, strides, offset = self._io.from_cupy(array)
        return CudaArray(block, shape, dt.from_numpy_dtype(array.dtype), strides, offset)
