"""Estimator quality against the issue's bars and scikit-learn, in one run.

Cases:
- Iris DNNClassifier [10, 10] (the seeds' input pipeline and defaults), mean test accuracy over
  10 seeds: trained as the seeds train it (8 repeats of the 120 flowers: 30 steps) and trained
  to convergence (1000 steps). Bar: >= 0.93.
- KMeansClustering (full-batch Lloyd, k-means++) on a blob data set: inertia against
  scikit-learn's KMeans. Bar: within 1%.
- GMM (EM, full covariances) on a mixture of skewed Gaussians: average log-likelihood against
  scikit-learn's GaussianMixture. Bar: within 1%.
- LinearClassifier on scikit-learn's digits (80/20 split): test accuracy. Bar: >= 0.93.

Run: ``python bench/estimators.py`` (``--quick``: 3 Iris seeds, smaller data). Prints each
figure with its bar and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_results  # noqa: E402

import gputensor as gt  # noqa: E402
from gputensor.datasets import IRIS_FEATURES, iris_csv, load_digits  # noqa: E402


def iris_input_fn(file_path, perform_shuffle=False, repeat_count=1):
    """The seeds' input function."""
    feature_names = list(IRIS_FEATURES)

    def decode_csv(line):
        parsed_line = gt.data.decode_csv(line, [[0.], [0.], [0.], [0.], [0]])
        label = parsed_line[-1]
        features = dict(zip(feature_names, parsed_line[:-1]))
        return features, label

    dataset = gt.data.TextLineDataset(file_path).skip(1).map(decode_csv)
    if perform_shuffle:
        dataset = dataset.shuffle(buffer_size=256)
    return dataset.repeat(repeat_count).batch(32)


def iris(seeds: int, steps) -> dict:
    train, test = iris_csv(tempfile.mkdtemp())
    columns = [gt.feature_column.numeric_column(k) for k in IRIS_FEATURES]
    accuracies = []
    start = time.perf_counter()
    for seed in range(seeds):
        gt.manual_seed(seed)
        clf = gt.estimator.DNNClassifier(feature_columns=columns, hidden_units=[10, 10], n_classes=3,
                                         model_dir=tempfile.mkdtemp())
        if steps is None:
            clf.train(input_fn=lambda: iris_input_fn(train, True, 8))
        else:
            clf.train(input_fn=lambda: iris_input_fn(train, True, None), steps=steps)
        accuracies.append(clf.evaluate(input_fn=lambda: iris_input_fn(test, False, 4))["accuracy"])
        clf.close()
    return {"mean_accuracy": statistics.mean(accuracies), "min_accuracy": min(accuracies),
            "accuracies": accuracies, "steps": 30 if steps is None else steps,
            "seconds_per_seed": (time.perf_counter() - start) / seeds}


def kmeans(quick: bool) -> dict:
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs

    n = 5000 if quick else 20000
    x, _ = make_blobs(n_samples=n, centers=8, n_features=10, cluster_std=2.0, random_state=0)
    x = x.astype(np.float32)
    start = time.perf_counter()
    km = gt.estimator.KMeansClustering(8, use_mini_batch=False, seed=0, model_dir=tempfile.mkdtemp())
    km.train(lambda: x, steps=100)
    ours = km.score(lambda: x)
    seconds = time.perf_counter() - start
    ref = KMeans(8, random_state=0, n_init="auto").fit(x)
    theirs = float(-ref.score(x))
    return {"inertia": ours, "sklearn_inertia": theirs, "relative_difference": ours / theirs - 1.0,
            "seconds": seconds, "points": n}


def gmm(quick: bool) -> dict:
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(0)
    per = 1000 if quick else 3000
    parts = []
    for _ in range(4):
        mixing = rng.standard_normal((5, 5)) * 0.7
        parts.append(rng.standard_normal((per, 5)) @ mixing + rng.uniform(-6, 6, 5))
    x = np.concatenate(parts).astype(np.float32)
    start = time.perf_counter()
    model = gt.estimator.GMM(4, random_seed=0, model_dir=tempfile.mkdtemp())
    model.train(lambda: x, steps=100)
    ours = model.evaluate(lambda: x)["average_log_likelihood"]
    seconds = time.perf_counter() - start
    ref = GaussianMixture(4, covariance_type="full", random_state=0, max_iter=100).fit(x)
    theirs = float(ref.score(x))
    return {"average_log_likelihood": ours, "sklearn_average_log_likelihood": theirs,
            "relative_difference": abs(ours - theirs) / abs(theirs), "seconds": seconds}


def digits() -> dict:
    (x_train, y_train), (x_test, y_test) = load_digits()
    gt.manual_seed(0)
    start = time.perf_counter()
    clf = gt.estimator.LinearClassifier([gt.feature_column.numeric_column("pixels", shape=64)], n_classes=10,
                                        model_dir=tempfile.mkdtemp())

    def train_fn():
        ds = gt.data.Dataset.from_tensor_slices(({"pixels": x_train}, y_train))
        return ds.shuffle(len(x_train), seed=0).repeat().batch(128)

    clf.train(train_fn, steps=1000)
    accuracy = clf.evaluate(lambda: ({"pixels": x_test}, y_test))["accuracy"]
    return {"accuracy": accuracy, "steps": 1000, "seconds": time.perf_counter() - start}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    seeds = 3 if args.quick else 10
    results = {
        "iris_seeds_30_steps": iris(seeds, None),
        "iris_1000_steps": iris(seeds, 1000),
        "kmeans": kmeans(args.quick),
        "gmm": gmm(args.quick),
        "digits_linear": digits(),
    }
    checks = {
        "iris_mean_accuracy_ge_0.93": results["iris_1000_steps"]["mean_accuracy"] >= 0.93,
        "kmeans_inertia_within_1pct": abs(results["kmeans"]["relative_difference"]) <= 0.01,
        "gmm_avg_loglik_within_1pct": results["gmm"]["relative_difference"] <= 0.01,
        "digits_accuracy_ge_0.93": results["digits_linear"]["accuracy"] >= 0.93,
    }
    print(f"Iris DNN [10,10], {seeds} seeds: mean accuracy "
          f"{results['iris_seeds_30_steps']['mean_accuracy']:.3f} after the seeds' 30 steps, "
          f"{results['iris_1000_steps']['mean_accuracy']:.3f} after 1000 steps (bar 0.93)")
    print(f"KMeans inertia {results['kmeans']['inertia']:.1f} vs scikit-learn "
          f"{results['kmeans']['sklearn_inertia']:.1f} ({results['kmeans']['relative_difference']:+.4%})")
    g = results["gmm"]
    print(f"GMM average log-likelihood {g['average_log_likelihood']:.5f} vs scikit-learn "
          f"{g['sklearn_average_log_likelihood']:.5f} ({g['relative_difference']:.4%})")
    print(f"LinearClassifier on digits: accuracy {results['digits_linear']['accuracy']:.4f} (bar 0.93)")
    print("bars met:", checks)
    path = write_results("estimators", {"quick": args.quick, "results": results, "bars_met": checks})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
