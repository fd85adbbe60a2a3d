"""How a test phase fired, per population: the figures ``metrics.csv`` keeps each epoch, and the warning.

A network that fell silent (or runs at its cap) still classifies at chance
without an error; the training loop therefore records, for every layer and
E/I type, the mean rate and the fractions of silent and saturated neurons,
and warns at an epoch's end when a fraction passes :data:`WARN_FRACTION`.

>>> from edsnn.networks import Description, Population, Saturation
>>> from brian2 import Hz, ms
>>> d = Description("x", 1, {"h": Population(2, "EI")}, 100,
...                 Saturation(presentation=100 * ms, dt=1 * ms, activity_max_rate=200 * Hz))
>>> row = firing(d, [(0, {}, {"h": np.array([[0, 20], [0, 20]])})], 2)
>>> row["h_E_silent"], row["h_I_rate_hz"], row["h_I_saturated"]
(1.0, 200.0, 1.0)
>>> for message in warnings_of(d, row):
...     print(message)
h: 100 % of its E neurons fired no spike in the test presentations
h: 100 % of its I neurons fired at the cap (20 spikes per presentation)
"""

from __future__ import annotations

import numpy as np
from brian2 import second

__all__ = ["WARN_FRACTION", "firing", "warnings_of"]

#: Fraction of a population's neurons silent (or saturated) above which an epoch's end warns.
WARN_FRACTION = 0.2


def firing(description, records, n_presentations: int) -> dict:
    """The :meth:`~edsnn.networks.Description.firing_columns` of one test phase.

    Parameters
    ----------
    description : Description
        The network's description.
    records : iterable of (int, dict, dict or None)
        The test phase's records (:class:`~edsnn.networks.Tested`); counts
        of shape (n_batch, class_networks * layer size).
    n_presentations : int
        Presentations in the phase.
    """
    columns = description.firing_columns()
    if not columns:
        return {}
    sums = {layer: 0 for layer in description.populations}
    for _, _, counts in records:
        for layer in sums:
            sums[layer] = sums[layer] + np.asarray(counts[layer], dtype=np.int64).sum(axis=0)
    seconds, cap = float(description.saturation.presentation / second), description.saturation.activity_cap
    row = {}
    for layer, population in description.populations.items():
        mean = np.asarray(sums[layer], dtype=float) / n_presentations  # spikes per presentation, per neuron
        types = population.types_of(np.arange(mean.size) % population.size)
        for kind in sorted(set(population.types)):
            chosen = mean[types == kind]
            row[f"{layer}_{kind}_rate_hz"] = float(chosen.mean() / seconds)
            row[f"{layer}_{kind}_silent"] = float(np.mean(chosen == 0))
            row[f"{layer}_{kind}_saturated"] = float(np.mean(chosen >= cap))
    return row


def warnings_of(description, row: dict) -> list:
    """One message per population whose silent or saturated fraction passes :data:`WARN_FRACTION`."""
    out = []
    for layer, population in description.populations.items():
        for kind in sorted(set(population.types)):
            silent, saturated = row.get(f"{layer}_{kind}_silent", 0), row.get(f"{layer}_{kind}_saturated", 0)
            if silent > WARN_FRACTION:
                out.append(f"{layer}: {100 * silent:.0f} % of its {kind} neurons fired no spike in the test "
                           "presentations")
            if saturated > WARN_FRACTION:
                out.append(f"{layer}: {100 * saturated:.0f} % of its {kind} neurons fired at the cap "
                           f"({description.saturation.activity_cap} spikes per presentation)")
    return out
