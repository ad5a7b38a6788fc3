"""One CUDA device at run time: its stream, CuPy memory pool, and kernel modules.

Modules are compiled lazily with NVRTC through CuPy's ``RawModule``, one per kernel family and
dtype (``kernels_cuda/<family>.cu`` with ``-D GT_<dtype>``), cached in memory for the device
and on disk by CuPy's kernel cache (keyed by the source, which has its headers inlined, and the
options). Nothing compiles at import. Launches only enqueue on the device's stream; the host
waits when it reads a value. ``GPUTENSOR_SYNC=1`` waits after every launch and names the
kernel that failed.

CuPy raw kernels ignore strides and never cast: every launch passes device addresses as
``numpy.uint64`` and every scalar as the exact NumPy type of its C parameter.
"""

from __future__ import annotations

import threading

import cupy as cp

from ...config import settings
from ...errors import KernelBuildError, KernelLaunchError, OutOfMemoryError
from . import probe
from .array import Block
from .source import family_source, options


class Kernel:
    """A loaded kernel and its name (for error messages)."""

    __slots__ = ("fn", "name")

    def __init__(self, fn, name: str):
        self.fn = fn
        self.name = name


class Runtime:
    """Stream, pool and module cache of one device (``name`` is e.g. "cuda:0")."""

    def __init__(self, index: int, name: str, memory_limit: int | None = None):
        self.index = index
        self.name = name
        self.device = cp.cuda.Device(index)
        self.props = probe.properties(index)
        self.capability = self.props["capability"]
        self.sm_count = self.props["multiprocessors"]
        with self.device:
            self.stream = cp.cuda.Stream(non_blocking=True)
            self.pool = cp.cuda.MemoryPool()
            if memory_limit is not None:
                self.pool.set_limit(size=int(memory_limit))
        self.memory_limit = memory_limit
        self.allocations = 0
        self.peak = 0
        self._modules: dict[tuple, object] = {}
        self._kernels: dict[tuple, Kernel] = {}
        self.lock = threading.RLock()

    # --- memory ---------------------------------------------------------------------------
    def alloc(self, nbytes: int) -> Block:
        """A block of at least ``nbytes`` bytes; out of memory frees the pool, retries once,
        then raises OutOfMemoryError with the pool's state."""
        size = max(int(nbytes), 1)
        try:
            with self.device:
                mem = self.pool.malloc(size)
        except cp.cuda.memory.OutOfMemoryError:
            pooled = self.pool.total_bytes() - self.pool.used_bytes()
            self.pool.free_all_blocks()
            try:
                with self.device:
                    mem = self.pool.malloc(size)
            except cp.cuda.memory.OutOfMemoryError as exc:
                raise self.out_of_memory(size, pooled, str(exc)) from exc
        self.allocations += 1
        used = self.pool.used_bytes()
        if used > self.peak:
            self.peak = used
        return Block(mem, size)

    def out_of_memory(self, requested: int, pooled: int, driver: str) -> OutOfMemoryError:
        limit = self.memory_limit or self.props["memory"]
        return OutOfMemoryError(
            f"{self.name}: out of memory allocating {requested / 2**20:.1f} MiB ({requested} bytes); "
            f"pool state: {self.pool.used_bytes() / 2**20:.1f} MiB in use by tensors, "
            f"{pooled / 2**20:.1f} MiB pooled (freed, then retried once), device limit "
            f"{limit / 2**20:.1f} MiB; the driver said: {driver}. Free tensors you no longer need "
            "or use smaller batches"
        )

    def stats(self) -> dict:
        used = self.pool.used_bytes()
        return {
            "bytes_in_use": used,
            "bytes_pooled": self.pool.total_bytes() - used,
            "peak_bytes_in_use": self.peak,
            "allocations": self.allocations,
            "free_blocks": self.pool.n_free_blocks(),
            "limit_bytes": self.memory_limit or self.props["memory"],
        }

    # --- building ---------------------------------------------------------------------------
    def build(self, filename: str, source: str, opts: tuple):
        """Compile ``source`` (shown as ``filename`` in errors) for this device."""
        try:
            with self.device:
                module = cp.RawModule(code=source, options=opts)
                module.compile()
        except cp.cuda.compiler.CompileException as exc:
            major, minor = self.capability
            raise KernelBuildError(
                f"{self.name}: compiling kernels_cuda/{filename} failed on {self.props['name']} "
                f"(compute capability {major}.{minor}); options: {' '.join(opts)}\n"
                f"compiler log:\n{exc}"
            ) from exc
        return module

    def module(self, family: str, short: str):
        """The module of one kernel family for one dtype (DType.short), built on first use."""
        key = (family, short)
        module = self._modules.get(key)
        if module is None:
            with self.lock:
                module = self._modules.get(key)
                if module is None:
                    module = self.build(f"{family}.cu", family_source(family), options(family, short))
                    self._modules[key] = module
        return module

    def kernel(self, family: str, short: str, name: str, shared: int = 0) -> Kernel:
        """The kernel ``name`` of ``family`` built for ``short``; ``shared`` bytes of dynamic
        shared memory are allowed for it (above 48 KiB needs the opt-in)."""
        key = (family, short, name)
        kernel = self._kernels.get(key)
        if kernel is None:
            with self.lock, self.device:
                fn = self.module(family, short).get_function(name)
                if shared > 48 * 1024:
                    fn.max_dynamic_shared_size_bytes = shared
                kernel = Kernel(fn, name)
                self._kernels[key] = kernel
        return kernel

    # --- launching ----------------------------------------------------------------------------
    def launch(self, kernel: Kernel, grid, block, args, shared: int = 0) -> None:
        """Enqueue ``kernel`` on the device's stream (no waiting unless sync mode is on)."""
        try:
            with self.device:
                kernel.fn(tuple(grid), tuple(block), tuple(args), stream=self.stream, shared_mem=shared)
                if settings.sync:
                    self.stream.synchronize()
        except cp.cuda.runtime.CUDARuntimeError as exc:
            raise KernelLaunchError(
                f"{self.name}: kernel {kernel.name} failed (grid {tuple(grid)}, block {tuple(block)}, "
                f"{shared} bytes of dynamic shared memory): {exc}"
            ) from exc
        except cp.cuda.driver.CUDADriverError as exc:
            raise KernelLaunchError(
                f"{self.name}: kernel {kernel.name} failed (grid {tuple(grid)}, block {tuple(block)}): {exc}"
            ) from exc

    def synchronize(self) -> None:
        """Wait for every queued command; a failure of an earlier kernel surfaces here."""
        try:
            self.stream.synchronize()
        except (cp.cuda.runtime.CUDARuntimeError, cp.cuda.driver.CUDADriverError) as exc:
            raise KernelLaunchError(
                f"{self.name}: an earlier kernel failed ({exc}); run with GPUTENSOR_SYNC=1 to name it"
            ) from exc
