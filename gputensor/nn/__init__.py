"""Neural-network building blocks: ``gputensor.nn.functional`` (stateless ops)."""

from . import functional

__all__ = ["functional"]
