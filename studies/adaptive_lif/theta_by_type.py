"""θ and firing of an adaptive-LIF run, per layer and neuron type (E/I), epoch by epoch.

    python studies/adaptive_lif/theta_by_type.py RUN [WEIGHTS.npz ...]
    python studies/adaptive_lif/theta_by_type.py --theta RUN [RUN ...]

Prints two markdown tables: the firing of each layer and type in every epoch's
test presentations (mean rate, share of neurons silent in every test image), and
θ (median, 90th percentile and largest, in mV) of the run's ``weights.npz`` and of
any other ``weights.npz`` given (copies taken after earlier epochs).  ``--theta``:
the θ table only, of each run's ``weights.npz`` (the firing per epoch of a run is
also in its ``metrics.csv``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from edsnn.analysis import load_run
from edsnn.networks.ed.layout import neuron_type
from edsnn.runs import RunFolder, files


def firing_table(run) -> str:
    lines = ["| epoch | test accuracy | layer | type | rate (Hz) | dead |", "|---|---|---|---|---|---|"]
    accuracy = dict(zip(run.metrics["epoch"], run.metrics["test_accuracy"]))
    for epoch in run.epochs:
        counts = run.counts(epoch=epoch, columns=["layer", "class_net", "neuron", "type", "count"])
        counts = counts.astype({"layer": str, "type": str})
        per_neuron = counts.groupby(["layer", "class_net", "neuron", "type"], observed=True)["count"].agg(
            ["mean", "max"]).reset_index()
        for (layer, kind), part in per_neuron.groupby(["layer", "type"]):
            rate = part["mean"].mean() / float(run.presentation)
            lines.append(f"| {epoch} | {100 * accuracy[epoch]:.1f} % | {layer} | {kind} | {rate:.1f} "
                         f"| {100 * (part['max'] == 0).mean():.1f} % |")
    return "\n".join(lines)


def theta_table(sources) -> str:
    lines = ["| weights | epoch | layer | type | θ median (mV) | θ 90th pct (mV) | θ max (mV) |",
             "|---|---|---|---|---|---|---|"]
    for name, arrays in sources:
        epoch = int(arrays["epoch"])
        for key in sorted(k for k in arrays if k.endswith(".theta")):
            layer = key[: -len(".theta")]
            theta = np.asarray(arrays[key]) * 1e3  # V → mV, shape (class nets, neurons)
            kinds = neuron_type(np.full(theta.shape[1], layer), np.arange(theta.shape[1]))
            for kind in ("E", "I"):
                part = theta[:, kinds == kind]
                if part.size:
                    lines.append(f"| {name} | {epoch} | {layer} | {kind} | {np.median(part):.2f} "
                                 f"| {np.percentile(part, 90):.2f} | {part.max():.2f} |")
    return "\n".join(lines)


def main(argv):
    if argv[0] == "--theta":
        print(theta_table([(Path(f).name, files.load_npz(RunFolder(Path(f)).file("weights.npz"))) for f in argv[1:]]))
        return
    folder = Path(argv[0])
    run = load_run(folder)
    sources = [(Path(p).name, files.load_npz(Path(p))) for p in argv[1:]]
    sources.append(("weights.npz", files.load_npz(RunFolder(folder).file("weights.npz"))))
    print(firing_table(run))
    print()
    print(theta_table(sources))


if __name__ == "__main__":
    main(sys.argv[1:])
