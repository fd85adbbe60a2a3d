"""Figures of Diehl & Cook's network: receptive fields (the paper's Fig. 2) and label assignments.

Built like :mod:`edsnn.figures` (a :class:`~matplotlib.figure.Figure`,
no pyplot; saved when ``path`` is given).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from edsnn.figures import grid_shape, save_figure, tile_images

__all__ = ["plot_receptive_fields", "plot_assignments"]


def plot_receptive_fields(w, side: int = 28, path=None) -> Figure:
    """Input weights of every excitatory neuron as a ``side × side`` image, tiled in a near-square grid.

    Parameters
    ----------
    w : array
        Input weights, shape (side², n_e) (:meth:`DiehlCookNetwork.get_weights` ``"w"``).
    side : int
        Image side in pixels.
    """
    w = np.asarray(w, dtype=float)
    if w.ndim != 2 or w.shape[0] != side * side:
        raise ValueError(f"w must have shape ({side * side}, n_e) (got {w.shape})")
    rows, columns = grid_shape(w.shape[1])
    tiles = tile_images(w.T.reshape(-1, side, side))
    fig = Figure(figsize=(min(12, 1 + columns * 0.6), min(12, 1 + rows * 0.6)))
    ax = fig.add_subplot()
    image = ax.imshow(tiles, cmap="hot_r", interpolation="nearest", vmin=0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Input weights of {w.shape[1]} excitatory neurons")
    fig.colorbar(image, ax=ax, shrink=0.8, label="weight")
    return save_figure(fig, path)


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
