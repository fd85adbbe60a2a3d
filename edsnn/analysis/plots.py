"""Figures of the firing statistics.

Each function takes the tables of :mod:`edsnn.analysis.statistics` (or a
:class:`~edsnn.analysis.Run`), returns a :class:`matplotlib.figure.Figure`
built without pyplot (safe under Agg; in Jupyter, display the returned
figure) and, given ``path``, saves it.  Learning curves and the confusion
matrix are drawn by :mod:`edsnn.figures`, re-exported here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from brian2 import second
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from edsnn.figures import plot_confusion, plot_learning_curves, save_figure
from edsnn.networks.ed.layout import neuron_type
from edsnn.runs import layer_sort_key
from edsnn.units import natural_text

from .run import Run
from .statistics import receptive_fields

__all__ = [
    "save_figure",
    "plot_raster",
    "plot_rate_histograms",
    "plot_selectivity_map",
    "plot_receptive_fields",
    "plot_evolution",
    "plot_psth",
    "plot_balance",
    "plot_learning_curves",
    "plot_confusion",
]

TYPE_COLORS = {"E": "tab:blue", "I": "tab:red"}


def _pick_epoch(values, epoch, name: str) -> int:
    """``epoch`` if it is among the epoch numbers ``values``; None: the last."""
    epochs = sorted({int(e) for e in pd.unique(pd.Series(values))})
    if not epochs:
        raise ValueError(f"{name} is empty")
    if epoch is None:
        return epochs[-1]
    if int(epoch) not in epochs:
        raise ValueError(f"epoch {epoch} is not in {name} (epochs {epochs[0]}..{epochs[-1]})")
    return int(epoch)


def _no_spikes(ax, text: str = "no spikes") -> None:
    """Say on ``ax`` why it is empty (a silent layer is a result, not a blank panel)."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.3", fontsize=9,
            bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.9})


def _layers(table: pd.DataFrame) -> list[str]:
    return sorted((str(x) for x in table["layer"].unique()), key=layer_sort_key)


