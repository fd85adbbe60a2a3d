"""Kaneko's independent-output ED networks: all-spiking (``"spiking"``) and the published hybrid (``"reference"``)."""

from .batch import BatchResult
from .kinds import ReferenceED, SpikingED
from .network import EDNetwork

__all__ = ["EDNetwork", "BatchResult", "SpikingED", "ReferenceED"]
