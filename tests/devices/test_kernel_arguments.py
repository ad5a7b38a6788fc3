"""Kernel arguments: an entry point that both ``kernels_cl/`` and ``kernels_cuda/`` define must
live in the same family file and take the same arguments in the same order: pointers, and
scalars of the same type (OpenCL's ``__local`` arguments are CUDA's launch-time shared memory
and are left out). Signatures are read with the kernel-parity test's preprocessor, every dtype
build of every family file."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from gputensor.kernels import kernel_dir
from tests.devices.test_kernel_parity import (
    _FLAVOURS,
    ALL,
    FLOATS,
    REQUIRED,
    PreprocessError,
    Preprocessor,
    _strip_comments,
)

_SIGNATURE = re.compile(r"(?:__kernel|__global__)\s+void\s+(\w+)\s*\(")
# parameter types -> kinds (OpenCL C and CUDA C++ spellings)
_TYPE_KINDS = {
    "char": "i8", "signed char": "i8", "uchar": "u8", "unsigned char": "u8", "short": "i16",
    "ushort": "u16", "unsigned short": "u16", "int": "i32", "uint": "u32", "unsigned": "u32",
    "unsigned int": "u32", "long": "i64", "long long": "i64", "ulong": "u64",
    "unsigned long long": "u64", "half": "f16", "float": "f32", "double": "f64", "bool": "b8",
}
_QUALIFIERS = frozenset({"const", "__global", "global", "__constant", "restrict", "__restrict__", "volatile"})


def _typedefs(folder: Path) -> dict[str, str]:
    """name -> type of the ``typedef`` lines of a folder's headers (CUDA's S_t, S_arg, ...)."""
    found = {}
    for path in sorted(folder.glob("*.cuh")) + sorted(folder.glob("*.h")):
        text = _strip_comments(path.read_text())
        for m in re.finditer(r"^\s*typedef\s+([\w\s]+?)\s+(\w+)\s*;", text, re.M):
            found[m.group(2)] = " ".join(m.group(1).split())
    return found


def _parameters(text: str, start: int) -> list[str]:
    """The comma-separated parameters of the list whose '(' precedes ``start``."""
    depth = 1
    params = [[]]
    for c in text[start:]:
        depth += (c == "(") - (c == ")")
        if depth == 0:
            break
        if c == "," and depth == 1:
            params.append([])
        else:
            params[-1].append(c)
    return ["".join(p).strip() for p in params if "".join(p).strip()]


def _kind(param: str, typedefs: dict) -> str | None:
    """pointer, a scalar type (i64, f32, ...), or None for OpenCL local memory (CUDA kernels
    take shared memory from the launch instead)."""
    words = re.findall(r"[A-Za-z_]\w*|\*", param)
    if "__local" in words or "local" in words:
        return None
    if "*" in words:
        return "pointer"
    text = " ".join(w for w in words[:-1] if w not in _QUALIFIERS)
    text = typedefs.get(text, text)
    return _TYPE_KINDS.get(text, text)


class _EveryLine(Preprocessor):
    """Keeps every active line (a signature's continuation lines emit no kernel by themselves)."""

    def _emits(self, tokens, visiting=frozenset()) -> bool:
        return True


@functools.cache
def folder_signatures(folder: Path, kind: str) -> dict[str, tuple]:
    """entry point -> (family file, argument kinds) over every dtype build of the folder."""
    suffix, predefined = _FLAVOURS[kind]
    typedefs = _typedefs(folder)
    result = {}
    for path in sorted(folder.glob(f"*{suffix}")):
        for short in (None,) + ALL:
            defines = dict(predefined) if short is None else {**predefined, f"GT_{short}": "1"}
            try:
                text = "".join(_EveryLine(folder, defines).run(path.name))
            except PreprocessError:
                continue
            for m in _SIGNATURE.finditer(text):
                kinds = tuple(k for k in (_kind(p, typedefs) for p in _parameters(text, m.end())) if k)
                result[m.group(1)] = (path.stem, kinds)
    return result


def mismatched_arguments(cl: dict, cuda: dict) -> list[str]:
    return [f"{name}: kernels_cl/{cl[name][0]}.cl {cl[name][1]} != kernels_cuda/{cuda[name][0]}.cu "
            f"{cuda[name][1]}" for name in sorted(set(cl) & set(cuda)) if cl[name] != cuda[name]]


def test_cl_and_cuda_entry_points_take_the_same_arguments():
    cl = folder_signatures(kernel_dir("cl"), "cl")
    cuda = folder_signatures(kernel_dir("cuda"), "cuda")
    required = {f"{op}_{short}" for pairs in REQUIRED.values() for op, short in pairs}
    assert required <= set(cl) & set(cuda), "every required entry point exists in both folders"
    differ = mismatched_arguments(cl, cuda)
    assert not differ, "entry points whose families or argument lists differ:\n" + "\n".join(differ)


def test_a_changed_argument_order_is_reported(tmp_path):
    """The comparison is not vacuous: move arange's n first in a copy of copy.cu."""
    folder = kernel_dir("cuda")
    for path in folder.iterdir():
        (tmp_path / path.name).write_text(path.read_text())
    source = (tmp_path / "copy.cu").read_text()
    assert source.count("S##_wide start, S##_wide step,") == 1 and source.count("long long n) {") == 1
    source = source.replace("S##_wide start, S##_wide step,", "long long n, S##_wide start,")
    (tmp_path / "copy.cu").write_text(source.replace("long long n) {", "S##_wide step) {"))
    changed = folder_signatures(tmp_path, "cuda")
    assert changed["arange_f32"][1] == ("pointer", "i64", "f64", "f64")
    differ = mismatched_arguments(folder_signatures(kernel_dir("cl"), "cl"), changed)
    # integer builds compute in long long: only the floating ones change kinds
    assert [d.split(":")[0] for d in differ] == sorted(f"arange_{s}" for s in FLOATS)
