"""Izhikevich's (2003) simple model as a neuron-model part, with units.

::

    dv/dt = (0.04/mV·v² + 5·v + 140 mV − u + R_m·(I_syn + I_bias)) / ms
    du/dt = a·(b·v − u)
    v ≥ v_peak  →  v = c, u += d

The quadratic term rules out exact integration.  Each time step ``dt`` is
``substeps`` steps of ``h = dt / substeps`` (default 2: the two 0.5 ms
half-steps of Izhikevich's own program at dt = 1 ms) for every variable of the
group, the synaptic current's too; the threshold is tested once per ``dt``,
after them.  Writing ``F`` for the bracket of ``dv/dt``, ``v``'s step is
forward Euler, ``h·F/ms``, where ``dF/dv = 0.08/mV·v + 5 ≥ 0`` (above
−62.5 mV: the upstroke, as in Izhikevich's program) and linearly implicit,
``h·F / (ms − h·dF/dv)``, below (the ``int(v < -62.5*mV)`` term of the
equation; it vanishes as ``dt → 0``, so the equation is the model's).

Why: forward Euler at 1 ms is unstable on the model's stable branch.  Under a
net inhibitory input ``R_m·I`` below about −30 mV/ms (−30 nA at 1 MΩ) ``v``
swings about the stable fixed point instead of settling, and below about
−55 nA (−225 nA with two half-steps) the swing crosses ``v_peak``: the neuron
fires on every step or every other step where the model is silent.  An ED
network silences a neuron by inhibiting it; with that firing, more inhibition
meant more spikes, and trained networks ran away (their neurons at the
activity cap, their inputs down to −1000 nA).  The linearly implicit step
never overshoots the fixed point from below and damps every swing: the neuron
settles, silent, under any inhibition, while its rate under a constant drive
stays within 1 Hz of the explicit half-steps' up to 160 nA.  The upstroke is still fast: for faithful firing patterns
use a time step of at most 0.1 ms (``--dt 0.1ms``); at 1 ms spike times are
correct only to a step.

``R_m`` converts the input current to the model's voltage units: at 1 MΩ, 1 nA
is Izhikevich's ``I = 1`` (the paper's currents, as :meth:`Izhikevich.preset`'s
classes use them).  The default is 40 MΩ, the scale at which an ED network of
these neurons learns: the same synaptic weights then bring the neuron to its
working rates as they bring the LIF (100 Hz at about 3 weight units against the
LIF's 3.5, against 117 at 1 MΩ), and the MNIST headline protocol scores 91.1 ±
0.3 % (3 seeds) against 75.4 ± 0.1 % at 1 MΩ (studies/izhikevich).
"""

from __future__ import annotations

import dataclasses
import functools
import numbers

from brian2 import ExplicitStateUpdater, Mohm, Quantity, ms, mV, nA

from edsnn.model.neurons import NeuronModel
from edsnn.units import physical

__all__ = ["Izhikevich", "IZHIKEVICH_PRESETS", "euler_substeps"]

#: (a in 1/ms, b, c in mV, d in mV) of the 2003 paper's Fig. 2 classes.
IZHIKEVICH_PRESETS = {
    "regular_spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically_bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast_spiking": (0.1, 0.2, -65.0, 2.0),
    "low_threshold_spiking": (0.02, 0.25, -65.0, 2.0),
}


@functools.lru_cache(maxsize=None)
def euler_substeps(n: int) -> ExplicitStateUpdater | str:
    """Brian2 integration method: ``n`` Euler steps of ``dt/n`` per time step (``"euler"`` at 1)."""
    if n == 1:
        return "euler"
    lines = [f"x_1 = x + dt/{n}*f(x, t)"]
    lines += [f"x_{k + 1} = x_{k} + dt/{n}*f(x_{k}, t + {k}*dt/{n})" for k in range(1, n)]
    return ExplicitStateUpdater("\n".join(lines + [f"x_new = x_{n}"]))


@dataclasses.dataclass(frozen=True)
class Izhikevich(NeuronModel):
    """Izhikevich (2003) neuron; presets :meth:`preset` (RS, IB, CH, FS, LTS).

    Parameters
    ----------
    b : float
        Sensitivity of the recovery variable ``u`` to ``v`` (dimensionless).
    substeps : int
        Integration steps per time step (2: Izhikevich's two half-steps),
        each forward Euler above -62.5 mV and linearly implicit below.
    """

    a: Quantity = physical(0.02 / ms, "recovery rate")
    b: float = 0.2
    c: Quantity = physical(-65 * mV, "reset potential")
    d: Quantity = physical(8 * mV, "recovery jump per spike")
    v_peak: Quantity = physical(30 * mV, "spike peak (threshold of the model)")
    v_init: Quantity = physical(-65 * mV, "membrane potential at the start of a presentation")
    R_m: Quantity = physical(40 * Mohm, "input resistance: R_m*I in the model's mV (1 MΩ: the paper's I)")
    I_bias: Quantity = physical(0 * nA, "constant bias current")
    substeps: int = 2

    kind = "izhikevich"
    equations = (
        "dv/dt = (0.04/mV*v**2 + 5*v + 140*mV - u + R_m*(I_syn + I_bias))"
        " / (ms + int(v < -62.5*mV)*0.08/mV*(-62.5*mV - v)*dt/substeps) : volt  # membrane potential\n"
        "du/dt = a*(b*v - u) : volt  # recovery variable\n"
    )
    threshold = "v >= v_peak"
    reset = "v = c; u += d"
    rest_state = {"v": "v_init", "u": "b*v_init"}

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.substeps, bool) or not isinstance(self.substeps, numbers.Integral) or self.substeps < 1:
            raise ValueError(f"substeps must be an integer >= 1 (got {self.substeps!r})")
        object.__setattr__(self, "substeps", int(self.substeps))

    @property
    def method(self):
        """``substeps`` Euler steps per time step (:func:`euler_substeps`)."""
        return euler_substeps(self.substeps)

    @classmethod
    def preset(cls, name: str, **changes) -> Izhikevich:
        """One of :data:`IZHIKEVICH_PRESETS` (e.g. ``"chattering"``), with optional changes.

        The input scale stays the default ``R_m`` unless changed: ``R_m=1*Mohm`` reads
        currents in nA as the paper's ``I``.
        """
        if name not in IZHIKEVICH_PRESETS:
            raise ValueError(f"Izhikevich preset must be one of {tuple(IZHIKEVICH_PRESETS)} (got {name!r})")
        a, b, c, d = IZHIKEVICH_PRESETS[name]
        return cls(**dict(dict(a=a / ms, b=b, c=c * mV, d=d * mV), **changes))
