"""Time per training image of Diehl & Cook's network (2015) on one device, against Brian2's port, and a learning check.

Reproduces no figure of the paper: it measures edsnn's implementation
(:class:`edsnn.networks.diehl_cook.network.DiehlCookNetwork`, 350 ms + 150 ms per
presentation, dt 0.5 ms) on the embedded MNIST subset.  The first run of
``--images`` images includes the build (code generation and compilation on
cpp); the second, of the next ``--images`` images, is timed.

``--port PATH`` also times Brian2's port of the same network
(``examples/frompapers/Diehl_Cook_2015.py`` in Brian2's repository, not
shipped with edsnn; 400 neurons, runtime device, a Python loop with two
``run()`` calls and a weight normalisation per image) on the same images,
in a child process on the same machine, after one untimed image that builds
its code: the ratio is printed.  Both sides learn (STDP on) and show weak
images again at a higher intensity, so an image costs the same simulated
time on both.

    python benchmarks/diehl_cook_speed.py --device cpp --neurons 100 --images 50
    python benchmarks/diehl_cook_speed.py --device cpp --neurons 400 --images 100 \
        --port brian2/examples/frompapers/Diehl_Cook_2015.py --port-images 20
    python benchmarks/diehl_cook_speed.py --device cpp --neurons 100 --images 50 --train 1000 --test 500 \
        --epochs 3 --figures /tmp/dc
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

from edsnn.data import load_dataset
from edsnn.model import device_run
from edsnn.networks.diehl_cook.figures import plot_assignments, plot_receptive_fields
from edsnn.networks.diehl_cook.network import DiehlCookNetwork
from edsnn.networks.diehl_cook.scoring import learn_and_score


def time_port(path: str, images, seed: int) -> dict:
    """Seconds per training image of Brian2's port over ``images[1:]`` (``images[0]`` builds its code)."""
    import brian2

    # the port shows a progress bar from the progressbar2 package; it is not needed here
    sys.modules.setdefault("progressbar", types.SimpleNamespace(progressbar=lambda items: items))
    spec = importlib.util.spec_from_file_location("diehl_cook_port", path)
    port = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(port)
    brian2.seed(seed)
    np.random.seed(seed)
    net = port.build_network(True)

    def show(image):
        port.normalize_plastic_weights(net["inp_exc"])
        port.show_sample(net, image / 8.0, port.INTENSITY)

    show(images[0])
    start = time.perf_counter()
    for image in images[1:]:
        show(image)
    return {"seconds_per_image": (time.perf_counter() - start) / (len(images) - 1), "neurons": port.N_NEURONS}


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
    parser.add_argument("--port", help="path of Brian2's Diehl_Cook_2015.py: time it on the same images")
    parser.add_argument("--port-images", type=int, default=20, help="images the port is timed on")
    parser.add_argument("--port-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    train, test = load_dataset("mnist", "train"), load_dataset("mnist", "test")
    if args.port_only:
        print(json.dumps(time_port(args.port, train.images[args.images:args.images + args.port_images + 1]
                                   .reshape(-1, 784).astype(float), args.seed)))
        return
    port = None
    if args.port:
        child = subprocess.run([sys.executable, __file__, "--port-only", "--port", args.port, "--images",
                                str(args.images), "--port-images", str(args.port_images), "--seed", str(args.seed)],
                               check=True, capture_output=True, text=True)
        port = json.loads(child.stdout.strip().splitlines()[-1])
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
    if port is not None:
        print(f"Brian2's port (runtime, {port['neurons']} E neurons): {1000 * port['seconds_per_image']:.1f} ms "
              f"per training image ({args.port_images} images after one untimed); edsnn {args.device} is "
              f"{port['seconds_per_image'] / (timed / n):.1f}x faster")
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
