"""Replicas of a TPU slice: a pmap-like :func:`replicate` and the collectives that run inside it.

``replicate(fn)`` runs ``fn`` once per logical device, each in its own thread with that device
current, so collectives can meet: every replica deposits its operand, waits for the others,
and computes the same result from the same operands in the same order. Sums are float32 in
the fixed order of a ring all-reduce (chunk ``c`` starts at replica ``c + 1`` and travels the
ring), so every replica gets bit-identical results; bf16 results are rounded once at the end.
"""

from __future__ import annotations

import threading

import numpy as np

from ... import dtypes as dt
from ...errors import ArgumentValueError, DeviceError
from . import bf16

BARRIER_TIMEOUT_S = 120.0


class _Group:
    """The replicas of one ``replicate`` call and their rendezvous point."""

    def __init__(self, devices: list):
        self.devices = devices
        self.n = len(devices)
        self.barrier = threading.Barrier(self.n, timeout=BARRIER_TIMEOUT_S)
        self.slots: list = [None] * self.n

    def exchange(self, index: int, value) -> list:
        """Every replica's ``value``, in replica order (all replicas must call it)."""
        self.slots[index] = value
        self.barrier.wait()
        values = list(self.slots)
        self.barrier.wait()  # nobody overwrites a slot before everyone has read it
        return values


class _Local(threading.local):
    group: _Group | None = None
    index: int = 0


_local = _Local()


def replica_id() -> int:
    """The index of the replica running this code (0 outside ``replicate``)."""
    return _local.index


def num_replicas() -> int:
    """The number of replicas of the enclosing ``replicate`` (1 outside it)."""
    return _local.group.n if _local.group is not None else 1


def slice_devices(chip=None) -> list:
    """Every logical device of the slice ``chip`` names (default: GPUTENSOR_TPU_CHIP's)."""
    from ..registry import device
    from .backend import _chip_option
    from .chips import parse_slice

    option = _chip_option(chip)
    sl = parse_slice(option)
    kwargs = {} if chip is None else {"chip": chip}
    return [device(f"tpu:{i}", **kwargs) for i in range(sl.num_devices)]


def replicate(fn, devices=None, *, chip=None, in_axes=0):
    """Run ``fn`` once per replica, like ``jax.pmap``: returns a function of the same
    arguments that returns the list of per-replica results.

    Each tensor argument is split along axis 0 (its length must be the number of replicas) and
    replica ``i`` gets slice ``i`` on device ``tpu:i``; a list or tuple of one value per replica
    is handed out as it is; ``in_axes`` (one value, or one per argument) set to None passes an
    argument whole to every replica. Inside ``fn``, :func:`cross_replica_sum`, :func:`all_gather`
    and :func:`reduce_scatter` combine values across replicas.

    Examples
    --------
    >>> import gputensor as gt
    >>> step = gt.tpu.replicate(lambda x: gt.tpu.cross_replica_sum(x * 2), chip="v2-8")
    >>> out = step(gt.ones((8, 3)))
    >>> len(out), out[5].tolist(), str(out[5].device)
    (8, [16.0, 16.0, 16.0], 'tpu:5')
    """
    def run(*args):
        devs = list(devices) if devices is not None else slice_devices(chip)
        axes = in_axes if isinstance(in_axes, (list, tuple)) else [in_axes] * len(args)
        if len(axes) != len(args):
            raise ArgumentValueError(f"replicate: {len(axes)} in_axes for {len(args)} arguments")
        per_replica = [[_piece(a, ax, i, dev, len(devs)) for a, ax in zip(args, axes)]
                       for i, dev in enumerate(devs)]
        return _run_threads(fn, devs, per_replica)

    return run


def _piece(arg, axis, i: int, dev, n: int):
    from ...tensor import Tensor

    if isinstance(arg, (list, tuple)) and axis is not None:
        if len(arg) != n:
            raise ArgumentValueError(f"replicate: a per-replica list needs {n} entries, got {len(arg)}")
        value = arg[i]
        return value.to(dev) if isinstance(value, Tensor) else value
    if isinstance(arg, Tensor):
        if axis is None:
            return arg.to(dev)
        if axis != 0 or not arg.shape or arg.shape[0] != n:
            raise ArgumentValueError(
                f"replicate: a split argument needs a leading axis of {n} (one entry per "
                f"replica), got shape {arg.shape}; pass in_axes=None to broadcast it"
            )
        return arg[i].to(dev)
    return arg


