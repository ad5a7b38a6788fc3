"""Saving and loading models and weights as safetensors files (never pickle).

``model.save(path)`` writes one file: the weights and the optimizer's slots as tensors, and in
the metadata the architecture and compile settings as JSON, the weight names and the
optimizer's step. Loading never runs code from the file: layer and model classes are looked up
among gputensor's own, those registered with :func:`register_serializable`, and the
``custom_objects`` given to :func:`load_model`.

>>> import gputensor as gt, tempfile, os
>>> model = gt.nn.Sequential([gt.nn.Dense(3, input_shape=(4,))])
>>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
>>> model.save(path)
>>> gt.nn.load_model(path).get_weights()[0].shape
(4, 3)
"""

from __future__ import annotations

import json

import numpy as np

from .. import ops
from ..autograd.state import no_grad
from ..errors import ArgumentValueError, ShapeError
from . import layers as layers_mod
from . import metrics as metrics_mod
from . import objectives, optimizers
from .graph import InputLayer
from .safetensors_format import CorruptFileError, load_file, save_file

MODEL_FORMAT = "gputensor.model.v1"
WEIGHTS_FORMAT = "gputensor.weights.v1"
_REGISTERED: dict[str, type] = {}


def register_serializable(cls=None, *, name: str | None = None):
    """Class decorator: let :func:`load_model` rebuild this custom layer or model from its
    ``get_config()`` (saved under ``name``, the class name by default)."""

    def register(klass):
        _REGISTERED[name or klass.__name__] = klass
        return klass

    return register(cls) if cls is not None else register


def _host(t) -> np.ndarray:
    return np.array(t.numpy(), copy=True)


def _weight_tensors(model) -> tuple[dict, list[str]]:
    named = model.named_weights()
    tensors = {f"weights/{i:04d}": _host(w) for i, (_, w) in enumerate(named)}
    return tensors, [label for label, _ in named]


def save_weights(model, path) -> None:
    """Write the weights of ``model`` to ``path`` (atomically)."""
    tensors, names = _weight_tensors(model)
    save_file(tensors, path, {"format": WEIGHTS_FORMAT, "weight_names": json.dumps(names)})


def _layer_of(label: str) -> tuple[str, str]:
    parts = label.split("/")
    return (parts[-2] if len(parts) > 1 else parts[0]), parts[-1]


def _assign(model, path, tensors: dict, saved_names: list[str]) -> None:
    named = model.named_weights()
    for i in range(max(len(named), len(saved_names))):
        mine = named[i] if i < len(named) else None
        theirs = tensors.get(f"weights/{i:04d}")
        if mine is None or theirs is None or tuple(theirs.shape) != mine[1].shape:
            raise ShapeError(_mismatch(path, i, mine, theirs, saved_names, len(named)))
    with no_grad():
        for i, (_, w) in enumerate(named):
            w[...] = ops.asarray(tensors[f"weights/{i:04d}"], dtype=w.dtype, device=w.device)


def _mismatch(path, i, mine, theirs, saved_names, count) -> str:
    if mine is None:
        layer, weight = _layer_of(saved_names[i])
        return (
            f"load_weights: {path} has more weights than the model ({len(saved_names)} vs {count}); the "
            f"first extra one is layer '{layer}' weight '{weight}' of shape {tuple(theirs.shape)}"
        )
    layer, weight = _layer_of(mine[0])
    if theirs is None:
        return (
            f"load_weights: {path} has fewer weights than the model ({len(saved_names)} vs {count}); "
            f"layer '{layer}' weight '{weight}' {mine[1].shape} is missing"
        )
    saved = saved_names[i] if i < len(saved_names) else "?"
    return (
        f"load_weights: {path} does not fit the model: layer '{layer}' weight '{weight}' has shape "
        f"{mine[1].shape} in the model but {tuple(theirs.shape)} in the file (saved as '{saved}')"
    )


