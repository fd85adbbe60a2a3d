"""The spike counts at which a neuron counts as saturated: the ED rule's activity cap and the refractory limit."""

from __future__ import annotations

import dataclasses
import math

from brian2 import Hz, Quantity, ms, second

from edsnn.networks import Saturation, network_class
from edsnn.units import check_quantity

from .tables import _seconds


def max_count(presentation: Quantity, dt: Quantity = 1 * ms, refractory: Quantity | None = None) -> int:
    """Largest spike count a neuron can emit in one presentation: the refractory limit.

    ``floor(presentation / (refractory + dt))``: after each spike the neuron
    is refractory for ``refractory`` and needs at least one time step to fire
    again.  Without a refractory period, one spike per time step.

    Parameters
    ----------
    presentation : Quantity
        Duration of one presentation.
    dt : Quantity, optional
        Simulation time step (default 1 ms).
    refractory : Quantity or None, optional
        Refractory period (default None: none).

    Examples
    --------
    >>> from brian2 import ms
    >>> max_count(50*ms, 1*ms, refractory=4*ms)
    10
    """
    period = _seconds("dt", dt)
    if refractory is not None:
        check_quantity("refractory", refractory, 2 * ms)
        period += float(refractory / second)
    return int(math.floor(_seconds("presentation", presentation) / period + 1e-9))


def _required_quantity(example: Quantity, doc: str):
    """A required dataclass field with the unit of ``example`` (checked by QuantityParameters)."""
    return dataclasses.field(metadata={"example": example, "doc": doc})


@dataclasses.dataclass(frozen=True)
class SaturationCaps(Saturation):
    """The two spike counts at which a neuron counts as saturated (a network's :class:`Saturation`, every field given).

    * :attr:`activity_cap`, ``ceil(activity_max_rate * presentation)``: the
      count the ED rule reads as activity 1.  At and above it the neuron's
      activity no longer grows and its factor ``y(1 - y)`` is (near) zero, so
      it stops learning -- the saturation that matters for learning.
    * :attr:`refractory_limit`, ``floor(presentation / (tau_ref + dt))``
      (:func:`max_count`): the most spikes the neuron can physically fire.

    Parameters
    ----------
    presentation : Quantity
        Duration of one presentation (``config.coding.presentation``).
    activity_max_rate : Quantity
        Firing rate read as activity 1 (``config.ed.activity_max_rate``).
    tau_ref : Quantity
        Refractory period of the hidden and output neurons
        (``config.neuron.tau_ref``).
    dt : Quantity
        Simulation time step (``config.coding.dt``).

    Examples
    --------
    >>> from brian2 import Hz, ms
    >>> caps = SaturationCaps(presentation=50*ms, activity_max_rate=200*Hz, tau_ref=2*ms, dt=1*ms)
    >>> caps.activity_cap, caps.refractory_limit
    (10, 16)
    """

    presentation: Quantity = _required_quantity(50 * ms, "duration of one presentation")
    activity_max_rate: Quantity = _required_quantity(200 * Hz, "firing rate read as activity 1")
    tau_ref: Quantity = _required_quantity(2 * ms, "refractory period of the neurons")
    dt: Quantity = _required_quantity(1 * ms, "simulation time step")

    def __post_init__(self):
        super().__post_init__()
        _seconds("presentation", self.presentation)
        _seconds("dt", self.dt)
        if self.tau_ref < 0 * ms:
            raise ValueError(f"tau_ref must be >= 0 ms (got {self.tau_ref})")
        if not self.activity_max_rate > 0 * Hz:
            raise ValueError(f"activity_max_rate must be positive (got {self.activity_max_rate})")

    @classmethod
    def from_config(cls, config) -> SaturationCaps:
        """The caps of a run's :class:`~edsnn.config.TrainConfig` (``Run.config``), as its network describes them.

        The refractory period is the counted neurons' (0 ms for a model
        without one); a network without an activity read-out (Diehl & Cook's)
        caps activity at the rate of that refractory limit.
        """
        return cls.from_description(network_class(config.model).describe(config))

    @classmethod
    def from_description(cls, description) -> SaturationCaps:
        """The caps a network :class:`~edsnn.networks.Description` records (``Run.description``)."""
        s = description.saturation
        return cls(presentation=s.presentation, dt=s.dt, tau_ref=s.tau_ref, activity_max_rate=s.activity_max_rate)

    @property
    def refractory_limit(self) -> int:
        """Physiological limit ``floor(T / (tau_ref + dt))`` (:func:`max_count`)."""
        return max_count(self.presentation, self.dt, self.tau_ref)


def _check_caps(caps) -> None:
    if not isinstance(caps, SaturationCaps):
        raise TypeError(
            f"caps must be a SaturationCaps, e.g. SaturationCaps.from_config(run.config) "
            f"(got {type(caps).__name__})"
        )
