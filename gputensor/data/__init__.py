"""Input pipelines, as ``tf.data`` builds them: ``gt.data.Dataset`` and its sources.

Speed: stages move elements in chunks, so sources, ``shuffle``, ``batch``, ``unbatch`` and
friends cost array operations; a ``map`` function costs a Python call per element. For large
CSV files, decode a batch of lines per call, ``TextLineDataset(f).batch(8192).map(lambda l:
decode_csv(l, defaults)).unbatch()``, or use ``CsvDataset``: both parse whole blocks with NumPy.

>>> import gputensor as gt
>>> ds = gt.data.Dataset.from_tensor_slices([1.0, 2.0, 3.0, 4.0]).map(lambda x: x * 2).batch(2)
>>> [b.tolist() for b in ds]
[[2.0, 4.0], [6.0, 8.0]]
"""

from .cache import Cache
from .chunk import Chunk, Failed
from .csv_dataset import CsvDataset
from .csv_decode import decode_csv
from .dataset import AUTOTUNE, Dataset
from .errors import CsvRecordError, DataError
from .iterator import DatasetIterator
from .text import TextLineDataset

__all__ = [
    "AUTOTUNE",
    "Cache",
    "Chunk",
    "CsvDataset",
    "CsvRecordError",
    "DataError",
    "Dataset",
    "DatasetIterator",
    "Failed",
    "TextLineDataset",
    "decode_csv",
]
