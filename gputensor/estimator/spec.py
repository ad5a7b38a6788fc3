"""``ModeKeys``, ``EstimatorSpec`` (what a ``model_fn`` returns) and ``RunConfig``."""

from __future__ import annotations

import os

from ..errors import ArgumentValueError


class ModeKeys:
    """Why ``model_fn`` is called: ``TRAIN``, ``EVAL`` or ``PREDICT``."""

    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


class EstimatorSpec:
    """What a ``model_fn`` returns for one batch.

    Parameters
    ----------
    mode : str
        The ``ModeKeys`` value the function was called with.
    predictions : dict of tensors, optional
        Per-example outputs (first axis: the batch); needed for ``PREDICT``.
    loss : scalar tensor, optional
        Needed for ``TRAIN`` and ``EVAL``.
    optimizer : optimizer, name, or dict, optional
        For ``TRAIN``: what minimizes ``loss`` over the trainable variables — a gputensor.nn
        optimizer or its name (``"adagrad"``), or a dict ``{name prefix: optimizer}`` giving
        each group of variables (``"dnn/"``, ``"linear/"``) its own. This is the eager
        counterpart of TensorFlow's ``train_op``: the estimator keeps the first optimizer it
        gets (its slots must persist), computes the gradients and applies them.
    eval_metric_ops : dict, optional
        For ``EVAL``: name -> tensor, averaged over every evaluated example (a ``[batch]``
        tensor of per-example values) or over batches weighted by their size (a scalar).
    """

    def __init__(self, mode, predictions=None, loss=None, optimizer=None, eval_metric_ops=None):
        if mode not in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
            raise ArgumentValueError(f"EstimatorSpec: unknown mode {mode!r}")
        if mode == ModeKeys.TRAIN and (loss is None or optimizer is None):
            raise ArgumentValueError("EstimatorSpec: TRAIN needs loss and optimizer")
        if mode == ModeKeys.EVAL and loss is None:
            raise ArgumentValueError("EstimatorSpec: EVAL needs loss")
        if mode == ModeKeys.PREDICT and not isinstance(predictions, dict):
            raise ArgumentValueError("EstimatorSpec: PREDICT needs a dict of predictions")
        self.mode = mode
        self.predictions = predictions
        self.loss = loss
        self.optimizer = optimizer
        self.eval_metric_ops = dict(eval_metric_ops or {})


class RunConfig:
    """Where and how often an estimator saves.

    Parameters
    ----------
    model_dir : str, optional
        Checkpoints and TensorBoard logs (the estimator's ``model_dir`` wins if both are given).
    tf_random_seed : int, optional
        Seed of the generator that initializes the variables (named as in TensorFlow).
    save_checkpoints_steps : int
        Save every this many training steps (and always when ``train`` ends).
    keep_checkpoint_max : int
        How many recent checkpoints to keep.
    save_summary_steps : int
        Write the loss to TensorBoard every this many steps.
    log_step_count_steps : int
        Log ``global_step``, loss and steps/sec every this many steps.
    """

    def __init__(self, model_dir=None, tf_random_seed=None, save_checkpoints_steps: int = 100,
                 keep_checkpoint_max: int = 5, save_summary_steps: int = 100,
                 log_step_count_steps: int = 100):
        for label, value in (("save_checkpoints_steps", save_checkpoints_steps),
                             ("keep_checkpoint_max", keep_checkpoint_max),
                             ("save_summary_steps", save_summary_steps),
                             ("log_step_count_steps", log_step_count_steps)):
            if not isinstance(value, int) or value < 1:
                raise ArgumentValueError(f"RunConfig: {label} must be a positive int, got {value!r}")
        self.model_dir = os.fspath(model_dir) if model_dir is not None else None
        self.tf_random_seed = tf_random_seed
        self.save_checkpoints_steps = save_checkpoints_steps
        self.keep_checkpoint_max = keep_checkpoint_max
        self.save_summary_steps = save_summary_steps
        self.log_step_count_steps = log_step_count_steps

    def replace(self, **changes) -> RunConfig:
        """A copy with some settings changed."""
        values = dict(self.__dict__)
        values.update(changes)
        return RunConfig(**values)
