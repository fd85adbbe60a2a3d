"""``edsnn analyze`` on a run of millions of count rows, in a child process under a memory limit.

The run is written by ``benchmarks/analysis_memory.py --pattern`` (the real
writer), whose counts have known per-class means.  Limit: the address space
(``RLIMIT_AS``) of the child.  Measured on the 2-core test machine with this
run (3.87 M rows): the streamed analysis completes under 600 MiB and fails
under 520 MiB (the interpreter, Brian2, pandas and pyarrow mapped), while the
whole-table reader it replaces failed under 1000 MiB and needed 1.5 GB.  900
MiB leaves 300 MiB of margin and still refuses the whole table.  The child
uses the system allocator and single-threaded pools, so the address space
measures data rather than per-thread arenas (a thread pool that cannot start
a thread under the limit was seen to hang: hence the timeout).
"""

import importlib.util
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MIB = 900
EPOCHS, PRESENTATIONS, NEURONS, N_CLASSES = 3, 1000, 1290, 10  # 10 class nets of 128 hidden + 1 output


def _benchmark():
    spec = importlib.util.spec_from_file_location("analysis_memory", ROOT / "benchmarks" / "analysis_memory.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_MIB << 20, LIMIT_MIB << 20))


def test_analysis_of_millions_of_rows_fits_under_a_memory_limit(tmp_path):
    run = tmp_path / "run"
    assert _benchmark().write_run(run, EPOCHS, PRESENTATIONS, NEURONS, pattern=True) == 3_870_000
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "Agg", "MALLOC_ARENA_MAX": "2", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "ARROW_IO_THREADS": "1", "ARROW_DEFAULT_MEMORY_POOL": "system"}
    done = subprocess.run([sys.executable, "-m", "edsnn.cli", "analyze", str(run)], env=env, cwd=tmp_path,
                          preexec_fn=_limit, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]

    # every per-class mean is (neuron + label) % 4 + 0.5 spikes over PRESENTATIONS / N_CLASSES presentations
    rates = pd.read_csv(run / "analysis" / "rates.csv")
    assert len(rates) == EPOCHS * NEURONS * N_CLASSES
    assert (rates["n_presentations"] == PRESENTATIONS // N_CLASSES).all()
    np.testing.assert_array_equal(rates["mean_count"], (rates["neuron"] + rates["label"]) % 4 + 0.5)
    np.testing.assert_allclose(rates["rate_hz"], rates["mean_count"] / 0.1)  # the default 100 ms presentations
    # half the counts are the mean - 0.5, half the mean + 0.5: variance n / (4 (n - 1)), ddof 1
    n = PRESENTATIONS // N_CLASSES
    fano = pd.read_csv(run / "analysis" / "fano.csv")
    # the tables are written with six significant digits (edsnn.runs.significant): half a unit in the 6th
    np.testing.assert_allclose(fano["fano"], n / (4 * (n - 1)) / ((fano["neuron"] + fano["label"]) % 4 + 0.5),
                               rtol=5e-6)
    silent = pd.read_csv(run / "analysis" / "silent_saturated.csv")
    assert (silent["n_silent"] == 0).all() and silent["n_neurons"].sum() == EPOCHS * NEURONS
