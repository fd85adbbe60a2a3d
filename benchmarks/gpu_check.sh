#!/usr/bin/env bash
# The GPU check of the speed targets, for a machine with an NVIDIA GPU and CUDA's nvcc:
# installs the [cuda] extra, then the headline network (1568 inputs, 10 × 256 hidden,
# 50 ms at 1 ms, 150 Hz) trains 1 epoch of 1000 + 500 full-MNIST images on
# cuda_standalone and on cpp_standalone with the same seed (benchmarks/gpu_check.py),
# and, time permitting, one full epoch (60 000 + 10 000) on cuda.  All within 8 minutes.
# Options go to gpu_check.py: --diehl-cook 400 adds Diehl & Cook's network on each device.
# --workers N instead times edsnn train on cpp with 1 … N CPU worker processes (embedded data,
# benchmarks/speed.py --workers N --rounds 1) and stops there.
# Without network access: run benchmarks/gpu_wheels.sh --all where there is one and copy .wheels/
# along; the install then reads only .wheels/.
#
#   EDSNN_DATA=/path/holding/mnist bash benchmarks/gpu_check.sh [--diehl-cook 400]
#   EDSNN_DATA=... bash benchmarks/gpu_check.sh --install-only     # the installation alone
set -euo pipefail
cd "$(dirname "$0")/.."
: "${EDSNN_DATA:?set EDSNN_DATA to the folder holding mnist/ (the full IDX files)}"
START=$(date +%s)
PY=${PYTHON:-python3}
if [ -d .wheels ]; then
    # offline: every wheel of .wheels/ (its numpy shadows the machine's), the rest from the machine
    if [ ! -x .venv-gpu/bin/python ]; then "$PY" -m venv --system-site-packages .venv-gpu; fi
    .venv-gpu/bin/pip install -q --no-index --find-links .wheels .wheels/*.whl
    .venv-gpu/bin/pip install -q --no-index --find-links .wheels --no-deps --no-build-isolation -e .
    .venv-gpu/bin/python -c "import brian2, brian2cuda, pandas, pyarrow, matplotlib, tqdm" || {
        echo "missing above: run benchmarks/gpu_wheels.sh --all where there is network"; exit 1; }
else
    if [ ! -x .venv-gpu/bin/python ]; then "$PY" -m venv .venv-gpu; fi
    .venv-gpu/bin/pip install -q -e ".[cuda]"
fi
if [ "${1:-}" = "--install-only" ]; then exit 0; fi
if [ "${1:-}" = "--workers" ]; then
    exec .venv-gpu/bin/python benchmarks/speed.py --workers "${2:?--workers needs N}" --rounds 1 \
        --train 1000 --test 500 --out "${OUT:-.}/workers.md"
fi
nvidia-smi -L
echo "install: $(( $(date +%s) - START )) s"
# what remains of the 8 minutes goes to the check (less 10 s to print)
LEFT=$(( 480 - ( $(date +%s) - START ) - 10 ))
exec timeout "$LEFT" .venv-gpu/bin/python benchmarks/gpu_check.py --budget-s "$LEFT" "$@"
