"""The Optimizer base class: learning rates and schedules, gradient clipping, weight decay,
slots (per-variable state), the fused-update hook, ``minimize``, configs and saved state.

Each update runs on the variables' device. When the device's backend has the optional fused
primitive ``optimizer_update_many`` (see :mod:`gputensor.devices.backend`), one call updates
every variable and its slots in place; else, with ``optimizer_update``, one call per
variable; otherwise the rule's composed ops do the same arithmetic in the same order (the
reference). The step count and the learning rate live on the
host, so an update never reads anything back from the device.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from ... import ops
from ...autograd.state import no_grad
from ...autograd.tape import GradientTape
from ...errors import ArgumentTypeError, ArgumentValueError, ShapeError
from ...tensor import Tensor, bump_version
from . import schedules


class Optimizer(ABC):
    """Base class of optimizers; subclasses set ``rule`` and implement ``slot_names``,
    ``hyper(lr, step)`` and ``update_composed``.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
    clipnorm : float, optional
        Rescale each variable's gradient to at most this L2 norm.
    clipvalue : float, optional
        Clip each gradient element to ``[-clipvalue, clipvalue]``.
    global_clipnorm : float, optional
        Rescale all gradients together to at most this global L2 norm.
    weight_decay : float, optional
        Decoupled weight decay: ``var -= var * weight_decay * lr`` before each update.
    """

    rule = ""

    def __init__(
        self,
        learning_rate=0.001,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        weight_decay=None,
        name: str | None = None,
    ):
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ArgumentValueError(
                f"{type(self).__name__}: give at most one of clipnorm, clipvalue and global_clipnorm"
            )
        for label, value in (
            ("clipnorm", clipnorm),
            ("clipvalue", clipvalue),
            ("global_clipnorm", global_clipnorm),
            ("weight_decay", weight_decay),
        ):
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ArgumentValueError(
                    f"{type(self).__name__}: {label} must be a non-negative number, got {value!r}"
                )
        self.learning_rate = learning_rate
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.weight_decay = weight_decay
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._vars: list[Tensor] = []
        self._slots: dict[int, list[Tensor]] = {}

    # --- learning rate -----------------------------------------------------------------
    @property
    def learning_rate(self):
        """A float, or the schedule given (``current_learning_rate()`` evaluates it)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate = value
            return
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ArgumentTypeError(
                f"{type(self).__name__}: learning_rate must be a non-negative float or a "
                f"LearningRateSchedule, got {value!r}"
            )
        self._learning_rate = float(value)

    lr = learning_rate

    def current_learning_rate(self) -> float:
        """The learning rate of the next update (the schedule at ``iterations``)."""
        lr = self._learning_rate
        return float(lr(self.iterations)) if isinstance(lr, schedules.LearningRateSchedule) else lr

    # --- what subclasses define --------------------------------------------------------
    def slot_names(self) -> tuple[str, ...]:
        return ()

    def hyper(self, lr: float, step: int) -> dict:
        """Python numbers for this step's update (``step`` counts from 1)."""
        return {"lr": lr}

    @abstractmethod
    def update_composed(self, var: Tensor, grad: Tensor, slots: list[Tensor], hyper: dict) -> None:
        """The update written with ops (the reference for fused backend updates)."""

    # --- slots ---------------------------------------------------------------------------
    def build(self, var_list) -> None:
        """Create zeroed slots for every variable not seen before."""
        for var in var_list:
            if id(var) in self._slots:
                continue
            self._vars.append(var)
            self._slots[id(var)] = [self._new_slot(name, var) for name in self.slot_names()]

    def _new_slot(self, name: str, var: Tensor) -> Tensor:
        return ops.zeros(var.shape, dtype=var.dtype, device=var.device)

    def variables(self) -> list[Tensor]:
        """Every slot tensor, variable by variable."""
        return [s for var in self._vars for s in self._slots[id(var)]]

    # --- updates -------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars) -> None:
        """Update each variable with its gradient (``None`` gradients are skipped)."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, var_list) -> None:
        """Update ``var_list`` in place with ``grads`` (same order)."""
        grads = list(grads)
        var_list = list(var_list)
        if len(grads) != len(var_list):
            raise ShapeError(f"{self.name}: got {len(grads)} gradients for {len(var_list)} variables")
        pairs = [(g, v) for g, v in zip(grads, var_list) if g is not None]
        if not pairs:
            return
        with no_grad():
            pairs = self._clip([(g.detach(), v) for g, v in pairs])
            self.build([v for _, v in pairs])
            lr = self.current_learning_rate()
            hyper = self.hyper(lr, self.iterations + 1)
            pairs = [self._prepared(g, v) for g, v in pairs]
            if self.weight_decay:
                for _, v in pairs:
                    v *= 1.0 - self.weight_decay * lr
            if not self._update_many(pairs, hyper):
                for g, v in pairs:
                    self._update_one(g, v, hyper)
        self.iterations += 1

    def _prepared(self, grad: Tensor, var: Tensor):
        """(gradient, variable) checked, with the gradient in the variable's dtype and
        contiguous."""
        if grad.shape != var.shape:
            raise ShapeError(
                f"{self.name}: gradient shape {grad.shape} does not match variable shape {var.shape}"
            )
        if grad.dtype is not var.dtype:
            grad = grad.astype(var.dtype)
        if not grad.is_contiguous:
            grad = ops.copy(grad)
        return grad, var

    def _update_many(self, pairs, hyper: dict) -> bool:
        """All variables in one call of the backend's ``optimizer_update_many`` (one launch on
        CUDA) when it has one and they share its device; False when it declines."""
        if len(pairs) < 2:
            return False
        device = pairs[0][1].device
        many = getattr(device.backend, "optimizer_update_many", None)
        if many is None or any(v.device is not device or not v.is_contiguous for _, v in pairs):
            return False
        slots = [self._slots[id(v)] for _, v in pairs]
        done = many(self.rule, [v._data for _, v in pairs], [g._data for g, _ in pairs],
                    [tuple(s._data for s in own) for own in slots], hyper)
        if done:
            for (_, v), own in zip(pairs, slots):
                bump_version(v)
                for s in own:
                    bump_version(s)
        return done

    def _update_one(self, grad: Tensor, var: Tensor, hyper: dict) -> None:
        slots = self._slots[id(var)]
        fused = getattr(var.device.backend, "optimizer_update", None)
        done = False
        if fused is not None and var.is_contiguous:
            done = fused(self.rule, var._data, grad._data, tuple(s._data for s in slots), hyper)
        if done:
            bump_version(var)
            for s in slots:
                bump_version(s)
        else:
            self.update_composed(var, grad, slots, hyper)

    def _clip(self, pairs):
        if self.clipvalue is not None:
            return [(ops.clip(g, -self.clipvalue, self.clipvalue), v) for g, v in pairs]
        if self.clipnorm is not None:
            return [(_scale_to_norm(g, ops.sqrt(ops.sum(g * g)), self.clipnorm), v) for g, v in pairs]
        if self.global_clipnorm is not None:
            total = None
            for g, _ in pairs:
                part = ops.sum(g * g)
                total = part if total is None else total + part
            norm = ops.sqrt(total)
            return [(_scale_to_norm(g, norm, self.global_clipnorm), v) for g, v in pairs]
        return pairs

    def minimize(self, loss, var_list, tape: GradientTape | None = None) -> Tensor:
        """Compute ``loss()`` under a tape, then apply its gradients to ``var_list``.

        >>> import gputensor as gt
        >>> w = gt.tensor([1.0]).requires_grad_()
        >>> _ = gt.nn.optimizers.SGD(0.5).minimize(lambda: (w * w).sum(), [w])
        >>> w.tolist()
        [0.0]
        """
        var_list = list(var_list() if callable(var_list) else var_list)
        if callable(loss):
            with GradientTape() as tape:
                for v in var_list:
                    if not v.requires_grad:
                        tape.watch(v)
                value = loss()
        else:
            if tape is None:
                raise ArgumentValueError(
                    f"{self.name}.minimize: a loss tensor needs the tape that recorded it"
                )
            value = loss
        grads = tape.gradient(value, var_list)
        self.apply(grads, var_list)
        return value

    # --- devices, configs and state ------------------------------------------------------------
    def move_variables(self, pairs) -> None:
        """Variables were replaced (``model.to(device)``): carry their slots along."""
        for old, new in pairs:
            slots = self._slots.pop(id(old), None)
            if slots is None:
                continue
            self._slots[id(new)] = [s.to(new.device) for s in slots]
            self._vars[next(i for i, v in enumerate(self._vars) if v is old)] = new

    def get_config(self) -> dict:
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": schedules.serialize(lr)
            if isinstance(lr, schedules.LearningRateSchedule)
            else lr,
            "clipnorm": self.clipnorm,
            "clipvalue": self.clipvalue,
            "global_clipnorm": self.global_clipnorm,
            "weight_decay": self.weight_decay,
        }

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def state_tensors(self, var_list) -> dict[str, Tensor]:
        """``{"<variable index>/<slot>": tensor}`` for the variables of ``var_list`` with slots."""
        out = {}
        for i, var in enumerate(var_list):
            for name, slot in zip(self.slot_names(), self._slots.get(id(var), [])):
                out[f"{i}/{name}"] = slot
        return out

    def load_state(self, var_list, tensors: dict, iterations: int) -> None:
        """Restore slots saved by :meth:`state_tensors` for the same variable order."""
        var_list = list(var_list)
        self.build(var_list)
        with no_grad():
            for i, var in enumerate(var_list):
                for name, slot in zip(self.slot_names(), self._slots[id(var)]):
                    saved = tensors.get(f"{i}/{name}")
                    if saved is not None:
                        slot[...] = saved.to(slot.device).astype(slot.dtype)
        self.iterations = int(iterations)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} learning_rate={self._learning_rate!r} iterations={self.iterations}>"


def _scale_to_norm(g: Tensor, norm: Tensor, limit: float) -> Tensor:
    """``g * limit / max(norm, limit)``: unchanged within the limit (no host read)."""
    return g * (limit / ops.maximum(norm, limit))


def bias_correction(beta: float, step: int) -> float:
    """``1 - beta ** step``."""
    return 1.0 - math.pow(beta, step)
