"""Synapse models: how a presynaptic spike acts on the postsynaptic neuron.

A synapse model is a frozen, unit-checked parameter set with three pieces of
text, in the manner of PyNN's ``post_synaptic_variables``:

``post_equations``  the state it adds to every postsynaptic neuron (it defines
                    ``I_syn``, the current that neuron models read)
``on_pre``          what a spike of weight ``w`` does (``w_unit`` scales it)
``rest_state``      postsynaptic variable → value at the start of a presentation

The parameters are bound by field name in the namespace of the synapses and
of the postsynaptic group.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from brian2 import Quantity, mV, ms, nA

from edsnn.units import QuantityParameters, physical

__all__ = ["SynapseModel", "ExponentialSynapse", "DeltaSynapse", "SYNAPSES"]


@dataclasses.dataclass(frozen=True)
class SynapseModel(QuantityParameters):
    """Base of every synapse model (see the module docstring)."""

    kind: ClassVar[str] = ""
    post_equations: ClassVar[str] = ""
    on_pre: ClassVar[str] = ""
    rest_state: ClassVar[dict] = {}

    def namespace(self) -> dict:
        """The parameters by field name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclasses.dataclass(frozen=True)
class ExponentialSynapse(SynapseModel):
    """Current-based synapse: each spike adds ``w * w_unit`` to ``I_syn``,
    which decays with ``tau_syn``."""

    tau_syn: Quantity = physical(5 * ms, "synaptic current decay time constant")
    w_unit: Quantity = physical(0.4 * nA, "current jump for a weight of 1")

    kind = "exponential"
    post_equations = "dI_syn/dt = -I_syn / tau_syn : amp  # exponentially decaying current\n"
    on_pre = "I_syn_post += w * w_unit"
    rest_state = {"I_syn": "0*amp"}

    def __post_init__(self):
        super().__post_init__()
        if not self.tau_syn > 0 * ms:
            raise ValueError(f"tau_syn must be positive (got {self.tau_syn})")


@dataclasses.dataclass(frozen=True)
class DeltaSynapse(SynapseModel):
    """Voltage-jump synapse: each spike moves ``v`` by ``w * w_unit`` at once."""

    w_unit: Quantity = physical(0.5 * mV, "voltage jump for a weight of 1")

    kind = "delta"
    post_equations = "I_syn : amp  # unused: delta synapses jump v directly\n"
    on_pre = "v_post += w * w_unit"


#: ``--synapse`` name → synapse model.
SYNAPSES = {cls.kind: cls for cls in (ExponentialSynapse, DeltaSynapse)}
