"""The CUDA runtime: discovery without CuPy or a GPU, the default device, lazy per-device
module builds, build and launch errors, synchronous mode, and module sources."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gputensor as gt
from gputensor.devices import registry
from gputensor.devices.cuda import probe
from gputensor.devices.cuda.source import expand_includes, family_source, options
from gputensor.errors import DeviceError, KernelBuildError, KernelLaunchError
from tests.devices.cuda_gpu import USABLE, needs_gpu

HERE = Path(__file__).resolve().parent


def _run(code: str, **env) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    return out.stdout.strip()


def test_without_cupy_probe_says_how_to_install(monkeypatch):
    monkeypatch.setattr(probe, "import_cupy", lambda: (None, "CuPy is not installed (test); pip install x"))
    probe.devices.cache_clear()
    try:
        infos = probe.probe()
    finally:
        probe.devices.cache_clear()
    assert [(i.name, i.usable) for i in infos] == [("cuda:*", False)]
    assert "CuPy is not installed" in infos[0].reason


def test_the_default_device_falls_back_to_cpu_without_a_working_gpu():
    code = "import gputensor as gt; print(gt.devices.registry._choose_default().name)"
    name = _run(code, GPUTENSOR_DEVICE="")
    assert name == ("cuda:0" if USABLE else "cpu")


def test_info_shows_cuda_devices_or_why_there_are_none():
    text = _run("import gputensor.devices.info as i; print(i.report())")
    assert "cuda:" in text
    if USABLE:
        assert "compute capability" in text and "driver" in text and "CUDA runtime" in text
    else:
        assert "cuda:*" in text and "unusable" in text


def test_importing_gputensor_does_not_import_cupy():
    code = "import sys, gputensor as gt; gt.ones(2, device='cpu') + 1; print('cupy' in sys.modules)"
    assert _run(code, GPUTENSOR_DEVICE="cpu") == "False"


def test_cuda_is_a_registered_backend():
    assert registry._BUILTIN["cuda"] == "gputensor.devices.cuda:CudaBackend"
    assert "cuda" in gt.devices.backend_types()


def test_sources_inline_headers_with_line_markers():
    text = expand_includes("x.cu", '#include "a.cuh"\nint x;\n', read=lambda name: "int a;")
    assert text.splitlines() == ['#line 1 "a.cuh"', "int a;", '#line 2 "x.cu"', "int x;"]
    source = family_source("binary")
    assert "namespace gt" in source and '#include "' not in source
    assert options("optim", "f32") == ("--std=c++17", "-DGT_f32", "--fmad=false")


@pytest.mark.skipif(bool(USABLE), reason="checks the error on a machine without a working GPU")
def test_asking_for_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(DeviceError, match="cuda:0 cannot be used"):
        gt.device("cuda:0")


# --- with a GPU ------------------------------------------------------------------------------


@pytest.fixture
def cuda():
    return gt.device(USABLE[0])


@needs_gpu
def test_modules_build_once_per_family_and_dtype(cuda):
    rt = cuda.backend.rt
    x = gt.ones(3, device=cuda)
    (x + x).numpy()
    module = rt.module("binary", "f32")
    kernel = rt._kernels[("binary", "f32", "add_f32")]
    (x * 2 + x).numpy()
    assert rt.module("binary", "f32") is module
    assert rt._kernels[("binary", "f32", "add_f32")] is kernel
    assert ("binary", "i8") not in rt._modules


@needs_gpu
def test_a_broken_kernel_raises_with_file_options_device_and_log(cuda):
    rt = cuda.backend.rt
    source = expand_includes("broken.cu", (HERE / "cuda" / "broken.cu").read_text())
    with pytest.raises(KernelBuildError) as info:
        rt.build("broken.cu", source, options("unary", "f32"))
    message = str(info.value)
    assert "kernels_cuda/broken.cu" in message and "-DGT_f32" in message
    assert rt.props["name"] in message and "compute capability" in message
    assert "undeclared_gputensor_identifier" in message


@needs_gpu
def test_sync_mode_names_the_failing_kernel(cuda):
    rt = cuda.backend.rt
    x = gt.ones(8, device=cuda)
    kernel = rt.kernel("unary", "f32", "exp_f32")
    args = (x._data.buffer, np.int64(0), x._data.buffer, np.int64(0), np.int64(8))
    gt.config.set_sync(True)
    try:
        assert np.allclose(gt.exp(x).numpy(), np.e)
        with pytest.raises(KernelLaunchError, match="kernel exp_f32 failed"):
            rt.launch(kernel, (1,), (4096,), args)  # more threads than a block may have
    finally:
        gt.config.set_sync(False)


@needs_gpu
def test_a_missing_device_index_is_a_clear_error():
    with pytest.raises(DeviceError, match="cuda:99 does not exist"):
        gt.device("cuda:99")


@needs_gpu
def test_every_dtype_is_supported(cuda):
    for dtype in gt.dtypes.ALL_DTYPES:
        x = gt.zeros(3, dtype=dtype, device=cuda)
        assert x.dtype is dtype and x.numpy().tolist() == [0, 0, 0]
