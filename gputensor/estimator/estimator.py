"""``Estimator``: train / evaluate / predict a ``model_fn`` with checkpoints in ``model_dir``.

The loop of ``train`` reads batches from ``input_fn``, runs ``model_fn`` under a gradient
tape, applies the optimizer, and every ``save_checkpoints_steps`` steps (and at the end)
writes a checkpoint — variables and optimizer slots as safetensors, ``global_step`` in its
metadata, all written atomically. A new estimator on the same ``model_dir`` resumes from the
newest checkpoint that loads: the same variables, slots and ``global_step``. The loss goes to
TensorBoard event files in ``model_dir`` (evaluation results in ``model_dir/eval``).
"""

from __future__ import annotations

import inspect
import logging
import os
import tempfile
import time

import numpy as np

from .. import ops
from ..autograd.state import no_grad
from ..autograd.tape import GradientTape
from ..errors import ArgumentTypeError, ArgumentValueError
from ..nn import optimizers as optimizers_module
from ..nn.callbacks.tensorboard import EventWriter
from ..tensor import Tensor
from . import checkpoint
from .inputs import batch_size, batches
from .metrics import Mean
from .spec import EstimatorSpec, ModeKeys, RunConfig
from .store import VariableStore, using

log = logging.getLogger("gputensor.estimator")


class NotTrainedError(ArgumentValueError):
    """``evaluate`` or ``predict`` before any training and without a checkpoint."""


