"""What makes spike-count activities learn well under the ED rule: a small seeded study.

Reproduces the table of studies/spike_counts/README.md: the spiking model, hidden 64,
on the embedded MNIST subset (1000 stratified training images in a seeded
random order each epoch, the 500 test images), 3 epochs, seed 1, runtime
Cython.  Every setting changes the study's baseline — the first defaults of
edsnn (activity 1 at 100 Hz, no prior count) — in one or two places.

Usage::

    python benchmarks/spiking_study.py base amr200 prior1amr200   # settings by name
    python benchmarks/spiking_study.py --list

Prints one JSON line per epoch (train and test accuracy, mean hidden and
output activity, seconds).
"""

from __future__ import annotations

import argparse
import json
import time

import brian2
import numpy as np

from edsnn.config import TrainConfig, schema
from edsnn.data import load_dataset, rate_chunks
from edsnn.model import device_run
from edsnn.networks import EDNetwork

#: The study's baseline: edsnn's first defaults (parameter names as in sweep files).
BASELINE = {"I_bias": "0.9 nA", "w_unit": "0.4 nA", "activity_max_rate": "100 Hz", "count_prior": 0.0,
            "presentation": "50 ms", "model": "spiking", "reset_state": True}

#: name → changes to BASELINE.
SETTINGS = {
    "base": {},
    "amr200": {"activity_max_rate": "200 Hz"},
    "tau10": {"tau_m": "10 ms"},
    "tau10ib15": {"tau_m": "10 ms", "I_bias": "1.5 nA"},
    "noreset": {"reset_state": False},
    "pres100": {"presentation": "100 ms"},
    "drive2": {"I_bias": "2 nA", "w_unit": "0.8 nA", "activity_max_rate": "200 Hz"},
    "drive2b": {"I_bias": "2 nA", "w_unit": "1.2 nA", "activity_max_rate": "200 Hz"},
    "prior1": {"count_prior": 1.0},
    "prior1amr200": {"count_prior": 1.0, "activity_max_rate": "200 Hz"},
    "p2a300": {"count_prior": 2.0, "activity_max_rate": "300 Hz"},
    "p1a200dif1": {"count_prior": 1.0, "activity_max_rate": "200 Hz", "dif": 1.0},
    "p1a200lr03": {"count_prior": 1.0, "activity_max_rate": "200 Hz", "lr": 0.3},
    "p1a200lr08": {"count_prior": 1.0, "activity_max_rate": "200 Hz", "lr": 0.08},
    "reference": {"model": "reference"},
}


def setting(name: str) -> tuple[TrainConfig, bool]:
    """The setting's parameters (checked by the parameter schema) and whether state resets."""
    changes = {**BASELINE, **SETTINGS[name]}
    reset_state = changes.pop("reset_state")
    return schema.apply(TrainConfig(), {schema.resolve_name(k): v for k, v in changes.items()}), reset_state


def study(name: str, hidden=(64,), epochs=3, seed=1, batch=100):
    config, reset_state = setting(name)
    coding = config.coding
    net = EDNetwork(
        1568, 10, hidden=hidden, model=config.model, batch_size=batch, seed=seed, device=device_run("cython"),
        neuron=config.neuron, synapse=config.synapse, ed=config.ed, coding=coding, reset_state=reset_state,
    )
    train, test = load_dataset("mnist", "train"), load_dataset("mnist", "test")
    rng = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        brian2.seed(seed * 1000 + epoch - 1)
        started = time.time()
        order = rng.permutation(len(train))
        correct = 0
        for k, rates in enumerate(rate_chunks(train.images[order], coding, chunk_size=batch)):
            labels = train.labels[order[k * batch:(k + 1) * batch]]
            correct += (net.run(rates, labels, learn=True).prediction == labels).sum()
        test_correct, hidden_activity = 0, []
        for k, rates in enumerate(rate_chunks(test.images, coding, chunk_size=batch)):
            labels = test.labels[k * batch:(k + 1) * batch]
            result = net.run(rates, labels, learn=False)
            test_correct += (result.prediction == labels).sum()
            hidden_activity.append(result.activity["hidden1"].mean())
        print(json.dumps(dict(
            name=name, epoch=epoch, train=correct / len(train), test=test_correct / len(test),
            hidden_activity=round(float(np.mean(hidden_activity)), 3),
            output_activity=round(float(result.activity["output"].mean()), 3),
            seconds=round(time.time() - started, 1))), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="settings to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the settings")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.list or not args.names:
        for name, change in SETTINGS.items():
            print(f"{name:14s} {change}")
        return
    unknown = [name for name in args.names if name not in SETTINGS]
    if unknown:
        parser.error(f"unknown settings {unknown}; choose from {list(SETTINGS)}")
    for name in args.names:
        study(name, epochs=args.epochs)


if __name__ == "__main__":
    main()
