"""The CUDA backend's host code against its kernels' signatures, on any machine: every
primitive runs on a CudaBackend whose runtime is replaced by a recorder that checks each
launch instead of running it. CuPy raw kernels pass argument bytes as they are, so each
argument must have exactly the NumPy type of its C parameter (device addresses as uint64), and
the count must match; grids must fit CUDA's limits. The kernel's signature is read from
``kernels_cuda/`` by the kernel-parity test's preprocessor, the module it is looked up in must
be the family and dtype build that defines it. Values are not computed here (the GPU tests
check those)."""

from __future__ import annotations

import math
import types

import numpy as np
import pytest

from gputensor import dtypes as dt
from gputensor.devices.backend import BINARY_OPS, UNARY_OPS
from gputensor.devices.cuda import backend as cuda_backend
from gputensor.devices.cuda import conv, elementwise, fused, indexing, linalg, pooling, reduction
from gputensor.devices.cuda.array import Block, CudaArray
from gputensor.kernels import kernel_dir
from tests.devices.test_kernel_arguments import folder_signatures
from tests.devices.test_kernel_parity import _binary_pairs, _unary_pairs

KIND_TYPES = {
    "pointer": np.uint64, "i8": np.int8, "u8": np.uint8, "i16": np.int16, "u16": np.uint16, "i32": np.int32,
    "u32": np.uint32, "i64": np.int64, "u64": np.uint64, "f32": np.float32, "f64": np.float64,
}


class _Memory:
    def __init__(self, ptr: int):
        self.ptr = ptr


