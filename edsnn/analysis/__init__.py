"""Firing statistics and figures of a trained edsnn run.

>>> from edsnn.analysis import load_run, statistics as st   # doctest: +SKIP
>>> run = load_run("runs/readme")                            # doctest: +SKIP
>>> st.population_rate(run.count_summary, run.presentation) # doctest: +SKIP
>>> run.counts(epoch=run.epochs[-1]).head()                  # doctest: +SKIP

The count table is never loaded whole: :attr:`Run.count_summary` streams it
into the per-class sums the count statistics need (a
:class:`~edsnn.analysis.summary.CountSummary`), and :meth:`Run.counts` reads
one epoch.

:func:`balance.input_balance` reads the E/I balance of every neuron's input
from ``run.weights`` (figure: :func:`plots.plot_balance`).
:mod:`comparison` puts runs of different models (ED, Diehl & Cook) side by side.
:func:`analyze_run` writes every table and figure into ``RUN/analysis/``;
:func:`to_neo` and :func:`to_nwb` hand the spike times to Elephant and NWB
tools (``pip install 'edsnn[export]'``).
"""

from . import balance, comparison, plots, statistics
from .export import MissingExportPackages, export_run
from .neo_export import to_neo, write_neo
from .nwb_export import to_nwb
from .report import analyze_run
from .run import Run, RunFolderError, load_run
from .summary import CountSummary, summarize

__all__ = ["CountSummary", "MissingExportPackages", "Run", "RunFolderError", "analyze_run", "balance", "comparison",
           "export_run", "load_run", "plots", "statistics", "summarize", "to_neo", "to_nwb", "write_neo"]
