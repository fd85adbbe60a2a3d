"""What one batch of presentations leaves behind, on any device."""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["BatchResult"]


@dataclasses.dataclass
class BatchResult:
    """What a batch of presentations left behind.

    Attributes
    ----------
    activity : dict of str to ndarray
        Layer name (``"hidden1"`` …, ``"output"``) → activity ``y`` in [0, 1] at
        the end of each presentation, shape (n_presentations, n_units).
    counts : dict of str to ndarray or None
        Same shapes, spike counts (spiking model); None for rate units.
    score : ndarray
        (n_presentations, n_classes) read-out; the prediction is its argmax.
        Spiking: count plus a tie-break in (-0.5, 0.5) from the summed input
        weight; reference: the sigmoid output.
    spikes : dict of str to (indices, times) or None
        Spike times per layer (times relative to the batch start), if recorded.
    """

    activity: dict
    counts: dict | None
    score: np.ndarray
    spikes: dict | None = None

    @property
    def prediction(self) -> np.ndarray:
        """Predicted class of each presentation, shape (n_presentations,)."""
        return np.argmax(self.score, axis=1)
