"""The cost model's SCALE-Sim mode against the real simulator's reports.

tests/devices/tpu_goldens/scalesim/ holds SCALE-Sim 3.0.0's COMPUTE_REPORT.csv for GEMM and
convolution layers on three array shapes in all three dataflows, next to the config and
topology files it ran on (bench/tpu/make_scalesim_goldens.py produced them). Every layer's
"Total Cycles" must match exactly.
"""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import pytest

import gputensor as gt

GOLDENS = Path(__file__).resolve().parent / "tpu_goldens" / "scalesim"


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    split = [[cell.strip() for cell in line.split(",")] for line in lines]
    return split[0], [row for row in split[1:]]


def _cases():
    cases = []
    for run in sorted(p for p in GOLDENS.iterdir() if p.is_dir()):
        cfg = configparser.ConfigParser()
        cfg.read(run / "scale.cfg")
        arch = cfg["architecture_presets"]
        array = (int(arch["ArrayHeight"]), int(arch["ArrayWidth"]), arch["Dataflow"])
        _, layers = _rows(run / "topology.csv")
        header, report = _rows(run / "COMPUTE_REPORT.csv")
        column = header.index("Total Cycles")
        assert len(layers) == len(report)
        for layer, row in zip(layers, report):
            params = [int(v) for v in layer[1:] if v]
            cases.append((run.name, layer[0], params, array, int(row[column])))
    return cases


CASES = _cases()


def test_goldens_cover_gemm_and_conv_in_every_dataflow():
    manifest = json.loads((GOLDENS / "manifest.json").read_text())
    assert manifest["version"] == "3.0.0" and manifest["interface_bandwidth"] == "CALC"
    layers = {(run.split("_")[0], name) for run, name, *_ in CASES}
    assert len(layers) >= 10
    assert {kind for kind, _ in layers} == {"gemm", "conv"}
    assert {array[2] for *_, array, _ in CASES} == {"ws", "os", "is"}
    assert len({array[:2] for *_, array, _ in CASES}) >= 3


@pytest.mark.parametrize(("run", "layer", "params", "array", "total"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_total_cycles_match_scalesim(run, layer, params, array, total):
    rows, cols, dataflow = array
    if run.startswith("gemm"):
        m, n, k = params
        got = gt.tpu.scalesim_gemm_cycles(m, n, k, rows, cols, dataflow)
    else:
        got = gt.tpu.scalesim_conv_cycles(*params, rows, cols, dataflow)
    assert got == total


def test_bad_dataflow_is_refused():
    with pytest.raises(ValueError, match="dataflow must be one of"):
        gt.tpu.scalesim_gemm_cycles(4, 4, 4, 8, 8, "rs")
