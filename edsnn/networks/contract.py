"""What every network provides to the training loop, the run folder and the analysis.

A network kind is a subclass of :class:`Network` registered under its name
(:func:`edsnn.networks.register_network`).  The one training loop
(:func:`edsnn.protocols.train`) only calls the methods below, and the run
folder and the analysis only read the network's :class:`Description`, which
the run writes into ``config.json``: so a run folder reads without the code of
the network that wrote it, and a new network is a new folder, never a new
branch in an old function.

>>> Population(size=4, types="EI").types_of([0, 1, 2, 3]).tolist()
['E', 'I', 'E', 'I']
"""

from __future__ import annotations

import abc
import dataclasses
import math
from pathlib import Path
from typing import ClassVar

import numpy as np
from brian2 import Hz, Quantity, ms

from edsnn.units import QuantityParameters, physical

__all__ = ["Network", "Population", "Description", "Saturation", "Learned", "Tested"]


@dataclasses.dataclass(frozen=True)
class Population:
    """One layer (or population) of a class network.

    Attributes
    ----------
    size : int
        Neurons per class network.
    types : str
        E/I pattern repeated over the neurons: ``"EI"`` alternates
        excitatory and inhibitory neurons, ``"E"`` makes them all excitatory.
    """

    size: int
    types: str = "E"

    def __post_init__(self):
        if int(self.size) != self.size or self.size < 1:
            raise ValueError(f"population size must be a whole number >= 1 (got {self.size!r})")
        if not self.types or set(self.types) - {"E", "I"}:
            raise ValueError(f"population types must be a pattern of 'E' and 'I' (got {self.types!r})")

    def types_of(self, neuron) -> np.ndarray:
        """``"E"``/``"I"`` of neuron indices (within a class network)."""
        return np.asarray(list(self.types))[np.asarray(neuron, dtype=np.int64) % len(self.types)]


@dataclasses.dataclass(frozen=True)
class Saturation(QuantityParameters):
    """What bounds a neuron's spike count in one presentation.

    Parameters
    ----------
    presentation : Quantity (time)
        Stimulus duration of one presentation.
    dt : Quantity (time)
        Simulation time step.
    tau_ref : Quantity (time)
        Refractory period of the counted neurons (0 ms without one).
    activity_max_rate : Quantity (frequency)
        Rate read as activity 1 (the learning rule's cap; the refractory
        limit's rate for a network without one).
    """

    presentation: Quantity = physical(100 * ms)
    dt: Quantity = physical(0.1 * ms)
    tau_ref: Quantity = physical(0 * ms)
    activity_max_rate: Quantity = physical(200 * Hz)

    @property
    def activity_cap(self) -> int:
        """Spike count read as activity 1: ``ceil(activity_max_rate · presentation)``."""
        return int(math.ceil(float(self.activity_max_rate * self.presentation) - 1e-9))


@dataclasses.dataclass(frozen=True)
class Description:
    """A network as a run folder records it (``config.json`` ``"network"``).

    Attributes
    ----------
    kind : str
        The registered network kind.
    class_networks : int
        Independent copies of the populations (one per class for ED, 1 otherwise).
    populations : dict of str to Population
        Layer name → population, in network order.
    period_steps : int
        Time steps from one presentation's start to the next: the most
        spikes a count can hold.
    saturation : Saturation
        Caps of the spike counts (analysis of saturation).
    inputs : int
        Input units (spike trains) of one class network.
    spiking : bool
        False when the counted units are rate units without spikes (the
        published hybrid): counts are then null and firing statistics do
        not apply.
    metrics : tuple of str
        The network's own (whole-number) columns of ``metrics.csv`` beyond the common ones.
    firing : bool
        Whether ``metrics.csv`` also holds each population's firing per epoch
        (:meth:`firing_columns`; run folders of format version 1 do not).
    """

    kind: str
    class_networks: int
    populations: dict
    period_steps: int
    saturation: Saturation = dataclasses.field(default_factory=Saturation)
    inputs: int = 0
    spiking: bool = True
    metrics: tuple = ()
    firing: bool = True

    @property
    def layers(self) -> list:
        """Layer names in network order."""
        return list(self.populations)

    def types_of(self, layer, neuron) -> np.ndarray:
        """``"E"``/``"I"`` of neurons named by layer and index within their class network
        (arrays broadcast; a layer the network does not have gets ``""``)."""
        layer, neuron = np.broadcast_arrays(np.asarray(layer, dtype=object), np.asarray(neuron, dtype=np.int64))
        types = np.full(layer.shape, "", dtype="<U1")
        for name, population in self.populations.items():
            chosen = layer == name
            types[chosen] = population.types_of(neuron[chosen])
        return types

    @property
    def units(self) -> int:
        """Neurons of all class networks together."""
        return self.class_networks * sum(p.size for p in self.populations.values())

    def firing_columns(self) -> list:
        """``metrics.csv`` columns of the test phase's firing: per layer and E/I type, the mean rate
        (``{layer}_{type}_rate_hz``) and the fractions of silent and saturated neurons
        (``{layer}_{type}_silent``, ``{layer}_{type}_saturated``); none for rate units."""
        if not (self.spiking and self.firing):
            return []
        return [f"{layer}_{kind}_{name}" for layer, population in self.populations.items()
                for kind in sorted(set(population.types)) for name in ("rate_hz", "silent", "saturated")]

    def sizes(self) -> dict:
        """Layer name → neurons per class network."""
        return {layer: p.size for layer, p in self.populations.items()}

    def neuron_types(self, layer, neuron) -> np.ndarray:
        """``"E"``/``"I"`` of (layer, neuron) pairs (arrays of equal length)."""
        layer, neuron = np.asarray(layer).astype(str), np.asarray(neuron, dtype=np.int64)
        out = np.full(layer.shape, "E", dtype="<U1")
        for name, population in self.populations.items():
            where = layer == name
            out[where] = population.types_of(neuron[where])
        return out

    def to_dict(self) -> dict:
        return {"kind": self.kind, "class_networks": self.class_networks,
                "populations": {k: dataclasses.asdict(p) for k, p in self.populations.items()},
                "period_steps": self.period_steps, "saturation": self.saturation.to_dict(),
                "inputs": self.inputs, "spiking": self.spiking, "metrics": list(self.metrics)}

    @classmethod
    def from_dict(cls, values: dict) -> Description:
        return cls(kind=values["kind"], class_networks=int(values["class_networks"]),
                   populations={k: Population(**p) for k, p in values["populations"].items()},
                   period_steps=int(values["period_steps"]),
                   saturation=Saturation.from_dict(values["saturation"]),
                   inputs=int(values.get("inputs", 0)), spiking=bool(values["spiking"]),
                   metrics=tuple(values.get("metrics", ())))


