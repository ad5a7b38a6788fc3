"""Small data sets for examples and the demo: an IDX reader, Fashion-MNIST from the offline
Debian package ``dataset-fashion-mnist``, and scikit-learn's bundled digits.

Nothing is downloaded: Fashion-MNIST is read from ``/usr/share/datasets/fashion-mnist`` (or a
folder you name), where ``apt-get install dataset-fashion-mnist`` puts its four IDX files.

>>> import numpy as np, io, gzip
>>> from gputensor.datasets import parse_idx
>>> raw = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))
>>> parse_idx(raw).tolist()
[[0, 1, 2], [3, 4, 5]]
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from .errors import GputensorError

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
INSTALL_HINT = (
    "install it with: sudo apt-get install dataset-fashion-mnist (Debian/Ubuntu; it puts the IDX "
    f"files under {FASHION_MNIST_DIR})"
)

_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DatasetNotFoundError(GputensorError, FileNotFoundError):
    """A data set's files are not on this machine; the message says how to install them."""


class IDXFormatError(GputensorError, ValueError):
    """A file that is not a valid IDX file (bad magic number, truncated data)."""


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """The array stored in IDX bytes (the MNIST format: magic ``0 0 type ndim``, big-endian
    uint32 sizes, then the values in C order, big-endian)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IDXFormatError(f"{name}: not an IDX file (bad magic number)")
    dtype = _IDX_TYPES.get(data[2])
    if dtype is None:
        raise IDXFormatError(f"{name}: unknown IDX value type 0x{data[2]:02x}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXFormatError(f"{name}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    count = int(np.prod(shape, dtype=np.int64))
    if len(data) - header != count * dtype.itemsize:
        raise IDXFormatError(
            f"{name}: IDX data has {len(data) - header} bytes, expected {count * dtype.itemsize} "
            f"for shape {shape}"
        )
    values = np.frombuffer(data, dtype=dtype, offset=header, count=count)
    return values.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


def load_idx(path) -> np.ndarray:
    """Read an IDX file (gzip-compressed when its name ends in ``.gz``)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as exc:
        raise IDXFormatError(f"{path}: cannot read ({exc})") from None
    return parse_idx(data, str(path))


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz"):
        candidate = folder / name
        if candidate.exists():
            return candidate
    return None


def fashion_mnist_available(folder=None) -> bool:
    """Whether the four Fashion-MNIST IDX files are in ``folder`` (the Debian package's by default)."""
    folder = Path(folder) if folder is not None else FASHION_MNIST_DIR
    return all(_find(folder, stem) for stem in FASHION_MNIST_FILES.values())


def load_fashion_mnist(folder=None):
    """``(x_train, y_train), (x_test, y_test)``: uint8 images ``(N, 28, 28)`` and labels 0-9.

    Raises DatasetNotFoundError, saying how to install the data, when the files are missing.
    """
    folder = Path(folder) if folder is not None else FASHION_MNIST_DIR
    arrays = {}
    for key, stem in FASHION_MNIST_FILES.items():
        path = _find(folder, stem)
        if path is None:
            raise DatasetNotFoundError(f"Fashion-MNIST: {stem}(.gz) is not in {folder}; {INSTALL_HINT}")
        arrays[key] = load_idx(path)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_digits(test_size: float = 0.2, random_state: int = 0):
    """scikit-learn's bundled 8x8 digits as ``(x_train, y_train), (x_test, y_test)``: float32
    pixels scaled to [0, 1] (``/ 16``), 64 features, labels 0-9, split as
    ``train_test_split(test_size, random_state)``."""
    from sklearn.datasets import load_digits as sk_digits
    from sklearn.model_selection import train_test_split

    digits = sk_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, random_state=random_state)
    return (x_train, y_train), (x_test, y_test)


# --- Iris, in the seeds' CSV format (gputensor.estimator examples) ------------------------------

IRIS_FEATURES = ("SepalLength", "SepalWidth", "PetalLength", "PetalWidth")
IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FILES = ("iris_training.csv", "iris_test.csv")
IRIS_SPLIT_SEED = 20170912


def iris_split():
    """scikit-learn's bundled Iris as ``(x_train, y_train), (x_test, y_test)``: 120 training and
    30 test flowers (40 and 10 of each class), always the same split. Features float32 in cm,
    labels 0 (setosa), 1 (versicolor), 2 (virginica)."""
    from sklearn.datasets import load_iris

    iris = load_iris()
    x = iris.data.astype(np.float32)
    y = iris.target.astype(np.int64)
    rng = np.random.RandomState(IRIS_SPLIT_SEED)
    train, test = [], []
    for label in range(len(IRIS_CLASSES)):
        members = rng.permutation(np.flatnonzero(y == label))
        test.extend(members[:10].tolist())
        train.extend(members[10:].tolist())
    train = rng.permutation(np.array(train))
    test = rng.permutation(np.array(test))
    return (x[train], y[train]), (x[test], y[test])


def _iris_text(x: np.ndarray, y: np.ndarray) -> str:
    lines = [f"{len(y)},{x.shape[1]}," + ",".join(IRIS_CLASSES)]
    for row, label in zip(x.tolist(), y.tolist()):
        lines.append(",".join(f"{v:.1f}" for v in row) + f",{label}")
    return "\n".join(lines) + "\n"


def iris_csv(folder=None) -> tuple[str, str]:
    """Write ``iris_training.csv`` and ``iris_test.csv`` into ``folder`` (default
    ``~/.cache/gputensor/iris``) unless they are there, and return their paths.

    The format is the seeds': a header row ``120,4,setosa,versicolor,virginica`` (count,
    feature count, class names) — which their input function skips — then one flower per
    line, four features and the label last: ``6.4,2.8,5.6,2.2,2``. Files are written to a
    temporary name and renamed, so concurrent callers never read a half-written file.

    >>> import tempfile
    >>> from gputensor.datasets import iris_csv
    >>> train, test = iris_csv(tempfile.mkdtemp())
    >>> open(train).readline().strip()
    '120,4,setosa,versicolor,virginica'
    """
    import os

    folder = Path(folder) if folder is not None else Path.home() / ".cache" / "gputensor" / "iris"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in IRIS_FILES]
    if all(p.exists() for p in paths):
        return str(paths[0]), str(paths[1])
    for path, (x, y) in zip(paths, iris_split()):
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        tmp.write_text(_iris_text(x, y))
        tmp.replace(path)
    return str(paths[0]), str(paths[1])
