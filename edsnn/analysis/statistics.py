"""Firing statistics of a trained edsnn network, as tidy tables.

Every function takes the long tables of a run folder (see
:func:`edsnn.analysis.load_run`) and returns a :class:`pandas.DataFrame` whose
columns are listed in its docstring, units in the column name: rates in Hz as
float columns ``rate_hz``, times in seconds ``*_s``.  A neuron is identified by
``(layer, class_net, neuron)``; ``type`` is ``"E"`` or ``"I"``.

Spike-count statistics (``counts``: the count table, one row per test
presentation and neuron, or its :class:`~edsnn.analysis.summary.CountSummary`
-- ``run.count_summary``, which a run of any size fits in memory as; both give
the same numbers):

* :func:`mean_rate` -- per-neuron mean rate per epoch (and per stimulus class);
* :func:`population_rate` -- mean rate per epoch, layer and E/I type;
* :func:`silent_saturated` -- fraction of silent neurons, and of neurons
  saturated at the ED rule's activity cap and at the refractory limit
  (:class:`SaturationCaps`);
* :func:`fano_factor` -- Fano factor of the counts over repeated presentations
  of one class;
* :func:`selectivity` -- preferred class and class-selectivity index;
* :func:`evolution` -- the summaries above, per epoch, layer and type.

Spike-time statistics (``spikes`` table, only when spikes were recorded):
:func:`isi_cv` and :func:`psth`.  Read-out and weights:
:func:`confusion_matrix` and :func:`receptive_fields`.

The count statistics refuse a reference-model run, whose sigmoid hidden and
output units have no spike counts (``count`` is NA).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
from brian2 import Hz, Quantity, ms, second

from edsnn.networks import network_class
from edsnn.networks.ed import layout
from edsnn.runs import layer_sort_key
from edsnn.units import QuantityParameters, check_quantity

from .summary import CountSummary, require_columns, summarize

__all__ = [
    "mean_rate",
    "population_rate",
    "max_count",
    "SaturationCaps",
    "silent_saturated",
    "fano_factor",
    "selectivity",
    "confusion_matrix",
    "evolution",
    "isi_cv",
    "psth",
    "neuron_type",
    "receptive_fields",
]

#: Columns that identify a neuron.
NEURON = ["layer", "class_net", "neuron", "type"]
_SPIKE_COLUMNS = ["epoch", "presentation", "layer", "class_net", "neuron", "t"]


# --- input checks ------------------------------------------------------------------
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


# --- rates -------------------------------------------------------------------------
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


def max_count(presentation: Quantity, dt: Quantity = 1 * ms, refractory: Quantity | None = None) -> int:
    """Largest spike count a neuron can emit in one presentation: the refractory limit.

    ``floor(presentation / (refractory + dt))``: after each spike the neuron
    is refractory for ``refractory`` and needs at least one time step to fire
    again.  Without a refractory period, one spike per time step.

    Parameters
    ----------
    presentation : Quantity
        Duration of one presentation.
    dt : Quantity, optional
        Simulation time step (default 1 ms).
    refractory : Quantity or None, optional
        Refractory period (default None: none).

    Examples
    --------
    >>> from brian2 import ms
    >>> max_count(50*ms, 1*ms, refractory=4*ms)
    10
    """
    period = _seconds("dt", dt)
    if refractory is not None:
        check_quantity("refractory", refractory, 2 * ms)
        period += float(refractory / second)
    return int(math.floor(_seconds("presentation", presentation) / period + 1e-9))


def _required_quantity(example: Quantity, doc: str):
    """A required dataclass field with the unit of ``example`` (checked by QuantityParameters)."""
    return dataclasses.field(metadata={"example": example, "doc": doc})


@dataclasses.dataclass(frozen=True)
class SaturationCaps(QuantityParameters):
    """The two spike counts at which a neuron counts as saturated.

    * :attr:`activity_cap`, ``ceil(activity_max_rate * presentation)``: the
      count the ED rule reads as activity 1.  At and above it the neuron's
      activity no longer grows and its factor ``y(1 - y)`` is (near) zero, so
      it stops learning -- the saturation that matters for learning.
    * :attr:`refractory_limit`, ``floor(presentation / (tau_ref + dt))``
      (:func:`max_count`): the most spikes the neuron can physically fire.

    Parameters
    ----------
    presentation : Quantity
        Duration of one presentation (``config.coding.presentation``).
    activity_max_rate : Quantity
        Firing rate read as activity 1 (``config.ed.activity_max_rate``).
    tau_ref : Quantity
        Refractory period of the hidden and output neurons
        (``config.neuron.tau_ref``).
    dt : Quantity
        Simulation time step (``config.coding.dt``).

    Examples
    --------
    >>> from brian2 import Hz, ms
    >>> caps = SaturationCaps(presentation=50*ms, activity_max_rate=200*Hz, tau_ref=2*ms, dt=1*ms)
    >>> caps.activity_cap, caps.refractory_limit
    (10, 16)
    """

    presentation: Quantity = _required_quantity(50 * ms, "duration of one presentation")
    activity_max_rate: Quantity = _required_quantity(200 * Hz, "firing rate read as activity 1")
    tau_ref: Quantity = _required_quantity(2 * ms, "refractory period of the neurons")
    dt: Quantity = _required_quantity(1 * ms, "simulation time step")

    def __post_init__(self):
        super().__post_init__()
        _seconds("presentation", self.presentation)
        _seconds("dt", self.dt)
        if self.tau_ref < 0 * ms:
            raise ValueError(f"tau_ref must be >= 0 ms (got {self.tau_ref})")
        if not self.activity_max_rate > 0 * Hz:
            raise ValueError(f"activity_max_rate must be positive (got {self.activity_max_rate})")

    @classmethod
    def from_config(cls, config) -> SaturationCaps:
        """The caps of a run's :class:`~edsnn.config.TrainConfig` (``Run.config``), as its network describes them.

        The refractory period is the counted neurons' (0 ms for a model
        without one); a network without an activity read-out (Diehl & Cook's)
        caps activity at the rate of that refractory limit.
        """
        return cls.from_description(network_class(config.model).describe(config))

    @classmethod
    def from_description(cls, description) -> SaturationCaps:
        """The caps a network :class:`~edsnn.networks.Description` records (``Run.description``)."""
        s = description.saturation
        return cls(presentation=s.presentation, dt=s.dt, tau_ref=s.tau_ref, activity_max_rate=s.activity_max_rate)

    @property
    def activity_cap(self) -> int:
        """Spike count read as activity 1 by the ED rule: ``ceil(activity_max_rate·T)``."""
        return int(math.ceil(float(self.activity_max_rate * self.presentation) - 1e-9))

    @property
    def refractory_limit(self) -> int:
        """Physiological limit ``floor(T / (tau_ref + dt))`` (:func:`max_count`)."""
        return max_count(self.presentation, self.dt, self.tau_ref)


def _check_caps(caps) -> None:
    if not isinstance(caps, SaturationCaps):
        raise TypeError(
            f"caps must be a SaturationCaps, e.g. SaturationCaps.from_config(run.config) "
            f"(got {type(caps).__name__})"
        )


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


def confusion_matrix(
    predictions: pd.DataFrame, epoch: int | None = None, n_classes: int | None = None
) -> pd.DataFrame:
    """Confusion matrix of the output layer's decisions in one epoch.

    Parameters
    ----------
    predictions : DataFrame
        ``epoch, presentation, label, prediction`` (``predictions.csv``).
    epoch : int, optional
        The epoch (1-based); default the last one.
    n_classes : int, optional
        Matrix size; default ``1 + max(label, prediction)``.

    Returns
    -------
    DataFrame, shape (n_classes, n_classes)
        Integer counts; row index ``label`` (true class), columns
        ``prediction``; ``.to_numpy()`` gives the array for
        :func:`edsnn.figures.plot_confusion`.

    Raises
    ------
    ValueError
        If the epoch is absent, or a label or prediction is outside
        ``0..n_classes-1``.

    Examples
    --------
    >>> p = pd.DataFrame({"epoch": 1, "presentation": [0, 1, 2],
    ...                   "label": [0, 1, 1], "prediction": [0, 0, 1]})
    >>> confusion_matrix(p).to_numpy().tolist()
    [[1, 0], [1, 1]]
    """
    require_columns(predictions, ["epoch", "label", "prediction"], "predictions")
    if len(predictions) == 0:
        raise ValueError("predictions is empty")
    epochs = sorted(int(e) for e in predictions["epoch"].unique())
    epoch = epochs[-1] if epoch is None else int(epoch)
    if epoch not in epochs:
        raise ValueError(f"epoch {epoch} is not in predictions (epochs {epochs[0]}..{epochs[-1]})")
    rows = predictions[predictions["epoch"] == epoch]
    label = rows["label"].to_numpy(dtype=np.int64)
    prediction = rows["prediction"].to_numpy(dtype=np.int64)
    if n_classes is None:
        n_classes = int(max(label.max(), prediction.max())) + 1
    for name, values in (("label", label), ("prediction", prediction)):
        bad = np.unique(values[(values < 0) | (values >= n_classes)])
        if bad.size:
            raise ValueError(
                f"{name} values {bad.tolist()} are outside the classes 0..{n_classes - 1}"
            )
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (label, prediction), 1)
    return pd.DataFrame(
        matrix,
        index=pd.Index(range(n_classes), name="label"),
        columns=pd.Index(range(n_classes), name="prediction"),
    )


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


# --- spike times -------------------------------------------------------------------
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
    require_columns(spikes, _SPIKE_COLUMNS, "spikes")
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
        "is_i": (layout.neuron_type(np.where(is_output, "output", "hidden"), neuron) == "I").astype(np.int8),
        "t": spikes["t"].to_numpy(dtype=float),
    })
    return table, names


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


# --- weights -----------------------------------------------------------------------
def receptive_fields(weights: np.ndarray, shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """First-layer receptive fields: each pixel's E and I input weights summed.

    Input ``2k`` is the E input of pixel ``k`` and ``2k + 1`` its I input;
    both carry the same pixel value, so the net weight of pixel ``k`` onto
    hidden neuron ``j`` is ``w[2k, j] + w[2k + 1, j]``.

    Parameters
    ----------
    weights : ndarray, shape (n_classes, n_inputs, H1)
        ``run.weights["hidden1"]``; ``n_inputs = 2 * prod(shape)``.
    shape : tuple of int, optional
        Image shape (default 28 × 28).

    Returns
    -------
    ndarray, shape (n_classes, H1) + shape
        Net weight of every pixel, same units as the weights.

    Examples
    --------
    >>> w = np.zeros((1, 8, 3)); w[0, 0, 2] = 1.0; w[0, 1, 2] = -0.25
    >>> receptive_fields(w, shape=(2, 2))[0, 2].tolist()
    [[0.75, 0.0], [0.0, 0.0]]
    """
    w = np.asarray(weights, dtype=float)
    n_pixels = int(np.prod(shape))
    if w.ndim != 3 or w.shape[1] != 2 * n_pixels:
        raise ValueError(
            f"weights must have shape (n_classes, {2 * n_pixels}, H1) -- E/I pairs of "
            f"{shape[0]}x{shape[1]} pixels (got {w.shape})"
        )
    net = w[:, 0::2, :] + w[:, 1::2, :]  # (n_classes, n_pixels, H1)
    return np.moveaxis(net, 1, 2).reshape(w.shape[0], w.shape[2], *shape)
