"""Inverted dropout, with masks drawn from gputensor's Philox generator."""

from __future__ import annotations

from .. import dtypes as dt
from ..errors import ArgumentTypeError
from ..ops.core import Tensor
from ..ops.elementwise import astype
from ..ops.random import Generator, default_generator
from .checks import float_tensor, number_in


def dropout(
    x: Tensor, p: float = 0.5, training: bool = True, *, generator: Generator | None = None
) -> Tensor:
    """Zero each element with probability ``p`` and scale the survivors by ``1 / (1 - p)``, so
    the expected value is unchanged (inverted dropout). Outside training it returns ``x``.

    The mask is drawn as float32 uniforms ``u`` from ``generator`` (the default generator, seeded
    by ``gt.manual_seed``, when None) and keeps ``u >= p``: the same seed gives the same mask on
    every device and for every dtype of ``x``. ``p=1`` gives zeros.

    Examples
    --------
    >>> import gputensor as gt
    >>> y = gt.nn.functional.dropout(gt.ones(1000), p=0.25, generator=gt.Generator(0))
    >>> sorted({round(v, 4) for v in y.tolist()})
    [0.0, 1.3333]
    >>> gt.nn.functional.dropout(gt.ones(2), p=0.25, training=False).tolist()
    [1.0, 1.0]
    """
    op = "dropout"
    x = float_tensor(op, "x", x)
    p = number_in(op, "p", p, 0.0, 1.0)
    if not isinstance(training, bool):
        raise ArgumentTypeError(f"{op}: training must be a bool, got {training!r}")
    if generator is not None and not isinstance(generator, Generator):
        raise ArgumentTypeError(
            f"{op}: generator must be a gt.Generator or None, got {type(generator).__name__}"
        )
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    source = default_generator if generator is None else generator
    u = source.random(x.shape, dtype=dt.float32, device=x.device)
    scale = astype(u >= p, x.dtype) * (1.0 / (1.0 - p))
    return x * scale
