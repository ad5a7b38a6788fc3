"""A test-only backend whose optional fused primitives (``conv2d``, ``pool2d``) are NumPy
references, standing in for GPU kernels so that the ops' hooks and the composed gradients
written out for them are checked on any machine."""

from __future__ import annotations

import numpy as np

import gputensor as gt
from gputensor.devices.numpy_backend import NumpyBackend


def _windows(xp, kernel, stride, dilation):
    """(N, C, OH, OW, KH, KW) windows of a padded (N, C, H, W) array."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    win = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(2, 3))
    return win[:, :, ::sh, ::sw, ::dh, ::dw]


class FusedReferenceCPU(NumpyBackend):
    """The NumPy backend plus reference ``conv2d`` and ``pool2d`` primitives that count their
    calls."""

    type = "cpuconv"
    calls = 0
    pool_calls = 0

    def conv2d(self, x, w, pads, stride, dilation, groups):
        if x.dtype.kind != "f":
            return None
        FusedReferenceCPU.calls += 1
        (pt, pb), (pl, pr) = pads
        xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
        n, c, _, _ = xp.shape
        o, cg, kh, kw = w.shape
        win = _windows(xp, (kh, kw), stride, dilation)
        win = win.reshape(n, groups, cg, *win.shape[2:])
        wg = w.reshape(groups, o // groups, cg, kh, kw)
        y = np.einsum("ngcyxij,gocij->ngoyx", win, wg, dtype=np.float64)
        return np.ascontiguousarray(y.reshape(n, o, *y.shape[3:]).astype(x.dtype))


    def pool2d(self, kind, x, kernel, stride, dilation, pads):
        if kind == "sum" and x.dtype.kind != "f":
            return None
        FusedReferenceCPU.pool_calls += 1
        fill = 0 if kind == "sum" else (-np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
        xp = np.pad(x, ((0, 0), (0, 0), *pads), constant_values=fill)
        win = _windows(xp, kernel, stride, dilation)
        out = win.max(axis=(4, 5)) if kind == "max" else win.sum(axis=(4, 5), dtype=np.float64)
        return np.ascontiguousarray(out.astype(x.dtype))


def fused_reference_device():
    """The ``cpuconv:0`` device (registered on first use)."""
    if "cpuconv" not in gt.devices.backend_types():
        gt.devices.register_backend("cpuconv", FusedReferenceCPU)
    return gt.device("cpuconv:0")
