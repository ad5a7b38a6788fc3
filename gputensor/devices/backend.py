"""The device interface: the closed set of primitives every backend implements.

A backend works on *native arrays*: its own handle for a strided view of device memory (for the
CPU backend a ``numpy.ndarray``; for OpenCL a buffer plus shape, strides and offset). The front
end has already checked every argument when a primitive is called: shapes broadcast, axes are
normalized and non-negative, dtypes are ones the backend listed in ``dtypes``, and every native
array belongs to this backend. A primitive therefore never validates user input; it only
computes.

Conventions shared by all primitives:

- Native arrays expose ``shape`` (a tuple of ints), so data-dependent results (``nonzero``)
  tell the front end their size.
- ``shape`` and ``strides`` are tuples of ints; strides and offsets count *elements*, not bytes,
  and may be zero (broadcast) or negative (reversed views).
- Elementwise primitives take inputs whose shapes broadcast to ``shape``; a backend may expand
  them through zero strides, never by materializing copies.
- A Python scalar may stand in for a tensor operand of ``binary`` and ``where``; it is already of
  the result's Python type (``int``, ``float`` or ``bool``).
- Results are new contiguous native arrays unless an ``out`` native array is given; ``out`` may
  be any strided view of the result's dtype and shape.

Optional fused primitives (``softmax``, ``conv2d``, ``optimizer_update``, ...) are looked up with
``getattr(backend, name, None)`` by the ops that can use them; the composed version is the
reference.

``fma(a, b, c) -> array | None``: ``a * b + c`` rounded once (IEEE fused multiply-add, in the
compute type: float for the 16-bit types), one pass over memory, for C-contiguous floating
native arrays of one shape and dtype; None declines (the caller multiplies, then adds).

``softmax_cross_entropy(logits, labels) -> (loss, lse) | None``: for (N, K) floating logits
and (N,) int64 labels in [0, K) (the caller checks), ``lse = log(sum(exp(logits), axis=1))``
and ``loss = lse - logits[i, labels[i]]``, both (N,) in the accumulation dtype (float32 for
the 16-bit floats); ``softmax_cross_entropy_backward(logits, labels, lse, gloss) -> grad``:
``(softmax(logits) - onehot(labels)) * gloss[:, None]`` in the logits' dtype (``gloss`` may be
any strided (N,) array). gputensor/nn/class_targets.py uses them for class-index targets.

``optimizer_update_many(rule, params, grads, slots, hyper) -> bool``: ``optimizer_update`` for
many variables of one dtype at once (lists; ``slots`` a list of tuples); False declines and
updates nothing.

``optimizer_update(rule, param, grad, slots, hyper) -> bool`` updates one variable in place.
``param``, ``grad`` and every slot are C-contiguous native arrays of one shape and floating
dtype; ``param`` and ``slots`` are overwritten, ``grad`` is only read. ``hyper`` holds Python
numbers (the step's learning rate already scheduled and, for Adam, bias-corrected). Return
False to decline (an unsupported rule or dtype): the caller then runs the composed ops of
:mod:`gputensor.nn.optimizers.rules`, whose operation order the fused version follows:

- ``"sgd"``, slots ``()`` or ``(m,)``, hyper ``lr, momentum, nesterov``:
  ``p -= g * lr``; with momentum ``m = m * momentum - g * lr``, then ``p += m``, or with
  nesterov ``p -= g * lr; p += m * momentum``;
- ``"rmsprop"``, slots ``(v, [a if centered], [m if momentum > 0])``, hyper ``lr, rho,
  momentum, epsilon, centered``: ``v = v * rho + (g * g) * (1 - rho)``; centered:
  ``a = a * rho + g * (1 - rho)``, ``d = (v - a * a) + epsilon``, else ``d = v + epsilon``;
  ``inc = (g / sqrt(d)) * lr``; ``p -= inc``, or with momentum ``m = m * momentum + inc;
  p -= m``;
- ``"adam"``, slots ``(m, v, [v_hat if amsgrad])``, hyper ``lr, beta_1, beta_2, epsilon,
  amsgrad``: ``m += (g - m) * (1 - beta_1)``; ``v += (g * g - v) * (1 - beta_2)``; amsgrad:
  ``v_hat = max(v_hat, v)`` used for ``v``; ``p -= (m / (sqrt(v) + epsilon)) * lr``;
- ``"adagrad"``, slots ``(acc,)``, hyper ``lr, epsilon``: ``acc += g * g``;
  ``p -= (g / sqrt(acc + epsilon)) * lr``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

# The elementwise op names a backend must understand; ops.h / ops.cuh define each once.
UNARY_OPS = (
    "negative", "positive", "abs", "sign", "signbit", "square", "sqrt", "rsqrt", "reciprocal",
    "exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf", "sigmoid", "floor", "ceil", "trunc",
    "round", "isnan", "isinf", "isfinite", "logical_not", "bitwise_invert",
)
BINARY_OPS = (
    "add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow", "maximum",
    "minimum", "atan2", "hypot", "copysign", "nextafter", "logaddexp", "equal", "not_equal",
    "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
)
REDUCE_OPS = ("sum", "prod", "max", "min")
ARG_REDUCE_OPS = ("argmax", "argmin")
SCAN_OPS = ("sum", "prod")
RANDOM_KINDS = ("uniform", "normal", "integers")

# The primitive methods; the kernel-parity test checks each against every backend's kernels.
PRIMITIVES = (
    "empty", "from_host", "to_host", "view", "contiguous", "copy_into", "full", "arange",
    "unary", "binary", "where", "cast", "reduce", "arg_reduce", "scan", "matmul", "gather",
    "scatter_add", "scatter", "random", "sort", "searchsorted", "nonzero",
)


@dataclass
class DeviceInfo:
    """One device a backend found (or failed to use), as ``python -m gputensor info`` lists it."""

    name: str
    usable: bool
    description: str = ""
    reason: str = ""
    details: dict = field(default_factory=dict)


class Backend(ABC):
    """Base class of backends. Subclasses implement every abstract method.

    Class attributes a subclass sets:

    - ``type``: the device-string prefix (``"cpu"``, ``"opencl"``, ...);
    - ``dtypes``: the DTypes this device can hold and compute;
    - ``host_memory``: True when native arrays live in host memory (NumPy can view them).
    """

    type: str = ""
    dtypes: frozenset = frozenset()
    host_memory: bool = False

    def __init__(self, index: int = 0, **options):
        self.index = index
        self.options = options

    # --- discovery ---------------------------------------------------------------------
    @classmethod
    @abstractmethod
    def probe(cls) -> list[DeviceInfo]:
        """Every device of this type, usable or not; unusable ones say why."""

    def describe(self) -> str:
        """A one-line description of this device (name, memory)."""
        return f"{self.type}:{self.index}"

    # --- memory ------------------------------------------------------------------------
    @abstractmethod
    def empty(self, shape, dtype):
        """A new contiguous array with unspecified contents."""

    @abstractmethod
    def from_host(self, array):
        """Copy a NumPy array (any layout) into a new contiguous device array."""

    @abstractmethod
    def to_host(self, x):
        """A NumPy array with the values of the view ``x`` (waits for pending work)."""

    @abstractmethod
    def view(self, root, shape, strides, offset):
        """A view of ``root``'s memory with the given element strides and offset."""

    @abstractmethod
    def contiguous(self, x):
        """Strided copy: a new contiguous array with the values of ``x``."""

    @abstractmethod
    def copy_into(self, dst, src):
        """Write ``src`` (a native array broadcastable to ``dst`` or a scalar) into view ``dst``."""

    def memory_stats(self) -> dict:
        """Bytes in use and held by the pool, allocation counts."""
        return {}

    def empty_cache(self) -> None:  # noqa: B027  (optional: backends without a pool keep it)
        """Return pooled, unused memory to the system."""

    def synchronize(self) -> None:  # noqa: B027  (optional: synchronous backends keep it)
        """Wait until every queued operation on this device has finished."""

    # --- creation ----------------------------------------------------------------------
    @abstractmethod
    def full(self, shape, value, dtype):
        """A new contiguous array of ``shape`` filled with the Python scalar ``value``."""

    @abstractmethod
    def arange(self, start, step, n, dtype):
        """``start + step * i`` for ``i`` in ``range(n)``, computed in ``dtype``."""

    # --- elementwise -------------------------------------------------------------------
    @abstractmethod
    def unary(self, op, x, dtype, out=None):
        """``op`` (one of UNARY_OPS) of ``x``, result in ``dtype``."""

    @abstractmethod
    def binary(self, op, a, b, dtype, shape, out=None):
        """``op`` (one of BINARY_OPS) of ``a`` and ``b`` broadcast to ``shape``; inputs are
        already of the computation dtype (comparisons: the promoted input dtype; result bool)."""

    @abstractmethod
    def where(self, cond, a, b, dtype, shape):
        """``a`` where the bool array ``cond`` is true, else ``b``; all broadcast to ``shape``."""

    @abstractmethod
    def cast(self, x, dtype):
        """A new contiguous array with ``x`` converted to ``dtype`` (NumPy's casting rules;
        float to bfloat16 rounds to nearest even)."""

    # --- reductions and scans ----------------------------------------------------------
    @abstractmethod
    def reduce(self, op, x, axes, keepdims, dtype):
        """``op`` (one of REDUCE_OPS) over ``axes`` (sorted, non-negative), result in ``dtype``."""

    @abstractmethod
    def arg_reduce(self, op, x, axis, keepdims):
        """Index (int64) of the first max/min along ``axis``; NaN counts as the extreme."""

    @abstractmethod
    def scan(self, op, x, axis, dtype):
        """Inclusive cumulative ``op`` (one of SCAN_OPS) along ``axis``."""

    # --- linear algebra ----------------------------------------------------------------
    @abstractmethod
    def matmul(self, a, b, dtype):
        """Batched ``a @ b``: ``(..., M, K) @ (..., K, N)`` with broadcast batch axes.
        Transposed operands arrive as strided views; a backend must not require a copy."""

    # --- indexing ----------------------------------------------------------------------
    @abstractmethod
    def gather(self, x, index, axis):
        """``numpy.take(x, index, axis)``: indices are int64 and already in range."""

    @abstractmethod
    def scatter_add(self, shape, index, values, axis, dtype):
        """Zeros of ``shape``, then ``values`` added at ``index`` along ``axis`` (duplicates add)."""

    @abstractmethod
    def scatter(self, dst, index, values, axis):
        """In place: ``dst`` along ``axis`` at ``index`` takes ``values`` (broadcastable)."""

    # --- random ------------------------------------------------------------------------
    @abstractmethod
    def random(self, kind, shape, dtype, key, counter, low=0, high=1):
        """Philox-4x32-10 numbers: ``uniform`` in [0, 1), ``normal`` (Box-Muller) or
        ``integers`` in [low, high). ``key`` is two uint32 words; ``counter`` the first block."""

    # --- sorting and searching ---------------------------------------------------------
    @abstractmethod
    def sort(self, x, axis, descending):
        """Stable sort along ``axis``: (values, int64 indices). NaNs sort last."""

    @abstractmethod
    def searchsorted(self, sorted_1d, values, side):
        """int64 insertion points of ``values`` into the ascending 1-D ``sorted_1d``;
        ``side`` is ``"left"`` or ``"right"`` as in NumPy."""

    @abstractmethod
    def nonzero(self, x):
        """int64 array of shape (ndim, count) with the coordinates of non-zero elements."""
