"""Versions of the run-folder format: what ``config.json``'s ``format_version`` says, and how each is read.

=======  ==============================================================================
version  ``config.json`` holds
=======  ==============================================================================
1        (no ``format_version``) every network's settings; the network is told by its
         ``model`` and described by its registered kind
2        the run's settings, the chosen network's sections only, and ``network``: the
         network's :class:`~edsnn.networks.Description` (populations, E/I pattern, caps),
         so that the tables read without the network's code
=======  ==============================================================================
"""

from __future__ import annotations

import dataclasses

from edsnn.networks import Description, network_class

__all__ = ["FORMAT_VERSION", "format_version", "description"]

#: The version this edsnn writes.
FORMAT_VERSION = 2


def format_version(info: dict) -> int:
    """The format version of a ``config.json`` (1 when it has none)."""
    version = int(info.get("format_version", 1))
    if version > FORMAT_VERSION:
        raise ValueError(f"format version {version} is newer than this edsnn reads ({FORMAT_VERSION}): "
                         "upgrade edsnn")
    return version


def description(info: dict) -> Description:
    """The network :class:`Description` of a ``config.json``.

    Version 2 records it; a version-1 folder is described by its network
    kind from its full settings (the kinds of version 1 are edsnn's own).
    """
    if format_version(info) >= 2:
        return Description.from_dict(info["network"])
    from edsnn.config import TrainConfig

    config = TrainConfig.from_dict(info)
    described = network_class(config.model).describe(config)
    if described.class_networks == config.n_classes and "n_classes" in info:  # one network per class
        described = dataclasses.replace(described, class_networks=int(info["n_classes"]))
    return dataclasses.replace(described, firing=False)  # version 1 kept no firing in metrics.csv
