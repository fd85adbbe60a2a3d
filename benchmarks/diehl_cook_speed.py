"""Time per training image of Diehl & Cook's network (2015) on one device, and optionally a short learning check.

Reproduces no figure of the paper: it measures edsnn's implementation
(:class:`edsnn.model.diehl_cook.DiehlCookNetwork`, 350 ms + 150 ms per
presentation, dt 0.5 ms) on the embedded MNIST subset.  The first run of
``--images`` images includes the build (code generation and compilation on
cpp); the second, of the next ``--images`` images, is timed.

    python benchmarks/diehl_cook_speed.py --device cpp --neurons 100 --images 50
    python benchmarks/diehl_cook_speed.py --device cpp --neurons 100 --images 50 --train 1000 --test 500 \
        --epochs 3 --figures /tmp/dc
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from edsnn.data import load_dataset
from edsnn.model import device_run
from edsnn.model.diehl_cook import DiehlCookNetwork
from edsnn.protocols.diehl_cook import learn_and_score
from edsnn.protocols.stdp_figures import plot_assignments, plot_receptive_fields


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpp")
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--images", type=int, default=50, help="images per run (one execution)")
    parser.add_argument("--train", type=int, default=0, help="also learn from this many images, then score")
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=1, help="passes over the --train images")
    parser.add_argument("--figures", help="folder for the receptive-field and assignment figures")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    train, test = load_dataset("mnist", "train"), load_dataset("mnist", "test")
    net = DiehlCookNetwork(n_e=args.neurons, images_per_run=args.images, seed=args.seed,
                           device=device_run(args.device))
    n = args.images
    start = time.perf_counter()
    first = net.run(train.images[:n], learn=True)
    build = time.perf_counter() - start
    start = time.perf_counter()
    second = net.run(train.images[n:2 * n], learn=True)
    timed = time.perf_counter() - start
    print(f"{args.device}, {args.neurons} E neurons: first run (build included) {build:.1f} s; "
          f"timed run {1000 * timed / n:.1f} ms per training image ({n} images, "
          f"{second.presentations} slots, mean intensity {second.intensity.mean():.2f}); "
          f"E spikes per image {first.counts.sum(axis=1).mean():.1f}, {second.counts.sum(axis=1).mean():.1f}")
    if args.train:
        score = learn_and_score(net, train.images[2 * n:2 * n + args.train], train.labels[2 * n:2 * n + args.train],
                                test.images[:args.test], test.labels[:args.test], epochs=args.epochs)
        print(f"after {2 * n} + {args.epochs} × {args.train} training images: test accuracy "
              f"{100 * score.accuracy:.1f} % on {args.test} images; learning {score.learn_seconds:.0f} s")
        if args.figures:
            plot_receptive_fields(net.get_weights()["w"], path=Path(args.figures) / "receptive_fields.png")
            plot_assignments(score.assignments, path=Path(args.figures) / "assignments.png")


if __name__ == "__main__":
    main()
