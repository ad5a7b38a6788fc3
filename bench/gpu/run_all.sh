#!/usr/bin/env bash
# The CUDA backend's GPU verification in one command, sized for a short GPU lease (under ~8
# minutes on an H100 / H200): facts about the machine, every kernel module compiled in
# parallel (CuPy's disk cache then serves the rest), the CUDA test suite on cuda:0, then
# bench/cuda.py. Logs and the benchmark JSON go to $OUT (default bench/results/gpu-run), the
# JSON also to bench/results/. Each stage has its own time limit and the run goes on after a
# failed stage, so one call gathers everything; the exit status is the first failure's.
#
#   bash bench/gpu/run_all.sh            # PYTHON=python3 WORKERS=8 TESTS="tests/ops ..." to change
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-bench/results/gpu-run}
PY=${PYTHON:-python3}
WORKERS=${WORKERS:-8}
TESTS=${TESTS:-tests/devices tests/kernels tests/ops tests/autograd tests/nn tests/test_tensor.py tests/test_interop.py}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
status=0
stage() {  # stage NAME SECONDS COMMAND...: run with a limit, log to $OUT/NAME.txt, keep the first failure
    local name=$1 limit=$2
    shift 2
    echo "=== $name (limit ${limit}s): $*"
    local start=$SECONDS
    timeout "$limit" "$@" 2>&1 | tee "$OUT/$name.txt"
    local rc=${PIPESTATUS[0]}
    echo "=== $name: exit $rc after $((SECONDS - start))s"
    if [ "$rc" -ne 0 ] && [ "$status" -eq 0 ]; then status=$rc; fi
}

stage machine 30 bash -c "nvidia-smi; nvcc --version; $PY -c 'import cupy, torch; print(\"CuPy\", cupy.__version__, \"torch\", torch.__version__)'; $PY -m gputensor info"
stage warm 120 "$PY" bench/gpu/warm.py --workers 16
stage tests 300 env GPUTENSOR_DEVICES=cuda:0 "$PY" -m pytest --maxfail=40 -q -n "$WORKERS" -p no:cacheprovider $TESTS
stage bench 240 "$PY" bench/cuda.py --out "$OUT"
echo "=== done: exit $status; logs in $OUT"
exit "$status"
