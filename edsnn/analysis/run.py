"""Reading a run folder written by ``edsnn train``.

A run folder holds:

========================  ===================================================
``config.json``           the run's settings; physical values as text
                          (``"50. ms"``), restored here as Brian2 Quantities
``metrics.csv``           ``epoch, train_accuracy, test_accuracy, ...``
``counts.parquet``        spike counts of every neuron, test presentations
``predictions.csv``       ``epoch, presentation, label, prediction``
``weights.npz``           final weights, one array per target layer
``spikes.parquet``        spike times (only when ``record_spikes`` was set)
========================  ===================================================

:func:`load_run` reads them into a :class:`Run`; the firing statistics in
:mod:`edsnn.analysis.statistics` take its tables.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import brian2
import brian2.units.allunits as allunits
import numpy as np
import pandas as pd
from brian2 import Quantity, get_dimensions, ms, second

from edsnn.units import parse_quantity

__all__ = ["Run", "RunFolderError", "load_run", "restore_units", "layer_sort_key"]

#: Files every run folder has (``spikes.parquet`` is optional).
REQUIRED_FILES = ("config.json", "metrics.csv", "counts.parquet", "predictions.csv", "weights.npz")

_NUMBER_WITH_UNIT = re.compile(
    r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*\*?\s*([A-Za-zΩµμ]+)\s*$"
)
_UNIT_ALIASES = {"s": "second", "V": "volt", "A": "amp", "F": "farad", "S": "siemens"}


class RunFolderError(FileNotFoundError):
    """The folder is not a (complete) run folder written by ``edsnn train``."""


def _unit_of(text: str):
    """The Brian2 unit named in ``"50. ms"``, or None if ``text`` is not number+unit."""
    match = _NUMBER_WITH_UNIT.match(text)
    if not match:
        return None
    name = match.group(1).replace("Ω", "ohm").replace("µ", "u").replace("μ", "u")
    name = _UNIT_ALIASES.get(name, name)
    unit = getattr(brian2.units, name, None) or getattr(allunits, name, None)
    return unit if isinstance(unit, Quantity) else None


def restore_units(value, name: str = "config"):
    """Turn the text quantities of a ``config.json`` tree back into Quantities.

    Every string that reads as a number followed by a Brian2 unit
    (``"50. ms"``, ``"-65 mV"``, ``"10. Mohm"``) becomes a Quantity (parsed by
    :func:`edsnn.units.parse_quantity`); numbers, other strings (``"mnist"``,
    ``"0.1.0"``, class names such as ``"3"``), lists and dicts keep their type,
    dicts and lists being restored recursively.

    Parameters
    ----------
    value : dict, list, str or number
        A parsed JSON value.
    name : str
        Dotted path used in error messages.

    Examples
    --------
    >>> cfg = restore_units({"coding": {"presentation": "50. ms"}, "dataset": "mnist"})
    >>> cfg["coding"]["presentation"]
    50. * msecond
    >>> cfg["dataset"]
    'mnist'
    """
    if isinstance(value, dict):
        return {k: restore_units(v, f"{name}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [restore_units(v, f"{name}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):
        unit = _unit_of(value)
        if unit is not None and get_dimensions(unit) is not get_dimensions(1):
            return parse_quantity(value, name, 1 * unit)
    return value


def layer_sort_key(layer: str):
    """Order layers as the network does: ``hidden1, hidden2, ..., output``.

    >>> sorted(["output", "hidden2", "hidden10", "hidden1"], key=layer_sort_key)
    ['hidden1', 'hidden2', 'hidden10', 'output']
    """
    match = re.fullmatch(r"hidden(\d+)", str(layer))
    if match:
        return (0, int(match.group(1)), "")
    if layer == "output":
        return (2, 0, "")
    return (1, 0, str(layer))


def _find_refractory(section) -> Quantity | None:
    """The first time-valued entry of ``section`` whose key mentions 'ref'."""
    if not isinstance(section, dict):
        return None
    for key, value in section.items():
        if (
            "ref" in key.lower()
            and isinstance(value, Quantity)
            and get_dimensions(value) == get_dimensions(second)
        ):
            return value
    return None


@dataclass(frozen=True, repr=False)
class Run:
    """The tables of one run folder (see :func:`load_run`).

    Attributes
    ----------
    path : Path
        The run folder.
    config : dict
        ``config.json`` with physical values as Brian2 Quantities.
    metrics : DataFrame
        One row per epoch: ``epoch`` (1-based), ``train_accuracy``,
        ``test_accuracy`` (fractions 0..1), ``train_seconds``, ``test_seconds``.
    counts : DataFrame
        Long table, one row per (test presentation, neuron): ``epoch``,
        ``presentation`` (0-based within the epoch), ``label``, ``layer``,
        ``class_net``, ``neuron``, ``type`` ("E"/"I"), ``count`` (spikes in
        the presentation; NA for the reference model), ``activity`` (0..1).
    predictions : DataFrame
        ``epoch, presentation, label, prediction``.
    weights : dict of str to ndarray
        ``"hidden1"``: (n_classes, n_inputs, H1), ``"hidden2"``:
        (n_classes, H1, H2), ..., ``"output"``: (n_classes, H_last), and
        ``"epoch"``: the epoch after which they were saved (int); other
        scalars (``"seed"``) as Python numbers.
    spikes : DataFrame or None
        ``epoch, presentation, layer, class_net, neuron, t`` (``t`` in seconds
        from the presentation's start), or None when spikes were not recorded.
    """

    path: Path
    config: dict
    metrics: pd.DataFrame
    counts: pd.DataFrame
    predictions: pd.DataFrame
    weights: dict
    spikes: pd.DataFrame | None = None

    def __repr__(self):
        spikes = "none" if self.spikes is None else f"{len(self.spikes)} spikes"
        return (
            f"Run({str(self.path)!r}, model={self.model!r}, epochs={self.epochs}, "
            f"layers={self.layers}, {len(self.counts)} count rows, {spikes})"
        )

    # --- settings read from config -------------------------------------------------
    @property
    def model(self) -> str:
        """``"spiking"`` or ``"reference"`` (sigmoid hidden/output units)."""
        return str(self.config.get("model", "spiking"))

    @property
    def presentation(self) -> Quantity:
        """Duration of one presentation (``config["coding"]["presentation"]``)."""
        value = self.config.get("coding", {}).get("presentation")
        if not isinstance(value, Quantity):
            raise KeyError(f"{self.path / 'config.json'} has no coding.presentation duration")
        return value

    @property
    def dt(self) -> Quantity:
        """Simulation time step (``config["coding"]["dt"]``, default 1 ms)."""
        value = self.config.get("coding", {}).get("dt")
        return value if isinstance(value, Quantity) else 1 * ms

    @property
    def refractory(self) -> Quantity | None:
        """Refractory period of the neurons, if ``config["neuron"]`` has one."""
        return _find_refractory(self.config.get("neuron", {}))

    @property
    def max_count(self) -> int:
        """Largest spike count one presentation allows.

        ``floor(presentation / (refractory + dt))`` when the config has a
        refractory period, else ``floor(presentation / dt)`` (one spike per
        time step).
        """
        period = self.dt + (self.refractory if self.refractory is not None else 0 * second)
        return int(math.floor(float(self.presentation / period) + 1e-9))

    @property
    def class_names(self) -> list[str]:
        """Names of the classes (``config["class_names"]``, else ``"0", "1", ...``)."""
        names = self.config.get("class_names")
        if names:
            return [str(n) for n in names]
        return [str(i) for i in range(self.n_classes)]

    @property
    def n_classes(self) -> int:
        """Number of classes (and of independent class networks)."""
        if "n_classes" in self.config:
            return int(self.config["n_classes"])
        return int(self.counts["class_net"].max()) + 1

    @property
    def epochs(self) -> list[int]:
        """The epochs present in the count table, ascending."""
        return sorted(int(e) for e in self.counts["epoch"].unique())

    @property
    def layers(self) -> list[str]:
        """Layer names in network order (``hidden1, ..., output``)."""
        return sorted((str(x) for x in self.counts["layer"].unique()), key=layer_sort_key)

    def require_spiking(self) -> None:
        """Raise ValueError unless this run has spike counts (spiking model).

        Raises
        ------
        ValueError
            For a reference-model run, whose hidden and output units are sigmoid
            rate units without spikes.
        """
        if self.model == "reference" or self.counts["count"].isna().any():
            raise ValueError(
                f"{self.path} is a {self.model!r}-model run: its hidden and output units are "
                "sigmoid rate units, so counts.parquet has no spike counts (count is NA) and "
                "firing statistics do not apply; use the 'activity' column instead, or analyse "
                "a run trained with model 'spiking'"
            )


def _read_table(reader, file: Path, **kwargs) -> pd.DataFrame:
    try:
        return reader(file, **kwargs)
    except Exception as err:  # corrupt or truncated file: name it
        raise RunFolderError(f"could not read {file}: {err}") from err


def load_run(path) -> Run:
    """Read a run folder written by ``edsnn train``.

    Parameters
    ----------
    path : str or Path
        The run folder (holding ``config.json``, ``metrics.csv``,
        ``counts.parquet``, ``predictions.csv``, ``weights.npz`` and
        optionally ``spikes.parquet``).

    Returns
    -------
    Run
        Its tables; ``config`` has its physical values as Quantities.

    Raises
    ------
    RunFolderError
        If the folder does not exist or lacks one of the required files
        (the message names them).

    Examples
    --------
    >>> run = load_run("runs/readme")                      # doctest: +SKIP
    >>> run.presentation                                   # doctest: +SKIP
    50. * msecond
    """
    folder = Path(path)
    if not folder.is_dir():
        raise RunFolderError(f"no run folder at {folder}: it does not exist or is not a folder")
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise RunFolderError(
            f"{folder} is not a complete run folder written by 'edsnn train': missing "
            + ", ".join(missing)
        )
    try:
        raw = json.loads((folder / "config.json").read_text())
    except json.JSONDecodeError as err:
        raise RunFolderError(f"could not read {folder / 'config.json'}: {err}") from err
    config = restore_units(raw)

    counts = _read_table(pd.read_parquet, folder / "counts.parquet")
    if counts["count"].notna().all():
        counts["count"] = counts["count"].astype("int64")
    else:
        counts["count"] = counts["count"].astype("Int64")
    spikes_file = folder / "spikes.parquet"
    spikes = _read_table(pd.read_parquet, spikes_file) if spikes_file.is_file() else None

    try:
        with np.load(folder / "weights.npz", allow_pickle=False) as npz:
            weights = {k: npz[k] for k in npz.files}
    except Exception as err:
        raise RunFolderError(f"could not read {folder / 'weights.npz'}: {err}") from err
    for key, value in weights.items():  # scalars such as "epoch" and "seed" as Python ints
        if value.ndim == 0:
            weights[key] = value.item()

    return Run(
        path=folder,
        config=config,
        metrics=_read_table(pd.read_csv, folder / "metrics.csv"),
        counts=counts,
        predictions=_read_table(pd.read_csv, folder / "predictions.csv"),
        weights=weights,
        spikes=spikes,
    )
