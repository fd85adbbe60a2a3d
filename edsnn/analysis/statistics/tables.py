"""What every statistic shares: the neuron key, input checks, network-ordered sorting, E/I types."""

from __future__ import annotations

import numpy as np
import pandas as pd
from brian2 import ms, second

from edsnn.networks.ed import layout
from edsnn.runs import layer_sort_key
from edsnn.units import check_quantity

from ..summary import CountSummary, summarize

#: Columns that identify a neuron.
NEURON = ["layer", "class_net", "neuron", "type"]


def _summary(counts) -> CountSummary:
    """A count table's :class:`CountSummary` (checked), or ``counts`` itself when it is one."""
    return counts if isinstance(counts, CountSummary) else summarize(counts)


def _seconds(name: str, value) -> float:
    """A positive duration as a float in seconds; refuses bare numbers."""
    check_quantity(name, value, 50 * ms)
    seconds = float(value / second)
    if not seconds > 0:
        raise ValueError(f"{name} must be positive (got {value})")
    return seconds


def _sort(table: pd.DataFrame, keys) -> pd.DataFrame:
    """Sort by ``keys`` with layers in network order, and renumber the rows."""
    keys = [k for k in keys if k in table.columns]
    ranks = {
        layer: i for i, layer in enumerate(sorted(table["layer"].unique(), key=layer_sort_key))
    } if "layer" in table.columns else {}

    def key(column):
        return column.map(ranks) if column.name == "layer" else column

    return table.sort_values(keys, key=key, kind="stable").reset_index(drop=True)


def neuron_type(layer, neuron) -> np.ndarray:
    """E/I type from the layer and the index: hidden types alternate E, I, ...; output is E.

    Parameters
    ----------
    layer : array_like of str, shape (n,)
    neuron : array_like of int, shape (n,)

    Returns
    -------
    ndarray of str, shape (n,)
        ``"E"`` for even hidden indices and for the output layer, else ``"I"``.

    Examples
    --------
    >>> neuron_type(["hidden1", "hidden1", "output"], [0, 1, 0]).tolist()
    ['E', 'I', 'E']
    """
    return layout.neuron_type(pd.Series(layer).astype("str").to_numpy(), np.asarray(neuron))
