"""The one helper that checks an op: forward against NumPy in float64, first and second
derivatives against central differences, on a given device, for contiguous inputs and for
non-contiguous views of the same values.

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

FLOATS = (gt.float16, gt.bfloat16, gt.float32, gt.float64)

# How an input is laid out in device memory. Every layout holds the same values; all but
# "contiguous" are views built with gputensor's own view ops (permute, stepped and negative
# slices), and NumPy inputs with zero strides (np.broadcast_to) become gt.broadcast_to views.
LAYOUTS = ("contiguous", "transposed", "strided", "reversed")


def broadcast_along(a: np.ndarray, axes) -> np.ndarray:
    """``a`` with its values along ``axes`` replaced by the first ones, as a zero-stride
    broadcast view (``device_array`` turns it into a ``gt.broadcast_to`` view)."""
    key = tuple(slice(0, 1) if i in axes else slice(None) for i in range(a.ndim))
    return np.broadcast_to(a[key], a.shape)


def tolerance(dtype, rtol=None, atol=None):
    r, a = TOLERANCES.get(dtype, (0.0, 0.0))
    return (r if rtol is None else rtol), (a if atol is None else atol)


def _broadcast_base(a: np.ndarray):
    """The smallest array that broadcasts to ``a`` along its zero-stride axes."""
    key = tuple(slice(0, 1) if s == 0 and n > 1 else slice(None) for n, s in zip(a.shape, a.strides))
    return np.array(a[key], order="C") if key else np.array(a)


def device_array(a: np.ndarray, device, dtype=None, layout: str = "contiguous") -> gt.Tensor:
    """``a`` (cast to ``dtype`` when floating) as a tensor on ``device`` laid out as ``layout``."""
    if dtype is not None and a.dtype.kind == "f":
        a = a.astype(dtype.np)
    base = _broadcast_base(a)
    t = _laid_out(base, device, layout)
    if base.shape != a.shape:
        t = gt.broadcast_to(t, a.shape)
    return t


def _laid_out(a: np.ndarray, device, layout: str) -> gt.Tensor:
    if layout == "contiguous" or a.ndim == 0:
        return gt.asarray(np.array(a, order="C"), device=device)
    if layout == "transposed":
        rev = tuple(range(a.ndim - 1, -1, -1))
        return gt.asarray(np.ascontiguousarray(a.transpose(rev)), device=device).permute(rev)
    if layout == "strided":
        # values at odd positions of a buffer twice as large (plus one) along every axis
        big = np.full(tuple(2 * n + 1 for n in a.shape), 7, dtype=a.dtype)
        big[(slice(1, None, 2),) * a.ndim] = a
        return gt.asarray(big, device=device)[(slice(1, None, 2),) * a.ndim]
    if layout == "reversed":
        flipped = np.ascontiguousarray(a[(slice(None, None, -1),) * a.ndim])
        return gt.asarray(flipped, device=device)[(slice(None, None, -1),) * a.ndim]
    raise ValueError(f"unknown layout {layout!r}")


def to_device(arrays, device, dtype=None, layout: str = "contiguous"):
    out = []
    for a in arrays:
        if isinstance(a, np.ndarray):
            out.append(device_array(a, device, dtype, layout))
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


def _rounded(inputs, dtype):
    """The inputs as the op sees them in ``dtype``, widened to float64 for the reference."""
    out = []
    for a in inputs:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            a = a.astype(dtype.np).astype(np.float64) if dtype is not None else a.astype(np.float64)
        out.append(a)
    return out


def _check_dtype(out, expected, dtype, name):
    outs = out if isinstance(out, (list, tuple)) else [out]
    for o in outs:
        if not isinstance(o, gt.Tensor):
            continue
        want = expected(dtype) if callable(expected) else expected
        if want is None:
            if dtype is None or o.dtype.kind != "f":
                continue
            want = dtype
        assert o.dtype is want, f"{name}: result dtype {o.dtype}, expected {want} (inputs in {dtype})"


def check_op(gt_fn, np_fn, inputs, device, *, dtypes=(gt.float32, gt.float64), grad=True,
             gradgrad=True, rtol=None, atol=None, grad_atol=1e-5, grad_rtol=1e-3, eps=1e-6,
             wrt=None, layouts=("contiguous",), out_dtype=None):
    """Check ``gt_fn`` against ``np_fn`` on ``device``.

    ``inputs`` are NumPy arrays (floating ones are cast to each dtype in ``dtypes``) or other
    arguments passed through. The forward is compared in every dtype the device supports with
    a float64 NumPy reference computed from the inputs rounded to that dtype; every result's
    dtype must be ``out_dtype`` (a DType, or a function of the input dtype; by default floating
    results keep the floating input dtype). Each layout in ``layouts`` (see ``LAYOUTS``) feeds
    the op the same values through differently strided views. Gradients (and second
    derivatives when ``gradgrad``) are checked in float64 against central differences, for
    every layout.
    """
    name = getattr(gt_fn, "__name__", "op")
    floating = _floating(inputs)
    for layout in layouts:
        for dtype in (dtypes if floating else (None,)):
            if dtype is not None and dtype not in device.backend.dtypes:
                continue
            reference = np_fn(*_rounded(inputs, dtype))
            args = to_device(inputs, device, dtype, layout)
            _check_layout(args, inputs, layout)
            out = gt_fn(*args)
            _check_dtype(out, out_dtype, dtype, name)
            _check_flat(out, name)
            assert_close(out, reference, dtype, rtol, atol,
                         what=f"{name} forward in {dtype} ({layout}) on {device}")
        if not grad or not floating or gt.float64 not in device.backend.dtypes:
            continue
        args = to_device(inputs, device, gt.float64, layout)
        gt.testing.gradcheck(gt_fn, args, eps=eps, atol=grad_atol, rtol=grad_rtol, wrt=wrt)
        if gradgrad:
            gt.testing.gradgradcheck(gt_fn, args, eps=eps, atol=grad_atol, rtol=grad_rtol, wrt=wrt)


def _check_flat(out, name):
    """A result's recorded layout must match its memory: flattening it through gputensor
    (a view or a copy) gives the values in C order."""
    for o in (out if isinstance(out, (list, tuple)) else [out]):
        if isinstance(o, gt.Tensor):
            np.testing.assert_array_equal(gt.reshape(o, (-1,)).numpy(), o.numpy().reshape(-1),
                                          err_msg=f"{name}: flattened result differs from its values")


def _check_layout(args, inputs, layout):
    """Guard against a vacuous layout: a view layout must give a non-contiguous tensor."""
    if layout == "contiguous":
        return
    needed = 2 if layout == "transposed" else 1  # axes longer than 1 that a view can reorder
    for t, a in zip(args, inputs):
        if isinstance(t, gt.Tensor) and a.size and sum(n > 1 for n in a.shape) >= needed:
            assert not t.is_contiguous, f"layout {layout!r} gave a contiguous tensor of shape {t.shape}"


def _floating(inputs) -> bool:
    return any(isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in inputs)


def devices_where(predicate) -> list:
    """Names of the devices under test whose backend satisfies ``predicate`` (for tests of a
    capability only some backends have; parametrize over ``names or ["none"]`` with a skipif
    on the empty list)."""
    from tests.conftest import DEVICES

    return [name for name in DEVICES if predicate(gt.device(name).backend)]


def second_device():
    """A second device for mixed-device tests: a test-only copy of the NumPy backend
    registered under the type ``cpu2``."""
    from gputensor.devices.numpy_backend import NumpyBackend

    if "cpu2" not in gt.devices.backend_types():
        class SecondCPU(NumpyBackend):
            type = "cpu2"

        gt.devices.register_backend("cpu2", SecondCPU)
    return gt.device("cpu2:0")


def limited_device():
    """A test-only CPU device that, like some accelerators, lacks float64 and bfloat16."""
    from gputensor.devices.numpy_backend import NumpyBackend

    if "cpulimited" not in gt.devices.backend_types():
        class LimitedCPU(NumpyBackend):
            type = "cpulimited"
            dtypes = frozenset(NumpyBackend.dtypes - {gt.float64, gt.bfloat16})

        gt.devices.register_backend("cpulimited", LimitedCPU)
    return gt.device("cpulimited:0")
