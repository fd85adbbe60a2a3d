"""Figures of the learned weights: first-layer receptive fields and the E/I balance of each neuron's input."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from edsnn.figures import plot_field_mosaic, save_figure
from edsnn.networks.ed.layout import neuron_type
from edsnn.units import natural_text

from ..statistics import receptive_fields
from .common import TYPE_COLORS, _layers


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
        The mosaic of :func:`edsnn.figures.plot_field_mosaic`, a row per
        class network and a column per neuron, and its colour bar; red: net
        excitation by the pixel, blue: net inhibition (weight units).
    """
    if isinstance(weights, dict):
        if "hidden1" not in weights:
            raise ValueError("weights has no 'hidden1' entry (input -> first hidden layer)")
        weights = weights["hidden1"]
    fields = receptive_fields(weights)  # (n_classes, H1, 28, 28)
    class_nets = list(range(min(fields.shape[0], 10))) if class_nets is None else list(class_nets)
    neurons = list(range(min(fields.shape[1], 8))) if neurons is None else list(neurons)
    return plot_field_mosaic(fields[np.ix_(class_nets, neurons)], row_labels=[f"net {c}" for c in class_nets],
                             column_labels=[f"h{j} ({neuron_type('hidden1', j)})" for j in neurons],
                             label="w[2k] + w[2k+1]", title="First-layer receptive fields", path=path)


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