@dataclasses.dataclass
class Learned:
    """What a learning phase returns: the predictions it made (before each update) and extra metrics."""

    predictions: np.ndarray
    metrics: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Tested:
    """What a test phase returns.

    Attributes
    ----------
    predictions : ndarray of int, shape (n,)
    records : iterable of (int, dict, dict or None)
        Per batch: index of its first presentation, layer → activities in
        [0, 1] and layer → spike counts (None for rate units), each of shape
        (n_batch, class_networks * layer size).  The training loop writes
        them as the run's count table.
    spikes : list of (int, dict) or None
        Per batch: index of its first presentation and layer → (unit
        indices, spike times in seconds from the batch start), when the
        network records spike times.
    details : object
        Whatever the network's :meth:`Network.figures` needs (kept batches, …).
    """

    predictions: np.ndarray
    records: object = ()
    spikes: object = None
    details: object = None


class Network(abc.ABC):
    """The contract of a network kind (its class attributes below).

    Attributes
    ----------
    kind : str
        Registry name (``TrainConfig(model=kind)``, ``edsnn train --model kind``).
    options : tuple of str
        The :class:`~edsnn.config.TrainConfig` fields this network reads
        beyond the run's own settings; any other network's field set to a
        non-default value is refused, and ``config.json`` keeps these only.
    shardable : bool
        Whether its class networks are independent given the input, so that
        worker processes may each simulate some (``TrainConfig.workers``).
    unshardable : str
        Why not, when not (the refusal of ``workers`` > 1 says it).
    random_streams : str
        How its random streams derive (recorded in ``config.json``).
    """

    kind: ClassVar[str]
    options: ClassVar[tuple] = ()
    shardable: ClassVar[bool] = False
    unshardable: ClassVar[str] = "its class networks are not independent given the input"
    random_streams: ClassVar[str] = ("every epoch e: sample selection and order from (seed, e); "
                                     "brian2.seed(f(seed, e, phase)) before each of its phases")

    @classmethod  # noqa: B027 (an optional hook: most networks accept every setting)
    def check(cls, config) -> None:
        """Raise ValueError for settings this network cannot run (before anything is written)."""

    @classmethod
    @abc.abstractmethod
    def describe(cls, config) -> Description:
        """The :class:`Description` of the network ``config`` builds (no simulation)."""

    @classmethod
    @abc.abstractmethod
    def build(cls, config, device: str | None = None) -> Network:
        """The network ``config`` describes, initial weights drawn from ``config.seed``."""

    @abc.abstractmethod
    def learn(self, images, labels, epoch: int, seed, progress=None) -> Learned:
        """Present ``images`` (uint8, shape (n, 28, 28)) with learning on, in this order.

        ``seed(phase)`` gives the Brian2 seed of one of the epoch's phases
        (``"brian_train"``, ``"brian_assign"``, ``"brian_test"``);
        ``progress(n, correct)`` is called as presentations finish
        (``correct``: booleans of those presentations, or None).
        """

    @abc.abstractmethod
    def test(self, images, labels, epoch: int, seed, progress=None) -> Tested:
        """Present ``images`` with learning off and classify them."""

    @abc.abstractmethod
    def get_state(self) -> dict:
        """Learned state, name → ndarray (weights, kept neuron state): ``weights.npz``."""

    @abc.abstractmethod
    def set_state(self, state: dict) -> None:
        """Load a :meth:`get_state` dict (resume, evaluation)."""

    def figures(self, folder: Path, labels, predictions, images, tested: Tested) -> dict:
        """Draw the network's own figures of one epoch into ``folder``; name → path."""
        return {}

    def close(self) -> None:  # noqa: B027 (an optional hook: most networks hold memory only)
        """Free what the network holds beyond memory (worker processes); it is unusable afterwards."""
