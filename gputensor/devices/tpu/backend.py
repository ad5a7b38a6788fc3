"""``tpu:N``: an emulated TPU. It computes on the host with NumPy and imposes, explicitly, what a
TPU does: bf16 numerics (:mod:`.numerics`), HBM limits with tiled padding (:mod:`.hbm`), a cost
per op (:mod:`.cost`), and its place in a slice of replicas (:mod:`.chips`).

Options: ``gt.device("tpu:0", chip="v5e")`` (a generation, a slice such as ``"v2-8"``, or a
ChipSpec; default ``GPUTENSOR_TPU_CHIP``, else ``v2``), ``x64="downcast" | "error"``,
``precision="default" | "high" | "highest"`` and ``reserved_bytes`` (HBM held back, default
0.5 GiB).
"""

from __future__ import annotations

import math

import numpy as np

from ... import dtypes as dt
from ...errors import DeviceError, DTypeError
from ..backend import Backend, DeviceInfo
from ..host_pool import HostPool
from ..numpy_backend import _BINARY_BOOL_OUT, NumpyBackend
from . import bf16, numerics, profile
from .chips import DEFAULT_CHIP, SliceSpec, parse_slice
from .cost import Gemm, OpSpec, cost
from .hbm import HbmAccount
from .settings import NARROW, apply_x64, canonical, check_x64, context_precision, default_precision

F32 = dt.float32
BF16 = dt.bfloat16
_I32 = np.dtype(np.int32)
_TRANSCENDENTAL = frozenset({
    "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "sigmoid", "pow", "atan2", "hypot",
    "logaddexp", "sqrt", "rsqrt",
})
_HALF_FLOAT = (np.dtype(np.float16), BF16.np)


def _chip_option(chip):
    if chip is not None:
        return chip
    from ...config import settings

    return settings.tpu_chip or DEFAULT_CHIP


