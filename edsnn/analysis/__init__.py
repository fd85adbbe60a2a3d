"""Firing statistics and figures of a trained edsnn run.

>>> from edsnn.analysis import load_run, statistics as st   # doctest: +SKIP
>>> run = load_run("runs/readme")                            # doctest: +SKIP
>>> st.population_rate(run.counts, run.presentation)        # doctest: +SKIP

:func:`analyze_run` writes every table and figure into ``RUN/analysis/``.
"""

from . import plots, statistics
from .report import analyze_run
from .run import Run, RunFolderError, load_run

__all__ = ["Run", "RunFolderError", "load_run", "analyze_run", "statistics", "plots"]
