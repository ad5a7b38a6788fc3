"""Finding the kernel source folders (``kernels_cl/``, ``kernels_cuda/``) from a checkout or
an installed wheel.

In a checkout they sit at the top of the repository, beside the ``gputensor`` package; a wheel
carries them inside the package as ``gputensor/_kernels/<folder>``. Backends read kernel files
only through :func:`kernel_path` / :func:`read_kernel`.

>>> from gputensor.kernels import kernel_path
>>> kernel_path("cl", "ops.h").name
'ops.h'
"""

from __future__ import annotations

from pathlib import Path

FOLDERS = {"cl": "kernels_cl", "cuda": "kernels_cuda"}
_PACKAGE_DIR = Path(__file__).resolve().parent


def kernel_dir(kind: str) -> Path:
    """The folder of ``kind`` ("cl" or "cuda") kernels; FileNotFoundError names where it looked."""
    if kind not in FOLDERS:
        raise ValueError(f"kernel_dir: kind must be one of {sorted(FOLDERS)}, got {kind!r}")
    name = FOLDERS[kind]
    candidates = (_PACKAGE_DIR / "_kernels" / name, _PACKAGE_DIR.parent / name)
    for path in candidates:
        if path.is_dir():
            return path
    looked = ", ".join(str(p) for p in candidates)
    raise FileNotFoundError(f"kernel_dir: no {name} folder found (looked in {looked}); reinstall gputensor")


def kernel_path(kind: str, filename: str) -> Path:
    """The path of one kernel file, e.g. ``kernel_path("cuda", "ops.cuh")``."""
    path = kernel_dir(kind) / filename
    if not path.is_file():
        raise FileNotFoundError(f"kernel_path: {filename} is not in {path.parent}")
    return path


def read_kernel(kind: str, filename: str) -> str:
    """The text of one kernel file."""
    return kernel_path(kind, filename).read_text(encoding="utf-8")
