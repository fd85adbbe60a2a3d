"""Figures of the spike counts: rate histograms, class preference, and their evolution over epochs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from edsnn.figures import save_figure

from .common import TYPE_COLORS, _layers, _no_spikes, _pick_epoch


def plot_rate_histograms(rates: pd.DataFrame, epoch: int | None = None, bins: int = 30,
                         path=None) -> Figure:
    """Histograms of the neurons' mean rates, per layer and E/I type.

    Parameters
    ----------
    rates : DataFrame
        :func:`~edsnn.analysis.statistics.mean_rate` table (``by_class=False``
        for one rate per neuron; with ``label`` every (neuron, class) counts).
    epoch : int, optional
        Default: the last epoch.
    bins : int, optional
        Number of bins (default 30).
    path : str or Path, optional

    Returns
    -------
    Figure
        One axes per (layer, type) present; rate in Hz.
    """
    epoch = _pick_epoch(rates["epoch"], epoch, "rates")
    table = rates[rates["epoch"] == epoch]
    layers = _layers(table)
    kinds = [k for k in ("E", "I") if k in set(table["type"])]
    fig = Figure(figsize=(3.6 * len(kinds) + 0.5, 2.3 * len(layers) + 0.5), layout="constrained")
    axes = fig.subplots(len(layers), len(kinds), squeeze=False)
    for i, layer in enumerate(layers):
        for j, kind in enumerate(kinds):
            ax = axes[i, j]
            values = table.loc[(table["layer"] == layer) & (table["type"] == kind), "rate_hz"]
            if values.empty:
                fig.delaxes(ax)
                continue
            values = values.to_numpy(dtype=float)
            top = max(float(values.max()), 1.0)
            ax.hist(values, bins=np.linspace(0, top * 1.02, bins + 1), color=TYPE_COLORS[kind],
                    alpha=0.8)
            silent = float(np.mean(values == 0))
            if silent == 1:
                _no_spikes(ax)
            ax.set_title(f"{layer} {kind}: {len(values)} neurons, median "
                         f"{np.median(values):.1f} Hz, {100 * silent:.0f} % silent", fontsize=8)
            ax.set(xlabel="mean rate (Hz)", ylabel="neurons")
    fig.suptitle(f"Firing rates, epoch {epoch}")
    return save_figure(fig, path)


def plot_selectivity_map(selectivity: pd.DataFrame, epoch: int | None = None,
                         class_names=None, path=None) -> Figure:
    """Which class the hidden neurons of each class network prefer, and how strongly.

    One row of two panels per hidden layer.  Left: the number of neurons of
    class network ``c`` (row) whose preferred class is ``k`` (column), the
    silent ones in a last column; a network whose neurons learnt its own class
    fills the diagonal.  Right: every neuron's selectivity index against its
    class network, red where it prefers the network's own class.

    Parameters
    ----------
    selectivity : DataFrame
        :func:`~edsnn.analysis.statistics.selectivity` table.
    epoch : int, optional
        Default: the last epoch.
    class_names : sequence of str, optional
        Names of the classes (default the class indices).
    path : str or Path, optional

    Returns
    -------
    Figure
        Two axes per hidden layer.
    """
    epoch = _pick_epoch(selectivity["epoch"], epoch, "selectivity")
    table = selectivity[(selectivity["epoch"] == epoch) & (selectivity["layer"] != "output")]
    if table.empty:
        raise ValueError("selectivity has no hidden-layer neurons to map")
    layers = _layers(table)
    nets = sorted(int(c) for c in table["class_net"].unique())
    n_classes = int(max(table["n_classes"].max(), table["preferred_class"].fillna(-1).max() + 1, len(nets)))
    names = [str(c) for c in (class_names if class_names is not None else range(n_classes))][:n_classes]
    height = (0.32 * len(nets) + 1.4) * len(layers) + 0.4
    fig = Figure(figsize=(max(9.0, 0.45 * (n_classes + 1) + 5.5), height), layout="constrained")
    axes = fig.subplots(len(layers), 2, squeeze=False,
                        gridspec_kw={"width_ratios": [0.45 * (n_classes + 1) + 0.6, 4.0]})
    rng = np.random.default_rng(0)  # vertical jitter of the dots only
    for (count_ax, index_ax), layer in zip(axes, layers):
        rows = table[table["layer"] == layer]
        net = rows["class_net"].to_numpy(dtype=int)
        preferred = rows["preferred_class"].fillna(n_classes).to_numpy(dtype=int)  # silent: last column
        matrix = np.zeros((len(nets), n_classes + 1), dtype=int)
        np.add.at(matrix, (np.searchsorted(nets, net), preferred), 1)
        count_ax.imshow(matrix, cmap="Blues", vmin=0, vmax=max(int(matrix.max()), 1), aspect="auto")
        for (i, j), value in np.ndenumerate(matrix):
            if value:
                count_ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                              color="white" if value > 0.6 * matrix.max() else "black")
        count_ax.set_xticks(range(n_classes + 1), [*names, "silent"], rotation=90 if n_classes > 10 else 0,
                            fontsize=7)
        count_ax.set_yticks(range(len(nets)), [names[c] if c < len(names) else str(c) for c in nets], fontsize=7)
        count_ax.set(xlabel="preferred class", ylabel=f"{layer}\nclass network",
                     title=f"{layer}: neurons per preferred class")
        score = rows["selectivity"].to_numpy(dtype=float)
        active = np.isfinite(score)
        own = preferred == net
        y = np.searchsorted(nets, net) + rng.uniform(-0.25, 0.25, len(net))
        for mask, color in ((active & ~own, "0.55"), (active & own, "tab:red")):
            index_ax.scatter(score[mask], y[mask], s=6, color=color, alpha=0.7)
        index_ax.set_yticks(range(len(nets)), [names[c] if c < len(names) else str(c) for c in nets], fontsize=7)
        index_ax.set(xlim=(-0.03, 1.03), ylim=(len(nets) - 0.5, -0.5), ylabel="class network",
                     xlabel="selectivity index (0: same rate for every class, 1: one class only)",
                     title=f"{layer}: selectivity; red: own class ({int((active & own).sum())}), "
                           f"grey: another ({int((active & ~own).sum())})")
        index_ax.grid(alpha=0.3)
        if not active.any():
            _no_spikes(index_ax)
        for ax in (count_ax, index_ax):
            ax.title.set_fontsize(9)
    fig.suptitle(f"Class preference of the hidden neurons, epoch {epoch}", fontsize=10)
    return save_figure(fig, path)


def _cap_title(evolution: pd.DataFrame, column: str, title: str) -> str:
    """``title`` with the cap's spike count(s) of ``column`` appended."""
    values = sorted({int(v) for v in evolution[column].dropna()})
    return f"{title} (≥ {', '.join(map(str, values))} spikes)" if values else title


