"""The GPU check: the headline network on cuda_standalone beside cpp_standalone, same seed.

Run by ``benchmarks/gpu_check.sh`` on a machine with an NVIDIA GPU (it installs
the ``[cuda]`` extra first).  For each device, ``edsnn train`` on the full MNIST
files (``EDSNN_DATA``): 1 epoch of 1000 resampled training + 500 test images,
hidden 256, seed 1, then a table of test accuracy, ms per training and per test
presentation (the build excluded) and the build seconds.  The two accuracies
should agree within noise (±2 % for 500 images), not exactly: the devices draw
different random streams.  With time left in ``--budget-s``, one full epoch
(60 000 + 10 000) follows on the first device.

Usage::

    EDSNN_DATA=/data python benchmarks/gpu_check.py                   # cuda, then cpp
    EDSNN_DATA=/data python benchmarks/gpu_check.py --devices cpp --train 50 --test 20   # the CPU half
    EDSNN_DATA=/data python benchmarks/gpu_check.py --diehl-cook 400     # and Diehl & Cook's network
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from edsnn.data import SpikeCoding
from edsnn.protocols import TrainConfig, train


def check(device: str, n_train: int, n_test: int, root: Path, seed: int = 1, diehl_cook: int = 0) -> dict:
    """One epoch of the headline protocol on ``device`` (or of Diehl & Cook's network of ``diehl_cook`` neurons)."""
    model = (dict(model="diehl-cook", n_excitatory=diehl_cook) if diehl_cook
             else dict(hidden=(256,), coding=SpikeCoding.published()))  # the published 50 ms network
    config = TrainConfig(dataset="mnist", data="full", train=n_train, test=n_test, epochs=1, **model,
                         sampling="resample-each-epoch", seed=seed, device=device,
                         batch_size=min(500, n_train, n_test))
    start = time.perf_counter()
    name = f"{device}-{n_train}" + (f"-dc{diehl_cook}" if diehl_cook else "")
    result = train(config, out=root / name, progress=False, echo=lambda *a, **k: None)
    wall = time.perf_counter() - start
    metrics = result.metrics.iloc[-1]
    build = result.network.device.build_seconds or 0.0
    return {"device": device + (f", Diehl & Cook {diehl_cook}" if diehl_cook else ""), "train": n_train,
            "test": n_test, "test_accuracy": float(metrics.test_accuracy),
            "train_ms": 1e3 * (metrics.train_seconds - build) / n_train,
            "test_ms": 1e3 * metrics.test_seconds / n_test, "build_s": build, "wall_s": wall}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", default="cuda,cpp", help="comma-separated, in order")
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--diehl-cook", type=int, default=0, metavar="N",
                        help="also Diehl & Cook's network of N neurons (100 + 100 images) on each device; its "
                             "ms per training image include the labelling pass")
    parser.add_argument("--budget-s", type=float, default=float("inf"),
                        help="seconds available; a full epoch on the first device runs if they allow it")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="edsnn-gpu-check-"))
    rows = []
    for device in args.devices.split(","):
        rows.append(check(device, args.train, args.test, root))
        print(rows[-1], flush=True)
    first = rows[0]
    for device in args.devices.split(",") if args.diehl_cook else ():
        rows.append(check(device, 100, 100, root, diehl_cook=args.diehl_cook))
        print(rows[-1], flush=True)
    full_s = 1e-3 * (60000 * first["train_ms"] + 10000 * first["test_ms"])
    left = args.budget_s - (time.perf_counter() - start)
    if full_s + 30 < left:
        rows.append(check(first["device"], 60000, 10000, root))
    else:
        print(f"full epoch on {first['device']} skipped: {full_s:.0f} s expected, {left:.0f} s left")
    print("\n| device | train | test | test accuracy | ms / training presentation | ms / test presentation "
          "| build s | wall s |\n|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['device']} | {r['train']} | {r['test']} | {100 * r['test_accuracy']:.1f} % | "
              f"{r['train_ms']:.2f} | {r['test_ms']:.2f} | {r['build_s']:.0f} | {r['wall_s']:.0f} |")


if __name__ == "__main__":
    main()
