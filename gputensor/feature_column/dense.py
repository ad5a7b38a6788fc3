"""``DenseFeatures``: feature columns as a gputensor.nn layer, and ``input_layer``."""

from __future__ import annotations

from .. import ops
from ..errors import ArgumentTypeError, ArgumentValueError
from ..nn.layers.base import Layer
from ..tensor import Tensor
from .columns import DenseColumn, EmbeddingColumn


def check_columns(feature_columns, where: str) -> list:
    """The columns as a list of dense columns (sorted by name, as TensorFlow orders them)."""
    columns = list(feature_columns)
    if not columns:
        raise ArgumentValueError(f"{where}: feature_columns is empty")
    for c in columns:
        if not isinstance(c, DenseColumn):
            raise ArgumentTypeError(f"{where}: {c!r} is not a dense column; wrap categorical columns in "
                                    "indicator_column or embedding_column")
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ArgumentValueError(f"{where}: duplicate feature columns {sorted(names)}")
    return sorted(columns, key=lambda c: c.name)


def input_layer(features: dict, feature_columns, variables=None, device=None) -> Tensor:
    """The features as one ``[batch, sum of column dimensions]`` float32 tensor.

    ``variables`` maps embedding-table names to tensors (``DenseFeatures`` keeps them).

    >>> import gputensor as gt
    >>> fc = gt.feature_column
    >>> cols = [fc.numeric_column("a"), fc.numeric_column("b", shape=2)]
    >>> fc.input_layer({"a": gt.tensor([1.0]), "b": gt.tensor([[2.0, 3.0]])}, cols).tolist()
    [[1.0, 2.0, 3.0]]
    """
    from ..devices.registry import current_device

    columns = check_columns(feature_columns, "input_layer")
    device = current_device() if device is None else device
    parts = [c.dense(features, device, variables) for c in columns]
    return parts[0] if len(parts) == 1 else ops.concat(parts, axis=1)


class DenseFeatures(Layer):
    """A layer turning a dict of features into ``[batch, dimension]`` floats through feature
    columns; it owns the embedding tables of its embedding columns.

    >>> import gputensor as gt
    >>> fc = gt.feature_column
    >>> city = fc.categorical_column_with_vocabulary_list("city", ["Oslo", "Rome", "Lima"])
    >>> layer = fc.DenseFeatures([fc.numeric_column("t"), fc.embedding_column(city, 4)])
    >>> layer({"t": gt.tensor([20.0, 31.0]), "city": ["Rome", "Lima"]}).shape
    (2, 5)
    """

    def __init__(self, feature_columns, trainable: bool = True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.feature_columns = check_columns(feature_columns, "DenseFeatures")
        self.dimension = sum(c.dimension for c in self.feature_columns)

    def build(self, input_shape) -> None:
        for c in self.feature_columns:
            if isinstance(c, EmbeddingColumn):
                self.add_weight(c.variable_name, c.table_shape, c.make_initializer(), trainable=c.trainable)

    def _convert_inputs(self, inputs):
        if not isinstance(inputs, dict):
            raise ArgumentTypeError(f"{self.name}: features must be a dict of name -> values")
        if self._device is None:
            for v in inputs.values():
                if isinstance(v, Tensor):
                    self._device = v.device
                    break
        return inputs

    def tables(self) -> dict:
        """``{table name: tensor}`` of the embedding tables."""
        return {c.variable_name: getattr(self, c.variable_name) for c in self.feature_columns
                if isinstance(c, EmbeddingColumn)}

    def call(self, inputs):
        return input_layer(inputs, self.feature_columns, self.tables(), self.device)

    def compute_output_shape(self, input_shape):
        return (None, self.dimension)
