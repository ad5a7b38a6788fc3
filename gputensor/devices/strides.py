"""Stride arithmetic (in elements) shared by the tensor front end and the device backends whose
native arrays are strided views of device buffers (OpenCL, CUDA): contiguity, broadcasting
through zero strides, and merging the axes a kernel can walk as one. Imports nothing."""

from __future__ import annotations


def is_contiguous(shape, strides) -> bool:
    """C order with no gaps (size-1 axes may have any stride)."""
    expected = 1
    for n, s in zip(reversed(shape), reversed(strides)):
        if n == 1:
            continue
        if s != expected:
            return False
        expected *= n
    return True


def broadcast_strides(x, shape: tuple) -> tuple:
    """Strides that read the native array ``x`` (anything with ``shape`` and ``strides`` in
    elements) broadcast to ``shape`` (zero along broadcast axes)."""
    lead = len(shape) - len(x.shape)
    strides = [0] * lead
    for n, m, s in zip(x.shape, shape[lead:], x.strides):
        strides.append(0 if n == 1 and m != 1 else s)
    return tuple(strides)


def collapse(shape: tuple, strides_list: list) -> tuple[tuple, list]:
    """Merge neighbouring axes that every operand walks as one (and drop size-1 axes).

    Returns the new shape and strides, outermost first; at least one axis."""
    dims = [(n, [s[i] for s in strides_list]) for i, n in enumerate(shape) if n != 1]
    if not dims:
        return (1,), [(0,) for _ in strides_list]
    merged = [dims[-1]]
    for n, ss in reversed(dims[:-1]):
        inner_n, inner_ss = merged[-1]
        if all(s == t * inner_n for s, t in zip(ss, inner_ss)):
            merged[-1] = (n * inner_n, inner_ss)
        else:
            merged.append((n, ss))
    merged.reverse()
    new_shape = tuple(n for n, _ in merged)
    new_strides = [tuple(ss[k] for _, ss in merged) for k in range(len(strides_list))]
    return new_shape, new_strides
