"""Which test presentations a run keeps in ``counts/`` (:attr:`TrainConfig.record_counts`).

A full-size run (20 epochs × 10 000 test presentations × 2 570 units) holds
514 million count rows; ``record_counts`` keeps fewer.  The writer and
:meth:`RunFolder.check` both ask this module, so what is written and what a
whole folder must hold cannot disagree.
"""

from __future__ import annotations

import numpy as np

from edsnn.config import TrainConfig

__all__ = ["records_epoch", "recorded_presentations"]


def _setting(config: TrainConfig) -> tuple[str, int]:
    """``record_counts`` as (kind, number): ``("every", 5)``; the number is 0 for all/last."""
    kind, _, number = config.record_counts.partition(":")
    return kind, int(number or 0)


def records_epoch(config: TrainConfig, epoch: int) -> bool:
    """True when epoch ``epoch`` (1-based) keeps counts: every epoch, or the last, or each K-th and the last.

    >>> config = TrainConfig(epochs=5, record_counts="every:2")
    >>> [e for e in range(1, 6) if records_epoch(config, e)]
    [2, 4, 5]
    """
    kind, number = _setting(config)
    if kind == "last":
        return epoch == config.epochs
    if kind == "every":
        return epoch % number == 0 or epoch == config.epochs
    return True


def recorded_presentations(config: TrainConfig) -> np.ndarray:
    """Indices (into an epoch's test set) of the presentations whose counts are kept.

    ``sample:N`` keeps N presentations evenly spaced over the test set, the
    same indices every epoch; the others keep them all.

    >>> recorded_presentations(TrainConfig(test=10, record_counts="sample:4")).tolist()
    [0, 2, 5, 7]
    """
    kind, number = _setting(config)
    if kind == "sample":
        return np.arange(number, dtype=np.int64) * config.test // number
    return np.arange(config.test, dtype=np.int64)
