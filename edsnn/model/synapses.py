"""Synapse models: how a presynaptic spike acts on the postsynaptic neuron.

A synapse model is a frozen, unit-checked parameter set with three pieces of
text, in the manner of PyNN's ``post_synaptic_variables``:

==================  ==========================================================
``post_equations``  the state it adds to every postsynaptic neuron (it defines
                    ``I_syn``, the current that neuron models read)
``on_pre``          what a spike of weight ``w`` does (``w_unit`` scales it)
``rest_state``      postsynaptic variable → value at the start of a presentation
==================  ==========================================================

The parameters are bound by field name in the namespace of the synapses and
of the postsynaptic group.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np
from brian2 import Quantity, ms, mV, nA

from edsnn.units import QuantityParameters, physical

__all__ = ["SynapseModel", "ExponentialSynapse", "DeltaSynapse", "AlphaSynapse", "BiexponentialSynapse", "SYNAPSES"]


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


@dataclasses.dataclass(frozen=True)
class AlphaSynapse(SynapseModel):
    """Alpha-function current: a spike of weight ``w`` adds ``w·w_unit·(t/τ)·exp(1 − t/τ)``,
    which peaks at ``t = tau_syn`` with amplitude ``w·w_unit``."""

    tau_syn: Quantity = physical(5 * ms, "time to peak (and decay time constant)")
    w_unit: Quantity = physical(0.4 * nA, "peak current for a weight of 1")

    kind = "alpha"
    post_equations = """
dI_syn/dt = (x_syn - I_syn) / tau_syn : amp  # alpha-function current
dx_syn/dt = -x_syn / tau_syn : amp  # its rising drive
"""
    on_pre = "x_syn_post += exp(1) * w * w_unit"
    rest_state = {"I_syn": "0*amp", "x_syn": "0*amp"}

    def __post_init__(self):
        super().__post_init__()
        if not self.tau_syn > 0 * ms:
            raise ValueError(f"tau_syn must be positive (got {self.tau_syn})")


@dataclasses.dataclass(frozen=True)
class BiexponentialSynapse(SynapseModel):
    """Difference of exponentials, peak-normalised: a spike of weight ``w`` adds
    ``w·w_unit·k·(exp(−t/τ_decay) − exp(−t/τ_rise))``, with ``k`` such that the
    peak, at ``t_peak = τ_r·τ_d/(τ_d − τ_r)·ln(τ_d/τ_r)``, is ``w·w_unit``."""

    tau_rise: Quantity = physical(1 * ms, "rise time constant")
    tau_decay: Quantity = physical(5 * ms, "decay time constant")
    w_unit: Quantity = physical(0.4 * nA, "peak current for a weight of 1")

    kind = "biexponential"
    post_equations = """
I_syn = I_decay - I_rise : amp  # biexponential current
dI_decay/dt = -I_decay / tau_decay : amp  # decaying part
dI_rise/dt = -I_rise / tau_rise : amp  # rising part
"""
    on_pre = "I_decay_post += k_peak * w * w_unit\nI_rise_post += k_peak * w * w_unit"
    rest_state = {"I_decay": "0*amp", "I_rise": "0*amp"}

    def __post_init__(self):
        super().__post_init__()
        if not 0 * ms < self.tau_rise < self.tau_decay:
            raise ValueError(f"need 0 ms < tau_rise < tau_decay (got {self.tau_rise}, {self.tau_decay})")

    def peak_time(self) -> Quantity:
        """Time from the spike to the current's peak."""
        r, d = self.tau_rise, self.tau_decay
        return r * d / (d - r) * np.log(d / r)

    def namespace(self) -> dict:
        t = self.peak_time()
        k_peak = 1 / (np.exp(-t / self.tau_decay) - np.exp(-t / self.tau_rise))
        return dict(super().namespace(), k_peak=float(k_peak))


#: ``--synapse`` name → synapse model.
SYNAPSES = {cls.kind: cls for cls in (ExponentialSynapse, DeltaSynapse, AlphaSynapse, BiexponentialSynapse)}
