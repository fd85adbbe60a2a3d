"""A run folder's tables for the analysis: :func:`load_run` and :class:`Run`.

The files are read by :class:`edsnn.runs.RunFolder` (which also describes
them); ``config.json`` comes back as the run's typed
:class:`~edsnn.config.TrainConfig`, whose quantities carry their units.  The
firing statistics in :mod:`edsnn.analysis.statistics` take the tables.

The count table is not loaded: a full-size run holds 514 million rows
(20 epochs × 10 000 test presentations × 2 570 units), more than memory.
:meth:`Run.counts` reads one epoch (or what is asked), and
:attr:`Run.count_summary` streams the run batch by batch into the per-class
sums every count statistic needs, in memory of the order of one batch.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from brian2 import Quantity

from edsnn.config import TrainConfig
from edsnn.networks import Description
from edsnn.runs import RunFolder, RunFolderError

from . import statistics as st
from .summary import COUNT_COLUMNS, CountSummary, summarize

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
    predictions : DataFrame
        ``epoch, presentation, label, prediction``.
    weights : dict of str to ndarray
        ``"hidden1"``: (n_classes, n_inputs, H1), ``"hidden2"``:
        (n_classes, H1, H2), ..., ``"output"``: (n_classes, H_last), and
        ``"epoch"``: the epoch after which they were saved (int), ``"seed"``
        (int) when recorded.
    spikes : DataFrame or None
        ``epoch, presentation, layer, class_net, neuron, t, type`` (``t`` in
        seconds from the presentation's start; ``type`` "E"/"I" from the
        network's populations), or None when spikes were not recorded.

    The count table is read on demand: :meth:`counts`, :meth:`count_batches`
    and :attr:`count_summary`.
    """

    path: Path
    config: TrainConfig
    info: dict
    metrics: pd.DataFrame
    predictions: pd.DataFrame
    weights: dict
    spikes: pd.DataFrame | None = None

    def __repr__(self):
        spikes = "none" if self.spikes is None else f"{len(self.spikes)} spikes"
        return (
            f"Run({str(self.path)!r}, model={self.model!r}, epochs={self.epochs}, "
            f"layers={self.layers}, counts of epochs {self.epochs}, {spikes})"
        )

    def counts(self, epoch: int | None = None, columns=None) -> pd.DataFrame:
        """The count table of epoch ``epoch`` (None: of every epoch -- too large for a full-size run).

        One row per (test presentation, neuron): ``epoch``, ``presentation``
        (0-based within the epoch), ``label``, ``layer``, ``class_net``,
        ``neuron``, ``type`` ("E"/"I"), ``count`` (spikes in the presentation;
        NA for the reference model), ``activity`` (0..1); compact types
        (:meth:`edsnn.runs.RunFolder.counts`), only ``columns`` when given.
        An epoch without counts (``config.record_counts``) has no rows.
        """
        return RunFolder(self.path).counts(epoch, columns)

    def count_batches(self, epoch: int, columns=None, rows: int = 1 << 20):
        """Yield epoch ``epoch``'s count table in DataFrames of at most ``rows`` rows."""
        return RunFolder(self.path).count_batches(epoch, columns, rows)

    @functools.cached_property
    def count_summary(self) -> CountSummary:
        """Per-class sums of the counts of every epoch that has them (computed once, streamed).

        Pass it to the count statistics in place of a count table: the
        results are the same, and memory stays that of one batch.

        Raises
        ------
        ValueError
            If no finished epoch holds counts, or for a reference-model run.
        """
        if not self.epochs:
            raise ValueError(f"{self.path} holds no counts yet: with record_counts "
                             f"{self.config.record_counts!r} the first epoch that keeps them has not finished")
        return CountSummary.concat(summarize(self.count_batches(e, COUNT_COLUMNS)) for e in self.epochs)

    @property
    def model(self) -> str:
        """The network kind (``"spiking"``, ``"reference"``, ``"diehl-cook"``, or a registered one)."""
        return self.description.kind

    @functools.cached_property
    def description(self) -> Description:
        """The network as the run folder records it: populations, E/I pattern, caps."""
        return RunFolder(self.path).description()

    @property
    def caps(self) -> st.SaturationCaps:
        """The run's saturation caps (:class:`~edsnn.analysis.statistics.SaturationCaps`)."""
        return st.SaturationCaps.from_description(self.description)

    @property
    def presentation(self) -> Quantity:
        """Duration of one presentation's stimulus."""
        return self.description.saturation.presentation

    @property
    def dt(self) -> Quantity:
        """Simulation time step."""
        return self.description.saturation.dt

    @property
    def refractory(self) -> Quantity:
        """Refractory period of the counted neurons (0 ms without one)."""
        return self.description.saturation.tau_ref

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
        return int(self.info.get("n_classes", self.description.class_networks))

    @property
    def epochs(self) -> list[int]:
        """The epochs present in the count table, ascending (``config.record_counts`` may skip some)."""
        return RunFolder(self.path).count_epochs()

    @property
    def skipped_epochs(self) -> list[int]:
        """Finished epochs without counts (``config.record_counts``): the count statistics leave them out."""
        recorded = set(self.epochs)
        return [int(e) for e in self.metrics["epoch"] if int(e) not in recorded]

    @property
    def layers(self) -> list[str]:
        """Layer names in network order (``hidden1, ..., output``; diehl-cook: ``excitatory, inhibitory``)."""
        return self.description.layers

    def require_spiking(self) -> None:
        """Raise ValueError unless this run has spike counts (spiking model).

        Raises
        ------
        ValueError
            For a reference-model run, whose hidden and output units are sigmoid
            rate units without spikes.
        """
        if not self.description.spiking:
            raise ValueError(
                f"{self.path} is a {self.model!r}-model run: its counted units are rate units, "
                "so its counts have no spike counts (count is NA) and firing statistics do not "
                "apply; use the 'activity' column instead, or analyse a run of a spiking network"
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
    try:
        config = folder.config()
    except RunFolderError as err:
        # a network or part that cannot be imported here: the tables still read
        warnings.warn(f"{err}; the run's tables load, its settings (run.config) do not", stacklevel=2)
        config = None
    spikes = folder.spikes()
    if spikes is not None:  # each neuron's E/I type, as the network describes its populations
        spikes["type"] = folder.description().types_of(spikes["layer"].astype(str).to_numpy(),
                                                       spikes["neuron"].to_numpy())
    return Run(path=folder.path, config=config, info=folder.info(), metrics=folder.metrics(),
               predictions=folder.predictions(), weights=weights, spikes=spikes)
