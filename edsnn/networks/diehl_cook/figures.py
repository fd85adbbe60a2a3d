"""Figures of Diehl & Cook's network: receptive fields (the paper's Fig. 2) and label assignments.

Built like :mod:`edsnn.figures` (a :class:`~matplotlib.figure.Figure`,
no pyplot; saved when ``path`` is given).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from edsnn.figures import plot_field_mosaic, save_figure

__all__ = ["plot_receptive_fields", "plot_assignments"]


def plot_receptive_fields(w, side: int = 28, path=None) -> Figure:
    """Input weights of every excitatory neuron as a ``side × side`` image, tiled in a near-square grid.

    Parameters
    ----------
    w : array
        Input weights, shape (side², n_e) (:meth:`DiehlCookNetwork.get_weights` ``"w"``).
    side : int
        Image side in pixels.
    path : str or Path, optional
        Where to save the figure.

    Returns
    -------
    Figure
        The mosaic of :func:`edsnn.figures.plot_field_mosaic` (white: 0).
    """
    w = np.asarray(w, dtype=float)
    if w.ndim != 2 or w.shape[0] != side * side:
        raise ValueError(f"w must have shape ({side * side}, n_e) (got {w.shape})")
    return plot_field_mosaic(w.T.reshape(-1, side, side), label="weight",
                             title=f"Input weights of {w.shape[1]} excitatory neurons", path=path)


def plot_assignments(assignments, n_classes: int = 10, path=None) -> Figure:
    """Number of excitatory neurons assigned to each class (a bar per class)."""
    assignments = np.asarray(assignments)
    counts = np.bincount(assignments, minlength=n_classes)
    fig = Figure(figsize=(5, 3))
    ax = fig.add_subplot()
    ax.bar(np.arange(n_classes), counts, color="tab:blue")
    ax.set_xticks(np.arange(n_classes))
    ax.set_xlabel("class")
    ax.set_ylabel("neurons")
    ax.set_title(f"Label assignment of {len(assignments)} neurons")
    return save_figure(fig, path)
