"""What the Neo and NWB exports share: their packages, the tables of presentations and neurons, the spike index.

:mod:`.neo_export` and :mod:`.nwb_export` build on these; :mod:`.export`
(:func:`~edsnn.analysis.export.export_run`) chooses between them.  Time
conventions: :mod:`edsnn.analysis.export`.
"""

from __future__ import annotations

import importlib
import json
from importlib import metadata

import numpy as np
import pandas as pd
from brian2 import second

from .run import Run, load_run

__all__ = ["MissingExportPackages", "as_run", "config_annotations", "neurons", "presentations", "require",
           "require_spikes", "spike_index", "versions"]

_PACKAGES = ("edsnn", "brian2", "numpy", "pandas", "neo", "pynwb", "hdmf", "h5py")


class MissingExportPackages(ImportError):
    """An export package (neo, pynwb) is not installed; the message says what to install."""


def require(module: str):
    """Import ``module`` (``"neo"``, ``"pynwb"``) or raise :class:`MissingExportPackages`."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingExportPackages(
            f"exporting needs the package {module!r}, which is not installed: "
            "pip install 'edsnn[export]' (installs neo and pynwb)"
        ) from err


def as_run(run) -> Run:
    """``run`` itself, or :func:`load_run` of a run folder path."""
    return run if isinstance(run, Run) else load_run(run)


def require_spikes(run: Run) -> pd.DataFrame:
    """The run's spike table, or ValueError saying how to record spikes."""
    if run.spikes is None:
        kind = (f"a {run.model!r} run (rate units, no spikes)" if not run.description.spiking
                else "a run trained without --record-spikes")
        raise ValueError(
            f"{run.path} has no spike times (no spikes/ folder): it is {kind}. Train a spiking run "
            "with spike recording to export it, e.g. 'edsnn train --record-spikes --out RUN'"
        )
    return run.spikes


def _epochs(run: Run, epoch) -> list[int]:
    if epoch is None:
        return run.epochs
    if int(epoch) not in run.epochs:
        raise ValueError(f"epoch {epoch} is not in {run.path} (finished epochs: {run.epochs})")
    return [int(epoch)]


def _seconds(quantity) -> float:
    return float(quantity / second)


def presentations(run: Run, epoch: int | None = None) -> pd.DataFrame:
    """The test presentations of ``epoch`` (default all) on the session clock.

    Returns
    -------
    DataFrame
        ``epoch, presentation, label, prediction, start_s, stop_s`` -- one row
        per test presentation, times in s on the session clock (module
        docstring); ``stop_s - start_s`` is the period (presentation + rest).
    """
    period = _seconds(run.config.coding.period)
    table = run.predictions.sort_values(["epoch", "presentation"]).reset_index(drop=True)
    per_epoch = table.groupby("epoch").size()
    epoch_start = (per_epoch.cumsum() - per_epoch) * period
    table["start_s"] = table["epoch"].map(epoch_start).to_numpy() + table["presentation"].to_numpy() * period
    table["stop_s"] = table["start_s"] + period
    keep = table["epoch"].isin(_epochs(run, epoch))
    return table[keep].reset_index(drop=True)


def neurons(run: Run) -> pd.DataFrame:
    """Every counted neuron in network order: ``layer, class_net, neuron, type``."""
    description = run.description
    rows = [(layer, net, j) for layer, size in description.sizes().items()
            for net in range(description.class_networks) for j in range(size)]
    table = pd.DataFrame(rows, columns=["layer", "class_net", "neuron"])
    table["type"] = description.neuron_types(table["layer"].to_numpy(), table["neuron"].to_numpy())
    return table


def spike_index(run: Run, shown: pd.DataFrame, units: pd.DataFrame):
    """Spike times sorted by (presentation row of ``shown``, neuron row of ``units``, t).

    Returns
    -------
    t : ndarray
        Spike times in s from the presentation's onset, sorted.
    bounds : ndarray of int, shape (len(shown) * len(units) + 1,)
        The spikes of presentation row ``p`` and neuron row ``u`` are
        ``t[bounds[i]:bounds[i + 1]]`` with ``i = p * len(units) + u``.
    """
    spikes = require_spikes(run)
    pres = pd.Series(np.arange(len(shown)), index=pd.MultiIndex.from_frame(shown[["epoch", "presentation"]]))
    unit = pd.Series(np.arange(len(units)),
                     index=pd.MultiIndex.from_frame(units[["layer", "class_net", "neuron"]].astype(object)))
    p = pres.reindex(pd.MultiIndex.from_frame(spikes[["epoch", "presentation"]])).to_numpy()
    u = unit.reindex(pd.MultiIndex.from_frame(spikes[["layer", "class_net", "neuron"]].astype(object))).to_numpy()
    selected = ~np.isnan(p)
    if np.isnan(u[selected]).any():
        raise ValueError(f"{run.path}: spikes/ holds neurons that the run's layers "
                         f"(hidden {list(run.config.hidden)} and output) do not have")
    key = p[selected].astype(np.int64) * len(units) + u[selected].astype(np.int64)
    t = spikes["t"].to_numpy(dtype=float)[selected]
    order = np.lexsort((t, key))
    return t[order], np.searchsorted(key[order], np.arange(len(shown) * len(units) + 1))


def config_annotations(run: Run) -> dict:
    """``config.json`` flattened to one level, units as text.

    ``{"coding.presentation": "50. ms", ...}``
    """
    flat = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list)) for v in value):
            flat[prefix] = json.dumps(value)
        else:
            flat[prefix] = list(value) if isinstance(value, tuple) else value

    walk("", run.info)
    return flat


def versions() -> dict:
    """Installed versions of edsnn and of the packages an export uses (``None``: absent)."""
    found = {}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found