def _read(path, formats) -> tuple[dict, dict]:
    tensors, meta = load_file(path)
    if meta.get("format") not in formats:
        raise CorruptFileError(
            f"{path}: not a gputensor {' or '.join(formats)} file (format {meta.get('format')!r})"
        )
    try:
        names = json.loads(meta["weight_names"])
    except (KeyError, json.JSONDecodeError):
        raise CorruptFileError(f"{path}: damaged metadata (weight_names)") from None
    meta["weight_names"] = names
    return tensors, meta


def load_weights(model, path) -> None:
    """Load weights saved by :func:`save_weights` or :func:`save_model` into ``model``."""
    tensors, meta = _read(path, (WEIGHTS_FORMAT, MODEL_FORMAT))
    if not model.weights and meta["weight_names"]:
        raise ArgumentValueError(
            f"load_weights: {model.name} has no weights yet; build it first (give input_shape, "
            "call it on a batch, or call model.build(shape))"
        )
    _assign(model, path, tensors, meta["weight_names"])


# --- whole models ------------------------------------------------------------------------------


def _model_class_name(model) -> str:
    from .sequential import Sequential

    if type(model) is Sequential:
        return "Sequential"
    if model._graph is not None and type(model).__name__ == "Model":
        return "Functional"
    for key, cls in _REGISTERED.items():
        if cls is type(model):
            return key
    raise ArgumentValueError(
        f"save: {type(model).__name__} is a subclassed model; decorate it with "
        "@gt.nn.register_serializable and give it get_config(), or use save_weights"
    )


def _compile_config(model) -> dict | None:
    state = model._compiled
    if state is None:
        return None
    spec = model._compile_spec
    loss = spec["loss"]
    losses = loss if isinstance(loss, (list, tuple)) else [loss]
    return {
        "optimizer": optimizers.serialize(state.optimizer),
        "loss": [
            item if isinstance(item, str) else objectives.serialize(objectives.get(item)) for item in losses
        ],
        "loss_is_list": isinstance(loss, (list, tuple)),
        "metrics": [
            m if isinstance(m, str) else {"class_name": type(m).__name__, "config": m.get_config()}
            for m in (spec["metrics"] or [])
        ],
        "loss_weights": spec["loss_weights"],
    }


def save_model(model, path) -> None:
    """Write ``model`` (architecture, compile settings, weights, optimizer state) to ``path``."""
    config = {"class_name": _model_class_name(model), "config": model.get_config()}
    tensors, names = _weight_tensors(model)
    meta = {"format": MODEL_FORMAT, "model_config": json.dumps(config), "weight_names": json.dumps(names)}
    compiled = _compile_config(model)
    if compiled is not None:
        meta["compile_config"] = json.dumps(compiled)
        optimizer = model._compiled.optimizer
        for key, slot in optimizer.state_tensors(model.trainable_weights).items():
            tensors[f"optimizer/{key}"] = _host(slot)
        meta["optimizer_iterations"] = str(optimizer.iterations)
    if model._build_input_shape is not None and config["class_name"] not in ("Sequential", "Functional"):
        meta["build_input_shape"] = json.dumps(list(model._build_input_shape))
    save_file(tensors, path, meta)


def load_model(path, custom_objects: dict | None = None, compile: bool = True):
    """Rebuild a model saved with ``model.save(path)``: same architecture and weights, and,
    with ``compile``, the same optimizer (with its state), loss and metrics."""
    tensors, meta = _read(path, (MODEL_FORMAT,))
    try:
        config = json.loads(meta["model_config"])
    except (KeyError, json.JSONDecodeError):
        raise CorruptFileError(f"{path}: damaged metadata (model_config)") from None
    model = model_from_config(config, custom_objects)
    if "build_input_shape" in meta:
        model.build_for(tuple(json.loads(meta["build_input_shape"])))
    _assign(model, path, tensors, meta["weight_names"])
    if compile and "compile_config" in meta:
        _restore_compile(
            model, json.loads(meta["compile_config"]), tensors, int(meta.get("optimizer_iterations", 0))
        )
    return model


