"""Where the emulated TPU's figures come from.

Every figure the TPU device uses carries one of these keys, or ``derived`` (computed from sourced
figures, the formula stated where it is computed) or ``assumed`` (a modelling choice, stated).
"""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "cloud-tpu-v2": "Google Cloud TPU documentation, 'TPU v2' (cloud.google.com/tpu/docs/v2)",
    "cloud-tpu-v3": "Google Cloud TPU documentation, 'TPU v3' (cloud.google.com/tpu/docs/v3)",
    "cloud-tpu-v4": "Google Cloud TPU documentation, 'TPU v4' (cloud.google.com/tpu/docs/v4)",
    "cloud-tpu-v5e": "Google Cloud TPU documentation, 'TPU v5e' (cloud.google.com/tpu/docs/v5e)",
    "cloud-tpu-arch": (
        "Google Cloud TPU documentation, 'TPU architecture' "
        "(cloud.google.com/tpu/docs/system-architecture-tpu-vm)"
    ),
    "jax-tpu-info": "JAX's tpu_info hardware table of TPU generations",
    "scaling-book": (
        "'How to Scale Your Model' (the JAX scaling book), chapter 'How to Think About TPUs' "
        "(jax-ml.github.io/scaling-book/tpus)"
    ),
    "xla-tiled-layout": "XLA documentation, 'Tiled layout' (openxla.org/xla/tiled_layout)",
    "xla-e1000": "XLA error reference E1000, out of memory in HBM (openxla.org/xla/errors)",
    "isca2017": (
        "N. P. Jouppi et al., 'In-Datacenter Performance Analysis of a Tensor Processing Unit', "
        "ISCA 2017"
    ),
    "scalesim": "SCALE-Sim v3 (PyPI scalesim 3.0.0), systolic array simulator",
    "derived": "computed from sourced figures (the formula is stated where it is computed)",
    "assumed": "a modelling assumption of gputensor's emulator (stated where it is used)",
    "user": "overridden by the user",
}


def check_source(key: str) -> str:
    """``key`` if it names a source; KeyError otherwise (every figure must say where it is from)."""
    if key not in SOURCES:
        raise KeyError(f"unknown source key {key!r}; known: {', '.join(SOURCES)}")
    return key
