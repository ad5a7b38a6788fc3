"""Tape-based automatic differentiation: graph nodes, the backward walk, GradientTape and
``backward()``, function transforms (``grad``), and the recording state."""

from .functional import grad, value_and_grad
from .state import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tape import GradientTape, backward

__all__ = [
    "GradientTape", "backward", "enable_grad", "grad", "is_grad_enabled", "no_grad",
    "set_grad_enabled", "value_and_grad",
]
