"""``analyze_run``: every firing statistic and figure of a run, written to ``RUN/analysis/``."""

from __future__ import annotations

from pathlib import Path

from brian2 import Quantity, ms

from edsnn.runs import significant
from edsnn.units import check_quantity

from . import plots
from . import statistics as st
from .balance import input_balance
from .run import RunFolderError, load_run

__all__ = ["analyze_run"]

#: Run file → (attribute of Run, columns the analysis reads); counts are checked as they are summarised.
_TABLES = {
    "predictions.csv": ("predictions", ["epoch", "presentation", "label", "prediction"]),
    "metrics.csv": ("metrics", ["epoch", "test_accuracy"]),
    "spikes.parquet": ("spikes", st.SPIKE_COLUMNS),
}


def _check_tables(run) -> None:
    """Refuse a run table that lacks rows or columns, or has gaps (a truncated line), naming its file."""
    for name, (attribute, columns) in _TABLES.items():
        table = getattr(run, attribute)
        if table is None:  # spikes not recorded
            continue
        missing = [c for c in columns if c not in table.columns]
        problem = (
            f"it lacks the column(s) {missing}" if missing
            else "it has no rows" if len(table) == 0 and attribute != "spikes"  # spikes: a silent network
            else "it has empty values (a truncated or damaged line)"
            if table[columns].isna().any().any() else None
        )
        if problem:
            raise RunFolderError(
                f"could not read {run.path / name}: {problem}. It is written by 'edsnn train'; "
                "restore it from a copy or train the run again (nothing was written)"
            )


def analyze_run(path, overwrite: bool = False, bin_width: Quantity = 5 * ms,
                caps: st.SaturationCaps | None = None) -> list[Path]:
    """Compute the firing statistics of a run and write tables and figures.

    Writes into ``path/analysis/``:

    =========================  ===========================================================
    ``rates.csv``              :func:`~statistics.mean_rate` per neuron, epoch and class
    ``population_rate.csv``    :func:`~statistics.population_rate`
    ``silent_saturated.csv``   :func:`~statistics.silent_saturated`, saturation at the
                               ED rule's activity cap and at the refractory limit
    ``fano.csv``               :func:`~statistics.fano_factor`
    ``selectivity.csv``        :func:`~statistics.selectivity`
    ``confusion.csv``          :func:`~statistics.confusion_matrix` of the last epoch
    ``evolution.csv``          :func:`~statistics.evolution`
    ``balance.csv``            :func:`~balance.input_balance`: E and I input weight and
                               projection sign of every neuron (final weights)
    ``isi_cv.csv``             :func:`~statistics.isi_cv` (only with spike times)
    ``psth.csv``               :func:`~statistics.psth` (only with spike times)
    ``*.png``                  learning curves, confusion matrix, rate histograms,
                               selectivity map, receptive fields, evolution, E/I
                               balance; raster and
                               PSTH with spike times
    =========================  ===========================================================

    Everything is computed before ``analysis/`` is created or cleared, so a
    run whose files cannot be read is left as it was.  The counts are read
    epoch by epoch, batch by batch, into :attr:`Run.count_summary`: memory
    follows one batch, not the run.  Epochs that kept no counts
    (``record_counts``, :attr:`Run.skipped_epochs`) are absent from the
    count tables; the learning curves show every epoch.

    Parameters
    ----------
    path : str or Path
        A run folder written by ``edsnn train``.
    overwrite : bool, optional
        Replace the CSV and PNG files of an existing, non-empty ``analysis/``
        (default False: refuse).
    bin_width : Quantity, optional
        PSTH bin width (default 5 ms).
    caps : SaturationCaps, optional
        Saturation caps; default the run's own (``run.caps``).

    Returns
    -------
    list of Path
        The files written, tables first.

    Raises
    ------
    RunFolderError
        If ``path`` is not a run folder, or one of its files cannot be read
        (the message names it).
    FileExistsError
        If ``analysis/`` exists, is not empty and ``overwrite`` is False.
    ValueError
        For a reference-model run (no spike counts), or when no finished
        epoch holds counts.
    """
    check_quantity("bin_width", bin_width, 5 * ms)
    run = load_run(path)
    run.require_spiking()
    _check_tables(run)
    out = run.path / "analysis"
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} already holds an analysis; pass overwrite=True to replace it")
    caps = run.caps if caps is None else caps
    T = caps.presentation

    counts = run.count_summary
    rates = st.mean_rate(counts, T)
    selectivity = st.selectivity(counts)
    confusion = st.confusion_matrix(run.predictions, n_classes=run.n_classes)
    evolution = st.evolution(counts, caps)
    tables = {
        "rates": rates,
        "population_rate": st.population_rate(counts, T),
        "silent_saturated": st.silent_saturated(counts, caps),
        "fano": st.fano_factor(counts),
        "selectivity": selectivity,
        "confusion": confusion,
        "evolution": evolution,
    }
    figures = {
        "learning_curves": plots.plot_learning_curves(run.metrics),
        "confusion": plots.plot_confusion(
            confusion.to_numpy(), run.class_names,
            title=f"Confusion matrix, epoch {int(run.predictions['epoch'].max())}"),
        "rate_histograms": plots.plot_rate_histograms(st.mean_rate(counts, T, by_class=False)),
    }
    if (selectivity["layer"] != "output").any():
        figures["selectivity_map"] = plots.plot_selectivity_map(
            selectivity, class_names=run.class_names)
    hidden1 = run.weights.get("hidden1")
    if hidden1 is not None and hidden1.ndim == 3 and hidden1.shape[1] == 2 * 28 * 28:
        figures["receptive_fields"] = plots.plot_receptive_fields(hidden1)
    figures["evolution"] = plots.plot_evolution(evolution, run.metrics)
    if hidden1 is not None:  # the E/I balance of signed weights between layers (ED's)
        tables["balance"] = balance = input_balance(run.weights)
        figures["balance"] = plots.plot_balance(balance, getattr(run.config.synapse, "w_unit", None))
    if run.spikes is not None:
        tables["isi_cv"] = st.isi_cv(run.spikes)
        tables["psth"] = psth = st.psth(run.spikes, counts, bin_width, T)
        figures["raster"] = plots.plot_raster(run)
        figures["psth"] = plots.plot_psth(psth, class_names=run.class_names)

    if out.exists():
        for old in out.iterdir():
            if old.is_file() and old.suffix in (".csv", ".png"):
                old.unlink()
    out.mkdir(exist_ok=True)
    written: list[Path] = []
    for name, frame in tables.items():
        written.append(out / f"{name}.csv")
        significant(frame).to_csv(written[-1], index=name == "confusion")
    for name, fig in figures.items():
        written.append(out / f"{name}.png")
        plots.save_figure(fig, written[-1])
    return written
