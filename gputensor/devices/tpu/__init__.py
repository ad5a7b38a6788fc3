"""The emulated TPU device ``tpu:N``: chips, bf16 numerics, tiled HBM, cost model, replicas.

The backend (:mod:`.backend`) is loaded by the device registry on first use; the public API is
``gt.tpu`` (:mod:`gputensor.tpu`).
"""
