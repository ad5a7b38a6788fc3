"""Thread-local autograd state: whether ops record, and which GradientTapes are open.

>>> import gputensor as gt
>>> with gt.no_grad():
...     gt.is_grad_enabled()
False
"""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True

    def __init__(self):
        self.tapes = []


state = _State()


def is_grad_enabled() -> bool:
    """Whether ops on tensors that require gradients are being recorded."""
    return state.enabled


class set_grad_enabled:
    """Turn recording on or off, as a context manager or a decorator.

    >>> import gputensor as gt
    >>> with gt.set_grad_enabled(False):
    ...     gt.is_grad_enabled()
    False
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev = []

    def __enter__(self):
        self.prev.append(state.enabled)
        state.enabled = self.mode
        return self

    def __exit__(self, *exc):
        state.enabled = self.prev.pop()

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """Ops inside do not record history (inference, optimizer updates).

    >>> import gputensor as gt
    >>> w = gt.ones(2).requires_grad_()
    >>> with gt.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """

    def __init__(self):
        super().__init__(False)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(set_grad_enabled):
    """Ops inside record history even within ``no_grad``."""

    def __init__(self):
        super().__init__(True)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with enable_grad():
                return fn(*args, **kwargs)

        return wrapper
