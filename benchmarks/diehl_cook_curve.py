"""Learning curve of Diehl & Cook's network: test accuracy after every chunk of training images.

The 100-neuron row misses the paper (69.1 % after one epoch of 60 000
against 82.9 %).  This script shows how accuracy, θ and the input weights
develop on the way, to tell a network that learns slowly from one that learns
and then degrades.  The training images are a permutation of the full MNIST
training file drawn from ``--seed``; its last ``--label-images`` images (never
learnt from within ``--chunks`` × ``--chunk`` < 60 000 − label images) assign
the labels after every chunk, with learning off; the first ``--test`` test
images are voted on (``--final-test`` of them after the last chunk).  Printed
per chunk (and written to ``--out`` as CSV):
accuracy, the mean intensity of the accepted presentations (2 = no repeat),
excitatory spikes per training and per test image, θ, the largest input
weight, the labels' class histogram and the chunk's wall time.

    EDSNN_DATA=/path/to/data python benchmarks/diehl_cook_curve.py --neurons 100 --chunk 5000 --chunks 6
    ... --excitatory "min_isi=5 ms"                          # the timer at the refractory period
    ... --excitatory "min_isi=5 ms" --excitatory "tau_ref=0 ms"  # the original code: no clamp

``--excitatory NAME=VALUE`` sets a field of the excitatory neuron model
(:class:`~edsnn.model.conductance.AdaptiveConductanceLIF`), with its unit:
``edsnn train``'s ``--dc-excitatory.NAME``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd

from edsnn.config import TrainConfig, schema
from edsnn.data import load_dataset
from edsnn.model import device_run
from edsnn.model.conductance import AdaptiveConductanceLIF
from edsnn.networks.diehl_cook.assignment import assign_labels, vote
from edsnn.networks.diehl_cook.network import DiehlCookNetwork


def curve(neurons: int, chunk: int, chunks: int, label_images: int, test_images: int, seed: int,
          device: str, excitatory=None, final_test: int | None = None, echo=print, out=None) -> pd.DataFrame:
    """One row per chunk (see the module docstring); ``excitatory``: the E neuron model (default: the paper's).

    ``out``: CSV file rewritten after every chunk, so that a stopped curve keeps its finished rows.
    """
    train, test = load_dataset("mnist", "train", source="full"), load_dataset("mnist", "test", source="full")
    if chunk * chunks + label_images > len(train.labels):
        raise ValueError(f"chunk × chunks + label images must be <= {len(train.labels)}")
    order = np.random.default_rng(seed).permutation(len(train.labels))
    label_idx = order[-label_images:]
    net = DiehlCookNetwork(n_e=neurons, images_per_run=500, seed=seed, device=device_run(device),
                           excitatory=excitatory)
    rows = []
    for k in range(chunks):
        started = time.time()
        learned = net.run(train.images[order[k * chunk:(k + 1) * chunk]], learn=True)
        assignments = assign_labels(net.run(train.images[label_idx], learn=False).counts,
                                    train.labels[label_idx], 10)
        n_test = final_test if final_test and k == chunks - 1 else test_images
        tested = net.run(test.images[:n_test], learn=False)
        weights = net.get_weights()
        rows.append(dict(images=(k + 1) * chunk,
                         test_images=n_test,
                         accuracy=float(np.mean(vote(tested.counts, assignments, 10) == test.labels[:n_test])),
                         mean_intensity=float(learned.intensity.mean()),
                         spikes_per_image=float(learned.counts.sum(1).mean()),
                         test_spikes=float(tested.counts.sum(1).mean()),
                         theta_mean_mV=float(weights["theta"].mean() * 1e3), w_max=float(weights["w"].max()),
                         w_p99=float(np.percentile(weights["w"], 99)),
                         classes=np.bincount(assignments, minlength=10).tolist(), seconds=time.time() - started))
        echo(json.dumps(rows[-1]))
        if out:
            pd.DataFrame(rows).to_csv(out, index=False)
    return pd.DataFrame(rows)


def excitatory_model(settings) -> AdaptiveConductanceLIF:
    """The paper's excitatory neuron with ``NAME=VALUE`` settings (``"min_isi=5 ms"``): the
    ``dc_excitatory`` section of ``edsnn train`` (``--dc-excitatory.min-isi``), checked there."""
    values = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep:
            raise SystemExit(f"--excitatory {setting!r}: expected NAME=VALUE, e.g. 'min_isi=5 ms'")
        try:
            values[schema.resolve_name(f"dc_excitatory.{name.strip()}")] = text.strip()
        except KeyError as error:
            raise SystemExit(f"--excitatory {setting!r}: {error.args[0]}") from None
    try:
        return schema.apply(TrainConfig(model="diehl-cook"), values, text=True).dc_excitatory
    except schema.ParameterError as error:
        raise SystemExit(f"--excitatory: {error}") from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=5000, help="training images between two scores")
    parser.add_argument("--chunks", type=int, default=6)
    parser.add_argument("--label-images", type=int, default=2000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--final-test", type=int, help="test images voted on after the last chunk (default: --test)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cpp")
    parser.add_argument("--excitatory", action="append", default=[], metavar="NAME=VALUE",
                        help='a field of the excitatory neuron model, e.g. "min_isi=5 ms" (repeatable)')
    parser.add_argument("--out", help="CSV file for the table (rewritten after every chunk)")
    args = parser.parse_args(argv)
    curve(args.neurons, args.chunk, args.chunks, args.label_images, args.test, args.seed, args.device,
          excitatory_model(args.excitatory), args.final_test, echo=lambda line: print(line, flush=True), out=args.out)


if __name__ == "__main__":
    main()
