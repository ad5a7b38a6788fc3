"""Feature columns against hand-computed encodings."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

import gputensor as gt

fc = gt.feature_column
CPU = gt.device("cpu")


def test_numeric_shape_normalizer_and_default():
    col = fc.numeric_column("v", shape=(2,), normalizer_fn=lambda t: t - 1.0)
    out = col.dense({"v": np.array([[1, 2], [3, 4]])}, CPU)
    assert out.dtype == gt.float32 and out.tolist() == [[0.0, 1.0], [2.0, 3.0]]
    with pytest.raises(ValueError, match="expected"):
        col.dense({"v": gt.ones(3)}, CPU)
    filled = fc.numeric_column("missing", default_value=4.0)
    assert filled.dense({"other": gt.ones(2)}, CPU).tolist() == [[4.0], [4.0]]


def test_bucketized_edges():
    col = fc.bucketized_column(fc.numeric_column("a"), [0.0, 10.0])
    values = {"a": gt.tensor([-1.0, 0.0, 9.9, 10.0])}
    assert col.ids(values).tolist() == [0, 1, 1, 2]
    assert col.dense(values, CPU).tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match="increasing"):
        fc.bucketized_column(fc.numeric_column("a"), [1.0, 0.0])


def test_vocabulary_defaults_and_oov_buckets():
    col = fc.categorical_column_with_vocabulary_list("c", ["x", "y"], num_oov_buckets=3)
    ids = col.ids({"c": np.array(["y", "zz", "x", "zz"], dtype=object)})
    assert ids[0] == 1 and ids[2] == 0 and 2 <= ids[1] < 5 and ids[1] == ids[3]
    ints = fc.categorical_column_with_vocabulary_list("n", [10, 20], default_value=0)
    assert ints.ids({"n": gt.tensor([20, 30])}).tolist() == [1, 0]


def test_identity_indicator_and_embedding():
    ident = fc.categorical_column_with_identity("k", 4)
    ind = fc.indicator_column(ident)
    assert ind.dense({"k": gt.tensor([3, 0])}, CPU).tolist() == [[0, 0, 0, 1], [1, 0, 0, 0]]
    with pytest.raises(ValueError, match="outside"):
        ident.ids({"k": gt.tensor([4])})
    emb = fc.embedding_column(fc.categorical_column_with_vocabulary_list("w", ["a", "b"]), 3)
    layer = fc.DenseFeatures([emb])
    out = layer({"w": ["b", "zzz", "a"]})
    table = layer.tables()[emb.variable_name].numpy()
    np.testing.assert_allclose(out.numpy(), [table[1], np.zeros(3), table[0]])
    assert abs(table.std() - 1 / np.sqrt(3)) < 0.5


def test_embedding_gradients_reach_the_table():
    emb = fc.embedding_column(fc.categorical_column_with_identity("k", 5), 2)
    layer = fc.DenseFeatures([emb, fc.numeric_column("x")])
    with gt.GradientTape() as tape:
        out = layer({"k": gt.tensor([1, 1, 3]), "x": gt.tensor([1.0, 2.0, 3.0])})
        loss = out.sum()
    (grad,) = tape.gradient(loss, [layer.tables()[emb.variable_name]])
    assert grad.tolist() == [[0, 0], [2, 2], [0, 0], [1, 1], [0, 0]]
    assert out.shape == (3, 3)


def test_input_layer_orders_by_name_and_rejects_categorical():
    cols = [fc.numeric_column("b"), fc.numeric_column("a", shape=2)]
    out = fc.input_layer({"a": gt.tensor([[1.0, 2.0]]), "b": gt.tensor([3.0])}, cols)
    assert out.tolist() == [[1.0, 2.0, 3.0]]
    with pytest.raises(TypeError, match="indicator_column"):
        fc.input_layer({"c": ["x"]}, [fc.categorical_column_with_vocabulary_list("c", ["x"])])
    with pytest.raises(ValueError, match="no feature named"):
        fc.input_layer({}, [fc.numeric_column("a")])


@pytest.mark.parametrize("name", ["gputensor.feature_column", "gputensor.feature_column.columns",
                                  "gputensor.feature_column.dense"])
def test_docstring_examples(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0
