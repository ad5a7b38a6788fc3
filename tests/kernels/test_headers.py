"""The shared per-op headers compile: ops.h on the OpenCL CPU device (PoCL) with warnings as
errors, ops.cuh with nvcc for sm_90 and sm_80 (no GPU needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gputensor.kernels import kernel_dir

HERE = Path(__file__).resolve().parent


def test_ops_h_builds_on_opencl():
    import pyopencl as cl

    platforms = cl.get_platforms()
    devices = [d for p in platforms for d in p.get_devices()]
    assert devices, "no OpenCL device (the test extra installs PoCL)"
    ctx = cl.Context([devices[0]])
    source = (HERE / "instantiate_ops.cl").read_text()
    program = cl.Program(ctx, source).build(options=["-I", str(kernel_dir("cl")), "-Werror"])
    assert "float_ops" in program.get_info(cl.program_info.KERNEL_NAMES)


@pytest.mark.parametrize("arch", ["sm_90", "sm_80"])
def test_ops_cuh_compiles_with_nvcc(arch, tmp_path):
    nvcc = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
    if not Path(nvcc).exists():
        pytest.skip("nvcc is not installed on this machine (the CI machines have it)")
    out = tmp_path / f"ops_{arch}.ptx"
    result = subprocess.run(
        [nvcc, "--ptx", f"-arch={arch}", "-I", str(kernel_dir("cuda")), "-Werror", "all-warnings",
         str(HERE / "instantiate_ops.cu"), "-o", str(out)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    ptx = out.read_text()
    assert ".entry" in ptx and "float_ops" in ptx
