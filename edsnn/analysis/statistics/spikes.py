"""Spike-time statistics: inter-spike-interval CV and peri-stimulus time histograms."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from brian2 import Quantity

from edsnn.networks.ed import layout

from ..summary import require_columns
from .tables import NEURON, _seconds, _sort, _summary

#: Columns of a spike table (``spikes/`` of a run folder).
SPIKE_COLUMNS = ["epoch", "presentation", "layer", "class_net", "neuron", "t"]


def _spike_times(spikes: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Check a spike table; return it with integer codes, and the layer names.

    The returned frame has ``epoch, presentation, layer_code, class_net,
    neuron, is_i, t`` (all numeric: grouping on them is fast for millions of
    spikes); ``names[layer_code]`` is the layer and ``is_i`` is 1 for I neurons.
    """
    if spikes is None:
        raise ValueError(
            "this run has no spike times (no spikes/ or spikes.parquet): train with "
            "record_spikes enabled to get ISI and PSTH statistics"
        )
    require_columns(spikes, SPIKE_COLUMNS, "spikes")
    codes, names = pd.factorize(spikes["layer"])
    names = np.asarray(names, dtype=object)
    neuron = spikes["neuron"].to_numpy()
    output = np.flatnonzero(names == "output")
    is_output = np.isin(codes, output)
    table = pd.DataFrame({
        "epoch": spikes["epoch"].to_numpy(),
        "presentation": spikes["presentation"].to_numpy(),
        "layer_code": codes,
        "class_net": spikes["class_net"].to_numpy(),
        "neuron": neuron,
        "is_i": (_types(spikes, is_output) == "I").astype(np.int8),
        "t": spikes["t"].to_numpy(dtype=float),
    })
    return table, names


def _types(spikes: pd.DataFrame, is_output: np.ndarray) -> np.ndarray:
    """Each spike's neuron type: the table's ``type`` column (a loaded run's spikes have it, from
    the network's description), else the ED networks' layout (hidden neurons alternate E, I)."""
    if "type" in spikes:
        return spikes["type"].to_numpy()
    return layout.neuron_type(np.where(is_output, "output", "hidden"), spikes["neuron"].to_numpy())


def _decode(table: pd.DataFrame, names: np.ndarray) -> pd.DataFrame:
    """Replace ``layer_code``/``is_i`` by ``layer``/``type`` columns (in place of the codes)."""
    table = table.copy()
    table.insert(table.columns.get_loc("layer_code"), "layer",
                 pd.array(names[table["layer_code"].to_numpy()], dtype="str"))
    if "is_i" in table.columns:
        table.insert(table.columns.get_loc("is_i"), "type",
                     pd.array(np.where(table["is_i"].to_numpy() == 1, "I", "E"), dtype="str"))
        table = table.drop(columns="is_i")
    return table.drop(columns="layer_code")


def isi_cv(spikes: pd.DataFrame, min_intervals: int = 2) -> pd.DataFrame:
    """Coefficient of variation of each neuron's inter-spike intervals, per epoch.

    Intervals are taken between consecutive spikes within one presentation
    (never across presentations) and pooled over the epoch's presentations;
    ``cv = std(isi) / mean(isi)`` (ddof=0, as elephant's ``cv``).  A Poisson
    train gives about 1, a regular train 0.  Short presentations bias the CV
    downwards (intervals longer than the presentation cannot occur); pooling
    presentations in which the neuron fires at different rates (different
    stimuli) raises it above 1.

    Parameters
    ----------
    spikes : DataFrame
        ``epoch, presentation, layer, class_net, neuron, t`` (``t`` in s).
    min_intervals : int, optional
        Fewest intervals for a CV (default 2); below, ``cv`` is NaN.

    Returns
    -------
    DataFrame
        ``epoch, layer, class_net, neuron, type, n_spikes, n_intervals,
        mean_isi_s, cv`` -- ``mean_isi_s`` in seconds, ``cv`` dimensionless.
        Neurons without spikes are absent.

    Raises
    ------
    ValueError
        If ``spikes`` is None (not recorded) or lacks a column.

    Examples
    --------
    >>> spikes = pd.DataFrame({"epoch": 1, "presentation": 0, "layer": "hidden1",
    ...     "class_net": 0, "neuron": 0, "t": [0.01, 0.02, 0.03, 0.04]})
    >>> isi_cv(spikes)[["n_intervals", "cv"]].round(6)
       n_intervals   cv
    0            3  0.0
    """
    table, names = _spike_times(spikes)
    # one integer id per spike train (epoch, presentation, layer, net, neuron), then sort by
    # (train, t): two stable argsorts are much faster than a lexsort on five columns
    train = np.zeros(len(table), dtype=np.int64)
    for column in ("epoch", "presentation", "layer_code", "class_net", "neuron"):
        values = table[column].to_numpy().astype(np.int64)
        low = int(values.min()) if len(values) else 0
        train = train * (int(values.max()) - low + 1 if len(values) else 1) + (values - low)
    t = table["t"].to_numpy()
    order = np.argsort(t, kind="stable")
    order = order[np.argsort(train[order], kind="stable")]
    table = table.iloc[order].reset_index(drop=True)
    train, t = train[order], t[order]
    same = np.r_[False, train[1:] == train[:-1]] if len(train) else np.zeros(0, dtype=bool)
    table["isi"] = np.where(same, np.diff(t, prepend=np.nan), np.nan)
    codes = ["epoch", "layer_code", "class_net", "neuron", "is_i"]
    grouped = table.groupby(codes, sort=False)["isi"]
    out = grouped.agg(n_intervals="count", mean_isi_s="mean").reset_index()
    out["n_spikes"] = grouped.size().to_numpy()
    out["sd_isi_s"] = grouped.std(ddof=0).to_numpy()
    enough = out["n_intervals"] >= max(int(min_intervals), 1)
    out["cv"] = (out["sd_isi_s"] / out["mean_isi_s"]).where(enough, np.nan)
    out = _decode(out, names)
    keys = ["epoch", *NEURON]
    return _sort(out[keys + ["n_spikes", "n_intervals", "mean_isi_s", "cv"]], keys)


