"""Every CUDA kernel family builds on a machine without a GPU: ``nvcc --ptx`` of each
``kernels_cuda/*.cu`` (all dtypes at once, ``-D GT_ALL``) for sm_90 and sm_80 with warnings as
errors, and the matmul kernels assembled by ptxas with its resource report, which must show no
register spills and no stack frame (an array that went to local memory).

The PTX checks compile the front end only (``-Xcicc -O0``: the NVVM optimizer is what makes
full builds slow, and it finds no source errors); the runtime's NVRTC builds optimize. The
files with inline PTX that only ptxas checks (matmul's tensor-core code, the 16-bit float
conversions of cast.cu and random.cu) are assembled to cubins too."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gputensor.devices.cuda.source import FAMILY_OPTIONS
from gputensor.kernels import kernel_dir

ARCHS = ("sm_90", "sm_80")
FOLDER = kernel_dir("cuda")
FAMILIES = tuple(sorted(p.stem for p in FOLDER.glob("*.cu")))
ASSEMBLED = ("cast", "random")
_NVCC = shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc"
pytestmark = pytest.mark.skipif(
    not Path(_NVCC).exists(), reason="nvcc is not installed on this machine (the CI machines have it)"
)


def _nvcc(family: str, arch: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [
        _NVCC,
        *extra,
        f"-arch={arch}",
        "-std=c++17",
        "-DGT_ALL",
        "-I",
        str(FOLDER),
        "-Werror",
        "all-warnings",
        *FAMILY_OPTIONS.get(family, ()),
        str(FOLDER / f"{family}.cu"),
        "-o",
        str(out),
    ]
    return subprocess.run(command, capture_output=True, text=True)


@functools.cache
def _builds(arch: str, folder: str) -> dict:
    """family -> the result of its PTX build for ``arch`` (two compilers at a time)."""
    out = Path(folder)

    def ptx(family):
        return family, _nvcc(family, arch, out / f"{family}_{arch}.ptx", "--ptx", "-Xcicc", "-O0")

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(ptx, FAMILIES))


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cuda_build")


@pytest.mark.parametrize("arch", ARCHS)
def test_every_family_compiles_to_ptx(arch, build_dir):
    results = _builds(arch, str(build_dir))
    failed = {f: r.stderr for f, r in results.items() if r.returncode != 0}
    assert not failed, "\n\n".join(f"kernels_cuda/{f}.cu for {arch}:\n{log}" for f, log in failed.items())
    for family in FAMILIES:
        ptx = (build_dir / f"{family}_{arch}.ptx").read_text()
        assert ".entry" in ptx, f"{family}.cu defines no kernel"


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("family", ASSEMBLED)
def test_inline_ptx_assembles(arch, family, build_dir):
    result = _nvcc(family, arch, build_dir / f"{family}_{arch}.cubin", "--cubin", "-Xcicc", "-O0")
    assert result.returncode == 0, result.stderr


def resource_report(text: str) -> dict[str, dict]:
    """kernel -> {registers, spill_stores, spill_loads, stack} from ``ptxas -v`` output."""
    report = {}
    current = None
    for line in text.splitlines():
        entry = re.search(r"Compiling entry function '(\w+)'", line)
        if entry:
            current = report.setdefault(entry.group(1), {})
            continue
        if current is None:
            continue
        spills = re.search(
            r"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads", line
        )
        if spills:
            current.update(
                stack=int(spills.group(1)),
                spill_stores=int(spills.group(2)),
                spill_loads=int(spills.group(3)),
            )
        used = re.search(r"Used (\d+) registers", line)
        if used:
            current["registers"] = int(used.group(1))
    return report


def test_the_report_parser_reads_spills():
    text = (
        "ptxas info    : Compiling entry function 'k' for 'sm_90'\n"
        "    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads\n"
        "ptxas info    : Used 255 registers, used 1 barriers\n"
    )
    assert resource_report(text) == {"k": {"stack": 8, "spill_stores": 4, "spill_loads": 4, "registers": 255}}


@pytest.mark.parametrize("arch", ARCHS)
def test_matmul_kernels_do_not_spill(arch, build_dir):
    result = _nvcc("matmul", arch, build_dir / f"matmul_{arch}.cubin", "--cubin", "-Xptxas", "-v")
    assert result.returncode == 0, result.stderr
    report = resource_report(result.stderr)
    tiled = {k: v for k, v in report.items() if re.search(r"_(simt|mma|tf32)_", k)}
    assert len(tiled) == 4 * 4 + 4, f"expected the SIMT, MMA and TF32 kernels, got {sorted(tiled)}"
    bad = {k: v for k, v in report.items() if v.get("spill_stores") or v.get("spill_loads") or v.get("stack")}
    assert not bad, f"register spills or stack frames for {arch}: {bad}"
    assert all(v["registers"] <= 255 for v in tiled.values())
