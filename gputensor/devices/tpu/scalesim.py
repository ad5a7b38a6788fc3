"""A second cost mode: SCALE-Sim 3.0's "Total Cycles" for one R×C systolic array.

SCALE-Sim maps a layer to a GEMM of an ``M×K`` ifmap operand and a ``K×N`` filter operand
(``M`` output pixels, ``K = filter_h · filter_w · channels``, ``N`` filters) and folds it onto the
array. With its bandwidth computed (``InterfaceBandwidth: CALC``) the memory never stalls, and
the total is the length of the demand schedule less one (the last cycle's index):

- weight stationary: ``ceil(K/R)·ceil(N/C)`` folds of ``2R + C + M − 2`` cycles (load R rows of
  weights, stream M rows skewed across the array, drain C−1 columns);
- input stationary: ``ceil(K/R)·ceil(M/C)`` folds of ``2R + C + N − 2`` cycles (the ifmap is
  held, the filters stream);
- output stationary: ``ceil(M/R)·ceil(N/C)`` folds of ``R + C + K − 2`` cycles (K operand pairs
  stream in, skewed over rows and columns).

tests/devices/test_tpu_scalesim.py checks these against SCALE-Sim's own reports.
"""

from __future__ import annotations

import math

from ...errors import ArgumentValueError

DATAFLOWS = ("ws", "os", "is")


def gemm_total_cycles(m: int, n: int, k: int, rows: int, cols: int, dataflow: str = "ws") -> int:
    """SCALE-Sim's Total Cycles for an ``(m, k) @ (k, n)`` GEMM on a ``rows × cols`` array.

    >>> gemm_total_cycles(64, 64, 64, 8, 8, "ws")
    5503
    """
    for name, value in (("m", m), ("n", n), ("k", k), ("rows", rows), ("cols", cols)):
        if value < 1:
            raise ArgumentValueError(f"scalesim: {name} must be a positive int, got {value}")
    if dataflow == "ws":
        folds = math.ceil(k / rows) * math.ceil(n / cols)
        per_fold = 2 * rows + cols + m - 2
    elif dataflow == "is":
        folds = math.ceil(k / rows) * math.ceil(m / cols)
        per_fold = 2 * rows + cols + n - 2
    elif dataflow == "os":
        folds = math.ceil(m / rows) * math.ceil(n / cols)
        per_fold = rows + cols + k - 2
    else:
        raise ArgumentValueError(f"scalesim: dataflow must be one of {DATAFLOWS}, got {dataflow!r}")
    return folds * per_fold - 1


def conv_gemm_shape(ifmap_h: int, ifmap_w: int, filter_h: int, filter_w: int, channels: int,
                    filters: int, stride_h: int, stride_w: int | None = None) -> tuple[int, int, int]:
    """(M, N, K) of a convolution layer as SCALE-Sim lowers it (no padding, batch 1)."""
    stride_w = stride_h if stride_w is None else stride_w
    out_h = math.ceil((ifmap_h - filter_h + stride_h) / stride_h)
    out_w = math.ceil((ifmap_w - filter_w + stride_w) / stride_w)
    return out_h * out_w, filters, filter_h * filter_w * channels


def conv_total_cycles(ifmap_h: int, ifmap_w: int, filter_h: int, filter_w: int, channels: int,
                      filters: int, stride: int, rows: int, cols: int, dataflow: str = "ws") -> int:
    """SCALE-Sim's Total Cycles for a convolution layer (its topology-file parameters)."""
    m, n, k = conv_gemm_shape(ifmap_h, ifmap_w, filter_h, filter_w, channels, filters, stride)
    return gemm_total_cycles(m, n, k, rows, cols, dataflow)
