"""Produce the SCALE-Sim goldens that tests/devices/test_tpu_scalesim.py checks the TPU cost
model's SCALE-Sim mode against.

SCALE-Sim (PyPI ``scalesim`` 3.0.0, https://github.com/scalesim-project/scale-sim-v3) needs
numpy < 2.3, so it lives in its own virtual environment; this script only writes its input files,
runs it there, and copies its COMPUTE_REPORT.csv next to the inputs. Nothing of SCALE-Sim's code
is copied into gputensor.

    python3 -m venv /tmp/scalesim-venv
    /tmp/scalesim-venv/bin/pip install "numpy<2.3" scalesim==3.0.0
    python bench/tpu/make_scalesim_goldens.py --scalesim-python /tmp/scalesim-venv/bin/python

Each run directory under tests/devices/tpu_goldens/scalesim/ holds ``scale.cfg`` (array shape,
dataflow), ``topology.csv`` and ``layout.csv`` (the layers, as fed to SCALE-Sim) and
``COMPUTE_REPORT.csv`` (SCALE-Sim's output, verbatim). ``manifest.json`` records the version and
the command.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "devices" / "tpu_goldens" / "scalesim"

# (name, M, N, K): M rows streamed (ofmap pixels), N output columns (filters), K reduction.
GEMM_LAYERS = [
    ("g_tiny", 5, 17, 3),
    ("g_square64", 64, 64, 64),
    ("g_tall", 200, 24, 40),
    ("g_wide", 12, 150, 33),
    ("g_deep", 16, 16, 300),
    ("g_vector", 1, 96, 130),
    ("g_odd", 37, 45, 129),
    ("g_mlp_head", 128, 10, 128),
]
# (name, ifmap H, ifmap W, filter H, filter W, channels, filters, stride)
CONV_LAYERS = [
    ("c_3x3", 10, 10, 3, 3, 3, 16, 1),
    ("c_stride2", 17, 17, 3, 3, 8, 12, 2),
    ("c_1x1", 9, 9, 1, 1, 32, 24, 1),
    ("c_5x5", 14, 12, 5, 5, 2, 6, 1),
    ("c_rect", 12, 20, 3, 5, 4, 10, 1),
    ("c_stride4", 23, 23, 7, 7, 3, 8, 4),
]
ARRAYS = [(8, 8), (16, 32), (128, 128)]
DATAFLOWS = ["ws", "os", "is"]

CONFIG = """[general]
run_name = {run}

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: 1024
FilterSramSzkB: 1024
OfmapSramSzkB: 1024
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Bandwidth: 10
Dataflow: {dataflow}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false
SparseRep: ellpack_block
OptimizedMapping: false
BlockSize: 8
RandomNumberGeneratorSeed: 40

[run_presets]
InterfaceBandwidth: CALC
UseRamulatorTrace: False
"""

# Runs inside SCALE-Sim's own environment (argv: config, topology, layout, out dir, kind).
RUNNER = """
import sys
from scalesim.scale_sim import scalesim
cfg, topo, layout, out, kind = sys.argv[1:6]
sim = scalesim(save_disk_space=True, verbose=False, config=cfg, topology=topo, layout=layout,
               input_type_gemm=(kind == "gemm"))
sim.run_scale(top_path=out)
"""


def topology_csv(kind: str) -> str:
    if kind == "gemm":
        lines = ["Layer, M, N, K,"]
        lines += [f"{n}, {m}, {nn}, {k}," for n, m, nn, k in GEMM_LAYERS]
    else:
        lines = ["Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                 "Num Filter, Strides,"]
        lines += [", ".join(str(v) for v in layer) + "," for layer in CONV_LAYERS]
    return "\n".join(lines) + "\n"


def layout_csv(kind: str) -> str:
    # Custom layouts are off in the config; SCALE-Sim still reads one row per layer.
    names = [layer[0] for layer in (GEMM_LAYERS if kind == "gemm" else CONV_LAYERS)]
    header = "Layer name, " + ", ".join(f"f{i}" for i in range(19)) + ","
    rows = [f"{name}, " + ", ".join("1" for _ in range(19)) + "," for name in names]
    return "\n".join([header, *rows]) + "\n"


def scalesim_version(python: str) -> str:
    code = "import importlib.metadata as m; print(m.version('scalesim'))"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def run_one(python: str, rows: int, cols: int, dataflow: str, kind: str) -> str:
    run = f"{kind}_{dataflow}_{rows}x{cols}"
    dest = OUT / run
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "scale.cfg").write_text(CONFIG.format(run=run, rows=rows, cols=cols, dataflow=dataflow))
    (dest / "topology.csv").write_text(topology_csv(kind))
    (dest / "layout.csv").write_text(layout_csv(kind))
    with tempfile.TemporaryDirectory() as tmp:
        args = [python, "-c", RUNNER, str(dest / "scale.cfg"), str(dest / "topology.csv"),
                str(dest / "layout.csv"), tmp, kind]
        subprocess.run(args, check=True, capture_output=True, text=True)
        shutil.copy(Path(tmp) / run / "COMPUTE_REPORT.csv", dest / "COMPUTE_REPORT.csv")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scalesim-python", default="/tmp/scalesim-venv/bin/python",
                        help="a Python interpreter with scalesim 3.0.0 installed")
    args = parser.parse_args()
    version = scalesim_version(args.scalesim_python)
    runs = []
    for rows, cols in ARRAYS:
        for dataflow in DATAFLOWS:
            for kind in ("gemm", "conv"):
                runs.append(run_one(args.scalesim_python, rows, cols, dataflow, kind))
                print(f"ran {runs[-1]}")
    manifest = {
        "tool": "SCALE-Sim (PyPI scalesim)",
        "version": version,
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "python bench/tpu/make_scalesim_goldens.py --scalesim-python <scalesim venv python>",
        "interface_bandwidth": "CALC",
        "runs": runs,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