class RecordingRuntime:
    """Stands in for runtime.Runtime: allocates fake addresses and checks launches."""

    def __init__(self):
        self.signatures = folder_signatures(kernel_dir("cuda"), "cuda")
        self.capability = (9, 0)
        self.sm_count = 132
        self.props = {"name": "recorder", "memory": 1 << 40}
        self.next = 1 << 20
        self.launches = []

    def alloc(self, nbytes: int) -> Block:
        ptr = self.next
        self.next += -(-max(nbytes, 1) // 256) * 256
        return Block(_Memory(ptr), nbytes)

    def kernel(self, family: str, short: str, name: str, shared: int = 0):
        assert name in self.signatures, f"{name} is not defined in kernels_cuda/"
        source, kinds = self.signatures[name]
        assert source == family, f"{name} is in {source}.cu, looked up in {family}.cu"
        built_for = next(part for part in name.split("_") if part in DT)
        assert built_for == short, f"{name} looked up in the {short} build of {family}.cu"
        return types.SimpleNamespace(name=name, kinds=kinds)

    def launch(self, kernel, grid, block, args, shared: int = 0) -> None:
        grid, block = tuple(grid), tuple(block)
        assert len(args) == len(kernel.kinds), f"{kernel.name}: {len(args)} arguments for {len(kernel.kinds)}"
        for i, (arg, kind) in enumerate(zip(args, kernel.kinds)):
            got = type(arg).__name__
            assert type(arg) is KIND_TYPES[kind], f"{kernel.name} argument {i}: {got}, it takes {kind}"
        assert 1 <= len(grid) <= 3 and all(isinstance(g, int) and g >= 1 for g in grid), (kernel.name, grid)
        assert grid[0] < 2**31 and all(g <= 65535 for g in grid[1:]), (kernel.name, grid)
        assert math.prod(block) <= 1024 and all(b >= 1 for b in block), (kernel.name, block)
        assert 0 <= shared <= 227 * 1024
        self.launches.append(kernel.name)

    def synchronize(self) -> None:
        pass


def _no_io():
    return types.SimpleNamespace(
        upload=lambda rt, staging, address, host: None,
        download=lambda rt, staging, address, out: out,
        copy_d2d=lambda rt, dst, src, nbytes: None,
        zero=lambda rt, address, nbytes: None,
    )


@pytest.fixture
def b():
    backend = object.__new__(cuda_backend.CudaBackend)
    backend.index = 0
    backend.options = {}
    backend.name = "cuda:0"
    backend.tf32 = False
    backend.rt = RecordingRuntime()
    backend.staging = None
    backend._ew, backend._fused, backend._idx, backend._linalg, backend._red = (
        elementwise, fused, indexing, linalg, reduction)
    backend._conv, backend._pool = conv, pooling
    backend._io = _no_io()
    return backend


DT = {d.short: d for d in dt.ALL_DTYPES}


def test_every_unary_op_and_dtype(b):
    for op, short in _unary_pairs():
        x = b.empty((33, 5), DT[short])
        b.unary(op, x, DT[short])
        b.unary(op, b.view(x, (5, 33), (1, 5), 0), DT[short])
    assert len(b.rt.launches) == 2 * len(_unary_pairs())
    assert set(UNARY_OPS) <= {name.split("_")[0] for name in b.rt.launches} | {
        op for op in UNARY_OPS if "_" in op}


def test_every_binary_op_dtype_and_operand_form(b):
    for op, short in _binary_pairs():
        dtype = DT[short]
        x = b.empty((4, 6), dtype)
        y = b.empty((4, 6), dtype)
        scalar = True if dtype is dt.bool_ else (2 if dtype.kind != "f" else 0.5)
        b.binary(op, x, y, dtype, (4, 6))
        b.binary(op, x, scalar, dtype, (4, 6))
        b.binary(op, scalar, y, dtype, (4, 6))
        b.binary(op, x, b.empty((6,), dtype), dtype, (4, 6))
    assert {name.split("_")[0] for name in b.rt.launches} >= {op.split("_")[0] for op in BINARY_OPS}


def test_where_cast_copy_fill_arange(b):
    for src in dt.ALL_DTYPES:
        x = b.empty((3, 8), src)
        for dst in dt.ALL_DTYPES:
            b.cast(x, dst)
        b.where(b.empty((3, 8), dt.bool_), x, 0, src, (3, 8))
        b.contiguous(b.view(x, (8, 3), (1, 8), 0))
        b.copy_into(b.view(b.empty((3, 16), src), (3, 8), (16, 1), 8), x)  # 16-byte rows where aligned
        b.full((5, 7), 1, src)
        b.copy_into(b.view(b.empty((6,), src), (3,), (2,), 0), 0)
        b.arange(0, 1, 10, src)
    assert any(name.endswith("_rows") for name in b.rt.launches)


@pytest.mark.parametrize("shape,axes", [((3, 100_003), (1,)), ((5_000_001,), (0,)), ((70_000, 3), (0,)),
                                        ((5, 40_000, 3), (1,)), ((4, 5, 6), (0, 2)), ((70_000, 2, 3), (1,))])
def test_reductions_scans_and_arg_reductions(b, shape, axes):
    for dtype in dt.ALL_DTYPES:
        x = b.empty(shape, dtype)
        for op in ("sum", "prod", "max", "min"):
            b.reduce(op, x, axes, False, dtype)
        b.arg_reduce("argmax", x, axes[0], False)
        b.scan("sum", x, axes[0], dtype)


@pytest.mark.parametrize("dtype", [dt.float32, dt.float64, dt.float16, dt.bfloat16, dt.int32, dt.bool_])
def test_matmul_paths(b, dtype):
    a = b.empty((2, 64, 40), dtype)
    w = b.empty((40, 72), dtype)
    b.matmul(a, w, dtype)
    b.matmul(b.view(a, (2, 40, 64), (2560, 1, 40), 0), b.view(w, (72, 40), (1, 72), 0), dtype)  # transposed
    b.matmul(b.view(w, (20, 36), (144, 2), 0), b.view(w, (36, 20), (2, 144), 0), dtype)  # odd strides
    b.matmul(b.empty((70_000, 1, 3, 2), dtype), b.empty((2, 5), dtype), dtype)  # batches in slabs
    if dtype.kind == "f":
        b.matmul_mixed(a, w, dtype, dt.float32 if dtype.itemsize <= 4 else dtype, "high")
    names = set(b.rt.launches)
    if dtype in (dt.float16, dt.bfloat16):
        assert any("_mma_" in n for n in names)
    if dtype is dt.float32:
        assert any("_simt_" in n for n in names) and any("_tf32_" in n for n in names)


def test_indexing_random_sorting(b):
    for dtype in dt.ALL_DTYPES:
        x = b.empty((70_000, 3, 4), dtype)
        idx = b.empty((7,), dt.int64)
        b.gather(x, idx, 1)
        b.scatter(x, idx, b.empty((70_000, 7, 4), dtype), 1)
        b.scatter(x, idx, 0, 1)
        b.scatter_add((5, 4), b.empty((100,), dt.int64), b.empty((100, 4), dtype), 0, dtype)
        b.nonzero(x)
        b.sort(b.empty((3, 1000), dtype), 1, False)
        b.sort(b.empty((100, 3), dtype), 0, True)
        b.searchsorted(b.empty((50,), dtype), b.empty((3, 4), dtype), "right")
        if dtype.kind == "f":
            b.random("uniform", (5, 7), dtype, (1, 2), 3)
            b.random("normal", (5, 7), dtype, (1, 2), 2**64 - 1)
        elif dtype.kind in "iu":
            b.random("integers", (5, 7), dtype, (1, 2), 3, -3, 9)
    assert any(n.endswith("_atomic") for n in b.rt.launches)


def test_fused_primitives(b):
    for dtype in (dt.float16, dt.bfloat16, dt.float32, dt.float64):
        x = b.empty((6, 70, 3), dtype)
        for axis in (0, 1, 2):
            b.softmax(x, axis)
            b.log_softmax(x, axis)
        loss, lse = b.softmax_cross_entropy(b.empty((9, 70), dtype), b.empty((9,), dt.int64))
        b.softmax_cross_entropy_backward(b.empty((9, 70), dtype), b.empty((9,), dt.int64), lse, loss)
        b.fma(b.empty((10,), dtype), b.empty((10,), dtype), b.empty((10,), dtype))
        y = b.conv2d(b.empty((2, 4, 9, 8), dtype), b.empty((6, 2, 3, 3), dtype), ((1, 0), (2, 1)), (2, 1),
                     (1, 2), 2)
        assert y.shape == (2, 6, 4, 7) and y.dtype is dtype
        for kind in ("max", "sum"):
            x, pads = b.empty((2, 3, 9, 8), dtype), ((1, 1), (0, 1))
            y = b.pool2d(kind, x, (3, 2), (2, 2), (1, 2), pads)
            assert y.shape == (2, 3, 5, 4) and y.dtype is dtype
            gx = b.pool2d_backward(kind, x, y, b.empty(y.shape, dtype), (3, 2), (2, 2), (1, 2), pads)
            assert gx.shape == x.shape and gx.dtype is dtype
    assert b.conv2d(b.empty((1, 1, 3, 3), dt.int32), b.empty((1, 1, 2, 2), dt.int32), ((0, 0), (0, 0)),
                    (1, 1), (1, 1), 1) is None
    for dtype in (dt.int8, dt.int32, dt.int64, dt.uint8):
        x, pads = b.empty((1, 2, 4, 4), dtype), ((0, 0), (0, 0))
        assert b.pool2d("max", x, (2, 2), (2, 2), (1, 1), pads).shape == (1, 2, 2, 2)
        assert b.pool2d("sum", x, (2, 2), (2, 2), (1, 1), pads) is None
    hypers = {
        "sgd": ({"lr": 0.1, "momentum": 0.9, "nesterov": True}, 1),
        "rmsprop": ({"lr": 0.1, "rho": 0.9, "momentum": 0.5, "epsilon": 1e-7, "centered": True}, 3),
        "adam": ({"lr": 0.1, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}, 2),
        "adagrad": ({"lr": 0.1, "epsilon": 1e-7}, 1),
    }
    for dtype in (dt.float32, dt.float64):
        for rule, (hyper, slots) in hypers.items():
            shapes = [(100,), (3, 5000)]
            variables = [b.empty(s, dtype) for s in shapes]
            grads = [b.empty(s, dtype) for s in shapes]
            own = [tuple(b.empty(s, dtype) for _ in range(slots)) for s in shapes]
            assert b.optimizer_update(rule, variables[0], grads[0], own[0], hyper)
            assert b.optimizer_update_many(rule, variables, grads, own, hyper)
    assert not b.optimizer_update("adam", b.empty((4,), dt.bfloat16), b.empty((4,), dt.bfloat16), (), {})


def test_the_recorder_catches_a_wrong_argument_type(b):
    kernel = b.rt.kernel("unary", "f32", "exp_f32")
    x = b.empty((4,), dt.float32)
    with pytest.raises(AssertionError, match="argument 4: int, it takes i64"):
        b.rt.launch(kernel, (1,), (256,), (x.buffer, np.int64(0), x.buffer, np.int64(0), 4))
    assert isinstance(x, CudaArray)
