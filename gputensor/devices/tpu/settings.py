"""TPU-wide settings: the matmul precision (per device, per thread, per call) and the x64 policy.

The precision a TPU matmul or conv uses is, first to last: the op's ``precision=`` argument,
the innermost ``with gt.tpu.precision(...)``, the device's ``precision=`` option, the global
default (:func:`set_default_precision`, initially ``"default"``).
"""

from __future__ import annotations

import sys
import threading
import warnings

from ... import dtypes as dt
from ...errors import ArgumentValueError, UnsupportedDTypeError

X64_POLICIES = ("downcast", "error")
NARROW = {dt.float64: dt.float32, dt.int64: dt.int32}


class _Local(threading.local):
    def __init__(self):
        self.stack = []


_local = _Local()
_global = {"precision": "default"}
_warned: set = set()


def canonical(precision) -> str | None:
    """One of None, "default", "high", "highest" for any accepted spelling."""
    from ...ops.linalg import canonical_precision

    return canonical_precision(precision, "tpu")


def set_default_precision(precision) -> None:
    """Set the process-wide default matmul/conv precision of TPU devices.

    >>> import gputensor as gt
    >>> gt.tpu.set_default_precision("highest"); gt.tpu.set_default_precision("default")
    """
    value = canonical(precision)
    _global["precision"] = value or "default"


def default_precision() -> str:
    return _global["precision"]


class precision:
    """Use ``precision`` for TPU matmuls and convolutions in this thread (a context manager,
    like ``jax.default_matmul_precision``).

    >>> import gputensor as gt
    >>> with gt.tpu.precision("highest"):
    ...     gt.tpu.current_precision()
    'highest'
    """

    def __init__(self, value):
        self.value = canonical(value)

    def __enter__(self):
        _local.stack.append(self.value)
        return self

    def __exit__(self, *exc) -> None:
        _local.stack.pop()


def context_precision() -> str | None:
    """The innermost ``with gt.tpu.precision(...)`` value in this thread, or None."""
    stack = _local.stack
    return stack[-1] if stack else None


def check_x64(policy: str) -> str:
    if policy not in X64_POLICIES:
        raise ArgumentValueError(f"tpu: x64 must be one of {X64_POLICIES}, got {policy!r}")
    return policy


# Modules a user's call passes through before the dtype check: a 64-bit request made from user
# code through them is explicit; one made from anywhere else in gputensor is internal.
_FRONT_DOORS = (
    "gputensor.devices", "gputensor.ops.elementwise", "gputensor.ops.creation",
    "gputensor.ops.transfer", "gputensor.tensor", "gputensor.tensor_methods",
)


def apply_x64(op: str, dtype, policy: str, label: str) -> bool:
    """The x64 policy for a 64-bit dtype asked of a TPU device. True: use its 32-bit type (after
    warning once); raises under ``"error"``; False for dtypes the policy does not cover.

    float64 follows the policy whenever user code asks for it. int64 is the front end's index
    and default integer type: on the TPU it is int32, silently, except for integer *data* that
    user code moves onto the device (``asarray``/``tensor``/``to`` with int64 values), which
    follows the policy. Requests made inside gputensor (an op's index arithmetic, a Python list
    operand) are never warned about."""
    target = NARROW.get(dtype)
    if target is None:
        return False
    if dtype is dt.int64 and op not in ("asarray", "to"):
        return True
    if not _from_user_code():
        return True
    if policy == "error":
        raise UnsupportedDTypeError(
            f"{op}: {label} has no 64-bit hardware and its x64 policy is 'error': {dtype} was asked "
            f"for; convert to {target} first (x.astype(gt.{target.name})), or create the device "
            "with x64='downcast'"
        )
    key = dtype.name
    if key not in _warned:
        _warned.add(key)
        warnings.warn(
            f"{op}: {dtype} is not available on {label} (no 64-bit hardware); using {target}. "
            "Pass x64='error' to gt.device(...) to raise instead.",
            UserWarning,
            stacklevel=_user_stacklevel(),
        )
    return True


def _from_user_code() -> bool:
    """Whether the op checking a dtype was called by user code (not by gputensor itself)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not name.startswith("gputensor"):
            return True
        if not name.startswith(_FRONT_DOORS):
            return False
        frame = frame.f_back
    return True


def _user_stacklevel() -> int:
    """The stack level of the first caller outside gputensor (where the warning should point)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("gputensor"):
        frame = frame.f_back
        level += 1
    return level
