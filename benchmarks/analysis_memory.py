"""Peak memory and time of ``edsnn analyze`` on a synthetic run of full size.

The large run: the headline protocol evaluated on all 10 000 MNIST test
images for 20 epochs, 10 class networks of 256 hidden neurons and one output
(2 570 units): 514 million count rows.  This script writes such a run folder
through the real writer (:func:`edsnn.runs.counts_table` and
:meth:`RunFolder.write_epoch`, in test batches of ``--batch`` presentations,
as training does), then runs ``edsnn analyze`` on it in a child process and
prints the child's peak RSS (``getrusage(RUSAGE_CHILDREN).ru_maxrss``) and
wall time, and the writer's own peak RSS (it must not grow with the run).

Counts are Poisson with a mean set by neuron and class, ``(neuron + label) %
4 + 0.5`` spikes, so the file compresses like real counts; ``--pattern`` writes
the exact counts ``(neuron + label) % 4 + (presentation // n_classes) % 2``
instead (labels cycle ``presentation % n_classes``): every per-class mean is
then ``(neuron + label) % 4 + 0.5`` exactly (tests/test_analysis_memory.py).

Measured on the 2-core development machine shared with other jobs (load
about 40), ``python benchmarks/analysis_memory.py`` (514.0 M rows): written in
370 s, ``counts/`` 368 MiB (0.75 bytes/row), writer peak RSS 383 MiB (370 MiB
for 257 M rows: flat); ``edsnn analyze`` peak RSS 558 MiB in 155 s (553 MiB,
88 s for ``--presentations 5000``).

Usage::

    python benchmarks/analysis_memory.py                       # 20 x 10000 x 2570: the large run's size
    python benchmarks/analysis_memory.py --presentations 2000  # 103 M rows
    python benchmarks/analysis_memory.py --keep runs/synthetic --no-analyze
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
N_CLASSES = 10


def write_run(path, epochs: int, presentations: int, neurons: int, batch: int = 500, pattern: bool = False,
              seed: int = 0) -> int:
    """Write a synthetic spiking run folder with the real writer; return its count rows.

    ``neurons`` is the number of units, ``n_classes * (hidden + 1)``: one
    hidden layer of ``neurons / n_classes - 1`` units and the output.
    """
    from edsnn.config import TrainConfig
    from edsnn.networks import SpikingED
    from edsnn.runs import RunFolder, counts_table

    hidden = neurons // N_CLASSES - 1
    if hidden < 1 or N_CLASSES * (hidden + 1) != neurons:
        raise SystemExit(f"--neurons must be {N_CLASSES} x (hidden + 1), e.g. 2570 (got {neurons})")
    config = TrainConfig(train=presentations, test=presentations, epochs=epochs, hidden=(hidden,), seed=seed)
    run = RunFolder(path)
    run.write_info({**config.to_dict(), "n_classes": N_CLASSES, "class_names": [str(c) for c in range(N_CLASSES)],
                    "data_source": "synthetic (benchmarks/analysis_memory.py)"})
    rng = np.random.default_rng(seed)
    labels = np.arange(presentations) % N_CLASSES
    populations = SpikingED.describe(config).populations
    sizes = {layer: population.size for layer, population in populations.items()}
    weights = {"hidden1": rng.normal(0, 0.05, (N_CLASSES, 2 * 784, hidden)).astype(np.float32),
               "output": rng.normal(0, 0.05, (N_CLASSES, hidden)).astype(np.float32)}

    def batch_counts(first: int, n: int) -> dict:
        p = np.arange(first, first + n)[:, None]
        out = {}
        for layer, size in sizes.items():
            neuron = np.arange(N_CLASSES * size)[None, :] % size
            base = (neuron + labels[p]) % 4
            out[layer] = base + (p // N_CLASSES) % 2 if pattern else rng.poisson(base + 0.5)
        return out

    def tables(epoch: int):
        for first in range(0, presentations, batch):
            n = min(batch, presentations - first)
            counts = batch_counts(first, n)
            activity = {k: np.minimum(v / 10.0, 1.0) for k, v in counts.items()}
            yield counts_table(epoch, labels[first:first + n], activity, counts, populations, first=first)

    for epoch in range(1, epochs + 1):
        run.write_epoch(epoch, counts=tables(epoch), predictions=(labels, labels), weights=weights, seed=seed,
                        metrics={"train_accuracy": 0.5, "test_accuracy": 1.0, "train_seconds": 0.0,
                                 "test_seconds": 0.0})
    return epochs * presentations * neurons


def analyze(path) -> tuple[int, float, float]:
    """Run ``edsnn analyze`` on ``path`` in a child process: (exit status, peak RSS in MiB, wall seconds)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "Agg"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "edsnn.cli", "analyze", str(path), "--overwrite"], env=env)
    seconds = time.perf_counter() - started
    return done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--presentations", type=int, default=10000, help="test presentations per epoch")
    parser.add_argument("--neurons", type=int, default=2570, help="units: 10 x (hidden + 1)")
    parser.add_argument("--batch", type=int, default=500, help="test presentations per written table")
    parser.add_argument("--pattern", action="store_true", help="exact counts with known means (see above)")
    parser.add_argument("--keep", metavar="DIR", help="write the run here and keep it (default: a temporary folder)")
    parser.add_argument("--no-analyze", action="store_true", help="only write the run")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="edsnn-analysis-memory-") as scratch:
        path = Path(args.keep or Path(scratch) / "run")
        started = time.perf_counter()
        rows = write_run(path, args.epochs, args.presentations, args.neurons, args.batch, args.pattern)
        written = time.perf_counter() - started
        size = sum(f.stat().st_size for f in (path / "counts").iterdir())
        writer_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"wrote {args.epochs} epochs x {args.presentations} presentations x {args.neurons} units = "
              f"{rows / 1e6:.1f} M rows in {written:.0f} s: counts/ {size / 2**20:.0f} MiB "
              f"({size / rows:.2f} bytes/row); writer peak RSS {writer_mb:.0f} MiB")
        if args.no_analyze:
            return 0
        status, peak_mb, seconds = analyze(path)
        print(f"edsnn analyze: exit {status}, peak RSS {peak_mb:.0f} MiB, {seconds:.0f} s wall")
        return status


if __name__ == "__main__":
    sys.exit(main())
