"""Izhikevich's (2003) simple model as a neuron-model part, with units.

::

    dv/dt = (0.04/mV·v² + 5·v + 140 mV − u + R_m·(I_syn + I_bias)) / ms
    du/dt = a·(b·v − u)
    v ≥ v_peak  →  v = c, u += d

The quadratic term rules out exact integration: the model is integrated with
forward Euler (``method = "euler"``), as Izhikevich's own program does.  Its
spike upstroke is fast, so use a time step of at most 0.1 ms for faithful
firing patterns (``--dt 0.1ms``); at edsnn's default 1 ms the step overshoots
the peak, the reset catches it, and spike times are correct only to a step.
``R_m`` converts the input current to the model's voltage units (1 MΩ: 1 nA
is Izhikevich's ``I = 1``).
"""

from __future__ import annotations

import dataclasses

from brian2 import Mohm, Quantity, ms, mV, nA

from edsnn.model.neurons import NeuronModel
from edsnn.units import physical

__all__ = ["Izhikevich", "IZHIKEVICH_PRESETS"]

#: (a in 1/ms, b, c in mV, d in mV) of the 2003 paper's Fig. 2 classes.
IZHIKEVICH_PRESETS = {
    "regular_spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically_bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast_spiking": (0.1, 0.2, -65.0, 2.0),
    "low_threshold_spiking": (0.02, 0.25, -65.0, 2.0),
}


@dataclasses.dataclass(frozen=True)
class Izhikevich(NeuronModel):
    """Izhikevich (2003) neuron; presets :meth:`preset` (RS, IB, CH, FS, LTS).

    Parameters
    ----------
    b : float
        Sensitivity of the recovery variable ``u`` to ``v`` (dimensionless).
    """

    a: Quantity = physical(0.02 / ms, "recovery rate")
    b: float = 0.2
    c: Quantity = physical(-65 * mV, "reset potential")
    d: Quantity = physical(8 * mV, "recovery jump per spike")
    v_peak: Quantity = physical(30 * mV, "spike peak (threshold of the model)")
    v_init: Quantity = physical(-65 * mV, "membrane potential at the start of a presentation")
    R_m: Quantity = physical(1 * Mohm, "input resistance: R_m*I in the model's mV")
    I_bias: Quantity = physical(0 * nA, "constant bias current")

    kind = "izhikevich"
    equations = """
dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + R_m*(I_syn + I_bias)) / ms : volt  # membrane potential
du/dt = a*(b*v - u) : volt  # recovery variable
"""
    threshold = "v >= v_peak"
    reset = "v = c; u += d"
    method = "euler"
    rest_state = {"v": "v_init", "u": "b*v_init"}

    @classmethod
    def preset(cls, name: str, **changes) -> Izhikevich:
        """One of :data:`IZHIKEVICH_PRESETS` (e.g. ``"chattering"``), with optional changes."""
        if name not in IZHIKEVICH_PRESETS:
            raise ValueError(f"Izhikevich preset must be one of {tuple(IZHIKEVICH_PRESETS)} (got {name!r})")
        a, b, c, d = IZHIKEVICH_PRESETS[name]
        return cls(**dict(dict(a=a / ms, b=b, c=c * mV, d=d * mV), **changes))
