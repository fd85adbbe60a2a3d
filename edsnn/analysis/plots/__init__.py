"""Figures of the firing statistics.

Each function takes the tables of :mod:`edsnn.analysis.statistics` (or a
:class:`~edsnn.analysis.Run`), returns a :class:`matplotlib.figure.Figure`
built without pyplot (safe under Agg; in Jupyter, display the returned
figure) and, given ``path``, saves it.  Learning curves and the confusion
matrix are drawn by :mod:`edsnn.figures`, re-exported here.  The figures
live in :mod:`.rates`, :mod:`.spikes` and :mod:`.weights`; use them from here.
"""

from edsnn.figures import plot_confusion, plot_learning_curves, save_figure

from .common import TYPE_COLORS as TYPE_COLORS  # E/I colours, outside __all__ as before
from .rates import plot_evolution, plot_rate_histograms, plot_selectivity_map
from .spikes import plot_psth, plot_raster
from .weights import plot_balance, plot_receptive_fields

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