def plot_raster(run: Run, epoch: int | None = None, presentation: int = 0, path=None) -> Figure:
    """Spike raster of one test presentation, one panel per layer.

    Rows are neurons, grouped by class network (grey lines separate the
    networks; within one, neuron 0 at the bottom); E spikes blue, I red.

    Parameters
    ----------
    run : Run
        A run loaded with spike times (``record_spikes``).
    epoch : int, optional
        Default: the last epoch.
    presentation : int, optional
        Index of the test presentation within the epoch (default 0).
    path : str or Path, optional
        Where to save the figure.

    Returns
    -------
    Figure
        One axes per layer, time in ms.

    Raises
    ------
    ValueError
        If the run has no spike times, or the epoch or presentation is absent.
    """
    if run.spikes is None:
        raise ValueError(
            f"{run.path} has no spike times (no spikes/ or spikes.parquet): a raster needs a run "
            "trained with record_spikes enabled"
        )
    epoch = _pick_epoch(run.epochs, epoch, "counts")
    shown = pd.concat([b[b["presentation"] == presentation] for b in
                       run.count_batches(epoch, ["presentation", "label", "layer", "neuron"])])
    if shown.empty:
        raise ValueError(f"epoch {epoch} has no test presentation {presentation}")
    label = int(shown["label"].iloc[0])
    spikes = run.spikes[
        (run.spikes["epoch"] == epoch) & (run.spikes["presentation"] == presentation)
    ]
    duration_ms = float(run.presentation / second) * 1e3
    # output panel on top, first hidden layer at the bottom
    layers = _layers(shown)[::-1]
    sizes = {layer: int(shown.loc[shown["layer"] == layer, "neuron"].max()) + 1 for layer in layers}
    heights = [max(np.log2(sizes[layer] * run.n_classes + 1), 1.5) for layer in layers]
    fig = Figure(figsize=(8, 1.2 + 0.55 * sum(heights)), layout="constrained")
    axes = fig.subplots(len(layers), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    for ax, layer in zip(axes, layers):
        size = sizes[layer]
        rows = spikes[spikes["layer"] == layer]
        y = rows["class_net"].to_numpy() * size + rows["neuron"].to_numpy()
        kinds = neuron_type(layer, rows["neuron"].to_numpy())
        for kind, color in TYPE_COLORS.items():
            sel = kinds == kind
            if sel.any():
                ax.scatter(rows["t"].to_numpy()[sel] * 1e3, y[sel], s=4 if size > 1 else 12,
                           marker="|", color=color, linewidths=0.8, label=kind)
        n_nets = run.n_classes
        if size > 1:
            for c in range(1, n_nets):
                ax.axhline(c * size - 0.5, color="0.8", lw=0.5)
        ax.set_ylim(-0.5, n_nets * size - 0.5)
        if size == 1:
            ax.set_yticks(range(n_nets))
            ax.set_ylabel(f"{layer}\nclass net")
        else:
            ax.set_yticks([c * size + size / 2 for c in range(n_nets)])
            ax.set_yticklabels([str(c) for c in range(n_nets)], fontsize=7)
            ax.set_ylabel(f"{layer}\nclass net")
        ax.set_xlim(0, duration_ms)
        if rows.empty:
            _no_spikes(ax)
    axes[-1].set_xlabel("time from presentation onset (ms)")
    names = run.class_names
    axes[0].set_title(
        f"Epoch {epoch}, test presentation {presentation} "
        f"(class {names[label] if label < len(names) else label}); E blue, I red"
    )
    return save_figure(fig, path)


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


def _class_color(c: int):
    from matplotlib import colormaps

    return colormaps["tab10"](c % 10) if c < 10 else colormaps["tab20"](c % 20)


def plot_receptive_fields(weights, class_nets=None, neurons=None, path=None) -> Figure:
    """First-layer receptive fields as 28×28 images (E and I weights of a pixel summed).

    Parameters
    ----------
    weights : ndarray, shape (n_classes, 1568, H1), or dict
        ``run.weights["hidden1"]`` (or ``run.weights``).
    class_nets : sequence of int, optional
        Class networks to show, one row each (default all, at most 10).
    neurons : sequence of int, optional
        Hidden neurons to show, one column each (default the first 8).
    path : str or Path, optional

    Returns
    -------
    Figure
        ``len(class_nets) × len(neurons)`` axes and a colour bar; red: net
        excitation by the pixel, blue: net inhibition (weight units).
    """
    if isinstance(weights, dict):
        if "hidden1" not in weights:
            raise ValueError("weights has no 'hidden1' entry (input -> first hidden layer)")
        weights = weights["hidden1"]
    fields = receptive_fields(weights)  # (n_classes, H1, 28, 28)
    class_nets = list(range(min(fields.shape[0], 10))) if class_nets is None else list(class_nets)
    neurons = list(range(min(fields.shape[1], 8))) if neurons is None else list(neurons)
    shown = fields[np.ix_(class_nets, neurons)]
    limit = float(np.percentile(np.abs(shown), 99.5)) or 1.0
    fig = Figure(figsize=(1.1 * len(neurons) + 1.3, 1.1 * len(class_nets) + 0.7),
                 layout="constrained")
    axes = fig.subplots(len(class_nets), len(neurons), squeeze=False)
    image = None
    for i, net in enumerate(class_nets):
        for j, neuron in enumerate(neurons):
            ax = axes[i, j]
            image = ax.imshow(shown[i, j], cmap="RdBu_r", vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"h{neuron} ({neuron_type('hidden1', neuron)})", fontsize=8)
            if j == 0:
                ax.set_ylabel(f"net {net}", fontsize=8)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="w[2k] + w[2k+1]")
    fig.suptitle("First-layer receptive fields", fontsize=10)
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