def psth(
    spikes: pd.DataFrame, counts: pd.DataFrame, bin_width: Quantity, presentation: Quantity
) -> pd.DataFrame:
    """Peri-stimulus time histogram per epoch, layer, type and stimulus class.

    The rate in a bin is the number of spikes of the population in that bin
    over all presentations of the class, divided by (number of presentations
    × number of neurons × bin width): the mean rate of one neuron of the
    population.  Bins with no spike are present with rate 0.

    Parameters
    ----------
    spikes : DataFrame
        ``epoch, presentation, layer, class_net, neuron, t`` (``t`` in s from
        the presentation's start, in [0, presentation]).
    counts : DataFrame or CountSummary
        The run's count table: gives each presentation's ``label`` and the
        size of each population (also neurons that never fired).
    bin_width : Quantity
        Width of the time bins (e.g. ``5*ms``); the last bin is shorter when
        it does not divide the presentation.
    presentation : Quantity
        Duration of one presentation.

    Returns
    -------
    DataFrame
        ``epoch, layer, type, label, bin_start_s, bin_stop_s, n_spikes,
        n_presentations, n_neurons, rate_hz`` -- bin edges in s, ``rate_hz``
        in Hz per neuron.

    Raises
    ------
    ValueError
        If ``spikes`` is None, a spike time lies outside the presentation, or a
        spike's presentation is not in ``counts``.
    UnitError
        If ``bin_width`` or ``presentation`` is not a time.
    """
    table, names = _spike_times(spikes)
    counts = _summary(counts)
    width = _seconds("bin_width", bin_width)
    duration = _seconds("presentation", presentation)
    t = table["t"].to_numpy()
    tolerance = 1e-9
    if len(t) and (t.min() < -tolerance or t.max() > duration + tolerance):
        raise ValueError(
            f"spike times must lie within the presentation [0, {duration} s] "
            f"(got {t.min()} .. {t.max()} s)"
        )
    n_bins = max(int(math.ceil(duration / width - 1e-9)), 1)
    edges = np.minimum(np.arange(n_bins + 1) * width, duration)

    # bin k holds edges[k] <= t < edges[k + 1]; a spike at the very end goes to the last bin
    bins = np.searchsorted(edges, t, side="right") - 1
    table["bin"] = np.clip(bins, 0, n_bins - 1)
    per_presentation = (
        table.groupby(["epoch", "presentation", "layer_code", "is_i", "bin"], sort=False)
        .size().rename("n_spikes").reset_index()
    )
    per_presentation = _decode(per_presentation, names)
    labels = counts.presentations
    per_presentation = per_presentation.merge(labels, on=["epoch", "presentation"], how="left")
    if per_presentation["label"].isna().any():
        raise ValueError("some spikes belong to presentations that counts does not list")
    keys = ["epoch", "layer", "type", "label"]
    spike_counts = per_presentation.groupby(keys + ["bin"])["n_spikes"].sum().reset_index()

    populations = (
        counts.classes.drop_duplicates(["epoch", "layer", "class_net", "neuron"])
        .groupby(["epoch", "layer", "type"]).size().rename("n_neurons").reset_index()
    )
    repeats = labels.groupby(["epoch", "label"]).size().rename("n_presentations").reset_index()
    grid = populations.merge(repeats, on="epoch").merge(
        pd.DataFrame({"bin": np.arange(n_bins)}), how="cross"
    )
    out = grid.merge(spike_counts, on=keys + ["bin"], how="left")
    out["n_spikes"] = out["n_spikes"].fillna(0).astype("int64")
    out["bin_start_s"] = edges[out["bin"].to_numpy()]
    out["bin_stop_s"] = edges[out["bin"].to_numpy() + 1]
    out["rate_hz"] = out["n_spikes"] / (
        out["n_presentations"] * out["n_neurons"] * (out["bin_stop_s"] - out["bin_start_s"])
    )
    columns = keys + [
        "bin_start_s", "bin_stop_s", "n_spikes", "n_presentations", "n_neurons", "rate_hz"
    ]
    return _sort(out[columns], keys + ["bin_start_s"])
