"""What ``compile`` sets up and the loops of ``fit``, ``evaluate`` and ``predict``.

A training step runs entirely on the model's device: forward under a tape, loss, gradients,
the optimizer's in-place update, and the metric updates (device ops). Nothing is read back
per batch; the progress bar reads the shown metrics when it draws (every 50 ms on a terminal,
once per epoch otherwise).
"""

from __future__ import annotations

import sys

import numpy as np

from .. import ops
from ..autograd.state import no_grad
from ..autograd.tape import GradientTape
from ..errors import ArgumentValueError
from . import metrics as metrics_mod
from . import objectives, optimizers
from .activations import logits_capture
from .callbacks import CallbackList, History, MetricLogs, ProgbarLogger
from .data_adapter import ArrayBatches, flatten, make_batches, split_validation
from .layers.base import training_mode


class CompiledState:
    """The optimizer, losses and metrics given to ``compile``."""

    def __init__(self, optimizer, loss, metrics, loss_weights, n_outputs: int):
        if loss is None:
            raise ArgumentValueError(
                "compile: give a loss (a name like 'categorical_crossentropy' or a Loss)"
            )
        self.optimizer = optimizers.get(optimizer)
        self.loss_spec = loss
        self.metric_specs = list(metrics or [])
        self.losses = self._per_output(loss, n_outputs, objectives.get, "loss")
        weights = loss_weights if loss_weights is not None else [1.0] * n_outputs
        self.loss_weights = [float(w) for w in self._per_output(weights, n_outputs, float, "loss_weights")]
        self.n_outputs = n_outputs
        self.loss_tracker = metrics_mod.Mean(name="loss")
        self.metrics: list[tuple[int, metrics_mod.Metric]] | None = None
        self.labels_checked = False

    @staticmethod
    def _per_output(spec, n: int, convert, what: str) -> list:
        if isinstance(spec, (list, tuple)):
            if len(spec) != n:
                raise ArgumentValueError(f"compile: {what} has {len(spec)} entries for {n} outputs")
            return [convert(s) for s in spec]
        return [convert(spec) for _ in range(n)]

    def build_metrics(self, ys: list, preds: list, output_names: list[str]) -> None:
        built = []
        for i in range(self.n_outputs):
            for spec in self.metric_specs:
                if isinstance(spec, metrics_mod.Metric) and i > 0:
                    continue  # a metric object measures the first output only
                metric = metrics_mod.get(spec, self.losses[i], ys[i], preds[i])
                if self.n_outputs > 1:
                    metric.name = f"{output_names[i]}_{metric.name}"
                built.append((i, metric))
        self.metrics = built

    def metric_map(self) -> dict:
        out = {"loss": self.loss_tracker}
        for _, metric in self.metrics or []:
            out[metric.name] = metric
        return out

    def reset_metrics(self) -> None:
        for metric in self.metric_map().values():
            metric.reset_state()

    def compute_loss(self, ys: list, preds: list, sample_weight):
        total = None
        for loss, weight, y, p in zip(self.losses, self.loss_weights, ys, preds):
            if isinstance(loss, objectives.SparseCategoricalCrossentropy):
                ids = objectives._sparse_ids(objectives._as_pair(y, p)[0], p)
                if not self.labels_checked:
                    objectives.check_class_ids(ids, p.shape[-1])
                values = objectives.sparse_categorical_crossentropy(ids, p, loss.from_logits, validate=False)
            else:
                values = loss.call(y, p)
            term = objectives.reduce_values(values, sample_weight, loss.reduction)
            if loss.reduction == "none":
                term = ops.mean(term)
            term = term * weight if weight != 1.0 else term
            total = term if total is None else total + term
        self.labels_checked = True
        return total

    def update_metrics(self, ys: list, preds: list, sample_weight, loss, batch: int) -> None:
        with no_grad():
            self.loss_tracker.update_state(loss.detach(), sample_weight=float(batch))
            for i, metric in self.metrics:
                metric.update_state(ys[i], preds[i], sample_weight)


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _batch_size(x) -> int:
    return flatten(x)[0].shape[0]


