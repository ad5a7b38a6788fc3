"""Training callbacks: History, the progress bar, EarlyStopping, ModelCheckpoint,
ReduceLROnPlateau, CSVLogger, LambdaCallback and TensorBoard.

>>> import gputensor as gt
>>> sorted(n for n in dir(gt.nn.callbacks) if n[0].isupper())[:3]
['CSVLogger', 'Callback', 'CallbackList']
"""

from .base import Callback, CallbackList, History, LambdaCallback, MetricLogs
from .progbar import Progbar, ProgbarLogger
from .standard import CSVLogger, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from .tensorboard import EventWriter, TensorBoard

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "EventWriter",
    "History",
    "LambdaCallback",
    "MetricLogs",
    "ModelCheckpoint",
    "Progbar",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
]
