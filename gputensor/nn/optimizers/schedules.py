"""Learning-rate schedules: functions of the optimizer's step count, evaluated on the host.

>>> import gputensor as gt
>>> s = gt.nn.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> s(0), s(10), round(s(5), 4)
(0.1, 0.05, 0.0707)
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from ...errors import ArgumentValueError


class LearningRateSchedule(ABC):
    """Base class: ``schedule(step) -> float``."""

    @abstractmethod
    def __call__(self, step: int) -> float:
        """The learning rate at ``step``."""

    @abstractmethod
    def get_config(self) -> dict:
        """The constructor arguments, for ``from_config``."""

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent floored
    with ``staircase``)."""

    def __init__(
        self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False
    ):
        if decay_steps <= 0:
            raise ArgumentValueError(f"ExponentialDecay: decay_steps must be positive, got {decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = bool(staircase)

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate**p

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including step ``boundaries[0]``, ``values[1]`` up to
    ``boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    >>> import gputensor as gt
    >>> s = gt.nn.optimizers.schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> s(10), s(11), s(100)
    (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values):
        if len(values) != len(boundaries) + 1:
            raise ArgumentValueError(
                f"PiecewiseConstantDecay: needs one more value than boundaries, got {len(boundaries)} "
                f"boundaries and {len(values)} values"
            )
        if list(boundaries) != sorted(boundaries):
            raise ArgumentValueError(f"PiecewiseConstantDecay: boundaries must increase, got {boundaries}")
        self.boundaries = [int(b) for b in boundaries]
        self.values = [float(v) for v in values]

    def __call__(self, step):
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` to ``alpha * initial_learning_rate`` over
    ``decay_steps`` (after an optional linear warm-up to ``warmup_target`` over
    ``warmup_steps``).

    >>> import gputensor as gt
    >>> s = gt.nn.optimizers.schedules.CosineDecay(1.0, decay_steps=100)
    >>> s(0), round(s(50), 4), s(100)
    (1.0, 0.5, 0.0)
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ):
        if decay_steps <= 0:
            raise ArgumentValueError(f"CosineDecay: decay_steps must be positive, got {decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.alpha = float(alpha)
        self.warmup_target = None if warmup_target is None else float(warmup_target)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step):
        start = self.initial_learning_rate
        if self.warmup_target is not None and self.warmup_steps > 0:
            if step < self.warmup_steps:
                return start + (self.warmup_target - start) * step / self.warmup_steps
            start = self.warmup_target
            step -= self.warmup_steps
        fraction = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return start * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


_CLASSES = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{"class_name": ..., "config": ...}`` of a built-in schedule."""
    if type(schedule).__name__ not in _CLASSES:
        raise ArgumentValueError(f"schedules.serialize: {schedule!r} is not a built-in schedule")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict) -> LearningRateSchedule:
    cls = _CLASSES.get(config.get("class_name"))
    if cls is None:
        raise ArgumentValueError(f"schedules.deserialize: unknown schedule {config!r}")
    return cls.from_config(dict(config["config"]))
