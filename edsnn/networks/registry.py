"""The registry of network kinds: ``TrainConfig(model=kind)`` finds its :class:`~edsnn.networks.Network` here.

>>> sorted(NETWORKS)
['diehl-cook', 'reference', 'spiking']
"""

from __future__ import annotations

from edsnn.model.catalog import import_part, register_in

from .contract import Network

__all__ = ["NETWORKS", "register_network", "network_class"]

#: Network kind → its :class:`Network` subclass (filled by the network folders and by users).
NETWORKS: dict = {}


def register_network(cls):
    """Register a :class:`Network` subclass under its ``kind``; returns it (usable as a decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Network)):
        raise TypeError(f"cannot register {cls!r} as a network: it must subclass edsnn.networks.Network")
    return register_in(NETWORKS, cls, "--model")


def network_class(kind: str, path: str | None = None) -> type:
    """The network class of ``kind``; when it is not registered, imported from ``path`` (``module:Class``).

    Raises
    ------
    ValueError
        Naming the kind, the registered ones, and how to make a plugin network importable.
    """
    if kind not in NETWORKS and path:
        import_part(path, f"network {kind!r}")
    if kind not in NETWORKS:
        raise ValueError(f"model must be one of {tuple(NETWORKS)} (got {kind!r}); a network of your own is "
                         "registered with edsnn.register(MyNetwork) or --plugin MODULE")
    return NETWORKS[kind]
