"""Checks shared by the tests that train real runs: quiet training, and two run folders compared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from edsnn.protocols import train
from edsnn.runs import RunFolder

#: Columns of metrics.csv that are wall-clock times, never equal between runs.
TIMING = ["train_seconds", "test_seconds"]


def run_quietly(config, out, **kwargs):
    """:func:`edsnn.protocols.train` without progress bars or printing."""
    return train(config, out, progress=False, echo=lambda *a, **k: None, **kwargs)


def listing(folder: Path) -> list:
    """Relative paths of every file (a leftover temporary file shows here)."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


def assert_same_run(a, b, same_files: bool = False) -> None:
    """Same metrics (timings aside), predictions, counts, spikes and weights, whatever the layout."""
    ra, rb = RunFolder(a), RunFolder(b)
    pd.testing.assert_frame_equal(ra.metrics().drop(columns=TIMING), rb.metrics().drop(columns=TIMING))
    pd.testing.assert_frame_equal(ra.predictions(), rb.predictions())
    pd.testing.assert_frame_equal(ra.counts(), rb.counts())
    spikes_a, spikes_b = ra.spikes(), rb.spikes()
    if spikes_a is None or spikes_b is None:
        assert spikes_a is None and spikes_b is None
    else:
        pd.testing.assert_frame_equal(spikes_a, spikes_b)
    wa, wb = ra.weights(), rb.weights()
    assert (wa.epoch, wa.seed) == (wb.epoch, wb.seed) and sorted(wa.arrays) == sorted(wb.arrays)
    for key in wa.arrays:
        np.testing.assert_array_equal(wa.arrays[key], wb.arrays[key], err_msg=key)
    if same_files:
        assert listing(a) == listing(b)
