"""Figures of spike times: the raster of one presentation and the peri-stimulus time histograms."""

from __future__ import annotations

import numpy as np
import pandas as pd
from brian2 import second
from matplotlib.figure import Figure

from edsnn.figures import save_figure

from ..run import Run
from .common import TYPE_COLORS, _layers, _no_spikes, _pick_epoch


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
        kinds = run.description.types_of(layer, rows["neuron"].to_numpy())
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


def _class_color(c: int):
    from matplotlib import colormaps

    return colormaps["tab10"](c % 10) if c < 10 else colormaps["tab20"](c % 20)


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
