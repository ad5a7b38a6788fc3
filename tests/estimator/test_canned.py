"""Each canned estimator on a small problem it must solve."""

from __future__ import annotations

import numpy as np
import pytest

import gputensor as gt

fc = gt.feature_column


def _blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centers = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    x = (centers[y] + rng.standard_normal((n, 2)) * 0.5).astype(np.float32)
    return x, y


def _input(x, y=None, batch=32, repeat=None, shuffle=True):
    def fn():
        data = {"x": x} if y is None else ({"x": x}, y)
        ds = gt.data.Dataset.from_tensor_slices(data)
        if shuffle:
            ds = ds.shuffle(len(x), seed=0)
        return ds.repeat(repeat).batch(batch)
    return fn


def test_linear_classifier_multiclass_and_binary(tmp_path):
    x, y = _blobs()
    clf = gt.estimator.LinearClassifier([fc.numeric_column("x", shape=2)], n_classes=3,
                                        model_dir=str(tmp_path / "m"))
    clf.train(_input(x, y), steps=100)
    assert clf.evaluate(_input(x, y, repeat=1, shuffle=False))["accuracy"] >= 0.95
    binary = gt.estimator.LinearClassifier([fc.numeric_column("x", shape=2)], model_dir=str(tmp_path / "b"))
    yb = (y == 0).astype(np.int64)
    binary.train(_input(x, yb), steps=100)
    result = binary.evaluate(_input(x, yb, repeat=1, shuffle=False))
    assert result["accuracy"] >= 0.95 and result["auc"] >= 0.98
    assert {"precision", "recall", "label/mean", "prediction/mean", "accuracy_baseline"} <= set(result)
    p = next(binary.predict(_input(x[:1], batch=1, repeat=1, shuffle=False)))
    assert p["probabilities"].shape == (2,) and p["logistic"].shape == (1,)


def test_linear_regressor(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 3)).astype(np.float32)
    y = (x @ np.array([1.5, -2.0, 0.5]) + 3.0).astype(np.float32)
    reg = gt.estimator.LinearRegressor([fc.numeric_column("x", shape=3)], model_dir=str(tmp_path),
                                       optimizer=gt.nn.optimizers.SGD(0.001))
    reg.train(_input(x, y), steps=300)
    result = reg.evaluate(_input(x, y, repeat=1, shuffle=False))
    assert result["average_loss"] < 1e-3
    np.testing.assert_allclose(reg.get_variable_value("linear/linear_model/logits/kernel")[:, 0],
                               [1.5, -2.0, 0.5], atol=0.02)


def test_dnn_classifier_with_label_vocabulary_and_weights(tmp_path):
    x, y = _blobs()
    names = np.array(["north", "east", "south"])[y]
    weights = np.ones(len(y), np.float32)
    clf = gt.estimator.DNNClassifier([16], [fc.numeric_column("x", shape=2)], n_classes=3,
                                     label_vocabulary=["north", "east", "south"], weight_column="w",
                                     model_dir=str(tmp_path))

    def input_fn(repeat=None):
        return gt.data.Dataset.from_tensor_slices(({"x": x, "w": weights}, names)).repeat(repeat).batch(40)

    clf.train(input_fn, steps=60)
    assert clf.evaluate(lambda: input_fn(1))["accuracy"] >= 0.95
    first = next(clf.predict(lambda: input_fn(1)))
    assert first["classes"][0] in {"north", "east", "south"}


