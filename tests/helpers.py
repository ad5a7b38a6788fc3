"""The one helper that checks an op: forward against NumPy in float64, first and second
derivatives against central differences, on a given device.

>>> check_op(gt.exp, np.exp, [np.array([0.5, -1.0])], device)          # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

import gputensor as gt

# Forward tolerances per dtype (relative, absolute): float32 accumulation and the last bits
# of transcendental functions differ between NumPy and device kernels.
TOLERANCES = {
    gt.float64: (1e-10, 1e-12),
    gt.float32: (2e-5, 1e-6),
    gt.float16: (2e-3, 1e-3),
    gt.bfloat16: (1.6e-2, 1e-2),
}


def tolerance(dtype, rtol=None, atol=None):
    r, a = TOLERANCES.get(dtype, (0.0, 0.0))
    return (r if rtol is None else rtol), (a if atol is None else atol)


def to_device(arrays, device, dtype=None):
    out = []
    for a in arrays:
        if isinstance(a, np.ndarray):
            target = dtype if (dtype is not None and a.dtype.kind == "f") else None
            out.append(gt.asarray(a if target is None else a.astype(target.np), device=device))
        else:
            out.append(a)
    return out


def assert_close(actual, expected, dtype=None, rtol=None, atol=None, what="value"):
    """Compare a tensor (or list/tuple of tensors) with NumPy values, NaNs equal."""
    if isinstance(actual, (list, tuple)):
        assert len(actual) == len(expected), f"{what}: {len(actual)} outputs, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, dtype, rtol, atol, f"{what}[{i}]")
        return
    got = actual.numpy() if isinstance(actual, gt.Tensor) else np.asarray(actual)
    exp = np.asarray(expected)
    assert got.shape == exp.shape, f"{what}: shape {got.shape}, expected {exp.shape}"
    dtype = dtype or (actual.dtype if isinstance(actual, gt.Tensor) else None)
    r, a = tolerance(dtype, rtol, atol)
    if got.dtype.kind in "biu" and exp.dtype.kind in "biu":
        np.testing.assert_array_equal(got, exp, err_msg=what)
        return
    np.testing.assert_allclose(got.astype(np.float64), exp.astype(np.float64), rtol=r, atol=a,
                               equal_nan=True, err_msg=what)


def check_op(gt_fn, np_fn, inputs, device, *, dtypes=(gt.float32, gt.float64), grad=True,
             gradgrad=True, rtol=None, atol=None, grad_atol=1e-5, grad_rtol=1e-3, eps=1e-6,
             wrt=None):
    """Check ``gt_fn`` against ``np_fn`` on ``device``.

    ``inputs`` are NumPy arrays (floating ones are cast to each dtype in ``dtypes``) or other
    arguments passed through. The forward is compared in every dtype the device supports with
    a float64 NumPy reference; gradients (and second derivatives when ``gradgrad``) are
    checked in float64 against central differences.
    """
    reference = np_fn(*[a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                        for a in inputs])
    for dtype in dtypes:
        if dtype not in device.backend.dtypes:
            continue
        args = to_device(inputs, device, dtype)
        out = gt_fn(*args)
        assert_close(out, reference, dtype if _floating(inputs) else None, rtol, atol,
                     what=f"{getattr(gt_fn, '__name__', 'op')} forward in {dtype} on {device}")
    if not grad or gt.float64 not in device.backend.dtypes:
        return
    args = to_device(inputs, device, gt.float64)
    gt.testing.gradcheck(gt_fn, args, eps=eps, atol=grad_atol, rtol=grad_rtol, wrt=wrt)
    if gradgrad:
        gt.testing.gradgradcheck(gt_fn, args, eps=eps, atol=grad_atol, rtol=grad_rtol, wrt=wrt)


def _floating(inputs) -> bool:
    return any(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in inputs)
