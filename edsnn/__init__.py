"""edsnn: spiking networks trained with the Error-Diffusion rule, in Brian2.

The main API, by the same names as the command line::

    from edsnn import TrainConfig, train, evaluate, load_run
    result = train(TrainConfig(hidden=32, train=60, test=30, epochs=2), out="runs/first")
    run = load_run("runs/first")

A network, neuron, synapse or learning-rule model of your own is registered
with :func:`register` (also a decorator), then chosen by its ``kind`` from
Python, a sweep file or the command line (``--plugin MODULE``).

Names are imported on first use, so that ``import edsnn`` (and ``edsnn
--help``) stays fast.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version

try:  # the version has one source, pyproject.toml; an installed edsnn carries it in its metadata
    __version__ = version("edsnn")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

#: Public name → module that defines it.
_API = {
    "TrainConfig": "edsnn.config",
    "train": "edsnn.protocols", "evaluate": "edsnn.protocols", "TrainError": "edsnn.protocols",
    "load_run": "edsnn.analysis", "analyze_run": "edsnn.analysis", "export_run": "edsnn.analysis",
    "Network": "edsnn.networks", "NETWORKS": "edsnn.networks", "EDNetwork": "edsnn.networks",
    "DiehlCookNetwork": "edsnn.networks",
    "NeuronModel": "edsnn.model", "SynapseModel": "edsnn.model", "LearningRule": "edsnn.model",
    "LIF": "edsnn.model", "AdaptiveLIF": "edsnn.model", "Izhikevich": "edsnn.model", "DALIF": "edsnn.model",
    "ExponentialSynapse": "edsnn.model", "DeltaSynapse": "edsnn.model", "AlphaSynapse": "edsnn.model",
    "BiexponentialSynapse": "edsnn.model", "EDParameters": "edsnn.model",
}

__all__ = ["register", "__version__", *_API]


def register(cls):
    """Register a network, neuron, synapse or learning-rule class of your own under its ``kind``.

    Returns the class, so it also works as a decorator::

        @edsnn.register
        class PerfectIF(edsnn.NeuronModel):
            kind = "perfect-if"
            ...

    The run folder records the class's import path, so that ``edsnn
    evaluate``, ``analyze`` and ``--resume`` find it again when its module
    can be imported (define it in a module, not only in a notebook, for that).

    Raises
    ------
    TypeError
        If ``cls`` is not a subclass of :class:`~edsnn.networks.Network`,
        :class:`~edsnn.model.NeuronModel`, :class:`~edsnn.model.SynapseModel`
        or :class:`~edsnn.model.LearningRule`, or has no ``kind``.
    ValueError
        If another class is registered under the same kind.
    """
    from edsnn.model.catalog import register_part
    from edsnn.networks import Network, register_network

    if isinstance(cls, type) and issubclass(cls, Network):
        return register_network(cls)
    return register_part(cls)


def __getattr__(name):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'edsnn' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
