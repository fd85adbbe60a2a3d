"""Networks assembled from parts, each a folder behind one contract, found by kind in one registry.

>>> from edsnn.networks import NETWORKS
>>> NETWORKS["spiking"].options[:2]
('hidden', 'neuron')

``ed/`` holds the ED networks (all-spiking and the published hybrid),
``diehl_cook/`` Diehl & Cook's STDP network.  A network of your own
subclasses :class:`Network` and is registered with
:func:`register_network` (``edsnn.register``).  Nothing below this package
names a network; see docs/architecture.md.
"""

from .contract import Description, Learned, Network, Population, Saturation, Tested
from .diehl_cook import DiehlCook, DiehlCookNetwork, DiehlCookParameters, DiehlCookResult, assign_labels, vote  # noqa: E402,I001
from .ed import BatchResult, EDNetwork, ReferenceED, SpikingED  # noqa: E402,I001  (registers the ED kinds)
from .registry import NETWORKS, network_class, register_network

__all__ = [
    "Network", "Description", "Population", "Saturation", "Learned", "Tested",
    "NETWORKS", "register_network", "network_class",
    "EDNetwork", "BatchResult", "SpikingED", "ReferenceED",
    "DiehlCook", "DiehlCookNetwork", "DiehlCookParameters", "DiehlCookResult", "assign_labels", "vote",
]