def plot_psth(psth: pd.DataFrame, epoch: int | None = None, kind: str = "E",
              class_names=None, path=None) -> Figure:
    """Peri-stimulus time histograms, one panel per layer, one line per class.

    Parameters
    ----------
    psth : DataFrame
        :func:`~edsnn.analysis.statistics.psth` table.
    epoch : int, optional
        Default: the last epoch.
    kind : {"E", "I"}
        Which population to show (default "E").
    class_names : sequence of str, optional
    path : str or Path, optional

    Returns
    -------
    Figure
        One axes per layer with neurons of type ``kind``; rate in Hz per
        neuron against time in ms.
    """
    epoch = _pick_epoch(psth["epoch"], epoch, "psth")
    table = psth[(psth["epoch"] == epoch) & (psth["type"] == kind)]
    if table.empty:
        raise ValueError(f"psth has no {kind!r} neurons in epoch {epoch}")
    layers = _layers(table)
    fig = Figure(figsize=(4 * len(layers) + 0.8, 3.2), layout="constrained")
    axes = fig.subplots(1, len(layers), squeeze=False)[0]
    for ax, layer in zip(axes, layers):
        rows = table[table["layer"] == layer]
        for label, curve in rows.groupby("label", sort=True):
            edges = np.append(curve["bin_start_s"].to_numpy(), curve["bin_stop_s"].iloc[-1]) * 1e3
            name = class_names[int(label)] if class_names is not None else label
            ax.stairs(curve["rate_hz"].to_numpy(), edges, color=_class_color(int(label)),
                      baseline=None, label=f"class {name}")
        ax.set_ylim(0, max(1.0, 1.05 * float(rows["rate_hz"].max())))
        if not rows["n_spikes"].any():
            _no_spikes(ax)
        ax.set(title=f"{layer} ({kind})", xlabel="time from onset (ms)", ylabel="rate (Hz)")
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=7, ncol=2)
    fig.suptitle(f"PSTH per stimulus class, epoch {epoch}", fontsize=10)
    return save_figure(fig, path)


def plot_balance(balance: pd.DataFrame, w_unit=None, path=None) -> Figure:
    """E/I balance of each neuron's input: inhibitory against excitatory input weight.

    Parameters
    ----------
    balance : DataFrame
        :func:`~edsnn.analysis.balance.input_balance` table.
    w_unit : Quantity, optional
        The synapse's ``w_unit`` (what a weight of 1 does), named in the axis
        labels; default: weights are labelled dimensionless.
    path : str or Path, optional

    Returns
    -------
    Figure
        One axes per layer, one dot per neuron (E blue, I red): Σ of its
        negative input weights' magnitudes (x) against Σ of its positive ones
        (y).  Both axes have the same range, fitted to the data, so that the
        diagonal (excitation = inhibition) crosses every panel: above it a
        neuron's input is net excitatory.
    """
    if balance.empty:
        raise ValueError("balance is empty")
    unit = "" if w_unit is None else f" (× w_unit = {natural_text(w_unit)})"
    layers = _layers(balance)
    fig = Figure(figsize=(3.6 * len(layers) + 0.6, 3.9), layout="constrained")
    axes = fig.subplots(1, len(layers), squeeze=False)[0]
    for ax, layer in zip(axes, layers):
        rows = balance[balance["layer"] == layer]
        for kind, color in TYPE_COLORS.items():
            part = rows[rows["type"] == kind]
            if not part.empty:
                ax.scatter(part["inhibition"], part["excitation"], s=6, color=color, alpha=0.6,
                           label=f"{kind} neurons ({len(part)})")
        values = rows[["inhibition", "excitation"]].to_numpy(dtype=float)
        low, high = float(values.min()), float(values.max())
        pad = 0.08 * (high - low) or 0.05 * max(abs(high), 1e-12)
        limits = (max(low - pad, 0.0) if low >= 0 else low - pad, high + pad)
        ax.plot(limits, limits, color="grey", lw=0.8, ls="--", label="excitation = inhibition")
        ax.set(xlim=limits, ylim=limits, aspect="equal", title=f"{layer} ({len(rows)} neurons)",
               xlabel=f"inhibitory input: Σ |w| over w < 0{unit}", ylabel=f"excitatory input: Σ w over w > 0{unit}")
        ax.title.set_fontsize(9)
        ax.xaxis.label.set_fontsize(8)
        ax.yaxis.label.set_fontsize(8)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle("E/I balance of each neuron's input weights (final weights)", fontsize=10)
    return save_figure(fig, path)
