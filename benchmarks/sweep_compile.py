"""What a learning-rate sweep costs on cpp against one of its points alone.

Times, with an empty program cache each time (``EDSNN_CACHE`` in a fresh folder),
one ``edsnn train`` of a point and an ``edsnn sweep`` of ``--points`` learning
rates on a local cluster of ``--workers`` processes, and counts the
compilations each made.  The learning rate and the diffusion factor reach the
compiled program at run time, so the sweep compiles its structure once.

Usage::

    python benchmarks/sweep_compile.py --rounds 2 --out studies/speed/sweep_compile.md

Default point: the embedded MNIST subset, 60 training and 30 test images, one
epoch, hidden 32.  Rounds alternate the two commands; medians are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from edsnn import __version__

POINT = ["--train", "60", "--test", "30", "--epochs", "1", "--hidden", "32", "--device", "cpp"]


def sweep_spec(rates) -> str:
    return f"""[base]
train = 60
test = 30
epochs = 1
hidden = [32]
device = "cpp"

[grid]
"ed.lr" = {list(rates)}
"""


def compilations(cache: Path) -> int:
    """Compilations logged by the program cache (one line per compilation)."""
    return sum(len(log.read_text().splitlines()) for log in (cache / "programs").glob("*.log"))


def timed(command, cache: Path) -> tuple[float, int]:
    env = dict(os.environ, EDSNN_CACHE=str(cache))
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, compilations(cache)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=4, help="learning rates in the sweep")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the sweep")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also write the table to this markdown file")
    args = parser.parse_args(argv)
    rates = [round(0.05 * 2**k, 4) for k in range(args.points)]
    edsnn = [sys.executable, "-c", "from edsnn.cli import main; main()"]
    single, sweep = [], []
    with tempfile.TemporaryDirectory(prefix="edsnn-sweep-bench-") as tmp:
        root = Path(tmp)
        (root / "lr.toml").write_text(sweep_spec(rates))
        for r in range(args.rounds):
            single.append(timed([*edsnn, "train", *POINT, "--lr", str(rates[0]), "--out", str(root / f"one{r}")],
                                root / f"cache-one{r}"))
            sweep.append(timed([*edsnn, "sweep", str(root / "lr.toml"), "--out", str(root / f"sweep{r}"),
                                "--workers", str(args.workers), "--no-progress"], root / f"cache-sweep{r}"))
            print(f"round {r + 1}: one point {single[-1][0]:.1f} s ({single[-1][1]} compilation), "
                  f"sweep {sweep[-1][0]:.1f} s ({sweep[-1][1]} compilations)", file=sys.stderr, flush=True)
    one, many = statistics.median(s for s, _ in single), statistics.median(s for s, _ in sweep)
    table = "\n".join([
        f"edsnn {__version__}, cpp, empty program cache, medians of {args.rounds} round(s); "
        f"point: `edsnn train {' '.join(POINT)}`",
        "",
        "| run | wall s | compilations | ratio to one point |",
        "|---|---|---|---|",
        f"| one point (lr {rates[0]}) | {one:.1f} | {single[0][1]} | 1.00 |",
        f"| sweep of {args.points} learning rates {rates}, {args.workers} workers | {many:.1f} | {sweep[0][1]} "
        f"| {many / one:.2f} |",
    ])
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
