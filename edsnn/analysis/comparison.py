"""Runs of different models side by side: ED's supervised network against Diehl & Cook's STDP network.

:func:`compare_runs` puts any runs with spike counts in one table, one row per
run: test accuracy, images seen, neurons and learned weights, time per
training image, and the firing statistics of its last epoch's test
presentations per E and I population (mean rate, silent fraction, Fano
factor, class selectivity), computed by :mod:`edsnn.analysis.statistics`.
:func:`same_test_images` says whether the runs were scored on the same
images, and :func:`plot_receptive_fields_side_by_side` draws the input
weights of each run's first learned layer as 28×28 images.  Used by
``benchmarks/ed_vs_stdp.py`` and ``notebooks/ed_vs_stdp.ipynb``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from edsnn.figures import plot_field_mosaic

from . import statistics as st
from .plots import save_figure
from .run import Run
from .summary import COUNT_COLUMNS, summarize

__all__ = ["compare_runs", "same_test_images", "receptive_field_images", "plot_receptive_fields_side_by_side"]


def _last_epoch(run: Run) -> int:
    if not run.epochs:
        raise ValueError(f"{run.path} holds no spike counts to compare")
    return run.epochs[-1]


def same_test_images(runs: dict) -> bool:
    """True when every run's last epoch was tested on the same dataset and the same labels in the same order.

    Parameters
    ----------
    runs : dict of str to Run
    """
    keys, labels = set(), []
    for run in runs.values():
        epoch = int(run.metrics["epoch"].iloc[-1])
        keys.add((run.config.dataset, run.config.data, run.config.test))
        labels.append(run.predictions.loc[run.predictions["epoch"] == epoch, "label"].to_numpy())
    return len(keys) == 1 and all(np.array_equal(labels[0], other) for other in labels[1:])


def _learned_weights(run: Run) -> int:
    """Entries of the run's learned weight matrices (2-D and 3-D arrays; θ and assignments are 1-D)."""
    return int(sum(np.asarray(a).size for a in run.weights.values() if np.ndim(a) >= 2))


def compare_runs(runs: dict) -> pd.DataFrame:
    """One row per run: what it learned from, its size, its speed and its firing.

    Parameters
    ----------
    runs : dict of str to Run
        Label → :func:`~edsnn.analysis.load_run` result (spiking ED or diehl-cook).

    Returns
    -------
    DataFrame
        ``run, model, test_accuracy`` (fraction, last epoch), ``best_test_accuracy``,
        ``epochs, images_seen`` (training images over all epochs),
        ``presentations`` (training slots, Diehl & Cook's repeats at a higher
        intensity included), ``neurons`` (hidden and output, or E and I),
        ``inputs``, ``learned_weights``, ``seconds_per_image`` (wall time of
        the training phases over ``images_seen``; Diehl & Cook's include its
        labelling pass over the same images), and for ``E`` and ``I``:
        ``{E,I}_rate_hz`` (mean over the population's neurons and the last
        epoch's test presentations), ``{E,I}_silent`` (fraction of neurons
        without a spike), ``{E,I}_fano`` (median over neurons and classes),
        ``{E,I}_selectivity`` (mean over the firing neurons).  ED's output
        layer (one neuron per class) is left out of the population columns.
    """
    rows = []
    for label, run in runs.items():
        epoch = _last_epoch(run)
        metrics = run.metrics
        images = int(run.config.train) * len(metrics)
        summary = summarize(run.count_batches(epoch, COUNT_COLUMNS))
        rates = st.mean_rate(summary, run.presentation, by_class=False)
        fano, selectivity = st.fano_factor(summary), st.selectivity(summary)
        row = {
            "run": label, "model": run.model,
            "test_accuracy": float(metrics["test_accuracy"].iloc[-1]),
            "best_test_accuracy": float(metrics["test_accuracy"].max()),
            "epochs": len(metrics), "images_seen": images,
            "presentations": int(metrics["presentations"].sum()) if "presentations" in metrics else images,
            "neurons": run.description.units,
            "inputs": run.description.inputs,
            "learned_weights": _learned_weights(run),
            "seconds_per_image": float(metrics["train_seconds"].sum()) / images,
        }
        for kind in ("E", "I"):
            def of(table, kind=kind):
                return table[(table["type"] == kind) & (table["layer"] != "output")]
            r, f, s = of(rates), of(fano), of(selectivity)
            row[f"{kind}_rate_hz"] = float(r["rate_hz"].mean()) if len(r) else np.nan
            row[f"{kind}_silent"] = float((r["mean_count"] == 0).mean()) if len(r) else np.nan
            row[f"{kind}_fano"] = float(f["fano"].median()) if f["fano"].notna().any() else np.nan
            row[f"{kind}_selectivity"] = float(s["selectivity"].mean()) if s["selectivity"].notna().any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def receptive_field_images(run: Run, limit: int = 400) -> np.ndarray:
    """The input weights of a run's first learned layer as images, shape (n, 28, 28), at most ``limit``.

    ED: the first class network's first hidden layer, each pixel's E and I
    weights summed (:func:`~edsnn.analysis.statistics.receptive_fields`);
    Diehl & Cook: every excitatory neuron's input weights ``w``.
    """
    if "hidden1" in run.weights:
        fields = st.receptive_fields(run.weights["hidden1"])[0]
    else:
        fields = np.asarray(run.weights["w"], dtype=float).T.reshape(-1, 28, 28)
    return fields[:limit]


def plot_receptive_fields_side_by_side(runs: dict, limit: int = 400, path=None) -> Figure:
    """One panel per run: the mosaic of :func:`receptive_field_images` (:func:`edsnn.figures.plot_field_mosaic`).

    ED's fields are signed (diverging map around 0); Diehl & Cook's are
    non-negative (sequential map from 0).  Saved to ``path`` when given.
    """
    fig = Figure(figsize=(4.2 * len(runs), 4.6), layout="constrained")
    for ax, (label, run) in zip(fig.subplots(1, len(runs), squeeze=False)[0], runs.items()):
        fields = receptive_field_images(run, limit)
        plot_field_mosaic(fields, label="input weight", title=f"{label}: {len(fields)} neurons", ax=ax)
    return save_figure(fig, path)
