"""Peak memory of a long MNIST training stream on the cpp_standalone device.

The bound: a full 60 000-image MNIST epoch at hidden 256 must stay
under 2 GB peak RSS.  This script streams ``--n`` training presentations of
the full MNIST training set (``load_dataset(..., source="full")``; set
``EDSNN_DATA`` to a folder holding ``mnist/``) through the headline network
(1568 inputs, 10 class nets of hidden 256, 50 ms at 1 ms, 150 Hz), in batches
of ``--batch-size``, converting images to rates one batch at a time, and
reports peak RSS of the Python process and of the compiled program (each
execution is a child process), and the build folder's size, after every
``--every`` presentations — so that growth, if any, shows.

Usage::

    EDSNN_DATA=/path/to/data python benchmarks/memory.py --n 3000 --batch-size 500
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 2024


def folder_mb(path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def peak_rss_mb() -> tuple[float, float]:
    """(this process, largest child process) peak RSS in MiB."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def stream(n: int, batch_size: int, every: int, hidden=(256,), seed: int = SEED):
    """Train on ``n`` presentations of full MNIST; print a line of memory figures every ``every``."""
    from brian2 import Hz

    from edsnn.data import ei_pairs, load_dataset
    from edsnn.model import device_run
    from edsnn.networks import EDNetwork

    data = load_dataset("mnist", "train", source="full", download=False)
    order = np.random.default_rng(seed).permutation(len(data.labels))[:n]
    build = tempfile.mkdtemp(prefix="edsnn-memory-")
    net = EDNetwork(1568, 10, hidden=hidden, batch_size=batch_size, seed=seed, device=device_run("cpp", build))
    print(f"dataset loaded, network built: peak RSS python {peak_rss_mb()[0]:.0f} MiB")
    print("| presented | s | peak RSS python (MiB) | peak RSS program (MiB) | build folder (MiB) |")
    print("|---|---|---|---|---|")
    start, done = time.perf_counter(), 0
    while done < n:
        index = order[done:done + batch_size]
        net.run(ei_pairs(data.images[index]) * 150 * Hz, data.labels[index].astype(int), learn=True)
        done += len(index)
        if done % every < batch_size or done >= n:
            me, kids = peak_rss_mb()
            print(f"| {done} | {time.perf_counter() - start:.0f} | {me:.0f} | {kids:.0f} | {folder_mb(build):.0f} |",
                  flush=True)
    shutil.rmtree(build, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="training presentations to stream")
    parser.add_argument("--batch-size", type=int, default=500, help="presentations per execution")
    parser.add_argument("--every", type=int, default=1000, help="report every this many presentations")
    parser.add_argument("--quick", action="store_true", help="300 presentations in batches of 100")
    args = parser.parse_args(argv)
    if not os.environ.get("EDSNN_DATA"):
        parser.error("set EDSNN_DATA to a folder holding mnist/ (the full IDX files)")
    if args.quick:
        args.n, args.batch_size, args.every = 300, 100, 100
    stream(args.n, args.batch_size, args.every)


if __name__ == "__main__":
    main()
