"""The seeds' Iris example, verbatim but for ``tf`` → ``gt``, runs and learns."""

from __future__ import annotations

import gputensor as gt
from gputensor.datasets import IRIS_FEATURES, iris_csv


def test_seeds_iris_code_runs_as_written(tmp_path):
    FILE_TRAIN, FILE_TEST = iris_csv(tmp_path / "data")  # noqa: N806  (the seeds' names)
    PATH = str(tmp_path / "model")  # noqa: N806
    feature_names = list(IRIS_FEATURES)
    feature_columns = [gt.feature_column.numeric_column(k) for k in feature_names]
    gt.manual_seed(0)

    # --- the seeds' code -------------------------------------------------------------------
    def my_input_fn(file_path, perform_shuffle=False, repeat_count=1):
        def decode_csv(line):
            parsed_line = gt.data.decode_csv(line, [[0.], [0.], [0.], [0.], [0]])
            label = parsed_line[-1]
            features = dict(zip(feature_names, parsed_line[:-1]))
            return features, label
        dataset = gt.data.TextLineDataset(file_path).skip(1).map(decode_csv)
        if perform_shuffle:
            dataset = dataset.shuffle(buffer_size=256)
        return dataset.repeat(repeat_count).batch(32)

    classifier = gt.estimator.DNNClassifier(feature_columns=feature_columns, hidden_units=[10, 10], n_classes=3, model_dir=PATH)  # noqa: E501
    classifier.train(input_fn=lambda: my_input_fn(FILE_TRAIN, True, 8))
    result = classifier.evaluate(input_fn=lambda: my_input_fn(FILE_TEST, False, 4))
    # -----------------------------------------------------------------------------------------

    assert result["global_step"] == 30  # 120 flowers x 8 repeats / 32 per batch
    assert set(result) >= {"accuracy", "loss", "average_loss", "global_step"}
    assert result["accuracy"] > 0.5
    predictions = list(classifier.predict(input_fn=lambda: my_input_fn(FILE_TEST, False, 1)))
    assert len(predictions) == 30
    first = predictions[0]
    assert set(first) >= {"class_ids", "probabilities", "logits", "classes"}
    assert first["probabilities"].shape == (3,) and abs(first["probabilities"].sum() - 1) < 1e-5
    assert first["class_ids"][0] == first["probabilities"].argmax()

    again = gt.estimator.DNNClassifier(feature_columns=feature_columns, hidden_units=[10, 10], n_classes=3,
                                       model_dir=PATH)
    assert again.evaluate(input_fn=lambda: my_input_fn(FILE_TEST, False, 4)) == result
    again.train(input_fn=lambda: my_input_fn(FILE_TRAIN, True, 8), steps=5)
    assert again.global_step == 35


def test_iris_learns_with_more_steps(tmp_path):
    train, test = iris_csv(tmp_path)
    names = list(IRIS_FEATURES)

    def input_fn(path, shuffle, repeat):
        def decode(line):
            parsed = gt.data.decode_csv(line, [[0.], [0.], [0.], [0.], [0]])
            return dict(zip(names, parsed[:-1])), parsed[-1]

        ds = gt.data.TextLineDataset(path).skip(1).map(decode)
        ds = ds.shuffle(256) if shuffle else ds
        return ds.repeat(repeat).batch(32)

    gt.manual_seed(1)
    clf = gt.estimator.DNNClassifier([10, 10], [gt.feature_column.numeric_column(k) for k in names],
                                     n_classes=3, model_dir=str(tmp_path / "m"))
    clf.train(lambda: input_fn(train, True, None), steps=300)
    assert clf.evaluate(lambda: input_fn(test, False, 1))["accuracy"] >= 0.9