class Estimator:
    """A model given by ``model_fn(features, labels, mode[, params][, config])`` returning an
    :class:`EstimatorSpec`; variables come from ``gt.estimator.variable`` / ``layer``.

    >>> import gputensor as gt
    >>> def model_fn(features, labels, mode, params):
    ...     dense = gt.estimator.layer("out", gt.nn.Dense, 1)
    ...     y = dense(features["x"])[:, 0]
    ...     loss = ((y - labels) ** 2).mean() if labels is not None else None
    ...     return gt.estimator.EstimatorSpec(mode, predictions={"y": y}, loss=loss,
    ...                                       optimizer=gt.nn.optimizers.SGD(params["lr"]))
    >>> est = gt.estimator.Estimator(model_fn, params={"lr": 0.1})
    >>> x = gt.tensor([[0.0], [1.0], [2.0]])
    >>> _ = est.train(lambda: ({"x": x}, gt.tensor([1.0, 3.0, 5.0])), steps=300)
    >>> [round(float(p["y"]), 2) for p in est.predict(lambda: {"x": x})]
    [1.0, 3.0, 5.0]
    """

    def __init__(self, model_fn, model_dir=None, config: RunConfig | None = None, params=None):
        if not callable(model_fn):
            raise ArgumentTypeError("Estimator: model_fn must be callable")
        self._model_fn = model_fn
        self.config = config or RunConfig()
        if not isinstance(self.config, RunConfig):
            raise ArgumentTypeError("Estimator: config must be a gt.estimator.RunConfig")
        chosen = model_dir if model_dir is not None else self.config.model_dir
        self.model_dir = os.fspath(chosen) if chosen is not None else tempfile.mkdtemp(prefix="gt-estimator-")
        self.params = dict(params or {})
        self.global_step = 0
        self._store = VariableStore()
        self._optimizers = None
        self._pending_state = None
        self._restored = False
        self._writers = {}

    # --- model_fn ---------------------------------------------------------------------------
    def _call(self, features, labels, mode) -> EstimatorSpec:
        wanted = inspect.signature(self._model_fn).parameters
        kwargs = {}
        if "params" in wanted:
            kwargs["params"] = self.params
        if "config" in wanted:
            kwargs["config"] = self.config
        if not len(self._store) and self.config.tf_random_seed is not None:
            ops.manual_seed(int(self.config.tf_random_seed))
        with using(self._store):
            spec = self._model_fn(features, labels, mode, **kwargs)
        if not isinstance(spec, EstimatorSpec):
            raise ArgumentTypeError(f"model_fn must return an EstimatorSpec, got {type(spec).__name__}")
        return spec

    def _prepare(self, features, labels, mode) -> None:
        """Create the variables (one call of model_fn) and restore the newest checkpoint."""
        if not len(self._store):
            with no_grad():
                spec = self._call(features, labels, mode)
            if mode == ModeKeys.TRAIN:
                self._set_optimizers(spec.optimizer)
        if not self._restored:
            self._restored = True
            found = checkpoint.latest(self.model_dir)
            if found is not None:
                self._restore(*found)
        if mode == ModeKeys.TRAIN and self._optimizers is None:
            with no_grad():
                self._set_optimizers(self._call(features, labels, mode).optimizer)
        self._load_pending_optimizer_state()

    def _restore(self, step, tensors, meta) -> None:
        values = {k: v for k, v in tensors.items() if not k.startswith("optimizer/")}
        missing = self._store.assign(values)
        if missing:
            raise ArgumentValueError(f"checkpoint in {self.model_dir} lacks variables {missing[:5]}; "
                                     "was it written by a different model?")
        self.global_step = int(step)
        self._pending_state = (tensors, meta)
        log.info("restored %s at global_step %d", checkpoint.path_for(self.model_dir, step), step)

    # --- optimizers -----------------------------------------------------------------------------
    def _set_optimizers(self, spec_optimizer) -> None:
        if spec_optimizer is None:
            raise ArgumentValueError("model_fn gave no optimizer in TRAIN mode")
        groups = spec_optimizer if isinstance(spec_optimizer, dict) else {"": spec_optimizer}
        self._optimizers = {prefix: optimizers_module.get(opt) for prefix, opt in groups.items()}

    def _groups(self):
        """``(prefix, optimizer, names, variables)`` per optimizer, variables sorted by name."""
        trainable = self._store.trainable()
        out = []
        for prefix, opt in self._optimizers.items():
            names = [n for n in trainable if n.startswith(prefix)]
            out.append((prefix, opt, names, [trainable[n] for n in names]))
        return out

    def _optimizer_tensors(self) -> tuple[dict, dict]:
        tensors, meta = {}, {}
        for prefix, opt, names, variables in self._groups():
            group = prefix or "_"
            for key, slot in opt.state_tensors(variables).items():
                index, slot_name = key.split("/", 1)
                tensors[f"optimizer/{group}/{names[int(index)]}/{slot_name}"] = slot.numpy()
            meta[f"optimizer/{group}/iterations"] = opt.iterations
        return tensors, meta

    def _load_pending_optimizer_state(self) -> None:
        if self._pending_state is None or self._optimizers is None:
            return
        tensors, meta = self._pending_state
        self._pending_state = None
        for prefix, opt, names, variables in self._groups():
            group = prefix or "_"
            saved = {}
            for i, name in enumerate(names):
                for slot_name in opt.slot_names():
                    value = tensors.get(f"optimizer/{group}/{name}/{slot_name}")
                    if value is not None:
                        saved[f"{i}/{slot_name}"] = ops.asarray(value)
            opt.load_state(variables, saved, int(meta.get(f"optimizer/{group}/iterations", 0)))

    # --- checkpoints and summaries ----------------------------------------------------------
    def save(self) -> str:
        """Write a checkpoint of the current ``global_step`` now; returns its path."""
        tensors = {name: v.numpy() for name, v in self._store.named().items()}
        meta = {}
        if self._optimizers is not None:
            opt_tensors, meta = self._optimizer_tensors()
            tensors.update(opt_tensors)
        keep = self.config.keep_checkpoint_max
        return checkpoint.save(self.model_dir, self.global_step, tensors, meta, keep)

    def latest_checkpoint(self):
        """The path of the newest checkpoint in ``model_dir`` (``None`` if there is none)."""
        return checkpoint.latest_path(self.model_dir)

    def _writer(self, name: str) -> EventWriter:
        writer = self._writers.get(name)
        if writer is None:
            folder = self.model_dir if name == "" else os.path.join(self.model_dir, name)
            writer = self._writers[name] = EventWriter(folder)
        return writer

    def close(self) -> None:
        """Close the TensorBoard event files."""
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    # --- training -----------------------------------------------------------------------------
    def train(self, input_fn, hooks=None, steps=None, max_steps=None) -> Estimator:
        """Train on the batches of ``input_fn``.

        ``steps``: this many more steps (or until the data ends); ``max_steps``: until
        ``global_step`` reaches it; neither: until the data ends. ``hooks`` are callables
        ``hook(global_step, loss)`` run after each step. Returns the estimator.
        """
        if steps is not None and max_steps is not None:
            raise ArgumentValueError("train: give steps or max_steps, not both")
        for label, value in (("steps", steps), ("max_steps", max_steps)):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ArgumentValueError(f"train: {label} must be a non-negative int, got {value!r}")
        self._restore_step_only()
        if max_steps is not None and self.global_step >= max_steps:
            return self
        self._loop(input_fn, hooks or [], steps, max_steps)
        return self

    def _restore_step_only(self) -> None:
        if not len(self._store) and not self._restored:
            steps = checkpoint.steps_on_disk(self.model_dir)
            if steps:
                found = checkpoint.latest(self.model_dir)
                if found is not None:
                    self.global_step = found[0]

    def _loop(self, input_fn, hooks, steps, max_steps) -> None:
        target = None if steps is None else self.global_step + steps
        if max_steps is not None:
            target = max_steps
        if target is not None and self.global_step >= target:
            return
        timer = [time.perf_counter(), self.global_step]
        loss = None
        for features, labels in batches(input_fn, self.params, repeat_single=True):
            self._prepare(features, labels, ModeKeys.TRAIN)
            if target is not None and self.global_step >= target:
                break
            loss = self._train_step(features, labels)
            self.global_step += 1
            self._after_step(loss, hooks, timer)
            if target is not None and self.global_step >= target:
                break
        if loss is not None or len(self._store):
            self.save()
            self._writer("").flush()

    def _train_step(self, features, labels) -> Tensor:
        with GradientTape() as tape:
            spec = self._call(features, labels, ModeKeys.TRAIN)
        groups = self._groups()
        variables = [v for _, _, _, vs in groups for v in vs]
        grads = tape.gradient(spec.loss, variables)
        start = 0
        for _, opt, _, vs in groups:
            opt.apply(grads[start:start + len(vs)], vs)
            start += len(vs)
        return spec.loss

    def _after_step(self, loss, hooks, timer) -> None:
        step = self.global_step
        cfg = self.config
        for hook in hooks:
            hook(step, loss)
        if step % cfg.save_summary_steps == 0:
            self._writer("").scalar("loss", float(loss.item()), step)
        if step % cfg.log_step_count_steps == 0:
            now = time.perf_counter()
            rate = (step - timer[1]) / max(now - timer[0], 1e-9)
            timer[:] = [now, step]
            self._writer("").scalar("global_step/sec", rate, step)
            log.info("global_step = %d, loss = %.6g (%.1f steps/sec)", step, float(loss.item()), rate)
        if step % cfg.save_checkpoints_steps == 0:
            self.save()

    # --- evaluation and prediction --------------------------------------------------------------
    def _ready(self, features, labels, mode) -> None:
        self._prepare(features, labels, mode)
        if self.global_step == 0 and checkpoint.latest(self.model_dir) is None:
            raise NotTrainedError(f"could not find a trained model in {self.model_dir}; train it first")

    def evaluate(self, input_fn, steps=None, name=None) -> dict:
        """Metrics over the batches of ``input_fn`` (``steps`` batches at most): ``loss`` (the
        mean batch loss), the model's metrics, and ``global_step``. Also written to
        TensorBoard in ``model_dir/eval`` (``eval_<name>`` with a name)."""
        acc = None
        seen = 0
        with no_grad():
            for features, labels in batches(input_fn, self.params, repeat_single=False):
                if steps is not None and seen >= steps:
                    break
                self._ready(features, labels, ModeKeys.EVAL)
                acc = acc or self._new_accumulator()
                self._eval_batch(acc, features, labels)
                seen += 1
        if acc is None:
            raise ArgumentValueError("evaluate: input_fn gave no data")
        results = self._eval_results(acc)
        results["global_step"] = self.global_step
        writer = self._writer("eval" if name is None else f"eval_{name}")
        for key, value in results.items():
            if key != "global_step":
                writer.scalar(key, float(value), self.global_step)
        writer.flush()
        return results

    def _new_accumulator(self):
        return {"loss": Mean(), "metrics": {}}

    def _eval_batch(self, acc, features, labels) -> None:
        spec = self._call(features, labels, ModeKeys.EVAL)
        n = batch_size(features)
        acc["loss"].update_scalar(spec.loss, n)
        for key, value in spec.eval_metric_ops.items():
            mean = acc["metrics"].setdefault(key, Mean())
            ndim = value.ndim if isinstance(value, Tensor) else np.ndim(value)
            if ndim == 0:
                mean.update_scalar(value, n)
            else:
                mean.update(value)

    def _eval_results(self, acc) -> dict:
        out = {"loss": acc["loss"].result()}
        out.update({k: m.result() for k, m in acc["metrics"].items()})
        return out

    def predict(self, input_fn, predict_keys=None, yield_single_examples: bool = True):
        """Yield the predictions of each example (a dict of NumPy arrays), or of each batch
        with ``yield_single_examples=False``. ``predict_keys`` keeps only those entries."""
        with no_grad():
            for features, _ in batches(input_fn, self.params, repeat_single=False):
                self._ready(features, None, ModeKeys.PREDICT)
                out = self._predict_batch(features)
                if predict_keys is not None:
                    keys = [predict_keys] if isinstance(predict_keys, str) else list(predict_keys)
                    out = {k: out[k] for k in keys}
                if not yield_single_examples:
                    yield out
                    continue
                n = len(next(iter(out.values())))
                for i in range(n):
                    yield {k: v[i] for k, v in out.items()}

    def _predict_batch(self, features) -> dict:
        spec = self._call(features, None, ModeKeys.PREDICT)
        return {k: v.numpy() if isinstance(v, Tensor) else np.asarray(v) for k, v in spec.predictions.items()}

    # --- variables ------------------------------------------------------------------------------
    def get_variable_names(self) -> list[str]:
        """The names of the model's variables (from this run, else the newest checkpoint)."""
        if len(self._store):
            return list(self._store.named())
        found = checkpoint.latest(self.model_dir)
        return [] if found is None else sorted(k for k in found[1] if not k.startswith("optimizer/"))

    def get_variable_value(self, name: str) -> np.ndarray:
        """A variable's value as a NumPy array."""
        named = self._store.named()
        if name in named:
            return named[name].numpy().copy()
        found = checkpoint.latest(self.model_dir)
        if found is None or name not in found[1]:
            raise ArgumentValueError(f"no variable named {name!r}; see get_variable_names()")
        return found[1][name]
