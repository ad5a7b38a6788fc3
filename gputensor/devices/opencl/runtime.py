"""One OpenCL device at run time: its context, in-order queue, buffer pool and programs.

Programs are built lazily, one per kernel family and dtype (``kernels_cl/<family>.cl`` with
``-D GT_<dtype>``), cached in memory for the device and on disk by the OpenCL implementation
(PoCL keeps its own cache; pyopencl caches binaries for other drivers). Kernel source is read
with :func:`gputensor.kernels.read_kernel`; ``#include "x.h"`` lines are replaced by the
header's text (with ``#line`` markers) so the cache key covers the headers too.

Launches only enqueue; the host waits when it reads a value. ``GPUTENSOR_SYNC=1`` (or
``gt.config.set_sync(True)``) waits after every launch and names the kernel that failed.
"""

from __future__ import annotations

import functools
import re
import threading

import numpy as np
import pyopencl as cl

from ...config import settings
from ...errors import KernelBuildError, KernelLaunchError
from ...kernels import read_kernel
from .pool import BufferPool

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')

# Scalar argument types of kernel signatures (None: a buffer or local memory).
LONG = np.int64
INT = np.int32
UINT = np.uint32
ULONG = np.uint64


def expand_includes(filename: str, text: str, read=None) -> str:
    """``text`` with each ``#include "h"`` replaced by h's text (once per file), and ``#line``
    markers so compiler messages name the right file and line."""
    read = read or (lambda name: read_kernel("cl", name))
    return "\n".join(_expanded_lines(filename, text, read, set())) + "\n"


def _expanded_lines(filename, text, read, seen) -> list:
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _INCLUDE.match(line)
        if match is None:
            lines.append(line)
            continue
        header = match.group(1)
        if header not in seen:
            seen.add(header)
            lines.append(f'#line 1 "{header}"')
            lines.extend(_expanded_lines(header, read(header), read, seen))
        lines.append(f'#line {number + 1} "{filename}"')
    return lines


@functools.cache
def family_source(family: str) -> str:
    """The full source of ``kernels_cl/<family>.cl`` with its headers inlined."""
    filename = f"{family}.cl"
    return expand_includes(filename, read_kernel("cl", filename))


class Runtime:
    """Context, queue, pool and program cache of one device (``name`` is e.g. "opencl:0")."""

    def __init__(self, device, name: str, memory_limit: int | None = None):
        self.device = device
        self.name = name
        self.context = cl.Context([device])
        self.queue = cl.CommandQueue(self.context, device)
        self.is_cpu = bool(device.type & cl.device_type.CPU)
        self.compute_units = max(1, int(device.max_compute_units))
        self.max_work_group = int(device.max_work_group_size)
        limit = int(device.global_mem_size)
        if memory_limit is not None:
            limit = min(limit, int(memory_limit))
        self.pool = BufferPool(self.context, name, limit, int(device.max_mem_alloc_size))
        self.options = ["-cl-fp32-correctly-rounded-divide-sqrt"] if self._rounded_divide() else []
        self._programs: dict[tuple, object] = {}
        self._kernels: dict[str, object] = {}
        self.lock = threading.RLock()

    def _rounded_divide(self) -> bool:
        config = self.device.single_fp_config
        return bool(config & cl.device_fp_config.CORRECTLY_ROUNDED_DIVIDE_SQRT)

    # --- building -----------------------------------------------------------------------
    def build(self, filename: str, source: str, options: list[str]):
        """Build ``source`` (shown as ``filename`` in errors) for this device."""
        try:
            return cl.Program(self.context, source).build(options=options)
        except cl.Error as exc:
            raise KernelBuildError(
                f"{self.name}: building kernels_cl/{filename} failed on {self.device.name.strip()} "
                f"({self.device.platform.name.strip()}); build options: {' '.join(options)}\n"
                f"compiler log:\n{exc}"
            ) from exc

    def program(self, family: str, short: str):
        """The program of one kernel family for one dtype (DType.short), built on first use."""
        key = (family, short)
        program = self._programs.get(key)
        if program is None:
            with self.lock:
                program = self._programs.get(key)
                if program is None:
                    options = [f"-DGT_{short}", *self.options]
                    program = self.build(f"{family}.cl", family_source(family), options)
                    self._programs[key] = program
        return program

    def kernel(self, family: str, short: str, name: str, arg_types):
        """The kernel ``name`` of ``family`` built for ``short``, with its scalar argument
        types set (one Kernel object per name, reused for every launch)."""
        kernel = self._kernels.get(name)
        if kernel is None:
            with self.lock:
                kernel = self._kernels.get(name)
                if kernel is None:
                    kernel = cl.Kernel(self.program(family, short), name)
                    kernel.set_scalar_arg_dtypes(list(arg_types))
                    self._kernels[name] = kernel
        return kernel

    # --- launching ----------------------------------------------------------------------
    def launch(self, kernel, global_size, local_size, *args) -> None:
        """Enqueue ``kernel`` (no waiting unless sync mode is on)."""
        with self.lock:
            try:
                kernel(self.queue, global_size, local_size, *args)
                if settings.sync:
                    self.queue.finish()
            except cl.MemoryError:
                # the driver could not back the buffers: give the pool back and retry once
                self.pool.empty()
                try:
                    kernel(self.queue, global_size, local_size, *args)
                except cl.MemoryError as exc:
                    raise self.pool.out_of_memory(_launch_bytes(args), 0, str(exc)) from exc
            except cl.Error as exc:
                raise self._launch_error(kernel, global_size, local_size, exc) from exc

    def _launch_error(self, kernel, global_size, local_size, exc) -> KernelLaunchError:
        return KernelLaunchError(
            f"{self.name}: kernel {kernel.function_name} failed (global size {tuple(global_size)}, "
            f"local size {local_size}): {exc}"
        )

    def finish(self) -> None:
        """Wait for every queued command."""
        self.queue.finish()


def _launch_bytes(args) -> int:
    return sum(a.size for a in args if isinstance(a, cl.Buffer))
