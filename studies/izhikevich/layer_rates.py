"""Per-layer firing of finished runs in the test presentations of their last epoch.

    python studies/izhikevich/layer_rates.py RUN [RUN ...]

For each run and each population (hidden E, hidden I, output): the mean rate,
the share of neurons *dead* (silent in every test image) and *saturated* (at
the ED rule's activity cap in at least half of them), the definitions of
``benchmarks/accuracy.py``'s variants table; and the hidden I rate at epochs
1, 5, 10, 15 and 20 (from the run's metrics.csv).
"""

import argparse
import pathlib

import pandas as pd

from edsnn.analysis import load_run, statistics

EPOCHS = (1, 5, 10, 15, 20)


def populations(folder: pathlib.Path) -> dict:
    """(layer, type) → (rate Hz, dead, saturated) in the last epoch's test presentations."""
    run = load_run(folder)
    cap = statistics.SaturationCaps.from_config(run.config).activity_cap
    counts = run.counts(epoch=run.epochs[-1], columns=["layer", "class_net", "neuron", "type", "count"])
    counts = counts.astype({"layer": str, "type": str})
    counts["population"] = counts["layer"].where(counts["layer"] == "output", "hidden " + counts["type"])
    per_neuron = counts.groupby(["population", "layer", "class_net", "neuron", "type"], observed=True)["count"].agg(
        mean="mean", peak="max", at_cap=lambda c: (c >= cap).mean()
    )
    return {
        name: (
            part["mean"].mean() / float(run.presentation),
            (part["peak"] == 0).mean(),
            (part["at_cap"] >= 0.5).mean(),
        )
        for name, part in per_neuron.groupby(level="population")
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+", type=pathlib.Path)
    args = parser.parse_args()
    names = ("hidden E", "hidden I", "output")
    print(
        "| run | "
        + " | ".join(f"{n}: rate / dead / saturated" for n in names)
        + " | hidden I rate (Hz) at epochs "
        + ", ".join(map(str, EPOCHS))
        + " |"
    )
    print("|---|" + "---|" * (len(names) + 1))
    for folder in args.runs:
        pops = populations(folder)
        metrics = pd.read_csv(folder / "metrics.csv").set_index("epoch")
        cells = [f"{pops[n][0]:.1f} Hz / {100 * pops[n][1]:.1f} % / {100 * pops[n][2]:.1f} %" for n in names]
        trajectory = " / ".join(
            f"{metrics.loc[e, 'hidden1_I_rate_hz']:.1f}" if e in metrics.index else "–" for e in EPOCHS
        )
        print(f"| {folder.name} | " + " | ".join(cells) + f" | {trajectory} |")
