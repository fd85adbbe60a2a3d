"""Figures every network draws while and after training, and the plotting helpers networks share.

Every function builds a :class:`matplotlib.figure.Figure` directly (no
pyplot, no global figure registry, no ``show``), so it is safe under the Agg
backend, in scripts and in Jupyter (display the returned figure); with
``path`` it also saves the figure (PNG or any format matplotlib infers from
the suffix), creating the parent folder.

This module depends on matplotlib, numpy and pandas only.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter, ScalarFormatter

__all__ = ["plot_learning_curves", "plot_confusion", "plot_layer_heatmaps", "plot_field_mosaic", "save_figure",
           "confusion_counts", "grid_shape", "tile_images"]


def save_figure(fig: Figure, path=None, dpi: int = 120) -> Figure:
    """Save ``fig`` to ``path`` (if given, creating its folder) and return it."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return fig


def plot_learning_curves(metrics, path=None) -> Figure:
    """Train and test accuracy, and error rate, per epoch.

    Parameters
    ----------
    metrics : DataFrame
        ``metrics.csv``: ``epoch`` (1-based), ``train_accuracy``,
        ``test_accuracy`` (fractions 0..1); other columns are ignored.
    path : str or Path, optional
        Where to save the figure.

    Returns
    -------
    Figure
        Two axes: accuracy (%) and error rate (%, log scale) against epoch.

    Raises
    ------
    ValueError
        If a column is missing or the table is empty.
    """
    missing = [c for c in ("epoch", "train_accuracy", "test_accuracy") if c not in metrics]
    if missing:
        raise ValueError(f"metrics lacks the column(s) {missing}")
    if len(metrics) == 0:
        raise ValueError("metrics is empty: no epoch finished")
    epoch = np.asarray(metrics["epoch"], dtype=float)
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    acc_ax, err_ax = fig.subplots(1, 2)
    for column, name, style in (
        ("train_accuracy", "train", "-o"), ("test_accuracy", "test", "-s")
    ):
        accuracy = 100 * np.asarray(metrics[column], dtype=float)
        acc_ax.plot(epoch, accuracy, style, ms=4, label=name)
        err_ax.plot(epoch, np.clip(100 - accuracy, 0.01, None), style, ms=4, label=name)
    test = 100 * np.asarray(metrics["test_accuracy"], dtype=float)
    best = int(np.nanargmax(test))
    acc_ax.plot(epoch[best], test[best], "*", ms=12, color="C1", mec="k",
                label=f"best test {test[best]:.1f} % (epoch {epoch[best]:g})")
    acc_ax.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy", ylim=(0, 100))
    err_ax.set(xlabel="epoch", ylabel="error (%)", title="Error rate (log scale)", yscale="log")
    err_ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    err_ax.yaxis.set_major_formatter(ScalarFormatter())
    err_ax.yaxis.set_minor_formatter(NullFormatter())
    for ax in (acc_ax, err_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        if len(epoch) <= 20:
            ax.set_xticks(epoch)
    return save_figure(fig, path)


def confusion_counts(labels, predictions, n_classes: int) -> np.ndarray:
    """Confusion matrix: ``[true class, predicted class]`` → number of presentations.

    >>> confusion_counts([0, 1, 1], [0, 0, 1], 2).tolist()
    [[1, 0], [1, 1]]
    """
    labels, predictions = np.asarray(labels, dtype=np.int64), np.asarray(predictions, dtype=np.int64)
    return np.bincount(labels * n_classes + predictions, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def plot_confusion(confusion, class_names, path=None, title: str = "Confusion matrix") -> Figure:
    """Confusion matrix with counts written in the cells.

    Parameters
    ----------
    confusion : array_like of int, shape (n, n)
        ``confusion[i, j]`` = presentations of true class ``i`` predicted as
        ``j``.
    class_names : sequence of str, length n
    path : str or Path, optional
        Where to save the figure.
    title : str, optional

    Returns
    -------
    Figure
        One axes; cell colour is the fraction of the true class (row).
    """
    matrix = np.asarray(confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"confusion must be a square (n, n) array (got shape {matrix.shape})")
    n = matrix.shape[0]
    names = [str(c) for c in class_names]
    if len(names) != n:
        raise ValueError(f"class_names has {len(names)} names for a {n}x{n} confusion matrix")
    rows = matrix.sum(axis=1, keepdims=True)
    fraction = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    size = max(3.5, 0.45 * n + 1.5)
    fig = Figure(figsize=(size, size), layout="constrained")
    ax = fig.subplots()
    ax.imshow(fraction, cmap="Blues", vmin=0, vmax=1)
    for i in range(n):
        for j in range(n):
            if matrix[i, j]:
                ax.text(j, i, f"{matrix[i, j]:d}", ha="center", va="center", fontsize=8,
                        color="white" if fraction[i, j] > 0.5 else "black")
    accuracy = np.trace(matrix) / max(matrix.sum(), 1)
    ax.set(xticks=range(n), yticks=range(n), xlabel="predicted class", ylabel="true class",
           title=f"{title} (accuracy {100 * accuracy:.1f} %)")
    ax.set_xticklabels(names, rotation=45 if max(map(len, names)) > 2 else 0)
    ax.set_yticklabels(names)
    return save_figure(fig, path)


def grid_shape(n_units: int) -> tuple[int, int]:
    """(rows, columns) of a near-square grid; exact when a divisor fits (2560 -> 40 x 64)."""
    root = math.sqrt(n_units)
    for columns in range(math.ceil(root), int(2 * root) + 1):
        if n_units % columns == 0:
            return n_units // columns, columns
    columns = math.ceil(root)
    return math.ceil(n_units / columns), columns


def tile_images(images, gap: int = 0, fill: float = 0.0, columns: int | None = None) -> np.ndarray:
    """Images (n, h, w) → one mosaic, ``gap`` pixels of ``fill`` between.

    Row by row in ``columns`` columns; default the near-square grid of :func:`grid_shape`.
    """
    images = np.asarray(images, dtype=float)
    n, h, w = images.shape
    rows, columns = grid_shape(n) if columns is None else (math.ceil(n / columns), columns)
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), fill)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        mosaic[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return mosaic


def plot_field_mosaic(fields, row_labels=None, column_labels=None, label: str = "weight", title: str | None = None,
                      ax=None, path=None) -> Figure:
    """Receptive fields (one image per neuron) as one mosaic with a colour bar.

    Signed fields (any value below 0) take a diverging map centred on 0 (red
    above, blue below); non-negative ones a sequential map from 0 (white)
    up.  The scale ends at the 99.5th percentile of the magnitudes, so that
    a few large weights do not wash out the others (the colour bar's arrow
    marks values beyond it).  Fields are separated by one grey pixel.

    Parameters
    ----------
    fields : array_like, shape (n, h, w) or (rows, columns, h, w)
        ``n`` fields in the near-square grid of :func:`grid_shape`, or a grid
        given row by row (e.g. class networks × neurons).
    row_labels, column_labels : sequence of str, optional
        One per row and per column of a 4-D ``fields``, written left of and
        above the mosaic.
    label : str, optional
        What the values are (colour-bar label).
    title : str, optional
    ax : matplotlib Axes, optional
        Draw into this axes (a panel of a larger figure); default a new
        figure sized to the grid.
    path : str or Path, optional
        Where to save the figure.

    Returns
    -------
    Figure
        The figure of ``ax``, or a new one with the mosaic's axes and its
        colour bar.

    Examples
    --------
    >>> fig = plot_field_mosaic(np.eye(4).reshape(2, 2, 2, 2), row_labels=["a", "b"], column_labels=["x", "y"])
    >>> fig.axes[0].images[0].get_array().shape, fig.axes[0].images[0].get_clim()
    ((5, 5), (0.0, 1.0))
    """
    images = np.asarray(fields, dtype=float)
    if images.ndim not in (3, 4) or 0 in images.shape:
        raise ValueError(f"fields must have shape (n, h, w) or (rows, columns, h, w) (got {images.shape})")
    rows, columns = grid_shape(len(images)) if images.ndim == 3 else images.shape[:2]
    for name, labels, n in (("row_labels", row_labels, rows), ("column_labels", column_labels, columns)):
        if labels is not None and (images.ndim != 4 or len(labels) != n):
            raise ValueError(f"{name} needs a grid of fields (rows, columns, h, w) and one label per "
                             f"{name.split('_')[0]} ({len(labels)} labels for fields of shape {images.shape})")
    images = images.reshape(-1, *images.shape[-2:])
    h, w = images.shape[1:]
    magnitude = np.abs(images[np.isfinite(images)])
    top = (float(np.percentile(magnitude, 99.5)) or float(magnitude.max())) if magnitude.size else 0.0
    top = top or 1.0
    signed = bool((images < 0).any())
    cmap = colormaps["RdBu_r" if signed else "hot_r"].with_extremes(bad="0.75")
    if ax is None:
        scale = min(1.0, 10 / max(rows, columns))
        ax = Figure(figsize=(scale * columns + 1.8, scale * rows + 1.0), layout="constrained").subplots()
    fig = ax.figure
    mosaic = tile_images(images, gap=1, fill=np.nan, columns=columns)
    image = ax.imshow(mosaic, cmap=cmap, vmin=-top if signed else 0.0, vmax=top, interpolation="nearest")
    ax.set_xticks([c * (w + 1) + (w - 1) / 2 for c in range(columns)] if column_labels is not None else [],
                  [str(x) for x in column_labels] if column_labels is not None else [], fontsize=8)
    ax.set_yticks([r * (h + 1) + (h - 1) / 2 for r in range(rows)] if row_labels is not None else [],
                  [str(x) for x in row_labels] if row_labels is not None else [], fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    beyond = bool(magnitude.size) and float(magnitude.max()) > top
    fig.colorbar(image, ax=ax, shrink=0.8, aspect=30, fraction=0.05, label=label,
                 extend=("both" if signed else "max") if beyond else "neither")
    if title:
        ax.set_title(title, fontsize=9)
    return save_figure(fig, path)


def plot_layer_heatmaps(images, activities: dict, labels, path=None, quantity: str = "rate (Hz)") -> Figure:
    """What each class network does with a few test presentations.

    One row per presentation: the 28×28 input, then one panel per layer in the
    order of ``activities``.  In every panel a row is a class network (net 0
    at the top), so the rows line up across layers: a hidden layer shows its
    neurons left to right, the output one cell per class network, the winner
    framed in red.  Each layer has its colour scale (bar under its column).

    Parameters
    ----------
    images : ndarray of uint8, shape (n, 28, 28)
        The presented images (grey levels 0..255).
    activities : dict of str to ndarray, each shape (n, n_units)
        Value of each layer's units (units of class network ``c`` at
        ``c * size .. (c + 1) * size - 1``), layers in network order, the
        output (one unit per class network) last: firing rates in Hz, or the
        reference model's activity 0..1.
    labels : array_like of int, shape (n,)
        True classes (shown above each input).
    path : str or Path, optional
        Where to save the figure.
    quantity : str, optional
        What the values are, for the colour bars (default ``"rate (Hz)"``).

    Returns
    -------
    Figure
        ``n × (1 + len(activities))`` axes and one colour bar per layer.
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width) (got {images.shape})")
    n = images.shape[0]
    if n == 0:
        raise ValueError("images is empty: nothing to draw")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) (got {labels.shape})")
    if not activities:
        raise ValueError("activities is empty: give at least one layer")
    layers = {}
    for name, values in activities.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 2 or values.shape[0] != n:
            raise ValueError(
                f"activities[{name!r}] must have shape ({n}, n_units) (got {values.shape})"
            )
        layers[name] = values
    n_nets = list(layers.values())[-1].shape[1]
    for name, values in layers.items():
        if values.shape[1] % n_nets:
            raise ValueError(f"activities[{name!r}] has {values.shape[1]} units, not a multiple of the "
                             f"{n_nets} class networks of the last layer")
    sizes = {name: values.shape[1] // n_nets for name, values in layers.items()}
    widths = [1.0] + [0.5 if size == 1 else min(4.0, max(1.2, size / 24)) for size in sizes.values()]
    fig = Figure(figsize=(1.5 * sum(widths) + 1.0, 1.35 * n + 1.2), layout="constrained")
    axes = fig.subplots(n, 1 + len(layers), squeeze=False, gridspec_kw={"width_ratios": widths})
    for col, (name, values) in enumerate(layers.items(), start=1):
        top = max(float(values.max()), 1e-12)
        for row in range(n):
            ax = axes[row, col]
            grid = values[row].reshape(n_nets, sizes[name])
            image = ax.imshow(grid, cmap="viridis", vmin=0, vmax=top, aspect="auto", interpolation="nearest")
            if sizes[name] == 1:
                ax.add_patch(_frame(int(np.argmax(grid[:, 0]))))
                ax.set_xticks([])
            else:
                ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
            ax.set_yticks(range(n_nets) if n_nets <= 10 else [0, n_nets - 1])
            ax.tick_params(labelsize=6, length=2)
            if not values[row].any():
                ax.text(0.5, 0.5, "no spikes" if "Hz" in quantity else "all 0", transform=ax.transAxes,
                        ha="center", va="center", fontsize=7, color="0.3",
                        bbox={"facecolor": "white", "edgecolor": "0.7", "alpha": 0.9})
            if col == 1:
                ax.set_ylabel("class net", fontsize=7)
            if row == 0:
                ax.set_title(name if sizes[name] == 1 else f"{name} ({sizes[name]} neurons per net)", fontsize=8)
        axes[-1, col].set_xlabel("" if sizes[name] == 1 else "neuron", fontsize=7)
        bar = fig.colorbar(image, ax=axes[:, col].tolist(), location="bottom", shrink=0.9, aspect=12)
        bar.set_label(quantity, fontsize=7)
        bar.ax.tick_params(labelsize=6)
    for row in range(n):
        ax = axes[row, 0]
        ax.imshow(images[row], cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"label {labels[row]}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    return save_figure(fig, path)


def _frame(row: int):
    from matplotlib.patches import Rectangle

    return Rectangle((-0.5, row - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=1.5)