def _run_threads(fn, devs: list, per_replica: list) -> list:
    group = _Group(devs)
    results: list = [None] * group.n
    errors: list = [None] * group.n

    def body(i: int) -> None:
        _local.group = group
        _local.index = i
        try:
            with devs[i]:
                results[i] = fn(*per_replica[i])
        except BaseException as exc:  # noqa: BLE001  (re-raised in the caller)
            errors[i] = exc
            group.barrier.abort()
        finally:
            _local.group = None
            _local.index = 0

    threads = [threading.Thread(target=body, args=(i,), name=f"tpu-replica-{i}") for i in range(group.n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    real = [e for e in errors if e is not None and not isinstance(e, threading.BrokenBarrierError)]
    first = real[0] if real else next((e for e in errors if e is not None), None)
    if first is not None:
        raise first
    return results


# --- collectives -------------------------------------------------------------------------------

def _group(op: str) -> _Group:
    group = _local.group
    if group is None:
        raise DeviceError(f"{op}: call it inside a function run by gt.tpu.replicate(fn)")
    return group


def ring_sum(values: list[np.ndarray]) -> np.ndarray:
    """The float32 sum of ``values`` (one per replica) in ring all-reduce order: the flat array is
    cut into n chunks; chunk c is accumulated starting at replica c+1, then c+2, ... up to c."""
    n = len(values)
    flat = [np.asarray(v, dtype=np.float32).reshape(-1) for v in values]
    size = flat[0].size
    bounds = [size * c // n for c in range(n + 1)]
    out = np.empty(size, np.float32)
    for c in range(n):
        lo, hi = bounds[c], bounds[c + 1]
        acc = flat[(c + 1) % n][lo:hi].copy()
        for step in range(2, n + 1):
            acc += flat[(c + step) % n][lo:hi]
        out[lo:hi] = acc
    return out.reshape(np.shape(values[0]))


def _finish(x, result: np.ndarray, op: str, share: float, hops: int):
    """``result`` (host float32 or native) as a tensor on x's device, with the collective's cost."""
    from ...tensor import make

    backend = x._device.backend
    dtype = x._dtype
    host = result
    if dtype is dt.bfloat16:
        host = bf16.to_bf16(result)
    elif host.dtype != dtype.np:
        host = host.astype(dtype.np)
    data = backend.from_host_internal(host, op, share, num_replicas(), hops, x.shape)
    return make(data, tuple(host.shape), dtype, x._device)


def cross_replica_sum(x):
    """All-reduce: the sum of ``x`` over all replicas, identical (to the bit) on every replica.

    Differentiable: the gradient of every replica's input is the all-reduced gradient.
    """
    from ...ops.core import record, state

    group = _group("cross_replica_sum")
    values = group.exchange(_local.index, x._data)
    n = group.n
    y = _finish(x, _reduce(values, x), "all_reduce", 2 * (n - 1) / n, 2 * (n - 1))
    if x._rg and state.enabled:
        record("cross_replica_sum", lambda node, g: cross_replica_sum(g), (x,), y)
    return y


def _reduce(values, x) -> np.ndarray:
    if x._dtype.kind == "f":
        return ring_sum(values)
    acc = np.zeros(np.shape(values[0]), dtype=x._dtype.np)
    for v in values:
        acc = acc + v
    return acc


def all_gather(x, axis: int = 0, tiled: bool = False):
    """Every replica's ``x`` stacked along a new ``axis`` (or concatenated when ``tiled``),
    the same on every replica."""
    group = _group("all_gather")
    values = group.exchange(_local.index, x._data)
    join = np.concatenate if tiled else np.stack
    host = join([np.asarray(v) for v in values], axis=axis)
    n = group.n
    return _finish(x, host, "all_gather", (n - 1) / n, n - 1)


def reduce_scatter(x, axis: int = 0):
    """The sum of ``x`` over replicas, cut into equal pieces along ``axis``; replica i keeps
    piece i (``x.shape[axis]`` must divide by the number of replicas)."""
    group = _group("reduce_scatter")
    n = group.n
    if x.shape[axis] % n:
        raise ArgumentValueError(
            f"reduce_scatter: axis {axis} of shape {x.shape} does not divide among {n} replicas"
        )
    values = group.exchange(_local.index, x._data)
    total = _reduce(values, x)
    piece = np.split(total, n, axis=axis)[_local.index]
    return _finish(x, np.ascontiguousarray(piece), "reduce_scatter", (n - 1) / n, n - 1)
