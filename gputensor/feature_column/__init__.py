"""Feature columns (``gt.feature_column``), as in ``tf.feature_column``: describe each raw
feature once and let estimators (or a ``DenseFeatures`` layer) turn batches of features into
model input.

>>> import gputensor as gt
>>> fc = gt.feature_column
>>> cols = [fc.numeric_column("x"), fc.indicator_column(
...     fc.categorical_column_with_vocabulary_list("kind", ["a", "b"]))]
>>> fc.input_layer({"x": gt.tensor([0.5]), "kind": ["b"]}, cols).tolist()
[[0.0, 1.0, 0.5]]
"""

from .columns import (
    BucketizedColumn,
    CategoricalColumn,
    DenseColumn,
    EmbeddingColumn,
    FeatureColumn,
    IdentityColumn,
    IndicatorColumn,
    NumericColumn,
    VocabularyListColumn,
    bucketized_column,
    categorical_column_with_identity,
    categorical_column_with_vocabulary_list,
    embedding_column,
    indicator_column,
    numeric_column,
)
from .dense import DenseFeatures, input_layer

__all__ = [
    "BucketizedColumn",
    "CategoricalColumn",
    "DenseColumn",
    "DenseFeatures",
    "EmbeddingColumn",
    "FeatureColumn",
    "IdentityColumn",
    "IndicatorColumn",
    "NumericColumn",
    "VocabularyListColumn",
    "bucketized_column",
    "categorical_column_with_identity",
    "categorical_column_with_vocabulary_list",
    "embedding_column",
    "indicator_column",
    "input_layer",
    "numeric_column",
]
