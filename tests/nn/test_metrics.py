"""Metrics against NumPy and scikit-learn, streamed over several batches."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import gputensor as gt
from gputensor.nn import metrics, objectives

RNG = np.random.default_rng(2)
SCORES = RNG.random((40, 5)).astype(np.float32)
IDS = RNG.integers(0, 5, 40)
ONE_HOT = np.eye(5, dtype=np.float32)[IDS]
BIN_TRUE = (RNG.random((40, 1)) > 0.4).astype(np.float32)
BIN_PRED = np.clip(BIN_TRUE * 0.3 + RNG.random((40, 1)) * 0.7, 0, 1).astype(np.float32)


def _stream(metric, y_true, y_pred, device, sample_weight=None):
    for lo in range(0, len(y_true), 16):
        sw = None if sample_weight is None else gt.asarray(sample_weight[lo : lo + 16], device=device)
        metric.update_state(
            gt.asarray(y_true[lo : lo + 16], device=device),
            gt.asarray(y_pred[lo : lo + 16], device=device),
            sw,
        )
    return metric.result().item()


def _top_k(scores, ids, k):
    true = scores[np.arange(len(ids)), ids]
    return ((scores > true[:, None]).sum(1) < k).mean()


def test_accuracies(device):
    expected = (SCORES.argmax(1) == IDS).mean()
    assert _stream(metrics.CategoricalAccuracy(), ONE_HOT, SCORES, device) == pytest.approx(expected)
    assert _stream(metrics.SparseCategoricalAccuracy(), IDS, SCORES, device) == pytest.approx(expected)
    binary = ((BIN_PRED > 0.5) == BIN_TRUE).mean()
    assert _stream(metrics.BinaryAccuracy(), BIN_TRUE, BIN_PRED, device) == pytest.approx(binary)
    assert _stream(metrics.TopKCategoricalAccuracy(k=2), ONE_HOT, SCORES, device) == pytest.approx(
        _top_k(SCORES, IDS, 2)
    )
    assert _stream(metrics.SparseTopKCategoricalAccuracy(k=3), IDS, SCORES, device) == pytest.approx(
        _top_k(SCORES, IDS, 3)
    )


def test_accuracy_kind_follows_loss_and_shapes():
    p = gt.asarray(SCORES)
    assert isinstance(
        metrics.get("accuracy", objectives.CategoricalCrossentropy(), gt.asarray(ONE_HOT), p),
        metrics.CategoricalAccuracy,
    )
    assert isinstance(
        metrics.get("accuracy", objectives.SparseCategoricalCrossentropy(), gt.asarray(IDS), p),
        metrics.SparseCategoricalAccuracy,
    )
    assert isinstance(metrics.get("acc", None, gt.asarray(IDS), p), metrics.SparseCategoricalAccuracy)
    assert isinstance(
        metrics.get("accuracy", objectives.BinaryCrossentropy(), gt.asarray(BIN_TRUE), gt.asarray(BIN_PRED)),
        metrics.BinaryAccuracy,
    )


def test_precision_recall_auc(device):
    pred = BIN_PRED > 0.5
    tp = (pred & (BIN_TRUE > 0.5)).sum()
    assert _stream(metrics.Precision(), BIN_TRUE, BIN_PRED, device) == pytest.approx(tp / pred.sum())
    assert _stream(metrics.Recall(), BIN_TRUE, BIN_PRED, device) == pytest.approx(tp / (BIN_TRUE > 0.5).sum())
    auc = _stream(metrics.AUC(), BIN_TRUE, BIN_PRED, device)
    assert auc == pytest.approx(roc_auc_score(BIN_TRUE.ravel(), BIN_PRED.ravel()), abs=0.01)


def test_regression_metrics_and_sample_weight(device):
    t = RNG.standard_normal((40, 3)).astype(np.float32)
    p = RNG.standard_normal((40, 3)).astype(np.float32)
    assert _stream(metrics.MeanAbsoluteError(), t, p, device) == pytest.approx(np.abs(p - t).mean(), rel=1e-5)
    w = RNG.random(40).astype(np.float32)
    per = ((p - t) ** 2).mean(1)
    got = _stream(metrics.MeanSquaredError(), t, p, device, sample_weight=w)
    assert got == pytest.approx((per * w).sum() / w.sum(), rel=1e-5)


def test_mean_reset_and_errors():
    m = metrics.Mean()
    m.update_state(gt.tensor([1.0, 3.0]))
    assert m.result().item() == 2.0
    m.reset_state()
    assert m.result().item() == 0.0
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.get("acuracy")
