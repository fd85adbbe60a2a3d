"""What one batch of presentations leaves behind, on any device."""

from __future__ import annotations

import dataclasses

import numpy as np
from brian2 import ms

from edsnn.units import check_quantity

__all__ = ["BatchResult"]


@dataclasses.dataclass
class BatchResult:
    """What a batch of presentations left behind.

    Attributes
    ----------
    activity : dict of str to ndarray
        Layer name (``"hidden1"`` …, ``"output"``) → activity ``y`` in [0, 1]
        (dimensionless) at the end of each presentation, shape
        (n_presentations, n_units).
    counts : dict of str to ndarray or None
        Same shapes, spike counts per presentation (spikes, int32; spiking
        model); None for rate units.  :meth:`rates` gives them in Hz.
    score : ndarray
        (n_presentations, n_classes) read-out; the prediction is its argmax.
        Spiking: count plus a tie-break in (-0.5, 0.5) from the summed input
        weight; reference: the sigmoid output.
    spikes : dict of str to (indices, times) or None
        Spike times per layer (times in seconds from the batch start, as plain
        floats), if recorded.
    """

    activity: dict
    counts: dict | None
    score: np.ndarray
    spikes: dict | None = None

    def rates(self, presentation) -> dict:
        """Firing rate of every unit, in Hz: counts / ``presentation`` (a time).

        Returns
        -------
        dict of str to Quantity
            Layer name → rates, shape (n_presentations, n_units).
        """
        if self.counts is None:
            raise ValueError("rate units have no spike counts (reference model)")
        check_quantity("presentation", presentation, 50 * ms)
        return {layer: counts / presentation for layer, counts in self.counts.items()}

    @property
    def prediction(self) -> np.ndarray:
        """Predicted class of each presentation, shape (n_presentations,)."""
        return np.argmax(self.score, axis=1)
