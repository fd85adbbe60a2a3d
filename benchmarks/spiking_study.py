"""What makes spike-count activities learn well under the ED rule: a small seeded study.

Reproduces the study table in README "Accuracy": the spiking model, hidden 64,
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
from brian2 import Hz, ms, nA

from edsnn.data import SpikeCoding, load_dataset, rate_chunks
from edsnn.model import EDNetwork, EDParameters, ExponentialSynapse, LIFParameters, device_run

#: The study's baseline: edsnn's first defaults.
BASELINE = dict(
    neuron=dict(I_bias=0.9 * nA), synapse=dict(w_unit=0.4 * nA),
    ed=dict(activity_max_rate=100 * Hz, count_prior=0.0), coding={}, reset_state=True, model="spiking",
)

#: name → changes to BASELINE (sections are merged).
SETTINGS = {
    "base": {},
    "amr200": dict(ed=dict(activity_max_rate=200 * Hz)),
    "tau10": dict(neuron=dict(tau_m=10 * ms)),
    "tau10ib15": dict(neuron=dict(tau_m=10 * ms, I_bias=1.5 * nA)),
    "noreset": dict(reset_state=False),
    "pres100": dict(coding=dict(presentation=100 * ms)),
    "drive2": dict(neuron=dict(I_bias=2.0 * nA), synapse=dict(w_unit=0.8 * nA), ed=dict(activity_max_rate=200 * Hz)),
    "drive2b": dict(neuron=dict(I_bias=2.0 * nA), synapse=dict(w_unit=1.2 * nA), ed=dict(activity_max_rate=200 * Hz)),
    "prior1": dict(ed=dict(count_prior=1.0)),
    "prior1amr200": dict(ed=dict(count_prior=1.0, activity_max_rate=200 * Hz)),
    "p2a300": dict(ed=dict(count_prior=2.0, activity_max_rate=300 * Hz)),
    "p1a200dif1": dict(ed=dict(count_prior=1.0, activity_max_rate=200 * Hz, dif=1.0)),
    "p1a200lr03": dict(ed=dict(count_prior=1.0, activity_max_rate=200 * Hz, lr=0.3)),
    "p1a200lr08": dict(ed=dict(count_prior=1.0, activity_max_rate=200 * Hz, lr=0.08)),
    "reference": dict(model="reference"),
}


def merged(name: str) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASELINE.items()}
    for key, value in SETTINGS[name].items():
        if isinstance(value, dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


def study(name: str, hidden=(64,), epochs=3, seed=1, batch=100):
    s = merged(name)
    coding = SpikeCoding(**s["coding"])
    net = EDNetwork(
        1568, 10, hidden=hidden, model=s["model"], batch_size=batch, seed=seed, device=device_run("cython"),
        neuron=LIFParameters(**s["neuron"]), synapse=ExponentialSynapse(**s["synapse"]),
        ed=EDParameters(**s["ed"]), coding=coding, reset_state=s["reset_state"],
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
