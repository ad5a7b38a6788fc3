"""Finding OpenCL devices: ``opencl:N`` numbers every device of every platform in the order
the ICD loader reports them. Each is described with its type, memory and the extensions that
decide which dtypes it can hold."""

from __future__ import annotations

import functools

import pyopencl as cl

from ... import dtypes as dt
from ..backend import DeviceInfo

# dtype -> the extension a device needs for it. Every other dtype works everywhere: float16
# and bfloat16 are stored as 16 bits and computed in float32 (vload_half / vstore_half are
# core OpenCL), so neither needs cl_khr_fp16's half arithmetic.
DTYPE_EXTENSIONS = {dt.float64: "cl_khr_fp64"}
MIN_WORK_GROUP = 256  # the largest local size the kernels are launched with
_INSTALL_HINT = "pip install pocl-binary-distribution gives a CPU device"


@functools.lru_cache(maxsize=1)
def cl_devices() -> tuple:
    """Every OpenCL device as (platform, device); empty when no platform is installed."""
    try:
        platforms = cl.get_platforms()
    except cl.Error:
        return ()
    found = []
    for platform in platforms:
        try:
            devices = platform.get_devices()
        except cl.Error:
            continue
        found.extend((platform, device) for device in devices)
    return tuple(found)


def extensions(device) -> frozenset:
    return frozenset(device.extensions.split())


def supported_dtypes(device, disabled=frozenset()) -> frozenset:
    """The dtypes ``device`` can hold, treating the extensions in ``disabled`` as absent."""
    have = extensions(device) - frozenset(disabled)
    return frozenset(d for d in dt.ALL_DTYPES if DTYPE_EXTENSIONS.get(d, "") in have | {""})


def missing_extension(device, dtype, disabled=frozenset()) -> str | None:
    """The extension ``device`` lacks for ``dtype`` (None when it has what it needs)."""
    needed = DTYPE_EXTENSIONS.get(dtype)
    if needed is None or needed in extensions(device) - frozenset(disabled):
        return None
    return needed


def unusable_reason(device) -> str:
    """Why gputensor cannot use ``device`` (empty when it can)."""
    if not device.available:
        return "the driver reports the device as unavailable"
    if not device.compiler_available:
        return "the driver has no OpenCL C compiler for it"
    if "EMBEDDED" in device.profile:
        return "embedded profile (no 64-bit integers)"
    if device.max_work_group_size < MIN_WORK_GROUP:
        most = device.max_work_group_size
        return f"work-groups of at most {most} items (gputensor's kernels use {MIN_WORK_GROUP})"
    return ""


def _kind(device) -> str:
    types = cl.device_type
    bits = (("GPU", types.GPU), ("CPU", types.CPU), ("accelerator", types.ACCELERATOR))
    kinds = [name for name, bit in bits if device.type & bit]
    return "/".join(kinds) or "other"


def describe(device) -> str:
    memory = device.global_mem_size / 2**30
    units = device.max_compute_units
    return f"{device.name.strip()} ({_kind(device)}, {memory:.1f} GiB, {units} compute units)"


def probe() -> list[DeviceInfo]:
    found = cl_devices()
    if not found:
        return [DeviceInfo("opencl:*", False, reason=f"no OpenCL platform found ({_INSTALL_HINT})")]
    infos = []
    for index, (platform, device) in enumerate(found):
        reason = unusable_reason(device)
        have = extensions(device)
        lacking = [f"{d.name} (needs {ext})" for d, ext in DTYPE_EXTENSIONS.items() if ext not in have]
        details = {
            "platform": f"{platform.name.strip()} {platform.version.strip()}",
            "type": _kind(device),
            "memory": f"{device.global_mem_size / 2**30:.2f} GiB global, largest buffer "
                      f"{device.max_mem_alloc_size / 2**30:.2f} GiB, "
                      f"{device.local_mem_size // 1024} KiB local",
            "compute units": str(device.max_compute_units),
            "OpenCL C": device.opencl_c_version.strip(),
            "extensions": " ".join(sorted(have)) or "(none)",
            "dtypes": ", ".join(d.name for d in dt.ALL_DTYPES if d in supported_dtypes(device)),
        }
        if lacking:
            details["unsupported dtypes"] = ", ".join(lacking)
        infos.append(DeviceInfo(f"opencl:{index}", not reason, describe(device), reason, details))
    return infos
