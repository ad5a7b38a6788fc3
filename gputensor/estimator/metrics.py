"""Streaming evaluation metrics, accumulated on the host batch by batch."""

from __future__ import annotations

import numpy as np


def host(x) -> np.ndarray:
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


class Mean:
    """A weighted mean of values seen over many batches."""

    def __init__(self):
        self.total = 0.0
        self.weight = 0.0

    def update(self, values, weights=None) -> None:
        v = host(values).reshape(-1)
        w = np.ones_like(v) if weights is None else np.broadcast_to(host(weights).reshape(-1), v.shape)
        self.total += float((v * w).sum())
        self.weight += float(w.sum())

    def update_scalar(self, value, weight: float) -> None:
        self.total += float(host(value)) * weight
        self.weight += weight

    def result(self) -> float:
        return self.total / self.weight if self.weight else 0.0


class Curve:
    """Keeps scores and labels of a binary problem for AUC, precision and recall."""

    def __init__(self):
        self.scores = []
        self.labels = []
        self.weights = []

    def update(self, scores, labels, weights=None) -> None:
        s = host(scores).reshape(-1)
        self.scores.append(s)
        self.labels.append(host(labels).reshape(-1))
        self.weights.append(np.ones_like(s) if weights is None else host(weights).reshape(-1))

    def _arrays(self):
        if not self.scores:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        return np.concatenate(self.scores), np.concatenate(self.labels), np.concatenate(self.weights)

    def auc(self) -> float:
        """Area under the ROC curve (exact, ties counted half)."""
        return roc_auc(*self._arrays())

    def auc_precision_recall(self) -> float:
        """Area under the precision-recall curve (average precision)."""
        scores, labels, weights = self._arrays()
        order = np.argsort(-scores, kind="stable")
        hits = np.cumsum((labels[order] > 0.5) * weights[order])
        seen = np.cumsum(weights[order])
        positives = hits[-1] if len(hits) else 0.0
        if positives == 0:
            return 0.0
        precision = hits / seen
        recall_steps = np.diff(np.concatenate([[0.0], hits])) / positives
        return float((precision * recall_steps).sum())

    def precision_recall(self, threshold: float = 0.5):
        scores, labels, weights = self._arrays()
        predicted = scores > threshold
        actual = labels > 0.5
        tp = float((weights * (predicted & actual)).sum())
        fp = float((weights * (predicted & ~actual)).sum())
        fn = float((weights * (~predicted & actual)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return precision, recall


def roc_auc(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """Weighted ROC AUC: the chance a positive outranks a negative (ties count half)."""
    pos = labels > 0.5
    wp = float(weights[pos].sum())
    wn = float(weights[~pos].sum())
    if wp == 0 or wn == 0:
        return 0.0
    order = np.argsort(scores, kind="stable")
    s, p, w = scores[order], pos[order], weights[order]
    unique, start = np.unique(s, return_index=True)
    neg_w = np.add.reduceat(np.where(p, 0.0, w), start)
    pos_w = np.add.reduceat(np.where(p, w, 0.0), start)
    neg_below = np.cumsum(neg_w) - neg_w
    return float(((neg_below + 0.5 * neg_w) * pos_w).sum() / (wp * wn))