def plot_evolution(evolution: pd.DataFrame, metrics: pd.DataFrame | None = None,
                   path=None) -> Figure:
    """Firing summaries (and test accuracy) against epoch.

    Saturation is shown twice: at the ED rule's activity cap (the count read
    as activity 1, where learning stops) and at the refractory limit (the
    physiological maximum); see :class:`~edsnn.analysis.statistics.SaturationCaps`.

    Parameters
    ----------
    evolution : DataFrame
        :func:`~edsnn.analysis.statistics.evolution` table.
    metrics : DataFrame, optional
        ``metrics.csv``; adds a test-accuracy panel.
    path : str or Path, optional

    Returns
    -------
    Figure
        Six axes (rate, silent fraction, saturated fraction at the activity
        cap, at the refractory limit, selectivity, Fano factor), seven with
        ``metrics``; one line per layer and type.
    """
    panels = [
        ("rate_hz", "mean rate (Hz)"),
        ("silent_fraction", "silent fraction"),
        ("saturated_activity_cap_fraction", "saturated at the ED activity cap"),
        ("saturated_refractory_limit_fraction", "saturated at the refractory limit"),
        ("selectivity", "mean selectivity"),
        ("fano", "mean Fano factor (dotted: Poisson)"),
    ]
    missing = [c for c, _ in panels if c not in evolution.columns]
    missing += [c for c in ("activity_cap", "refractory_limit") if c not in evolution.columns]
    if missing:
        raise ValueError(f"evolution lacks the column(s) {missing}; pass statistics.evolution(...)")
    titles = {"saturated_activity_cap_fraction": "activity_cap",
              "saturated_refractory_limit_fraction": "refractory_limit"}
    fig = Figure(figsize=(14, 6), layout="constrained")
    axes = fig.subplots(2, 4).ravel()
    layers = _layers(evolution)
    styles = {"E": "-o", "I": "--s"}
    for ax, (column, title) in zip(axes, panels):
        for n, layer in enumerate(layers):
            for kind, style in styles.items():
                rows = evolution[(evolution["layer"] == layer) & (evolution["type"] == kind)]
                if rows.empty:
                    continue
                ax.plot(rows["epoch"], rows[column], style, ms=3, color=f"C{n}",
                        label=f"{layer} {kind}")
        if column in titles:
            title = _cap_title(evolution, titles[column], title)
        top = float(evolution[column].max()) if evolution[column].notna().any() else 0.0
        if column == "rate_hz":
            ax.set_ylim(-0.02 * max(1.0, 1.08 * top), max(1.0, 1.08 * top))
            if top == 0:
                _no_spikes(ax)
        elif column == "fano":  # 1: Poisson counts
            ax.axhline(1, color="grey", lw=0.8, ls=":")
            ax.set_ylim(0, max(1.5, 1.08 * top))
        else:  # fractions and the selectivity index lie in [0, 1]
            ax.set_ylim(-0.03, 1.03)
        if evolution[column].isna().all():  # selectivity and Fano factor of silent layers
            ax.set_xlim(evolution["epoch"].min() - 0.5, evolution["epoch"].max() + 0.5)
            _no_spikes(ax, "no spikes: undefined")
        ax.set(title=title, xlabel="epoch")
        ax.title.set_fontsize(9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    if metrics is not None:
        ax = axes[len(panels)]
        ax.plot(metrics["epoch"], 100 * metrics["test_accuracy"], "-o", ms=3, color="k",
                label="test")
        if "train_accuracy" in metrics:
            ax.plot(metrics["epoch"], 100 * metrics["train_accuracy"], ":", color="k",
                    label="train")
        ax.set(title="accuracy (%)", xlabel="epoch", ylim=(0, 100))
        ax.title.set_fontsize(9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes[len(panels) + (metrics is not None):]:
        fig.delaxes(ax)
    return save_figure(fig, path)
