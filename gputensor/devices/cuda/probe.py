"""Finding CUDA devices through CuPy: ``cuda:N`` is the N-th device the driver reports.

Nothing here imports CuPy at module import; :func:`probe` does, and says plainly why CUDA
cannot be used when it cannot (CuPy missing, no driver or one too old, no device)."""

from __future__ import annotations

import functools

from ..backend import DeviceInfo

INSTALL_HINT = "pip install 'gputensor[cuda12]' or 'gputensor[cuda13]' (CuPy wheels for CUDA 12 / 13)"
MIN_CAPABILITY = (6, 0)  # double atomics, 16-bit float conversions


def import_cupy():
    """(cupy module, "") or (None, why it cannot be imported)."""
    try:
        import cupy
    except ImportError as exc:
        return None, f"CuPy is not installed ({exc}); {INSTALL_HINT}"
    except Exception as exc:  # a broken install (missing CUDA libraries, ...)
        return None, f"CuPy cannot be imported ({type(exc).__name__}: {exc})"
    return cupy, ""


def version_text(v: int) -> str:
    """CUDA's integer versions (12040) as text ("12.4")."""
    return f"{v // 1000}.{(v % 1000) // 10}"


@functools.lru_cache(maxsize=1)
def devices() -> tuple:
    """(count, reason): how many devices the driver reports, or why none can be used."""
    cp, reason = import_cupy()
    if cp is None:
        return 0, reason
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception as exc:  # CUDARuntimeError: no driver, driver too old, no device
        return 0, f"no usable NVIDIA driver or GPU: {exc}"
    if count == 0:
        return 0, "the NVIDIA driver reports no CUDA device"
    return count, ""


def properties(index: int) -> dict:
    """The driver's properties of device ``index`` (name as text, capability as a tuple)."""
    import cupy as cp

    props = cp.cuda.runtime.getDeviceProperties(index)
    name = props["name"]
    return {
        "name": name.decode() if isinstance(name, bytes) else str(name),
        "capability": (int(props["major"]), int(props["minor"])),
        "memory": int(props["totalGlobalMem"]),
        "multiprocessors": int(props["multiProcessorCount"]),
        "l2": int(props.get("l2CacheSize", 0)),
        "shared_per_block_optin": int(props.get("sharedMemPerBlockOptin", 0)),
    }


def unusable_reason(props: dict) -> str:
    if props["capability"] < MIN_CAPABILITY:
        major, minor = props["capability"]
        return (
            f"compute capability {major}.{minor} is below the {MIN_CAPABILITY[0]}.{MIN_CAPABILITY[1]} "
            "the kernels need"
        )
    return ""


def describe(index: int) -> str:
    props = properties(index)
    major, minor = props["capability"]
    return f"{props['name']} (compute capability {major}.{minor}, {props['memory'] / 2**30:.1f} GiB)"


def versions() -> dict:
    """Driver, runtime, NVRTC and CuPy versions as text."""
    import cupy as cp

    out = {"CuPy": cp.__version__}
    try:
        out["driver (CUDA)"] = version_text(cp.cuda.runtime.driverGetVersion())
        out["CUDA runtime"] = version_text(cp.cuda.runtime.runtimeGetVersion())
    except Exception as exc:
        out["driver"] = f"unknown ({exc})"
    try:
        major, minor = cp.cuda.nvrtc.getVersion()
        out["NVRTC"] = f"{major}.{minor}"
    except Exception as exc:
        out["NVRTC"] = f"unavailable ({type(exc).__name__}: {exc}); kernels cannot be compiled"
    return out


def probe() -> list[DeviceInfo]:
    count, reason = devices()
    if count == 0:
        return [DeviceInfo("cuda:*", False, reason=reason)]
    common = versions()
    infos = []
    for index in range(count):
        props = properties(index)
        major, minor = props["capability"]
        details = {
            "compute capability": f"{major}.{minor}",
            "memory": f"{props['memory'] / 2**30:.2f} GiB, L2 {props['l2'] / 2**20:.0f} MiB",
            "multiprocessors": str(props["multiprocessors"]),
            **common,
        }
        why = unusable_reason(props)
        infos.append(DeviceInfo(f"cuda:{index}", not why, describe(index), why, details))
    return infos