def _compiled(model) -> CompiledState:
    state = getattr(model, "_compiled", None)
    if state is None:
        raise ArgumentValueError(
            f"{model.name}: call model.compile(optimizer, loss, metrics) before training"
        )
    return state


def train_step(model, x, y, sample_weight) -> None:
    """One update on a batch already on the model's device."""
    state = _compiled(model)
    with GradientTape() as tape, logits_capture():
        preds = _as_list(model(x, training=True))
        ys = _as_list(y)
        if state.metrics is None:
            state.build_metrics(ys, preds, model.output_names)
        loss = _with_penalties(state.compute_loss(ys, preds, sample_weight), model)
    variables = model.trainable_weights
    grads = tape.gradient(loss, variables)
    state.optimizer.apply(grads, variables)
    model.apply_constraints()
    state.update_metrics(ys, [p.detach() for p in preds], sample_weight, loss, _batch_size(x))


def test_step(model, x, y, sample_weight) -> None:
    """Loss and metrics of a batch, in inference mode."""
    state = _compiled(model)
    with no_grad(), logits_capture():
        preds = _as_list(model(x, training=False))
        ys = _as_list(y)
        if state.metrics is None:
            state.build_metrics(ys, preds, model.output_names)
        loss = _with_penalties(state.compute_loss(ys, preds, sample_weight), model)
        state.update_metrics(ys, preds, sample_weight, loss, _batch_size(x))


def _with_penalties(loss, model):
    """The compiled loss plus the model's regularization and ``add_loss`` penalties (Keras
    minimizes and reports the sum)."""
    for penalty in model.losses:
        loss = loss + penalty
    return loss


def _callbacks(model, callbacks, verbose, params, with_history: bool):
    history = History() if with_history else None
    items = ([history] if history else []) + list(callbacks or [])
    if verbose and not any(isinstance(cb, ProgbarLogger) for cb in items):
        items.append(ProgbarLogger())
    return CallbackList(items, model, params), history


