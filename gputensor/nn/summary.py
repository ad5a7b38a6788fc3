"""``model.summary()``: Keras' table of layers, output shapes and parameter counts."""

from __future__ import annotations


def _shape_text(shape) -> str:
    """``(None, 512)``: the batch axis is shown as None whatever batch was last seen."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    sizes = ["None"] + ["None" if n is None else str(n) for n in shape[1:]]
    return "(" + ", ".join(sizes) + (",)" if len(sizes) == 1 else ")")


def _row(cells, widths) -> str:
    line = ""
    for cell, width in zip(cells, widths):
        line += (" " + str(cell)).ljust(width)
    return line.rstrip()


def _count(weights) -> int:
    return sum(w.size for w in weights)


def _bytes(weights) -> str:
    total = sum(w.size * w.dtype.itemsize for w in weights)
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.2f} {unit}"
        total /= 1024
    return f"{total:.2f} GB"


def summary_text(model, line_length: int = 65) -> str:
    """The summary table of ``model`` as text.

    >>> import gputensor as gt
    >>> m = gt.nn.Sequential([gt.nn.Dense(2, input_shape=(3,))], name="tiny")
    >>> print(summary_text(m).splitlines()[0])
    Model: "tiny"
    """
    widths = [int(line_length * 0.45), int(line_length * 0.33), line_length - int(line_length * 0.78)]
    lines = [
        f'Model: "{model.name}"',
        "_" * line_length,
        _row(["Layer (type)", "Output Shape", "Param #"], widths),
        "=" * line_length,
    ]
    layers = model.layers
    for i, layer in enumerate(layers):
        shape = layer._last_output_shape
        if shape is None and getattr(layer, "output", None) is not None:
            shape = layer.output.shape
        label = f"{layer.name} ({type(layer).__name__})"
        lines.append(_row([label, _shape_text(shape), f"{layer.count_params():,}"], widths))
        if i < len(layers) - 1:
            lines.append("")
    if not model.built and not layers:
        lines.append(" (the model has no layers yet)")
    lines.append("=" * line_length)
    weights = model.weights
    trainable = model.trainable_weights
    frozen = model.non_trainable_weights
    lines.append(f"Total params: {_count(weights):,} ({_bytes(weights)})")
    lines.append(f"Trainable params: {_count(trainable):,} ({_bytes(trainable)})")
    lines.append(f"Non-trainable params: {_count(frozen):,} ({_bytes(frozen)})")
    lines.append("_" * line_length)
    return "\n".join(lines)