class TpuBackend(NumpyBackend):
    """The emulated TPU (see the module docstring). One instance per logical device."""

    type = "tpu"
    dtypes = frozenset(d for d in dt.ALL_DTYPES if d not in NARROW)
    host_memory = False
    emulated = True
    dtype_map = dict(NARROW)

    def __init__(self, index: int = 0, chip=None, x64: str = "downcast", precision=None,
                 reserved_bytes: int | None = None):
        from ...config import settings

        Backend.__init__(self, index, chip=chip, x64=x64, precision=precision)
        self.slice = parse_slice(_chip_option(chip))
        self.chip = self.slice.chip
        if not 0 <= index < self.slice.num_devices:
            raise DeviceError(
                f"device: tpu:{index} does not exist in a {self.slice.name} slice (tpu:0 to "
                f"tpu:{self.slice.num_devices - 1}); pick a larger slice, e.g. "
                f"chip={_slice_holding(self.chip, index)!r}"
            )
        self.x64 = check_x64(x64)
        self.precision = canonical(precision)
        reserved = self.chip.hbm_reserved_bytes if reserved_bytes is None else int(reserved_bytes)
        self.label = f"tpu:{index} (TPU {self.chip.name})"
        self.hbm = HbmAccount(self.chip.hbm_bytes_device, reserved, self.label)
        self.pool = HostPool(enabled=settings.numpy_pool)
        self.last_spec: OpSpec | None = None

    # --- discovery ---------------------------------------------------------------------
    @classmethod
    def probe(cls) -> list[DeviceInfo]:
        sl = parse_slice(_chip_option(None))
        chip = sl.chip
        usable = (chip.hbm_bytes_device - chip.hbm_reserved_bytes) / 2**30
        out = []
        for i in range(sl.num_devices):
            c, core = sl.locate(i)
            desc = (f"emulated TPU {chip.name} (slice {sl.name}, chip {c} core {core}): "
                    f"{chip.hbm_bytes_device / 2**30:.2f} GiB HBM ({usable:.2f} GiB usable), "
                    f"{chip.peak_bf16_device / 1e12:.1f} TFLOP/s bf16")
            details = {}
            if i == 0:
                details = {"chip": chip.summary(), "slice": f"{sl.name}: {sl.chips} chips, "
                           f"{sl.num_devices} devices", "select": "gt.device('tpu:0', chip='v5e') "
                           "or GPUTENSOR_TPU_CHIP"}
            out.append(DeviceInfo(f"tpu:{i}", True, desc, details=details))
        return out

    def describe(self) -> str:
        return f"{self.label}, slice {self.slice.name}: {self.chip.summary()}"

    def dtype_policy(self, op: str, dtype) -> bool:
        """The x64 policy for a dtype this device lacks (see gputensor.devices.tpu.settings)."""
        return apply_x64(op, dtype, self.x64, self.label)

    # --- bookkeeping -------------------------------------------------------------------
    def _charge(self, shape, np_dtype, op):
        return self.hbm.check(shape, np_dtype, op)

    def _own(self, array, charge, op):
        self.hbm.track(array, charge[0], charge[1], op)
        return array

    def _note(self, op, kind, out, ins, ops_per_element=1, gemm=None, **extra):
        spec = OpSpec(op, kind, out, ins, ops_per_element, gemm, **extra)
        self.last_spec = spec
        if profile._ACTIVE:
            profile.note(self.label, self.chip, spec)

    def last_cost(self):
        """The cost record of the last op this device ran (None before any)."""
        return None if self.last_spec is None else cost(self.last_spec, self.chip)

    def memory_stats(self) -> dict:
        stats = self.hbm.stats()
        stats.update(self.pool.stats())
        return stats

    # --- memory ------------------------------------------------------------------------
    def empty(self, shape, dtype):
        np_dtype = NARROW.get(dtype, dtype).np
        charge = self._charge(shape, np_dtype, "empty")
        return self._own(self.pool.empty(shape, np_dtype), charge, "empty")

    def from_host(self, array, copy=True):
        array = _narrow_host(array)
        charge = self._charge(array.shape, array.dtype, "transfer")
        out = self.pool.empty(array.shape, array.dtype.newbyteorder("="))
        np.copyto(out, array, casting="unsafe")
        self._note("host_to_device", "transfer", ((out.shape, out.dtype),), ())
        return self._own(out, charge, "host_to_device")

    def to_host(self, x):
        self._note("device_to_host", "transfer", ((x.shape, x.dtype),), ())
        return np.array(x, copy=True)

    def copy_from_device(self, x):
        """Device-to-device copy from another TPU device (a replica): over the interconnect."""
        src = x._device.backend
        if not isinstance(src, TpuBackend):
            return None
        data = np.ascontiguousarray(x._data)
        charge = self._charge(data.shape, data.dtype, "device_to_device")
        out = self.pool.empty(data.shape, data.dtype)
        np.copyto(out, data)
        self._note("device_to_device", "collective", ((out.shape, out.dtype),), (),
                   replicas=2, collective_share=2.0, wraparound=True, hops=1)
        return self._own(out, charge, "device_to_device")

    def from_host_internal(self, host, op: str, share: float, replicas: int, hops: int, in_shape):
        """A collective's result (host data every replica computed alike) written to this device,
        costed as ring traffic over the interconnect."""
        charge = self._charge(host.shape, host.dtype, op)
        out = self.pool.empty(host.shape, host.dtype)
        np.copyto(out, host)
        self._note(op, "collective", ((out.shape, out.dtype),), ((in_shape, out.dtype),),
                   replicas=replicas, collective_share=share, wraparound=self.slice.wraparound,
                   hops=hops)
        return self._own(out, charge, op)

    def contiguous(self, x):
        charge = self._charge(x.shape, x.dtype, "copy")
        out = self.pool.empty(x.shape, x.dtype)
        np.copyto(out, x)
        self._note("copy", "copy", ((x.shape, x.dtype),), ((x.shape, x.dtype),))
        return self._own(out, charge, "copy")

    def copy_into(self, dst, src):
        if dst.dtype == BF16.np and getattr(src, "dtype", None) != BF16.np:
            src = bf16.to_bf16(np.asarray(src))
        np.copyto(dst, src, casting="unsafe")
        ins = ((src.shape, src.dtype),) if isinstance(src, np.ndarray) else ()
        self._note("copy_into", "copy", ((dst.shape, dst.dtype),), ins)

    # --- creation ----------------------------------------------------------------------
    def full(self, shape, value, dtype):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge(shape, dtype.np, "full")
        out = self.pool.empty(shape, dtype.np)
        out.fill(bf16.to_bf16(np.asarray(value, np.float32))[()] if dtype is BF16 else value)
        self._note("full", "elementwise", ((shape, dtype.np),), ())
        return self._own(out, charge, "full")

    def arange(self, start, step, n, dtype):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge((n,), dtype.np, "arange")
        if dtype is BF16:
            out = bf16.to_bf16(super().arange(start, step, n, F32))
        else:
            out = super().arange(start, step, n, dtype)
        self._note("arange", "elementwise", (((n,), dtype.np),), ())
        return self._own(out, charge, "arange")

    # --- elementwise -------------------------------------------------------------------
    def unary(self, op, x, dtype, out=None):
        dtype = NARROW.get(dtype, dtype)
        result_np = np.dtype(np.bool_) if op in _BOOL_UNARY else dtype.np
        charge = None if out is not None else self._charge(x.shape, result_np, op)
        if x.dtype in _HALF_FLOAT and dtype.np in _HALF_FLOAT:
            y = super().unary(op, numerics.as_f32(x), F32)
            if op not in _BOOL_UNARY:
                y = _round_back(y, dtype.np)
            if out is not None:
                np.copyto(out, y)
                y = out
        else:
            y = super().unary(op, x, dtype, out=out)
        ops = self.chip.transcendental_ops if op in _TRANSCENDENTAL else 1
        self._note(op, "elementwise", ((x.shape, result_np),), ((x.shape, x.dtype),), ops)
        return y if charge is None else self._own(y, charge, op)

    def binary(self, op, a, b, dtype, shape, out=None):
        dtype = NARROW.get(dtype, dtype)
        bool_out = op in _BINARY_BOOL_OUT
        result_np = np.dtype(np.bool_) if bool_out else dtype.np
        charge = None if out is not None else self._charge(shape, result_np, op)
        if dtype.np in _HALF_FLOAT:
            a32 = numerics.as_f32(a) if isinstance(a, np.ndarray) else numerics.scalar_as(a, dtype.np)
            b32 = numerics.as_f32(b) if isinstance(b, np.ndarray) else numerics.scalar_as(b, dtype.np)
            y = super().binary(op, a32, b32, F32, shape)
            if not bool_out:
                y = _round_back(y, dtype.np)
            if out is not None:
                np.copyto(out, y)
                y = out
        else:
            y = super().binary(op, a, b, dtype, shape, out=out)
        ops = self.chip.transcendental_ops if op in _TRANSCENDENTAL else 1
        self._note(op, "elementwise", ((shape, result_np),), _operands(a, b), ops)
        return y if charge is None else self._own(y, charge, op)

    def where(self, cond, a, b, dtype, shape):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge(shape, dtype.np, "where")
        if dtype is BF16:
            a32 = numerics.as_f32(a) if isinstance(a, np.ndarray) else numerics.scalar_as(a, BF16.np)
            b32 = numerics.as_f32(b) if isinstance(b, np.ndarray) else numerics.scalar_as(b, BF16.np)
            y = bf16.pack(np.asarray(np.where(cond, a32, b32), dtype=np.float32))
        else:
            y = super().where(cond, a, b, dtype, shape)
        self._note("where", "elementwise", ((shape, dtype.np),), _operands(cond, a, b))
        return self._own(y, charge, "where")

    def cast(self, x, dtype):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge(x.shape, dtype.np, "convert")
        if dtype is BF16 and x.dtype != BF16.np:
            y = bf16.to_bf16(x)
        else:
            y = super().cast(x, dtype)
        self._note("convert", "elementwise", ((x.shape, dtype.np),), ((x.shape, x.dtype),))
        return self._own(y, charge, "convert")

    # --- reductions and scans ----------------------------------------------------------
    def reduce(self, op, x, axes, keepdims, dtype):
        dtype = NARROW.get(dtype, dtype)
        shape = _reduced(x.shape, axes, keepdims)
        charge = self._charge(shape, dtype.np, f"reduce_{op}")
        if dtype.np in _HALF_FLOAT:
            y = _round_back(super().reduce(op, x, axes, keepdims, F32), dtype.np)
        else:
            y = super().reduce(op, x, axes, keepdims, dtype)
        self._note(f"reduce_{op}", "reduce", ((shape, dtype.np),), ((x.shape, x.dtype),))
        return self._own(y, charge, f"reduce_{op}")

    def arg_reduce(self, op, x, axis, keepdims):
        shape = _reduced(x.shape, (axis,), keepdims)
        charge = self._charge(shape, _I32, op)
        y = super().arg_reduce(op, x, axis, keepdims).astype(_I32)
        self._note(op, "reduce", ((shape, _I32),), ((x.shape, x.dtype),))
        return self._own(y, charge, op)

    def scan(self, op, x, axis, dtype):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge(x.shape, dtype.np, f"cum{op}")
        if dtype.np in _HALF_FLOAT:
            y = _round_back(super().scan(op, x, axis, F32), dtype.np)
        else:
            y = super().scan(op, x, axis, dtype)
        self._note(f"cum{op}", "reduce", ((x.shape, dtype.np),), ((x.shape, x.dtype),))
        return self._own(y, charge, f"cum{op}")

    # --- linear algebra ----------------------------------------------------------------
    def matmul(self, a, b, dtype):
        return self.matmul_mixed(a, b, dtype, dtype, None)

    def matmul_mixed(self, a, b, dtype, out_dtype, precision):
        """``a @ b`` with inputs of ``dtype``, the result in ``out_dtype`` (JAX's
        ``preferred_element_type``), at ``precision`` (None: the device's setting)."""
        dtype = NARROW.get(dtype, dtype)
        out_dtype = NARROW.get(out_dtype, out_dtype)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        shape = batch + (a.shape[-2], b.shape[-1])
        charge = self._charge(shape, out_dtype.np, "matmul")
        y, mode, passes = self._matmul_values(a, b, dtype, out_dtype, shape, precision)
        gemm = Gemm(math.prod(batch), a.shape[-2], b.shape[-1], a.shape[-1], _shared(a, batch),
                    _shared(b, batch), mode, passes)
        ins = ((a.shape, a.dtype), (b.shape, b.dtype))
        self._note("matmul", "gemm", ((shape, out_dtype.np),), ins, gemm=gemm)
        return self._own(y, charge, "matmul")

    def _matmul_values(self, a, b, dtype, out_dtype, shape, precision):
        if dtype.kind == "f" or dtype is BF16:
            acc = self.pool.empty(shape, np.dtype(np.float32))
            if dtype is BF16:
                numerics.matmul_exact_bf16(a, b, acc)
                passes = 1
            else:
                mode = precision or context_precision() or self.precision or default_precision()
                numerics.matmul_bf16_passes(a, b, mode, acc)
                passes = numerics.PASSES[mode]
            return _round_back(acc, out_dtype.np), "float", passes
        if dtype.kind in "iu" and dtype.np.itemsize == 1:
            acc = numerics.matmul_int8(a, b, np.empty(shape, _I32))
            return acc.astype(out_dtype.np, copy=False), "int8", 1
        if dtype.kind == "b":
            return super().matmul(a, b, dtype), "vpu", 1
        acc = np.matmul(a.astype(_I32), b.astype(_I32))
        return acc.astype(out_dtype.np, copy=False), "vpu", 1

    # --- indexing ----------------------------------------------------------------------
    def gather(self, x, index, axis):
        shape = x.shape[:axis] + index.shape + x.shape[axis + 1:]
        charge = self._charge(shape, x.dtype, "gather")
        y = super().gather(x, index, axis)
        self._note("gather", "copy", ((shape, x.dtype),), ((index.shape, index.dtype),))
        return self._own(y, charge, "gather")

    def scatter_add(self, shape, index, values, axis, dtype):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge(shape, dtype.np, "scatter_add")
        if dtype.np in _HALF_FLOAT:
            y = _round_back(super().scatter_add(shape, index, values, axis, F32), dtype.np)
        else:
            y = super().scatter_add(shape, index, values, axis, dtype)
        ins = ((index.shape, index.dtype), (values.shape, values.dtype))
        self._note("scatter_add", "copy", ((shape, dtype.np),), ins)
        return self._own(y, charge, "scatter_add")

    def scatter(self, dst, index, values, axis):
        if dst.dtype == BF16.np and getattr(values, "dtype", None) != BF16.np:
            values = bf16.to_bf16(np.asarray(values))
        super().scatter(dst, index, values, axis)
        self._note("scatter", "copy", ((dst.shape, dst.dtype),), ((index.shape, index.dtype),))

    # --- random ------------------------------------------------------------------------
    def random(self, kind, shape, dtype, key, counter, low=0, high=1):
        dtype = NARROW.get(dtype, dtype)
        charge = self._charge(shape, dtype.np, f"random_{kind}")
        y = super().random(kind, shape, dtype, key, counter, low, high)
        if dtype is BF16:
            y = bf16.flush_bf16(np.ascontiguousarray(y))
        self._note(f"random_{kind}", "elementwise", ((shape, dtype.np),), (),
                   self.chip.transcendental_ops)
        return self._own(y, charge, f"random_{kind}")

    # --- sorting and searching ---------------------------------------------------------
    def sort(self, x, axis, descending):
        charge_v = self._charge(x.shape, x.dtype, "sort")
        charge_i = self._charge(x.shape, _I32, "sort")
        values, idx = super().sort(x, axis, descending)
        idx = idx.astype(_I32)
        steps = max(1, math.ceil(math.log2(max(x.shape[axis], 2))))
        self._note("sort", "elementwise", ((x.shape, x.dtype), (x.shape, _I32)),
                   ((x.shape, x.dtype),), steps)
        return self._own(values, charge_v, "sort"), self._own(idx, charge_i, "sort")

    def searchsorted(self, sorted_1d, values, side):
        charge = self._charge(values.shape, _I32, "searchsorted")
        y = super().searchsorted(sorted_1d, values, side).astype(_I32)
        self._note("searchsorted", "elementwise", ((values.shape, _I32),),
                   ((sorted_1d.shape, sorted_1d.dtype), (values.shape, values.dtype)))
        return self._own(y, charge, "searchsorted")

    def nonzero(self, x):
        y = super().nonzero(x).astype(_I32)
        charge = self._charge(y.shape, _I32, "nonzero")
        self._note("nonzero", "reduce", ((y.shape, _I32),), ((x.shape, x.dtype),))
        return self._own(y, charge, "nonzero")

    # --- optional fused primitives -----------------------------------------------------
    def optimizer_update(self, rule, param, grad, slots, hyper):
        """The NumPy backend's fused update (float32 and wider only), costed as one fused
        elementwise op reading the gradient and slots and writing the parameter and slots."""
        fused = getattr(super(), "optimizer_update", None)
        if fused is None or not fused(rule, param, grad, slots, hyper):
            return False
        arrays = (param, grad, *slots)
        self._note(f"optimizer_{rule}", "elementwise",
                   tuple((s.shape, s.dtype) for s in (param, *slots)),
                   tuple((s.shape, s.dtype) for s in arrays), 4)
        return True


