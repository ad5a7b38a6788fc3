"""The OpenCL runtime: discovery, lazy per-device program builds, build and launch errors,
synchronous mode, and that every kernel family builds cleanly for every dtype."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gputensor as gt
from gputensor.errors import KernelBuildError, KernelLaunchError, UnsupportedDTypeError

cl = pytest.importorskip("pyopencl", reason="the OpenCL backend needs pyopencl")
from gputensor.devices.opencl import probe  # noqa: E402
from gputensor.devices.opencl.runtime import expand_includes, family_source  # noqa: E402

HERE = Path(__file__).resolve().parent
USABLE = [info.name for info in probe.probe() if info.usable]
pytestmark = pytest.mark.skipif(not USABLE, reason="no usable OpenCL device")
FAMILIES = ("unary", "binary", "where", "cast", "copy", "reduce", "scan", "matmul", "index", "sort",
            "random", "softmax", "optim")


@pytest.fixture
def ocl():
    return gt.device(USABLE[0])


def test_info_lists_the_opencl_device_with_its_extensions():
    command = [sys.executable, "-m", "gputensor", "info"]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    text = out.stdout
    assert "opencl:" in text and "extensions:" in text and "dtypes:" in text
    assert f"{USABLE[0]} " in text


def test_the_default_device_is_never_an_opencl_cpu_device():
    code = "import gputensor as gt; print(gt.devices.registry._choose_default().name)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "GPUTENSOR_DEVICE": ""})
    assert not out.stdout.strip().startswith("opencl")


def test_importing_gputensor_does_not_import_pyopencl():
    code = "import sys, gputensor as gt; gt.ones(2) + 1; print('pyopencl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_includes_are_inlined_with_line_markers():
    text = expand_includes("x.cl", '#include "a.h"\nint x;\n', read=lambda name: "int a;")
    assert text.splitlines() == ['#line 1 "a.h"', "int a;", '#line 2 "x.cl"', "int x;"]
    assert "GPUTENSOR_OPS_H" in family_source("unary")


def test_programs_build_once_per_family_and_dtype(ocl):
    rt = ocl.backend.rt
    x = gt.ones(3, device=ocl)
    (x + x).numpy()
    program = rt.program("binary", "f32")
    kernel = rt._kernels["add_f32"]
    (x * 2 + x).numpy()
    assert rt.program("binary", "f32") is program
    assert rt._kernels["add_f32"] is kernel
    assert ("binary", "i8") not in rt._programs


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_builds_for_every_dtype_without_warnings(ocl, family):
    rt = ocl.backend.rt
    pocl = "Portable Computing Language" in rt.device.platform.name
    kernels = 0
    for dtype in gt.dtypes.ALL_DTYPES:
        program = rt.program(family, dtype.short)
        kernels += program.num_kernels
        if pocl:
            # PoCL's own cache loses the kernels of programs whose build printed warnings
            log = program.get_build_info(rt.device, cl.program_build_info.LOG).strip()
            assert log == "", f"{family}.cl for {dtype}: {log}"
    assert kernels > 0


def test_a_broken_kernel_raises_with_file_options_device_and_log(ocl):
    rt = ocl.backend.rt
    source = expand_includes("broken.cl", (HERE / "opencl" / "broken.cl").read_text())
    with pytest.raises(KernelBuildError) as info:
        rt.build("broken.cl", source, ["-DGT_f32", *rt.options])
    message = str(info.value)
    assert "kernels_cl/broken.cl" in message
    assert "-DGT_f32" in message
    assert rt.device.name.strip() in message
    assert "undeclared_gputensor_identifier" in message


def test_sync_mode_names_the_failing_kernel(ocl):
    rt = ocl.backend.rt
    x = gt.ones(8, device=ocl)
    kernel = rt.kernel("unary", "f32", "exp_f32", (None, np.int64, None, np.int64, np.int64))
    too_big = rt.max_work_group * 2
    gt.config.set_sync(True)
    try:
        assert np.allclose(gt.exp(x).numpy(), np.e)
        with pytest.raises(KernelLaunchError, match="kernel exp_f32 failed"):
            rt.launch(kernel, (too_big,), (too_big,), x._data.buffer, 0, x._data.buffer, 0, 8)
    finally:
        gt.config.set_sync(False)


def test_an_unsupported_dtype_names_the_device_and_the_missing_extension():
    dev = gt.device(USABLE[0], disable_extensions=("cl_khr_fp64",))
    assert gt.float64 not in dev.backend.dtypes and gt.float32 in dev.backend.dtypes
    with pytest.raises(UnsupportedDTypeError, match=r"opencl:\d .*lacks the cl_khr_fp64 extension"):
        gt.zeros(3, dtype=gt.float64, device=dev)
    with pytest.raises(UnsupportedDTypeError, match="cl_khr_fp64"):
        gt.ones(2, device=dev).astype(gt.float64)
    assert (gt.ones(2, device=dev) * 2).tolist() == [2.0, 2.0]


def test_a_missing_device_index_is_a_clear_error():
    with pytest.raises(gt.errors.DeviceError, match="opencl:99 does not exist"):
        gt.device("opencl:99")
