"""The neuron models edsnn ships, by their command-line name (``--neuron``)."""

from edsnn.model.adaptive import DALIF, AdaptiveLIF
from edsnn.model.izhikevich import Izhikevich
from edsnn.model.neurons import LIF

__all__ = ["NEURONS"]

#: ``--neuron`` name → neuron model of the hidden and output layers.
NEURONS = {cls.kind: cls for cls in (LIF, AdaptiveLIF, Izhikevich, DALIF)}