_BOOL_UNARY = frozenset({"signbit", "isnan", "isinf", "isfinite", "logical_not"})


def _slice_holding(chip, index: int) -> str:
    """The name of the smallest power-of-two slice of ``chip`` that has device ``index``."""
    chips = 1 << max(0, math.ceil(math.log2((index + 1) / chip.logical_devices_per_chip)))
    return SliceSpec(chip, chips).name


def _round_back(y, np_dtype):
    """A float32 result as ``np_dtype``: bf16 by RNE + FTZ, float16 by NumPy's RNE."""
    if np_dtype == BF16.np:
        return bf16.to_bf16(y)
    if y.dtype != np_dtype:
        return y.astype(np_dtype)
    return y


def _operands(*values):
    return tuple((v.shape, v.dtype) for v in values if isinstance(v, np.ndarray))


def _reduced(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _shared(x, batch) -> bool:
    """Whether the matmul operand ``x`` is one matrix for every entry of ``batch``."""
    if not batch or math.prod(batch) <= 1:
        return True
    lead = x.ndim - 2
    return all(x.shape[i] == 1 or x.strides[i] == 0 for i in range(lead))


def _narrow_host(array: np.ndarray) -> np.ndarray:
    """Host data as the TPU stores it: float64 -> float32, int64 -> int32 (values must fit)."""
    kind = array.dtype.kind
    if kind == "c":
        raise DTypeError(f"tpu: complex data ({array.dtype}) is not supported on a TPU")
    if array.dtype.itemsize != 8:
        return array
    if kind == "f":
        return array.astype(np.float32)
    if kind in "iu":
        info = np.iinfo(np.int32)
        if array.size and (array.min() < info.min or array.max() > info.max):
            raise DTypeError(
                f"tpu: 64-bit integers outside the int32 range ({array.min()}..{array.max()}) cannot "
                "be stored on a TPU (no 64-bit hardware); reduce their range or keep them on the CPU"
            )
        return array.astype(np.int32)
    return array
