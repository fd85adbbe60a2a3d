#!/usr/bin/env bash
# Wheels for a GPU machine without network access (Linux x86-64, Python 3.12): numpy<2.3, Brian2 2.8.0,
# brian2cuda 1.0a7 and what they need, into .wheels/ (ignored by git), for benchmarks/gpu_check.sh to
# install offline.  brian2cuda 1.0a7 (pure Python, Python >= 3.10) is the release made for Brian2
# 2.8.0; 1.0b1 requires Brian2 2.10.1.  cuRAND comes from the machine's CUDA toolkit.
#
#   bash benchmarks/gpu_wheels.sh          # the Brian2 stack (about 29 MB)
#   bash benchmarks/gpu_wheels.sh --all    # also edsnn's own dependencies (pandas, pyarrow, matplotlib, tqdm)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PACKAGES=("numpy<2.3" "brian2==2.8.0" "brian2cuda==1.0a7" "setuptools>=68" "wheel")
if [ "${1:-}" = "--all" ]; then PACKAGES+=("pandas>=2.0" "pyarrow>=14" "matplotlib>=3.7" "tqdm>=4.60"); fi
"$PY" -m pip download --quiet --python-version 3.12 --only-binary=:all: --platform manylinux2014_x86_64 \
    -d .wheels "${PACKAGES[@]}"
du -sh .wheels
