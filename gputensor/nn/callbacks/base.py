"""Callback protocol, the list that drives callbacks, History and LambdaCallback.

Batch-level ``logs`` are :class:`MetricLogs`: reading a value reads that metric back from the
device, so a callback that ignores batch logs costs nothing per batch. Epoch-level logs are
plain dicts of floats.
"""

from __future__ import annotations

from collections.abc import Mapping


class MetricLogs(Mapping):
    """A read-only ``{name: float}`` view of metrics on the device, read when accessed."""

    def __init__(self, metrics: dict, extra: dict | None = None):
        self._metrics = metrics
        self._extra = dict(extra or {})

    def __getitem__(self, key):
        if key in self._extra:
            return self._extra[key]
        return float(self._metrics[key].result())

    def __iter__(self):
        yield from self._metrics
        yield from (k for k in self._extra if k not in self._metrics)

    def __len__(self):
        return len(set(self._metrics) | set(self._extra))

    def to_dict(self) -> dict:
        return {k: self[k] for k in self}


class Callback:
    """Base class: override the hooks you need. ``self.model`` and ``self.params``
    (``epochs``, ``steps``, ``verbose``) are set before training starts.

    >>> import gputensor as gt
    >>> class Count(gt.nn.callbacks.Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print("epoch", epoch, "loss" in logs)
    """

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList:
    """Calls every hook on each callback in order."""

    def __init__(self, callbacks, model, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, name):
        if name not in _HOOKS:
            raise AttributeError(name)

        def call(*args, **kwargs):
            for cb in self.callbacks:
                getattr(cb, name)(*args, **kwargs)

        return call


class History(Callback):
    """Records the epoch logs: ``history.history["loss"]`` is the loss of each epoch.
    ``model.fit`` returns it."""

    def __init__(self):
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class LambdaCallback(Callback):
    """A callback from functions: ``on_epoch_end(epoch, logs)``, ``on_batch_end(batch, logs)``,
    ``on_train_begin(logs)``, ...; ``on_batch_*`` are the training batch hooks.

    >>> import gputensor as gt
    >>> seen = []
    >>> cb = gt.nn.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    """

    def __init__(self, **hooks):
        super().__init__()
        aliases = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}
        for name, fn in hooks.items():
            name = aliases.get(name, name)
            if name not in _HOOKS:
                raise TypeError(f"LambdaCallback: unknown hook {name!r}; known: {', '.join(_HOOKS)}")
            setattr(self, name, fn)
