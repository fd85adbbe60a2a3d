"""The summary of a sweep folder: ``sweep.csv`` and accuracy figures.

Both are rebuilt from the run folders under ``points/`` (and the error notes
under ``errors/``), so they can be made again at any time with
:func:`summarize_sweep`.

``sweep.csv`` has one row per point of the sweep file:

======================================  ==============================================================
``point``                               folder name under ``points/``
one column per swept parameter          the value as text with its unit (``"10 ms"``)
``<parameter> [<SI unit>]``             the same value as a number in SI units (``tau_m [s]``);
                                        dimensionless parameters are numeric already
``seed``                                the run's seed
``status``                              ``done``, ``failed``, ``partial`` (interrupted), ``pending``
``epochs``                              finished epochs
``final_test_accuracy``                 test accuracy of the last epoch (fraction)
``best_test_accuracy``, ``best_epoch``  highest test accuracy and its epoch
``final_train_accuracy``                training accuracy of the last epoch
``rate_<layer> [Hz]``                   mean firing rate of the layer's neurons over the last
                                        epoch's test presentations (spike count / presentation)
``seconds``                             train + test seconds summed over the epochs
``error``                               why a failed point failed (``Type: message``)
``path``                                the run folder, relative to the sweep folder
======================================  ==============================================================
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
from brian2 import second

from edsnn.runs import RunFolder, RunFolderError, significant

__all__ = ["summarize_sweep", "point_table", "finished_epochs", "plot_accuracy"]


def _metrics(folder) -> pd.DataFrame | None:
    """The finished epochs' ``metrics.csv`` (None when absent or unreadable)."""
    try:
        metrics = RunFolder(folder).metrics()
    except RunFolderError:
        return None
    return metrics if len(metrics) else None


def finished_epochs(folder) -> set:
    """Finished epochs recorded in the run folder (empty when absent or unreadable)."""
    metrics = _metrics(folder)
    return set() if metrics is None else set(metrics["epoch"].tolist())


def _rates(folder: Path, epoch: int, presentation_s: float) -> dict:
    """Layer → mean firing rate (Hz) over the test presentations of ``epoch``."""
    try:
        counts = RunFolder(folder).counts(epoch, columns=["layer", "count"])
    except RunFolderError:
        return {}
    if counts.empty:
        return {}
    mean = counts["count"].astype(float).groupby(counts["layer"], sort=False).mean()  # NaN: reference model
    return {f"rate_{layer} [Hz]": float(value) / presentation_s for layer, value in mean.items()}


def _error(out: Path, name: str) -> str:
    path = out / "errors" / f"{name}.txt"
    if not path.is_file():
        return ""
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return lines[-1] if lines else "failed"


def point_table(spec, out) -> pd.DataFrame:
    """One row per point of ``spec`` from the folders under ``out`` (see the module docstring)."""
    out = Path(out)
    rows = []
    for point in spec.points:
        folder = out / "points" / point.name
        row = {"point": point.name}
        for p in spec.parameters:
            row[p.label] = point.texts[p.label]
            if p.numeric_column:
                row[p.numeric_column] = point.numbers[p.numeric_column]
        row["seed"] = point.config.seed
        epochs = point.config.epochs
        metrics = _metrics(folder)
        done = set() if metrics is None else set(metrics["epoch"].tolist())
        error = _error(out, point.name)
        if done >= set(range(1, epochs + 1)):
            status = "done"
        elif error:
            status = "failed"
        elif done:
            status = "partial"
        else:
            status = "pending"
        row.update({"status": status, "epochs": len(done & set(range(1, epochs + 1)))})
        if metrics is not None:
            metrics = metrics[metrics["epoch"] <= epochs].sort_values("epoch")
        if metrics is not None and len(metrics):
            last = metrics.iloc[-1]
            best = metrics.loc[metrics["test_accuracy"].idxmax()]
            row.update({
                "final_test_accuracy": float(last["test_accuracy"]),
                "best_test_accuracy": float(best["test_accuracy"]),
                "best_epoch": int(best["epoch"]),
                "final_train_accuracy": float(last["train_accuracy"]),
            })
            row.update(_rates(folder, int(last["epoch"]), float(point.config.coding.presentation / second)))
            row["seconds"] = float(metrics["train_seconds"].sum() + metrics["test_seconds"].sum())
        row["error"] = error if status == "failed" else ""
        row["path"] = f"points/{point.name}"
        rows.append(row)
    table = pd.DataFrame(rows)
    for column in ("final_test_accuracy", "best_test_accuracy", "best_epoch", "final_train_accuracy", "seconds"):
        if column not in table:
            table[column] = np.nan
    rates = sorted(c for c in table.columns if c.startswith("rate_"))
    ordered = [c for c in table.columns if not c.startswith("rate_") and c not in ("seconds", "error", "path")]
    return table[[*ordered, *rates, "seconds", "error", "path"]]


