"""The update rules, with Keras' defaults and formulas: SGD (momentum, Nesterov), RMSprop,
Adam, AdamW and Adagrad.

``update_composed`` is the reference: in-place ops on the device, in the order a backend's
fused ``optimizer_update`` must follow so that both give the same numbers.
"""

from __future__ import annotations

import math

from ... import ops
from ...errors import ArgumentValueError
from .base import Optimizer, bias_correction


def _unit(name: str, value: float, cls: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise ArgumentValueError(f"{cls}: {name} must be in [0, 1], got {value}")
    return float(value)


class SGD(Optimizer):
    """Gradient descent with optional momentum: ``m = momentum * m - lr * g``, then
    ``var += m`` (or ``var += momentum * m - lr * g`` with ``nesterov``).

    >>> import gputensor as gt
    >>> w = gt.tensor([1.0]).requires_grad_()
    >>> gt.nn.optimizers.SGD(0.1).apply([gt.tensor([2.0])], [w]); round(w.item(), 6)
    0.8
    """

    rule = "sgd"

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _unit("momentum", momentum, "SGD")
        self.nesterov = bool(nesterov)

    def slot_names(self):
        return ("momentum",) if self.momentum > 0 else ()

    def hyper(self, lr, step):
        return {"lr": lr, "momentum": self.momentum, "nesterov": self.nesterov}

    def update_composed(self, var, grad, slots, hyper):
        lr = hyper["lr"]
        if not slots:
            var -= grad * lr
            return
        (m,) = slots
        m *= hyper["momentum"]
        m -= grad * lr
        if hyper["nesterov"]:
            var -= grad * lr
            var += m * hyper["momentum"]
        else:
            var += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Divides the gradient by a running root mean square:
    ``v = rho * v + (1 - rho) * g ** 2``; ``var -= lr * g / sqrt(v + epsilon)`` (Keras and
    TensorFlow put epsilon inside the root). ``centered`` subtracts the squared running mean
    of ``g`` from ``v``; ``momentum`` accumulates the increments.

    >>> import gputensor as gt
    >>> w = gt.tensor([1.0]).requires_grad_()
    >>> gt.nn.optimizers.RMSprop(0.01).apply([gt.tensor([2.0])], [w]); round(w.item(), 4)
    0.9684
    """

    rule = "rmsprop"

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs,
    ):
        super().__init__(learning_rate, **kwargs)
        self.rho = _unit("rho", rho, "RMSprop")
        self.momentum = _unit("momentum", momentum, "RMSprop")
        self.epsilon = float(epsilon)
        self.centered = bool(centered)

    def slot_names(self):
        names = ["velocity"]
        if self.centered:
            names.append("average_gradient")
        if self.momentum > 0:
            names.append("momentum")
        return tuple(names)

    def hyper(self, lr, step):
        return {
            "lr": lr,
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }

    def update_composed(self, var, grad, slots, hyper):
        rho = hyper["rho"]
        v = slots[0]
        v *= rho
        v += (grad * grad) * (1.0 - rho)
        if hyper["centered"]:
            a = slots[1]
            a *= rho
            a += grad * (1.0 - rho)
            denominator = (v - a * a) + hyper["epsilon"]
        else:
            denominator = v + hyper["epsilon"]
        increment = (grad / ops.sqrt(denominator)) * hyper["lr"]
        if hyper["momentum"] > 0:
            m = slots[-1]
            m *= hyper["momentum"]
            m += increment
            var -= m
        else:
            var -= increment

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adam(Optimizer):
    """Adaptive moments: ``m += (g - m) * (1 - beta_1)``, ``v += (g ** 2 - v) * (1 - beta_2)``,
    ``var -= alpha * m / (sqrt(v) + epsilon)`` with the bias-corrected step
    ``alpha = lr * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)``; ``amsgrad`` uses the running
    maximum of ``v``.

    >>> import gputensor as gt
    >>> w = gt.tensor([1.0]).requires_grad_()
    >>> gt.nn.optimizers.Adam(0.1).apply([gt.tensor([2.0])], [w]); round(w.item(), 4)
    0.9
    """

    rule = "adam"

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _unit("beta_1", beta_1, type(self).__name__)
        self.beta_2 = _unit("beta_2", beta_2, type(self).__name__)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def slot_names(self):
        return ("m", "v", "v_hat") if self.amsgrad else ("m", "v")

    def hyper(self, lr, step):
        alpha = lr * math.sqrt(bias_correction(self.beta_2, step)) / bias_correction(self.beta_1, step)
        return {
            "lr": alpha,
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }

    def update_composed(self, var, grad, slots, hyper):
        m, v = slots[0], slots[1]
        m += (grad - m) * (1.0 - hyper["beta_1"])
        v += (grad * grad - v) * (1.0 - hyper["beta_2"])
        if hyper["amsgrad"]:
            v_hat = slots[2]
            v_hat[...] = ops.maximum(v_hat, v)
            v = v_hat
        var -= (m / (ops.sqrt(v) + hyper["epsilon"])) * hyper["lr"]

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay (``var -= var * weight_decay * lr`` before each update;
    Keras' default ``weight_decay=0.004``)."""

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Per-coordinate rates from the sum of squared gradients: ``acc += g ** 2``,
    ``var -= lr * g / sqrt(acc + epsilon)``; ``acc`` starts at ``initial_accumulator_value``.

    >>> import gputensor as gt
    >>> w = gt.tensor([1.0]).requires_grad_()
    >>> gt.nn.optimizers.Adagrad(0.1, initial_accumulator_value=0.0).apply([gt.tensor([2.0])], [w])
    >>> round(w.item(), 4)
    0.9
    """

    rule = "adagrad"

    def __init__(
        self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7, **kwargs
    ):
        super().__init__(learning_rate, **kwargs)
        if initial_accumulator_value < 0:
            raise ArgumentValueError(
                f"Adagrad: initial_accumulator_value must be non-negative, got {initial_accumulator_value}"
            )
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def slot_names(self):
        return ("accumulator",)

    def _new_slot(self, name, var):
        return ops.full(var.shape, self.initial_accumulator_value, dtype=var.dtype, device=var.device)

    def hyper(self, lr, step):
        return {"lr": lr, "epsilon": self.epsilon}

    def update_composed(self, var, grad, slots, hyper):
        (acc,) = slots
        acc += grad * grad
        var -= (grad / ops.sqrt(acc + hyper["epsilon"])) * hyper["lr"]

    def get_config(self):
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }
