"""Figures of the firing statistics.

Each function takes the tables of :mod:`edsnn.analysis.statistics` (or a
:class:`~edsnn.analysis.Run`), returns a :class:`matplotlib.figure.Figure`
built without pyplot (safe under Agg; in Jupyter, display the returned
figure) and, given ``path``, saves it.  Learning curves and the confusion
matrix are drawn by :mod:`edsnn.protocols.figures`, re-exported here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from brian2 import second
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from edsnn.model.layout import neuron_type
from edsnn.protocols.figures import plot_confusion, plot_learning_curves, save_figure
from edsnn.runs import layer_sort_key

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
    """Preferred class of every hidden neuron, as one grid per class network.

    Each hidden layer of each class network is a near-square grid of its
    neurons (row-major, neuron 0 top left); the colour is the neuron's
    preferred class, its opacity the selectivity index (faint: unselective),
    black for silent neurons.

    Parameters
    ----------
    selectivity : DataFrame
        :func:`~edsnn.analysis.statistics.selectivity` table.
    epoch : int, optional
        Default: the last epoch.
    class_names : sequence of str, optional
        Names for the colour bar (default the class indices).
    path : str or Path, optional

    Returns
    -------
    Figure
        One axes per (hidden layer, class network), plus the colour bar.
    """
    epoch = _pick_epoch(selectivity["epoch"], epoch, "selectivity")
    table = selectivity[(selectivity["epoch"] == epoch) & (selectivity["layer"] != "output")]
    if table.empty:
        raise ValueError("selectivity has no hidden-layer neurons to map")
    layers = _layers(table)
    nets = sorted(int(c) for c in table["class_net"].unique())
    n_classes = int(max(table["n_classes"].max(), table["preferred_class"].fillna(-1).max() + 1, len(nets)))
    names = [str(c) for c in (class_names if class_names is not None else range(n_classes))]
    base = ListedColormap([_class_color(c) for c in range(n_classes)])
    fig = Figure(figsize=(1.3 * len(nets) + 1.2, 1.5 * len(layers) + 0.8), layout="constrained")
    axes = fig.subplots(len(layers), len(nets), squeeze=False)
    for i, layer in enumerate(layers):
        for j, net in enumerate(nets):
            ax = axes[i, j]
            rows = table[(table["layer"] == layer) & (table["class_net"] == net)].sort_values("neuron")
            n = int(rows["neuron"].max()) + 1
            h, w = _grid(n)
            image = np.ones((h * w, 4))  # white padding
            pref = rows["preferred_class"]
            neuron = rows["neuron"].to_numpy()
            silent = pref.isna().to_numpy()
            image[neuron[silent]] = (0.1, 0.1, 0.1, 1.0)  # tab10 uses grey for class 7
            active = neuron[~silent]
            colors = base(pref[~pd.isna(pref)].to_numpy(dtype=int))
            colors[:, 3] = 0.15 + 0.85 * rows.loc[~silent, "selectivity"].fillna(0).to_numpy()
            image[active] = colors
            ax.imshow(image.reshape(h, w, 4), interpolation="nearest")
            if not active.size:
                _no_spikes(ax)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"net {names[net] if net < len(names) else net}", fontsize=8)
            if j == 0:
                ax.set_ylabel(layer, fontsize=8)
    mappable = _class_mappable(base, n_classes)
    bar = fig.colorbar(mappable, ax=axes.ravel().tolist(), shrink=0.8,
                       ticks=np.arange(n_classes), label="preferred class")
    bar.ax.set_yticklabels(names[:n_classes])
    fig.suptitle(f"Preferred class of hidden neurons, epoch {epoch} "
                 "(opacity: selectivity; black: silent)", fontsize=9)
    return save_figure(fig, path)


def _class_color(c: int):
    from matplotlib import colormaps

    return colormaps["tab10"](c % 10) if c < 10 else colormaps["tab20"](c % 20)


def _class_mappable(cmap, n: int):
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=BoundaryNorm(np.arange(n + 1) - 0.5, n), cmap=cmap)


def _grid(n: int) -> tuple[int, int]:
    w = int(np.ceil(np.sqrt(n)))
    return int(np.ceil(n / w)), w


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
        ("fano", "mean Fano factor"),
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


def plot_balance(balance: pd.DataFrame, path=None) -> Figure:
    """E/I balance of each neuron's input: inhibitory against excitatory input weight.

    Parameters
    ----------
    balance : DataFrame
        :func:`~edsnn.analysis.balance.input_balance` table.
    path : str or Path, optional

    Returns
    -------
    Figure
        One axes per layer, one dot per neuron (E blue, I red): Σ of its
        negative input weights' magnitudes (x) against Σ of its positive ones
        (y), in weight units; on the diagonal excitation and inhibition balance.
    """
    if balance.empty:
        raise ValueError("balance is empty")
    layers = _layers(balance)
    fig = Figure(figsize=(3.4 * len(layers) + 0.8, 3.4), layout="constrained")
    axes = fig.subplots(1, len(layers), squeeze=False)[0]
    for ax, layer in zip(axes, layers):
        rows = balance[balance["layer"] == layer]
        for kind, color in TYPE_COLORS.items():
            part = rows[rows["type"] == kind]
            if part.empty:
                continue
            ax.scatter(part["inhibition"], part["excitation"], s=6, color=color, alpha=0.6,
                       label=f"{kind} ({len(part)})")
        top = float(max(rows["inhibition"].max(), rows["excitation"].max())) or 1.0
        ax.plot([0, top], [0, top], color="grey", lw=0.8, ls="--")
        ax.set(title=layer, xlabel="inhibitory input Σ|w<0|", ylabel="excitatory input Σ w>0")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.suptitle("E/I balance of each neuron's input", fontsize=10)
    return save_figure(fig, path)