def _file_label(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", label)


def plot_accuracy(spec, table: pd.DataFrame, parameter, path=None):
    """Final test (and train) accuracy against one swept parameter.

    Points of the same parameter values and different seeds are pooled:
    markers at the mean, error bars one standard deviation over seeds.  One
    line per combination of the other swept parameters (pooled when there are
    more than eight).  Random sweeps draw every point.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    done = table[table["status"] == "done"].copy()
    fig = Figure(figsize=(5.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    p = parameter
    x_label = p.label + (f" ({p.unit})" if p.unit else "")
    numeric = p.numeric_column or (p.label if pd.api.types.is_numeric_dtype(table[p.label]) else None)
    if numeric:
        done["_x"] = done[numeric].astype(float) / p.scale
    else:
        order = list(dict.fromkeys(table[p.label]))
        done["_x"] = done[p.label].map({v: i for i, v in enumerate(order)}).astype(float)
        ax.set_xticks(range(len(order)), order)
    done["_test"] = 100 * done["final_test_accuracy"]
    done["_train"] = 100 * done["final_train_accuracy"]
    others = [q.label for q in spec.parameters if q.label != p.label]
    if spec.mode == "random":
        ax.plot(done["_x"], done["_test"], "o", label="test (each run)")
        ax.plot(done["_x"], done["_train"], ".", color="0.6", label="train (each run)")
    else:
        groups = done.groupby(others, sort=False) if others and done[others].drop_duplicates().shape[0] <= 8 else [
            ((), done)]
        for key, part in groups:
            stats = part.groupby("_x")[["_test", "_train"]].agg(["mean", "std", "count"]).sort_index()
            key = key if isinstance(key, tuple) else (key,)
            name = ", ".join(f"{o}={k}" for o, k in zip(others, key)) if key else ""
            bars = ax.errorbar(stats.index, stats[("_test", "mean")], yerr=stats[("_test", "std")].fillna(0),
                               marker="o", capsize=3, label=f"test {name}".strip())
            ax.plot(stats.index, stats[("_train", "mean")], linestyle="--", marker=".", alpha=0.6,
                    color=bars.lines[0].get_color(), label=f"train {name}".strip())
    if p.log:
        ax.set_xscale("log")
    ax.set_xlabel(x_label)
    ax.set_ylabel("final accuracy (%)")
    n_seeds = len(spec.seeds)
    ax.set_title(f"Accuracy vs {p.label}" + (f" (mean ± sd over {n_seeds} seeds)" if n_seeds > 1 else ""),
                 fontsize=10)
    if len(done):
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    return fig


def summarize_sweep(spec, out) -> tuple[pd.DataFrame, list]:
    """Write ``out/sweep.csv`` and ``out/figures/accuracy_vs_<parameter>.png``.

    Returns
    -------
    table : DataFrame
        What ``sweep.csv`` holds.
    figures : list of Path
    """
    out = Path(out)
    table = point_table(spec, out)
    tmp = out / f".sweep.csv.{os.getpid()}.tmp"
    significant(table).to_csv(tmp, index=False)
    os.replace(tmp, out / "sweep.csv")
    figures = []
    if (table["status"] == "done").any():
        parameters = [p for p in spec.parameters if p.label != "seed"] or [
            p for p in spec.parameters]
        for p in parameters:
            path = out / "figures" / f"accuracy_vs_{_file_label(p.label)}.png"
            plot_accuracy(spec, table, p, path)
            figures.append(path)
    return table, figures