def _verbose(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


def fit(
    model,
    x=None,
    y=None,
    batch_size=None,
    epochs=1,
    verbose="auto",
    callbacks=None,
    validation_split=0.0,
    validation_data=None,
    shuffle=True,
    class_weight=None,
    sample_weight=None,
    initial_epoch=0,
    steps_per_epoch=None,
    validation_steps=None,
    validation_batch_size=None,
    validation_freq=1,
):
    """The loop behind ``Model.fit`` (see there)."""
    state = _compiled(model)
    verbose = _verbose(verbose)
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = split_validation(x, y, sample_weight, validation_split)
    data = make_batches(
        x, y, sample_weight, batch_size, shuffle, steps_per_epoch, model.device, model.dtype, class_weight
    )
    val = _validation_batches(model, validation_data, validation_batch_size or batch_size, validation_steps)
    params = {"epochs": epochs, "steps": data.steps, "verbose": verbose, "mode": "fit"}
    cbs, history = _callbacks(model, callbacks, verbose, params, True)
    model.stop_training = False
    state.labels_checked = False
    cbs.on_train_begin()
    logs = {}
    for epoch in range(initial_epoch, epochs):
        state.reset_metrics()
        cbs.on_epoch_begin(epoch)
        view = MetricLogs(state.metric_map())
        steps = 0
        for step, (xb, yb, swb) in enumerate(data):
            cbs.on_train_batch_begin(step)
            train_step(model, xb, yb, swb)
            steps += 1
            cbs.on_train_batch_end(step, view)
            if model.stop_training:
                break
        if steps == 0:
            sys.stderr.write(
                "fit: the input ran out of data; stopping (give steps_per_epoch or repeat the data)\n"
            )
            break
        logs = MetricLogs(state.metric_map()).to_dict()
        if val is not None and (epoch + 1) % validation_freq == 0:
            val_logs = _evaluate_loop(model, val, cbs, mode="fit")
            logs.update({f"val_{k}": v for k, v in val_logs.items()})
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    model.history = history
    return history


def _validation_batches(model, validation_data, batch_size, steps):
    if validation_data is None:
        return None
    if isinstance(validation_data, tuple) and len(validation_data) in (2, 3):
        vx, vy = validation_data[0], validation_data[1]
        vsw = validation_data[2] if len(validation_data) == 3 else None
        return make_batches(vx, vy, vsw, batch_size or 32, False, steps, model.device, model.dtype)
    return make_batches(validation_data, None, None, batch_size, False, steps, model.device, model.dtype)


def _evaluate_loop(model, data, cbs, mode: str) -> dict:
    state = _compiled(model)
    state.reset_metrics()
    cbs.on_test_begin()
    view = MetricLogs(state.metric_map())
    for step, (xb, yb, swb) in enumerate(data):
        cbs.on_test_batch_begin(step)
        test_step(model, xb, yb, swb)
        cbs.on_test_batch_end(step, view)
    logs = MetricLogs(state.metric_map()).to_dict()
    cbs.on_test_end(logs)
    return logs


def evaluate(
    model,
    x=None,
    y=None,
    batch_size=None,
    verbose="auto",
    sample_weight=None,
    steps=None,
    callbacks=None,
    return_dict=False,
):
    """The loop behind ``Model.evaluate``: the loss, then each metric."""
    state = _compiled(model)
    verbose = _verbose(verbose)
    data = make_batches(x, y, sample_weight, batch_size, False, steps, model.device, model.dtype)
    params = {"epochs": 1, "steps": data.steps, "verbose": verbose, "mode": "evaluate"}
    cbs, _ = _callbacks(model, callbacks, verbose, params, False)
    state.labels_checked = False
    logs = _evaluate_loop(model, data, cbs, mode="evaluate")
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
    """The loop behind ``Model.predict``: NumPy outputs, gathered on the device and copied to
    the host once."""
    verbose = _verbose(verbose)
    data = make_batches(x, None, None, batch_size, False, steps, model.device, model.dtype)
    params = {"epochs": 1, "steps": data.steps, "verbose": verbose, "mode": "predict"}
    cbs, _ = _callbacks(model, callbacks, verbose, params, False)
    cbs.on_predict_begin()
    outputs = None
    with no_grad(), training_mode(False):
        for step, (xb, _, _) in enumerate(data):
            cbs.on_predict_batch_begin(step)
            preds = _as_list(model(xb, training=False))
            if outputs is None:
                outputs = [[] for _ in preds]
            for bucket, p in zip(outputs, preds):
                bucket.append(p)
            cbs.on_predict_batch_end(step, {})
    cbs.on_predict_end()
    if outputs is None:
        raise ArgumentValueError("predict: no batches (empty input)")
    result = [np.asarray(ops.concat(parts, axis=0).numpy()).copy() for parts in outputs]
    return result[0] if len(result) == 1 else result


def on_batch(
    model, kind: str, x, y=None, sample_weight=None, class_weight=None, return_dict=False, reset_metrics=True
):
    """``train_on_batch`` / ``test_on_batch``: one step on one batch; the metrics after it
    (over this batch only with ``reset_metrics``, else accumulated since the last reset)."""
    state = _compiled(model)
    batches = make_batches(
        x, y, sample_weight, _batch_size_of(x), False, None, model.device, model.dtype, class_weight
    )
    if not isinstance(batches, ArrayBatches):
        raise ArgumentValueError(f"{kind}: x must be arrays or tensors")
    if reset_metrics:
        state.reset_metrics()
    state.labels_checked = False
    for xb, yb, swb in batches:
        (train_step if kind == "train_on_batch" else test_step)(model, xb, yb, swb)
    logs = MetricLogs(state.metric_map()).to_dict()
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _batch_size_of(x) -> int:
    return max(len(flatten(x)[0]), 1)
