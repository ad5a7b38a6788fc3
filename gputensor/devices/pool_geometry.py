"""The sizes a backend's ``pool2d`` primitive works with (see gputensor/nn/pooling.py for its
contract), shared by the backends that implement it."""

from __future__ import annotations


def pool2d_sizes(kind: str, dtype, shape: tuple, kernel, stride, dilation, pads) -> tuple | None:
    """The kernel's size arguments ``(P, H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw)`` for a
    window reduction of ``kind`` over an (N, C, H, W) input of ``dtype`` padded by ``pads``
    ((top, bottom), (left, right)), or None when the primitive declines (max needs a floating
    or integer dtype, sum a floating one)."""
    ok = dtype.kind == "f" or (kind == "max" and dtype.kind in "iu")
    if kind not in ("max", "sum") or not ok or len(shape) != 4:
        return None
    n, c, h, w = shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    (pt, pb), (pl, pr) = pads
    oh = max((h + pt + pb - dh * (kh - 1) - 1) // sh + 1, 0)
    ow = max((w + pl + pr - dw * (kw - 1) - 1) // sw + 1, 0)
    return n * c, h, w, oh, ow, kh, kw, sh, sw, pt, pl, dh, dw
