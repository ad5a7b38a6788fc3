"""The runnable examples in gputensor.data's docstrings (and the Iris CSV writer) run."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gputensor.data

MODULES = sorted(m.name for m in pkgutil.iter_modules(gputensor.data.__path__, "gputensor.data."))


@pytest.mark.parametrize("name", MODULES + ["gputensor.data"])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0


def test_iris_csv_writer(tmp_path):
    from gputensor.datasets import IRIS_CLASSES, iris_csv, iris_split

    train, test = iris_csv(tmp_path)
    (x_train, y_train), (x_test, y_test) = iris_split()
    assert (len(y_train), len(y_test)) == (120, 30)
    assert sorted(set(y_train.tolist())) == [0, 1, 2]
    lines = open(train).read().splitlines()
    assert lines[0] == "120,4," + ",".join(IRIS_CLASSES)
    assert len(lines) == 121
    first = lines[1].split(",")
    assert [float(v) for v in first[:4]] == pytest.approx(x_train[0].tolist())
    assert int(first[4]) == y_train[0]
    assert open(test).read().splitlines()[0].startswith("30,4,")
    assert iris_csv(tmp_path) == (train, test)
