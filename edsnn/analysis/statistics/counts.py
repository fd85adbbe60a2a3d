"""Spike-count statistics per neuron and population: silence and saturation, Fano factor, selectivity, evolution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .caps import SaturationCaps, _check_caps
from .rates import population_rate
from .tables import NEURON, _sort, _summary


def silent_saturated(counts: pd.DataFrame, caps: SaturationCaps) -> pd.DataFrame:
    """Fractions of silent and of saturated neurons per epoch, layer and type.

    A neuron is *silent* in an epoch when it fires no spike in any of the
    epoch's test presentations, and *saturated* at a cap when its mean count
    over them reaches the cap.  Both caps of ``caps`` are reported: the ED
    rule's activity cap (a mean rate of at least ``activity_max_rate``: the
    activity is pinned near 1 and ``y(1 - y)`` near 0, so the neuron hardly
    learns) and the refractory limit (the physiological maximum, reached on
    average only when reached in every presentation).

    Parameters
    ----------
    counts : DataFrame or CountSummary
        Count table of a run (see :func:`mean_rate`).
    caps : SaturationCaps
        The run's caps (``SaturationCaps.from_config(run.config)``).

    Returns
    -------
    DataFrame
        ``epoch, layer, type, n_neurons, n_silent, silent_fraction,
        activity_cap, n_saturated_activity_cap, saturated_activity_cap_fraction,
        refractory_limit, n_saturated_refractory_limit,
        saturated_refractory_limit_fraction`` -- caps in spikes per
        presentation, fractions in 0..1.

    Examples
    --------
    >>> from brian2 import Hz, ms
    >>> caps = SaturationCaps(presentation=50*ms, activity_max_rate=100*Hz, tau_ref=4*ms, dt=1*ms)
    >>> counts = pd.DataFrame({"epoch": 1, "presentation": 0, "label": 0, "layer": "hidden1",
    ...     "class_net": 0, "neuron": [0, 2, 4, 6], "type": "E", "count": [0, 0, 5, 10]})
    >>> row = silent_saturated(counts, caps).iloc[0]
    >>> int(row["activity_cap"]), float(row["saturated_activity_cap_fraction"])
    (5, 0.5)
    >>> int(row["refractory_limit"]), float(row["saturated_refractory_limit_fraction"])
    (10, 0.25)
    """
    classes = _summary(counts).classes
    _check_caps(caps)
    per_neuron = (
        classes.groupby(["epoch", *NEURON], sort=False)
        .agg(highest=("highest", "max"), n=("n_presentations", "sum"), total=("total", "sum"))
        .reset_index()
    )
    per_neuron["mean"] = per_neuron["total"] / per_neuron["n"]
    per_neuron["silent"] = per_neuron["highest"] == 0
    limits = {"activity_cap": caps.activity_cap, "refractory_limit": caps.refractory_limit}
    for name, limit in limits.items():
        per_neuron[name] = per_neuron["mean"] >= limit
    keys = ["epoch", "layer", "type"]
    out = (
        per_neuron.groupby(keys, sort=False)
        .agg(n_neurons=("silent", "size"), n_silent=("silent", "sum"),
             **{f"n_saturated_{name}": (name, "sum") for name in limits})
        .reset_index()
    )
    out["silent_fraction"] = out["n_silent"] / out["n_neurons"]
    columns = keys + ["n_neurons", "n_silent", "silent_fraction"]
    for name, limit in limits.items():
        out[name] = limit
        out[f"saturated_{name}_fraction"] = out[f"n_saturated_{name}"] / out["n_neurons"]
        columns += [name, f"n_saturated_{name}", f"saturated_{name}_fraction"]
    return _sort(out[columns], keys)


# --- variability and selectivity ---------------------------------------------------
def fano_factor(counts: pd.DataFrame) -> pd.DataFrame:
    """Fano factor of each neuron's spike counts over presentations of one class.

    ``fano = var(count) / mean(count)`` over the test presentations of one
    stimulus class in one epoch (variance with ddof=1, unbiased: a Poisson
    neuron gives 1 on average).  Different images of one class are treated
    as repetitions of the stimulus, so image-to-image variability adds to the
    trial-to-trial variability.

    Parameters
    ----------
    counts : DataFrame or CountSummary
        Count table of a run (see :func:`mean_rate`).

    Returns
    -------
    DataFrame
        ``epoch, layer, class_net, neuron, type, label, n_presentations,
        mean_count, var_count, fano`` -- counts in spikes per presentation,
        ``var_count`` in spikes², ``fano`` dimensionless; NaN when the neuron
        is silent for the class or the class has fewer than 2 presentations.

    Examples
    --------
    >>> counts = pd.DataFrame({"epoch": 1, "presentation": [0, 1, 2], "label": 0,
    ...     "layer": "output", "class_net": 0, "neuron": 0, "type": "E", "count": [1, 2, 3]})
    >>> float(fano_factor(counts)["fano"].iloc[0])
    0.5
    """
    classes = _summary(counts).classes
    keys = ["epoch", *NEURON, "label"]
    out = classes[keys + ["n_presentations"]].copy()
    n, total = classes["n_presentations"], classes["total"]
    out["mean_count"] = total / n
    # unbiased variance from exact integer sums: (n·Σc² − (Σc)²) / (n(n − 1))
    out["var_count"] = ((n * classes["total_sq"] - total * total) / (n * (n - 1))).where(n >= 2, np.nan)
    valid = (out["mean_count"] > 0) & (out["n_presentations"] >= 2)
    out["fano"] = (out["var_count"] / out["mean_count"]).where(valid, np.nan)
    return _sort(out, keys)


def selectivity(counts: pd.DataFrame) -> pd.DataFrame:
    """Preferred class and class-selectivity index of every neuron, per epoch.

    With ``r_c`` the neuron's mean count for stimulus class ``c`` (equivalent
    to its rate) and ``pref`` the class of largest ``r_c``::

        selectivity = (r_pref - mean_{c != pref} r_c) / (r_pref + mean_{c != pref} r_c)

    It lies in [0, 1]: 1 for a neuron that fires for one class only, 0 for
    one that fires equally for all.  The mean runs over the classes present
    in the epoch's test set.

    Parameters
    ----------
    counts : DataFrame or CountSummary
        Count table of a run (see :func:`mean_rate`).

    Returns
    -------
    DataFrame
        ``epoch, layer, class_net, neuron, type, preferred_class,
        pref_mean_count, other_mean_count, selectivity, n_classes`` --
        ``preferred_class`` (nullable int; lowest class on ties, NA for a
        silent neuron), mean counts in spikes per presentation,
        ``selectivity`` dimensionless in [0, 1] (NaN for a silent neuron or
        when only one class is present), ``n_classes`` the number of classes
        compared.

    Examples
    --------
    >>> counts = pd.DataFrame({"epoch": 1, "presentation": [0, 1, 2], "label": [0, 1, 2],
    ...     "layer": "hidden1", "class_net": 0, "neuron": 0, "type": "E", "count": [0, 6, 0]})
    >>> selectivity(counts)[["preferred_class", "selectivity"]]
       preferred_class  selectivity
    0                1          1.0
    """
    classes = _summary(counts).classes
    keys = ["epoch", *NEURON]
    per_class = classes[keys + ["label"]].copy()
    per_class["count"] = classes["total"] / classes["n_presentations"]
    per_class = per_class.sort_values(keys + ["label"], kind="stable").reset_index(drop=True)
    grouped = per_class.groupby(keys, sort=False)["count"]
    out = grouped.agg(pref_mean_count="max", total="sum", n_classes="size").reset_index()
    first_max = grouped.idxmax().to_numpy()  # row of the first (lowest-class) maximum
    out["preferred_class"] = pd.array(per_class["label"].to_numpy()[first_max], dtype="Int64")
    n_other = out["n_classes"] - 1
    out["other_mean_count"] = ((out["total"] - out["pref_mean_count"]) / n_other).where(
        n_other > 0, np.nan
    )
    silent = out["pref_mean_count"] == 0
    out.loc[silent, "preferred_class"] = pd.NA
    ratio = (out["pref_mean_count"] - out["other_mean_count"]) / (
        out["pref_mean_count"] + out["other_mean_count"]
    )
    out["selectivity"] = ratio.where(~silent & (n_other > 0), np.nan).astype(float)
    columns = keys + [
        "preferred_class", "pref_mean_count", "other_mean_count", "selectivity", "n_classes"
    ]
    return _sort(out[columns], keys)


def evolution(counts: pd.DataFrame, caps: SaturationCaps) -> pd.DataFrame:
    """Summaries of the firing statistics per epoch, layer and type.

    Parameters
    ----------
    counts : DataFrame or CountSummary
        Count table of a run (see :func:`mean_rate`).
    caps : SaturationCaps
        The run's presentation duration and saturation caps.

    Returns
    -------
    DataFrame
        ``epoch, layer, type, n_neurons, rate_hz, sd_hz, silent_fraction,
        activity_cap, saturated_activity_cap_fraction, refractory_limit,
        saturated_refractory_limit_fraction, fano, selectivity`` --
        ``rate_hz``/``sd_hz`` as in :func:`population_rate` (Hz); caps and
        fractions as in :func:`silent_saturated`; ``fano``: mean Fano factor
        over the population's neurons and classes (NaNs skipped);
        ``selectivity``: mean selectivity index of its non-silent neurons.
        Join ``metrics`` on ``epoch`` for the accuracies.
    """
    _check_caps(caps)
    counts = _summary(counts)
    keys = ["epoch", "layer", "type"]
    out = population_rate(counts, caps.presentation)
    silent = silent_saturated(counts, caps)
    out = out.merge(silent[keys + [
        "silent_fraction", "activity_cap", "saturated_activity_cap_fraction",
        "refractory_limit", "saturated_refractory_limit_fraction",
    ]], on=keys)
    fano = fano_factor(counts).groupby(keys)["fano"].mean().rename("fano")
    sel = selectivity(counts).groupby(keys)["selectivity"].mean().rename("selectivity")
    out = out.merge(fano.reset_index(), on=keys).merge(sel.reset_index(), on=keys)
    return _sort(out, keys)
