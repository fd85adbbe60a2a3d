"""Spike times of a run for the ecosystem: Neo/Elephant (:func:`to_neo`) and NWB (:func:`to_nwb`).

Both need the optional packages of ``pip install 'edsnn[export]'`` (neo,
pynwb) and a run trained with ``--record-spikes``.  Only the *test*
presentations are recorded, so only they are exported.

Time conventions (seconds):

* **Neo**: one :class:`neo.Segment` per test presentation, its trains
  aligned to the presentation's onset (``t_start = 0``, ``t_stop = period``,
  ``period = presentation + rest``), the times of ``spikes/`` unchanged.
  Trial-aligned trains are what Elephant's trial statistics (``fanofactor``,
  ``time_histogram``) expect.  ``segment.annotations["session_start_s"]``
  is the presentation's onset on the NWB clock below.
* **NWB** (the *session clock*): the recorded test presentations laid end to
  end as in the simulation -- presentation ``k`` of an epoch starts at
  ``k * period`` after the epoch's start, epochs follow each other -- so a
  spike's session time is ``epoch_start + k * period + t``.  The training
  presentations run between the test phases are not on this clock.
"""

from __future__ import annotations

from pathlib import Path

from .export_tables import MissingExportPackages, require, require_spikes
from .neo_export import to_neo, write_neo
from .nwb_export import to_nwb
from .run import load_run

__all__ = ["FORMATS", "MissingExportPackages", "export_run"]

#: ``edsnn export --format`` → default file name inside the run folder.
FORMATS = {"nwb": "export.nwb", "neo": "export.neo.pkl"}


def export_run(run_dir, format: str, out=None, overwrite: bool = False) -> Path:
    """Write a run's spikes as NWB (:func:`to_nwb`) or as a pickled Neo Block (:func:`write_neo`).

    Parameters
    ----------
    run_dir : str or Path
        A run folder trained with ``--record-spikes``.
    format : {"nwb", "neo"}
    out : str or Path, optional
        The file; default ``RUN/export.nwb`` or ``RUN/export.neo.pkl``.
    overwrite : bool
        Replace an existing file (else FileExistsError).

    Returns
    -------
    Path
        The file written.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)} (got {format!r})")
    require("neo" if format == "neo" else "pynwb")
    run = load_run(run_dir)
    require_spikes(run)
    path = Path(out) if out is not None else run.path / FORMATS[format]
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    if format == "nwb":
        return to_nwb(run, path)
    return write_neo(to_neo(run), path)
