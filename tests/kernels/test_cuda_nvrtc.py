"""The kernel modules compile through NVRTC exactly as the CUDA runtime builds them (CuPy's
compiler, the runtime's source and options), for sm_90 and sm_80, where CuPy and its NVRTC
library are installed; no GPU or driver is needed. One dtype per family here (every
family x dtype compiles on a GPU machine as the op suite runs)."""

from __future__ import annotations

import pytest

from gputensor.devices.cuda.source import family_source, options
from gputensor.kernels import kernel_dir

compiler = pytest.importorskip("cupy.cuda.compiler", reason="CuPy is not installed")
FAMILIES = tuple(sorted(p.stem for p in kernel_dir("cuda").glob("*.cu")))
DTYPE = {"random": "f32", "optim": "f64", "matmul": "bf16", "softmax": "f16"}


def _nvrtc_available() -> str:
    try:
        compiler._get_nvrtc_version()
    except Exception as exc:  # the NVRTC library is not installed or not found
        return f"{type(exc).__name__}: {exc}"
    return ""


WHY = _nvrtc_available()
pytestmark = pytest.mark.skipif(bool(WHY), reason=f"CuPy's NVRTC library cannot be loaded: {WHY}")


@pytest.mark.parametrize("arch", ["90", "80"])
@pytest.mark.parametrize("family", FAMILIES)
def test_family_compiles_with_nvrtc(family, arch):
    short = DTYPE.get(family, "f32")
    program = compiler._NVRTCProgram(
        family_source(family), f"{family}.cu", (), (), name_expressions=None, method="cubin"
    )
    cubin, _ = program.compile(options(family, short) + (f"-arch=sm_{arch}",))
    assert len(cubin) > 0