def test_dnn_regressor_nonlinear(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.uniform(-2, 2, (256, 1)).astype(np.float32)
    y = (x[:, 0] ** 2).astype(np.float32)
    gt.manual_seed(0)
    reg = gt.estimator.DNNRegressor([32, 32], [fc.numeric_column("x")], model_dir=str(tmp_path),
                                    optimizer=gt.nn.optimizers.Adam(0.01))
    reg.train(_input(x, y), steps=300)
    assert reg.evaluate(_input(x, y, repeat=1, shuffle=False))["average_loss"] < 0.05
    assert reg.evaluate(_input(x, y, repeat=1, shuffle=False))["average_loss"] < np.var(y) / 20


def test_wide_and_deep_with_categorical_columns(tmp_path):
    rng = np.random.default_rng(3)
    n = 300
    color = rng.choice(["red", "green", "blue"], n)
    size = rng.uniform(0, 10, n).astype(np.float32)
    label = ((color == "red") ^ (size > 5)).astype(np.int64)
    color_col = fc.categorical_column_with_vocabulary_list("color", ["red", "green", "blue"])
    size_col = fc.numeric_column("size")
    clf = gt.estimator.DNNLinearCombinedClassifier(
        linear_feature_columns=[fc.indicator_column(color_col),
                                fc.bucketized_column(size_col, [2.5, 5, 7.5])],
        dnn_feature_columns=[fc.embedding_column(color_col, 3), size_col], dnn_hidden_units=[16, 8],
        model_dir=str(tmp_path), dnn_optimizer=gt.nn.optimizers.Adam(0.01))

    def input_fn(repeat=None):
        ds = gt.data.Dataset.from_tensor_slices(({"color": color, "size": size}, label))
        return ds.shuffle(n, seed=1).repeat(repeat).batch(50)

    clf.train(input_fn, steps=200)
    assert clf.evaluate(lambda: input_fn(1))["accuracy"] >= 0.95
    names = clf.get_variable_names()
    assert any(n.startswith("linear/") for n in names) and any("embedding_weights" in n for n in names)


def test_svm_separates_with_margin(tmp_path):
    x, y = _blobs()
    yb = (y == 1).astype(np.int64)
    svm = gt.estimator.SVM("example_id", [fc.numeric_column("x", shape=2)], l2_regularization=0.01,
                           model_dir=str(tmp_path))
    svm.train(_input(x, yb), steps=200)
    result = svm.evaluate(_input(x, yb, repeat=1, shuffle=False))
    assert result["accuracy"] >= 0.97
    margins = np.array([p["logits"][0] for p in svm.predict(_input(x, batch=64, repeat=1, shuffle=False))])
    assert ((margins > 0) == (yb == 1)).mean() >= 0.97


def test_kmeans_full_batch_and_mini_batch(tmp_path):
    x, y = _blobs(300)
    full = gt.estimator.KMeansClustering(3, use_mini_batch=False, seed=0, model_dir=str(tmp_path / "f"))
    full.train(lambda: x, steps=10)
    centers = full.cluster_centers()
    expect = np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])
    assert np.abs(np.sort(centers, axis=0) - np.sort(expect, axis=0)).max() < 0.2
    labels = list(full.predict_cluster_index(lambda: x))
    assert len(set(zip(labels, y.tolist()))) == 3
    manual = ((x[:, None] - centers[None]) ** 2).sum(-1).min(1).sum()
    assert full.score(lambda: x) == pytest.approx(manual, rel=1e-4)
    mini = gt.estimator.KMeansClustering(3, seed=0, model_dir=str(tmp_path / "m"))
    stream = lambda: gt.data.Dataset.from_tensor_slices(x).shuffle(300, seed=2).repeat().batch(30)  # noqa: E731
    mini.train(stream, steps=50)
    assert mini.score(lambda: x) < 1.05 * full.score(lambda: x)
    resumed = gt.estimator.KMeansClustering(3, seed=0, model_dir=str(tmp_path / "f"))
    np.testing.assert_array_equal(resumed.cluster_centers(), centers)


def test_gmm_recovers_components(tmp_path):
    rng = np.random.default_rng(4)
    a = rng.multivariate_normal([0, 0], [[1.0, 0.6], [0.6, 1.0]], 400)
    b = rng.multivariate_normal([6, 6], [[0.5, 0.0], [0.0, 2.0]], 200)
    x = np.concatenate([a, b]).astype(np.float32)
    gmm = gt.estimator.GMM(2, random_seed=1, model_dir=str(tmp_path))
    gmm.train(lambda: x, steps=30)
    order = np.argsort(gmm.clusters()[:, 0])
    np.testing.assert_allclose(gmm.clusters()[order], [[0, 0], [6, 6]], atol=0.2)
    np.testing.assert_allclose(gmm.weights()[order], [2 / 3, 1 / 3], atol=0.03)
    np.testing.assert_allclose(gmm.covariances()[order][0], [[1.0, 0.6], [0.6, 1.0]], atol=0.2)
    result = gmm.evaluate(lambda: x)
    assert result["loss"] == pytest.approx(-result["average_log_likelihood"])
    p = next(gmm.predict(lambda: x[:1]))
    assert p["probabilities"].sum() == pytest.approx(1.0, abs=1e-5)
    diag = gt.estimator.GMM(2, random_seed=1, covariance_type="diag", model_dir=str(tmp_path / "d"))
    diag.train(lambda: x, steps=20)
    assert diag.covariances().shape == (2, 2)


def test_kmeans_with_feature_columns_and_cosine(tmp_path):
    rng = np.random.default_rng(5)
    angles = np.concatenate([rng.normal(0.3, 0.05, 50), rng.normal(2.0, 0.05, 50)])
    radius = rng.uniform(1, 5, 100)
    features = {"a": (np.cos(angles) * radius).astype(np.float32),
                "b": (np.sin(angles) * radius).astype(np.float32)}
    cols = [fc.numeric_column("a"), fc.numeric_column("b")]
    km = gt.estimator.KMeansClustering(2, distance_metric="cosine", use_mini_batch=False, seed=3,
                                       feature_columns=cols, model_dir=str(tmp_path))
    km.train(lambda: features, steps=5)
    labels = np.array(list(km.predict_cluster_index(lambda: features)))
    assert len(set(labels[:50])) == 1 and len(set(labels[50:])) == 1 and labels[0] != labels[-1]
    distances = next(km.transform(lambda: features))
    assert distances.shape == (2,) and distances.min() < 0.01
