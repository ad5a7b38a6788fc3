"""Data sets: the IDX reader (plain and gzip, errors), Fashion-MNIST loading from a folder,
the install hint when it is missing, and the digits fallback."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from gputensor import datasets


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): 0x08, np.dtype(">f4"): 0x0D, np.dtype(">i4"): 0x0C}
    array = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    header = bytes([0, 0, codes[array.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def write_fake_fashion(folder, n_train=256, n_test=64, compress=True, seed=0):
    """Four IDX files shaped like Fashion-MNIST's (noise images with a bright row that encodes the label)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        images[np.arange(n), 2 * labels.astype(int) + 4, :] = 250
        arrays[split] = (images, labels)
        for kind, data in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            raw = idx_bytes(data)
            name = folder / f"{split}-{kind}"
            if compress:
                with gzip.open(str(name) + ".gz", "wb") as f:
                    f.write(raw)
            else:
                name.write_bytes(raw)
    return arrays


def test_parse_idx_types_and_errors():
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(datasets.parse_idx(idx_bytes(values)), values)
    ints = np.array([1, -2, 300], dtype=np.int32)
    np.testing.assert_array_equal(datasets.parse_idx(idx_bytes(ints)), ints)
    with pytest.raises(datasets.IDXFormatError, match="bad magic"):
        datasets.parse_idx(b"\x01\x00\x08\x01")
    with pytest.raises(datasets.IDXFormatError, match="expected 12"):
        datasets.parse_idx(idx_bytes(np.zeros((3, 4), np.uint8))[:-1])


@pytest.mark.parametrize("compress", [True, False])
def test_load_fashion_mnist_from_folder(tmp_path, compress):
    arrays = write_fake_fashion(tmp_path, 32, 8, compress)
    assert datasets.fashion_mnist_available(tmp_path)
    (x_train, y_train), (x_test, y_test) = datasets.load_fashion_mnist(tmp_path)
    assert x_train.shape == (32, 28, 28) and x_train.dtype == np.uint8 and y_test.shape == (8,)
    np.testing.assert_array_equal(x_train, arrays["train"][0])
    np.testing.assert_array_equal(y_test, arrays["t10k"][1])


def test_missing_fashion_mnist_says_how_to_install(tmp_path):
    assert not datasets.fashion_mnist_available(tmp_path)
    with pytest.raises(datasets.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        datasets.load_fashion_mnist(tmp_path)


def test_digits_split():
    (x_train, y_train), (x_test, y_test) = datasets.load_digits()
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
