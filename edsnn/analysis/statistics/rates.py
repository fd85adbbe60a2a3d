"""Mean firing rates: per neuron, and per layer's E and I populations."""

from __future__ import annotations

import pandas as pd
from brian2 import Quantity

from .tables import NEURON, _seconds, _sort, _summary


def mean_rate(counts: pd.DataFrame, presentation: Quantity, by_class: bool = True) -> pd.DataFrame:
    """Mean firing rate of every neuron per epoch (and per stimulus class).

    The rate is the spike count divided by the presentation duration, averaged
    over the test presentations (of one class when ``by_class``).

    Parameters
    ----------
    counts : DataFrame or CountSummary
        Count table of a run (``epoch, presentation, label, layer, class_net,
        neuron, type, count``), one row per presentation and neuron.
    presentation : Quantity
        Duration of one presentation (``run.presentation``, e.g. ``50*ms``).
    by_class : bool, optional
        Average per stimulus class (default True) or over all test
        presentations of the epoch.

    Returns
    -------
    DataFrame
        ``epoch, layer, class_net, neuron, type, [label,] n_presentations,
        mean_count, rate_hz`` -- ``label`` only when ``by_class``;
        ``mean_count`` in spikes per presentation, ``rate_hz`` in Hz.

    Raises
    ------
    ValueError
        If ``counts`` lacks a column or has no spike counts (reference model).
    UnitError
        If ``presentation`` is not a time.

    Examples
    --------
    >>> from brian2 import ms
    >>> counts = pd.DataFrame({"epoch": 1, "presentation": [0, 1], "label": [0, 1],
    ...     "layer": "hidden1", "class_net": 0, "neuron": 0, "type": "E", "count": [2, 4]})
    >>> mean_rate(counts, 100*ms, by_class=False)[["n_presentations", "rate_hz"]]
       n_presentations  rate_hz
    0                2     30.0
    """
    classes = _summary(counts).classes
    seconds = _seconds("presentation", presentation)
    keys = ["epoch", *NEURON] + (["label"] if by_class else [])
    if not by_class:
        classes = classes.groupby(keys, sort=False)[["n_presentations", "total"]].sum().reset_index()
    out = classes[keys + ["n_presentations"]].copy()
    out["mean_count"] = classes["total"] / classes["n_presentations"]
    out["rate_hz"] = out["mean_count"] / seconds
    return _sort(out, keys)


def population_rate(counts: pd.DataFrame, presentation: Quantity) -> pd.DataFrame:
    """Mean rate of each layer's E and I populations, per epoch.

    All class networks are pooled: a layer's population holds its neurons of
    every class network.

    Parameters
    ----------
    counts : DataFrame or CountSummary
        Count table of a run (see :func:`mean_rate`).
    presentation : Quantity
        Duration of one presentation.

    Returns
    -------
    DataFrame
        ``epoch, layer, type, n_neurons, rate_hz, sd_hz`` -- ``rate_hz``: mean
        over neurons of their mean rate over the epoch's test presentations
        (Hz); ``sd_hz``: standard deviation (ddof=1) of those per-neuron rates
        across the population (Hz; NaN for a single neuron).

    Examples
    --------
    >>> from brian2 import ms
    >>> counts = pd.DataFrame({"epoch": 1, "presentation": 0, "label": 0, "layer": "hidden1",
    ...     "class_net": 0, "neuron": [0, 1, 2], "type": ["E", "I", "E"], "count": [1, 3, 5]})
    >>> population_rate(counts, 100*ms)[["type", "n_neurons", "rate_hz"]]
      type  n_neurons  rate_hz
    0    E          2     30.0
    1    I          1     30.0
    """
    rates = mean_rate(counts, presentation, by_class=False)
    keys = ["epoch", "layer", "type"]
    out = (
        rates.groupby(keys, sort=False)["rate_hz"]
        .agg(n_neurons="size", rate_hz="mean", sd_hz="std")
        .reset_index()
    )
    return _sort(out, keys)