def _restore_compile(model, compiled: dict, tensors: dict, iterations: int) -> None:
    losses = [item if isinstance(item, str) else objectives.deserialize(item) for item in compiled["loss"]]
    metrics = [
        m if isinstance(m, str) else getattr(metrics_mod, m["class_name"])(**m["config"])
        for m in compiled["metrics"]
    ]
    model.compile(
        optimizer=optimizers.deserialize(compiled["optimizer"]),
        loss=losses if compiled["loss_is_list"] else losses[0],
        metrics=metrics,
        loss_weights=compiled["loss_weights"],
    )
    state = {
        key[len("optimizer/") :]: ops.asarray(value)
        for key, value in tensors.items()
        if key.startswith("optimizer/")
    }
    model.optimizer.load_state(model.trainable_weights, state, iterations)


def _lookup(class_name: str, custom_objects: dict | None):
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    if class_name in _REGISTERED:
        return _REGISTERED[class_name]
    cls = getattr(layers_mod, class_name, None)
    if isinstance(cls, type):
        return cls
    raise ArgumentValueError(
        f"load_model: unknown class {class_name!r}; pass it in custom_objects or decorate it with "
        "@gt.nn.register_serializable"
    )


def deserialize_layer(entry: dict, custom_objects=None):
    """A layer (or nested model) from ``{"class_name", "config"}``."""
    if entry["class_name"] in ("Sequential", "Functional"):
        return model_from_config(entry, custom_objects)
    cls = _lookup(entry["class_name"], custom_objects)
    return cls.from_config(dict(entry["config"]))


def model_from_config(config: dict, custom_objects=None):
    """A model from ``{"class_name": ..., "config": ...}`` (without weights)."""
    from .model import Model
    from .sequential import Sequential

    kind = config["class_name"]
    body = config["config"]
    if kind == "Sequential":
        model = Sequential(name=body["name"])
        if body.get("batch_input_shape") is not None:
            model.add(layers_mod.Input(batch_shape=tuple(body["batch_input_shape"])))
        for entry in body["layers"]:
            model.add(deserialize_layer(entry, custom_objects))
        return model
    if kind == "Functional":
        return _functional_from_config(body, custom_objects, Model)
    return _lookup(kind, custom_objects).from_config(dict(body))


def _functional_from_config(body: dict, custom_objects, model_cls):
    made = {}
    outputs = {}
    pending = []
    for entry in body["layers"]:
        if entry["class_name"] == "InputLayer":
            layer = InputLayer(**entry["config"])
            outputs[(layer.name, 0)] = [layer.output]
        else:
            layer = deserialize_layer(entry, custom_objects)
            pending.extend((layer, k, refs) for k, refs in enumerate(entry["inbound_nodes"]))
        made[entry["name"]] = layer
    while pending:
        progress = False
        for item in list(pending):
            layer, k, refs = item
            try:
                args = _resolve(refs, outputs)
            except KeyError:
                continue
            out = layer(args)
            outputs[(layer.name, k)] = out if isinstance(out, list) else [out]
            pending.remove(item)
            progress = True
        if not progress:
            raise ArgumentValueError("load_model: the saved functional graph has unresolvable connections")
    inputs = [outputs[(n, k)][i] for n, k, i in body["input_layers"]]
    outs = [outputs[(n, k)][i] for n, k, i in body["output_layers"]]
    return model_cls(
        inputs if len(inputs) > 1 else inputs[0],
        outs[0] if body["single_output"] else outs,
        name=body["name"],
    )


def _resolve(refs, outputs):
    if isinstance(refs, dict):
        name, k, i = refs["ref"]
        return outputs[(name, k)][i]
    return [_resolve(r, outputs) for r in refs]
