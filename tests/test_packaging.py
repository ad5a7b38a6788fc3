"""Packaging: the wheel carries the kernel folders, and an installed wheel finds them."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import gputensor
from gputensor.kernels import FOLDERS, kernel_dir, kernel_path, read_kernel

ROOT = Path(__file__).resolve().parent.parent


def test_kernel_files_found_in_checkout():
    assert kernel_dir("cl") == ROOT / "kernels_cl"
    assert kernel_dir("cuda") == ROOT / "kernels_cuda"
    assert "op_exp_##S" in read_kernel("cl", "ops.h")
    assert "op_exp(T x)" in read_kernel("cuda", "ops.cuh")


def test_kernel_lookup_errors_are_clear():
    import pytest

    with pytest.raises(ValueError, match="kind must be one of"):
        kernel_dir("metal")
    with pytest.raises(FileNotFoundError, match="missing.cl is not in"):
        kernel_path("cl", "missing.cl")


def test_setup_cfg_lists_every_subpackage():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = {p.strip() for p in cfg["options"]["packages"].split() if p.strip()}
    on_disk = {
        ".".join(path.relative_to(ROOT).parts[:-1])
        for path in (ROOT / "gputensor").rglob("__init__.py")
    }
    on_disk |= {f"gputensor._kernels.{name}" for name in FOLDERS.values()}
    assert listed == on_disk


def test_installed_wheel_loads_kernels_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-w", str(dist), "-q"],
        check=True, cwd=tmp_path,
    )
    (wheel,) = dist.glob("gputensor-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=tmp_path)
    probe = (
        "import gputensor, gputensor.kernels as k; "
        "p = k.kernel_path('cl', 'ops.h'); q = k.kernel_path('cuda', 'ops.cuh'); "
        "assert 'GPUTENSOR_OPS_H' in k.read_kernel('cl', 'ops.h'); "
        "print(gputensor.__file__); print(p); print(q)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    out = subprocess.run([str(python), "-c", probe], check=True, cwd=tmp_path, env=env,
                         capture_output=True, text=True).stdout.split()
    package_file, cl_path, cuda_path = (Path(p) for p in out)
    assert venv in package_file.parents, "the wheel's gputensor was not the one imported"
    assert ROOT not in cl_path.parents and venv in cl_path.parents
    assert cl_path.name == "ops.h" and cuda_path.name == "ops.cuh"


def test_version_matches_metadata():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    assert cfg["metadata"]["version"] == gputensor.__version__
