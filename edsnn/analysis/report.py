"""``analyze_run``: every firing statistic and figure of a run, written to ``RUN/analysis/``."""

from __future__ import annotations

from pathlib import Path

from brian2 import Quantity, ms

from edsnn.units import check_quantity

from . import plots
from . import statistics as st
from .run import load_run

__all__ = ["analyze_run"]


def analyze_run(path, overwrite: bool = False, bin_width: Quantity = 5 * ms,
                max_count: int | None = None) -> list[Path]:
    """Compute the firing statistics of a run and write tables and figures.

    Writes into ``path/analysis/``:

    ======================  ===========================================================
    ``rates.csv``           :func:`~statistics.mean_rate` per neuron, epoch and class
    ``population_rate.csv`` :func:`~statistics.population_rate`
    ``silent_saturated.csv`` :func:`~statistics.silent_saturated`
    ``fano.csv``            :func:`~statistics.fano_factor`
    ``selectivity.csv``     :func:`~statistics.selectivity`
    ``confusion.csv``       :func:`~statistics.confusion_matrix` of the last epoch
    ``evolution.csv``       :func:`~statistics.evolution`
    ``isi_cv.csv``          :func:`~statistics.isi_cv` (only with spike times)
    ``psth.csv``            :func:`~statistics.psth` (only with spike times)
    ``*.png``               learning curves, confusion matrix, rate histograms,
                            selectivity map, receptive fields, evolution; raster and
                            PSTH with spike times
    ======================  ===========================================================

    Parameters
    ----------
    path : str or Path
        A run folder written by ``edsnn train``.
    overwrite : bool, optional
        Replace the CSV and PNG files of an existing, non-empty ``analysis/``
        (default False: refuse).
    bin_width : Quantity, optional
        PSTH bin width (default 5 ms).
    max_count : int, optional
        Count at saturation; default ``run.max_count`` from the config
        (``presentation / (refractory + dt)``).

    Returns
    -------
    list of Path
        The files written, tables first.

    Raises
    ------
    RunFolderError
        If ``path`` is not a run folder.
    FileExistsError
        If ``analysis/`` exists, is not empty and ``overwrite`` is False.
    ValueError
        For a reference-model run (no spike counts).
    """
    check_quantity("bin_width", bin_width, 5 * ms)
    run = load_run(path)
    run.require_spiking()
    out = run.path / "analysis"
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise FileExistsError(
                f"{out} already holds an analysis; pass overwrite=True to replace it"
            )
        for old in out.iterdir():
            if old.is_file() and old.suffix in (".csv", ".png"):
                old.unlink()
    out.mkdir(exist_ok=True)

    T = run.presentation
    saturation = run.max_count if max_count is None else max_count
    written: list[Path] = []

    def table(name, frame, index=False):
        file = out / f"{name}.csv"
        frame.to_csv(file, index=index)
        written.append(file)

    def figure(name, fig):
        file = out / f"{name}.png"
        plots.save_figure(fig, file)
        written.append(file)

    rates = st.mean_rate(run.counts, T)
    table("rates", rates)
    table("population_rate", st.population_rate(run.counts, T))
    table("silent_saturated", st.silent_saturated(run.counts, saturation))
    table("fano", st.fano_factor(run.counts))
    selectivity = st.selectivity(run.counts)
    table("selectivity", selectivity)
    confusion = st.confusion_matrix(run.predictions, n_classes=run.n_classes)
    table("confusion", confusion, index=True)
    evolution = st.evolution(run.counts, T, saturation)
    table("evolution", evolution)
    psth = None
    if run.spikes is not None:
        table("isi_cv", st.isi_cv(run.spikes))
        psth = st.psth(run.spikes, run.counts, bin_width, T)
        table("psth", psth)

    figure("learning_curves", plots.plot_learning_curves(run.metrics))
    figure("confusion", plots.plot_confusion(
        confusion.to_numpy(), run.class_names,
        title=f"Confusion matrix, epoch {int(run.predictions['epoch'].max())}"))
    figure("rate_histograms",
           plots.plot_rate_histograms(st.mean_rate(run.counts, T, by_class=False)))
    if (selectivity["layer"] != "output").any():
        figure("selectivity_map",
               plots.plot_selectivity_map(selectivity, class_names=run.class_names))
    hidden1 = run.weights.get("hidden1")
    if hidden1 is not None and hidden1.ndim == 3 and hidden1.shape[1] == 2 * 28 * 28:
        figure("receptive_fields", plots.plot_receptive_fields(hidden1))
    figure("evolution", plots.plot_evolution(evolution, run.metrics))
    if psth is not None:
        figure("raster", plots.plot_raster(run))
        figure("psth", plots.plot_psth(psth, class_names=run.class_names))
    return written
