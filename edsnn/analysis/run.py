"""A run folder's tables for the analysis: :func:`load_run` and :class:`Run`.

The files are read by :class:`edsnn.runs.RunFolder` (which also describes
them); ``config.json`` comes back as the run's typed
:class:`~edsnn.config.TrainConfig`, whose quantities carry their units.  The
firing statistics in :mod:`edsnn.analysis.statistics` take the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from brian2 import Quantity

from edsnn.config import TrainConfig
from edsnn.runs import RunFolder, RunFolderError, layer_sort_key

from . import statistics as st

__all__ = ["Run", "RunFolderError", "load_run"]


@dataclass(frozen=True, repr=False)
class Run:
    """The tables of one run folder (see :func:`load_run`).

    Attributes
    ----------
    path : Path
        The run folder.
    config : TrainConfig
        The run's settings (``config.json``), quantities with units.
    info : dict
        ``config.json`` as written: the settings as text plus versions,
        command line and dataset facts (``class_names``, ``n_classes``).
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
        ``"epoch"``: the epoch after which they were saved (int), ``"seed"``
        (int) when recorded.
    spikes : DataFrame or None
        ``epoch, presentation, layer, class_net, neuron, t`` (``t`` in seconds
        from the presentation's start), or None when spikes were not recorded.
    """

    path: Path
    config: TrainConfig
    info: dict
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

    @property
    def model(self) -> str:
        """``"spiking"`` or ``"reference"`` (sigmoid hidden/output units)."""
        return self.config.model

    @property
    def presentation(self) -> Quantity:
        """Duration of one presentation (``config.coding.presentation``)."""
        return self.config.coding.presentation

    @property
    def dt(self) -> Quantity:
        """Simulation time step (``config.coding.dt``)."""
        return self.config.coding.dt

    @property
    def refractory(self) -> Quantity:
        """Refractory period of the hidden and output neurons (0 ms for models without one)."""
        return st.SaturationCaps.from_config(self.config).tau_ref

    @property
    def max_count(self) -> int:
        """Largest spike count one presentation allows, ``floor(presentation / (refractory + dt))``."""
        return st.max_count(self.presentation, self.dt, self.refractory)

    @property
    def class_names(self) -> list[str]:
        """Names of the classes (``class_names`` of ``config.json``, else ``"0", "1", ...``)."""
        names = self.info.get("class_names")
        return [str(n) for n in names] if names else [str(i) for i in range(self.n_classes)]

    @property
    def n_classes(self) -> int:
        """Number of classes (and of independent class networks)."""
        return int(self.info.get("n_classes", self.config.n_classes))

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
                "sigmoid rate units, so its counts have no spike counts (count is NA) and "
                "firing statistics do not apply; use the 'activity' column instead, or analyse "
                "a run trained with model 'spiking'"
            )


def load_run(path) -> Run:
    """Read a run folder written by ``edsnn train`` (its finished epochs).

    Parameters
    ----------
    path : str or Path
        The run folder.

    Returns
    -------
    Run

    Raises
    ------
    RunFolderError
        If the folder does not exist, lacks a required file, or one of its
        files is truncated or corrupt (the message names it; nothing is changed).

    Examples
    --------
    >>> run = load_run("runs/readme")                      # doctest: +SKIP
    >>> run.presentation                                   # doctest: +SKIP
    50. * msecond
    """
    folder = RunFolder(path)
    folder.check()
    saved = folder.weights()
    weights = {**saved.arrays, "epoch": saved.epoch}
    if saved.seed is not None:
        weights["seed"] = saved.seed
    return Run(path=folder.path, config=folder.config(), info=folder.info(), metrics=folder.metrics(),
               counts=folder.counts(), predictions=folder.predictions(), weights=weights,
               spikes=folder.spikes())
