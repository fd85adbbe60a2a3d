"""The open registries of parts: neuron, synapse and learning-rule models by kind.

A registered part is a choice of ``--neuron`` / ``--synapse``, a sweep value
and a ``config.json`` ``"kind"``.  Parts defined outside edsnn register with
:func:`register_part` (``edsnn.register``); the run folder records their
import path (:func:`import_path`) so that a later process can import them.

>>> from edsnn.model import LIF
>>> NEURONS["lif"] is LIF, import_path(LIF)
(True, 'edsnn.model.neurons:LIF')
"""

from __future__ import annotations

import importlib

from edsnn.model.adaptive import DALIF, AdaptiveLIF
from edsnn.model.ed_rule import EDRule
from edsnn.model.izhikevich import Izhikevich
from edsnn.model.neurons import LIF, NeuronModel
from edsnn.model.rules import LearningRule
from edsnn.model.stdp import STDPRule
from edsnn.model.synapses import SYNAPSES, SynapseModel

__all__ = ["NEURONS", "SYNAPSES", "RULES", "PARTS", "register_part", "register_in", "import_path",
           "import_part"]

#: ``--neuron`` kind → neuron model of the hidden and output layers.
NEURONS = {cls.kind: cls for cls in (LIF, AdaptiveLIF, Izhikevich, DALIF)}
#: Learning-rule kind → rule (a network chooses its rule; registered for lookup and documentation).
RULES = {"ed": EDRule, "stdp": STDPRule}
#: Base class → the registry its subclasses go into.
PARTS = {NeuronModel: NEURONS, SynapseModel: SYNAPSES, LearningRule: RULES}


def register_part(cls):
    """Register a neuron, synapse or rule class under its ``kind``; returns it (usable as a decorator).

    Raises
    ------
    TypeError
        If ``cls`` is not a subclass of a part type, or has no ``kind``.
    ValueError
        If another class is registered under the same kind.
    """
    registry = next((reg for base, reg in PARTS.items() if isinstance(cls, type) and issubclass(cls, base)), None)
    if registry is None:
        raise TypeError(f"cannot register {cls!r}: a part is a subclass of one of "
                        f"{[base.__name__ for base in PARTS]}")
    return register_in(registry, cls, "--neuron, --synapse")


def register_in(registry: dict, cls, option: str):
    """Put ``cls`` into ``registry`` under its ``kind`` (the value of ``option``); returns it.

    The same class, or one of the same import path (a notebook cell run
    again), replaces itself; another class under a taken kind is refused.
    """
    kind = getattr(cls, "kind", "")
    if not isinstance(kind, str) or not kind:
        raise TypeError(f"{cls.__name__} needs a class attribute kind = '<name>' (its {option} value)")
    if registry.get(kind, cls) is not cls and import_path(registry[kind]) != import_path(cls):
        raise ValueError(f"kind {kind!r} is already registered for {import_path(registry[kind])}")
    registry[kind] = cls
    return cls


def import_path(cls) -> str:
    """``module:QualifiedName`` of a class, as ``config.json`` records it."""
    return f"{cls.__module__}:{cls.__qualname__}"


def import_part(path: str, what: str):
    """Import the class a ``module:QualifiedName`` path names (its module registers it).

    Raises
    ------
    ValueError
        Naming the part, its module and how to make it importable.
    """
    module, _, name = path.partition(":")
    hint = (f"{what} is defined in {path}; make it importable (a module on PYTHONPATH or an installed "
            f"package) and pass --plugin {module}, or import it before reading the run")
    if module == "__main__":
        raise ValueError(f"{what} was defined in a script or notebook ({path}), which another process cannot "
                         f"import; move it into a module. {hint}")
    try:
        obj = importlib.import_module(module)
    except ImportError as err:
        raise ValueError(f"{what} cannot be imported ({err}). {hint}") from None
    for attr in name.split("."):
        obj = getattr(obj, attr, None)
    if obj is None:
        raise ValueError(f"{what}: {path} does not exist. {hint}")
    return obj
