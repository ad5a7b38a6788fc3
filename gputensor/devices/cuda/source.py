"""The source and options of each kernel module: ``kernels_cuda/<family>.cu`` with its
``#include "..."`` headers inlined (so CuPy's disk cache, keyed by source text and options,
sees header changes), built per dtype with ``-D GT_<dtype>``. Importing this needs no CuPy."""

from __future__ import annotations

import functools
import re

from ...kernels import read_kernel

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')

# options per family beyond the defaults (optimizer updates must not contract into FMAs)
FAMILY_OPTIONS = {"optim": ("--fmad=false",)}
BASE_OPTIONS = ("--std=c++17",)


def expand_includes(filename: str, text: str, read=None) -> str:
    """``text`` with each ``#include "h"`` replaced by h's text (once per file), with ``#line``
    markers so compiler messages name the right file and line."""
    read = read or (lambda name: read_kernel("cuda", name))
    return "\n".join(_expanded(filename, text, read, set())) + "\n"


def _expanded(filename, text, read, seen) -> list:
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _INCLUDE.match(line)
        if match is None:
            lines.append(line)
            continue
        header = match.group(1)
        if header not in seen:
            seen.add(header)
            lines.append(f'#line 1 "{header}"')
            lines.extend(_expanded(header, read(header), read, seen))
        lines.append(f'#line {number + 1} "{filename}"')
    return lines


@functools.cache
def family_source(family: str) -> str:
    """The full source of ``kernels_cuda/<family>.cu`` with its headers inlined."""
    filename = f"{family}.cu"
    return expand_includes(filename, read_kernel("cuda", filename))


def options(family: str, short: str) -> tuple:
    """NVRTC options of one module (CuPy adds the target architecture)."""
    return (*BASE_OPTIONS, f"-DGT_{short}", *FAMILY_OPTIONS.get(family, ()))
